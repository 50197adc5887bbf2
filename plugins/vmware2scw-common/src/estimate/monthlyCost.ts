import {
  HOURS_PER_MONTH,
  roundCents,
  type ScalewayOffer,
  type OfferedServerType,
} from '../offer/ScalewayOffer';
import type { Vm } from '../inventory/model';
import { systemDisk } from '../inventory/systemDisk';

/** Smallest Block (SBS) volume, and smallest volume an Instance boots from, in GB. */
export const SBS_MIN_GB = 5;
export const SYSTEM_VOLUME_MIN_GB = 10;

export interface VmMonthlyCost {
  /** Instance: hourly price × 730. */
  instanceEur: number;
  /** Block volumes: GB × price per GB-hour × 730. */
  storageEur: number;
  /** One flexible IPv4 × 730 h, when counted. */
  ipv4Eur: number;
  totalEur: number;
  /** Sum of the Block volumes' sizes. */
  storageGb: number;
}

/**
 * Monthly cost of a VM on Scaleway: the Instance, one Block volume per disk sized to the disk's
 * capacity (rounded up to a whole GB, at least 5 GB, at least 10 GB for the system volume: a
 * volume cannot be smaller than the imported image), and one flexible IPv4 if asked.
 */
export function vmMonthlyCost(
  vm: Pick<Vm, 'disks'>,
  type: Pick<OfferedServerType, 'hourlyPriceEur'> | undefined,
  catalog: Pick<ScalewayOffer, 'extraPrices'>,
  options: { publicIpv4: boolean },
): VmMonthlyCost {
  const root = systemDisk(vm);
  let storageGb = 0;
  for (const d of vm.disks) {
    const gb = Math.max(
      Math.ceil(d.capacityBytes / 1e9),
      d === root ? SYSTEM_VOLUME_MIN_GB : SBS_MIN_GB,
    );
    storageGb += gb;
  }
  const instanceEur = roundCents((type?.hourlyPriceEur ?? 0) * HOURS_PER_MONTH);
  const storageEur = roundCents(
    storageGb * catalog.extraPrices.blockStorageGbHourEur * HOURS_PER_MONTH,
  );
  const ipv4Eur = options.publicIpv4
    ? roundCents(catalog.extraPrices.flexibleIpv4HourEur * HOURS_PER_MONTH)
    : 0;
  return {
    instanceEur,
    storageEur,
    ipv4Eur,
    totalEur: roundCents(instanceEur + storageEur + ipv4Eur),
    storageGb,
  };
}

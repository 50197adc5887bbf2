import type { OfferedServerType } from '../offer/ScalewayOffer';
import { isWindowsServerType } from '../offer/serverTypeFamily';
import type { Vm } from '../inventory/model';

/** Most volumes Scaleway attaches to one Instance, the boot volume included. */
export const MAX_VOLUMES_PER_INSTANCE = 16;

export type TypeMismatchCode =
  | 'arch'
  | 'end_of_service'
  | 'shortage'
  | 'windows_needs_win_type'
  | 'no_block_storage'
  | 'local_storage_required'
  | 'too_many_volumes'
  | 'vcpus'
  | 'memory';

export interface TypeMismatch {
  code: TypeMismatchCode;
  text: string;
}

/**
 * Why `type` cannot host `vm` as migrated (disks imported as Block/SBS volumes), or an empty list.
 * Sizing uses it to pick candidates and the concern engine to judge a type the user chose, so the
 * two never disagree.
 */
export function typeFitProblems(
  vm: Pick<Vm, 'osFamily' | 'numCpu' | 'memoryMiB' | 'disks'>,
  type: OfferedServerType,
  demand: { vcpus: number; memoryMiB: number } = {
    vcpus: vm.numCpu,
    memoryMiB: vm.memoryMiB,
  },
): TypeMismatch[] {
  const out: TypeMismatch[] = [];
  if (type.arch !== 'x86_64') {
    out.push({
      code: 'arch',
      text: `${type.name} is ${type.arch}; VMware guests are x86_64`,
    });
  }
  if (type.endOfService) {
    out.push({
      code: 'end_of_service',
      text: `${type.name} is end-of-service`,
    });
  }
  if (type.availability === 'shortage') {
    out.push({
      code: 'shortage',
      text: `${type.name} is in shortage in this zone (creation fails with out_of_stock)`,
    });
  }
  if (vm.osFamily === 'windows' && !isWindowsServerType(type.name)) {
    out.push({
      code: 'windows_needs_win_type',
      text: `Windows runs only on -WIN types; ${type.name} has no Windows licence`,
    });
  }
  if (!type.blockStorage) {
    out.push({
      code: 'no_block_storage',
      text: `${type.name} cannot attach Block (SBS) volumes, which is how imported disks arrive`,
    });
  }
  if (type.localVolumesMinBytes > 0) {
    out.push({
      code: 'local_storage_required',
      text: `${type.name} requires ${
        type.localVolumesMinBytes / 1e9
      } GB of local volumes; imported disks are Block volumes`,
    });
  }
  if (vm.disks.length > MAX_VOLUMES_PER_INSTANCE) {
    out.push({
      code: 'too_many_volumes',
      text: `${vm.disks.length} disks, an Instance takes at most ${MAX_VOLUMES_PER_INSTANCE} volumes`,
    });
  }
  if (type.vcpus < demand.vcpus) {
    out.push({
      code: 'vcpus',
      text: `${type.name} has ${type.vcpus} vCPU, ${demand.vcpus} needed`,
    });
  }
  const typeMiB = type.memoryBytes / 2 ** 20;
  if (typeMiB < demand.memoryMiB) {
    out.push({
      code: 'memory',
      text: `${type.name} has ${formatGiB(typeMiB)} GiB RAM, ${formatGiB(
        demand.memoryMiB,
      )} GiB needed`,
    });
  }
  return out;
}

export function formatGiB(mib: number): string {
  const gib = mib / 1024;
  return Number.isInteger(gib) ? String(gib) : gib.toFixed(1);
}

import {
  DEFAULT_EXTRA_PRICES,
  type ScalewayOffer,
  type OfferedServerType,
  type ExtraPrices,
} from '@internal/plugin-vmware2scw-common';
import type { Instancev1 } from '@scaleway/sdk-instance';

/**
 * Turns what `products/servers` and `products/servers/availability` return (through the SDK, so in
 * camelCase) into the domain catalog. A type missing from the availability list is `unknown`, not
 * `available`: sizing then keeps it, but the UI can tell.
 */
export function catalogFromApi(input: {
  zone: string;
  serverTypes: Record<string, Instancev1.ServerType>;
  availability: Record<
    string,
    Instancev1.GetServerTypesAvailabilityResponseAvailability
  >;
  fetchedAt: Date;
  extraPrices?: ExtraPrices;
}): ScalewayOffer {
  const serverTypes: OfferedServerType[] = Object.entries(input.serverTypes)
    .map(([name, t]) => ({
      name,
      arch: t.arch,
      vcpus: t.ncpus,
      memoryBytes: t.ram,
      gpus: t.gpu ?? 0,
      hourlyPriceEur: t.hourlyPrice,
      localVolumesMaxBytes: t.volumesConstraint?.maxSize ?? 0,
      localVolumesMinBytes: t.volumesConstraint?.minSize ?? 0,
      // Every current type attaches Block volumes; an absent flag (older API answers) means no.
      blockStorage: t.capabilities?.blockStorage ?? false,
      endOfService: t.endOfService,
      availability: input.availability[name]?.availability ?? 'unknown',
      ...(t.network?.sumInternetBandwidth !== undefined
        ? { internetBandwidthBps: t.network.sumInternetBandwidth }
        : {}),
      ...(t.blockBandwidth !== undefined
        ? { blockBandwidthBytesPerSec: t.blockBandwidth }
        : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    zone: input.zone,
    source: 'live',
    pricedAt: input.fetchedAt.toISOString(),
    currency: 'EUR',
    serverTypes,
    extraPrices: input.extraPrices ?? DEFAULT_EXTRA_PRICES,
  };
}

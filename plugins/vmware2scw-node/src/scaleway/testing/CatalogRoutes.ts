import {
  offlineOffer,
  type OfferedServerType,
} from '@internal/plugin-vmware2scw-common';
import { RECORDED_WIRE_FIELDS } from './recordedWireFields';

/** One type as `products/servers` returns it, from the snapshot and the recorded wire-only fields. */
export function wireType(t: OfferedServerType) {
  const recorded = RECORDED_WIRE_FIELDS[t.name];
  if (!recorded) throw new Error(`no recorded wire fields for ${t.name}`);
  const [
    monthlyPrice,
    maxFileSystems,
    scratchMaxGb,
    scratchMaxVolumes,
    internalMbps,
    altNames,
    gpuInfo,
  ] = recorded;
  const local = t.localVolumesMaxBytes > 0;
  const internal = internalMbps * 1e6;
  const internet = t.internetBandwidthBps ?? 0;
  return {
    alt_names: altNames,
    arch: t.arch,
    ncpus: t.vcpus,
    ram: t.memoryBytes,
    gpu: t.gpus,
    gpu_info: gpuInfo,
    mig_profile: null,
    volumes_constraint: {
      min_size: t.localVolumesMinBytes,
      max_size: t.localVolumesMaxBytes,
    },
    per_volume_constraint: {
      l_ssd: local
        ? { min_size: 1e9, max_size: 8e11 }
        : { min_size: 0, max_size: 0 },
    },
    scratch_storage_max_size: scratchMaxGb * 1e9,
    scratch_storage_max_volumes_count: scratchMaxVolumes,
    monthly_price: monthlyPrice,
    hourly_price: t.hourlyPriceEur,
    capabilities: {
      boot_types: ['local', 'rescue'],
      placement_groups: true,
      block_storage: t.blockStorage,
      hot_snapshots_local_volume: local,
      private_network: 8,
      max_file_systems: maxFileSystems,
    },
    network: {
      ipv6_support: true,
      sum_internal_bandwidth: internal,
      sum_internet_bandwidth: internet,
      interfaces: [
        { internal_bandwidth: internal, internet_bandwidth: internet },
      ],
    },
    block_bandwidth: t.blockBandwidthBytesPerSec ?? 0,
    end_of_service: t.endOfService,
  };
}

/** The recorded fr-par-1 catalog (2026-07-30), which the simulators serve in every zone. */
export function recordedServerTypes(): readonly OfferedServerType[] {
  return offlineOffer('fr-par-1')!.serverTypes;
}

export interface CatalogAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * `GET products/servers` and `products/servers/availability` as recorded (fr-par-1, 2026-07-30): maps
 * keyed by type name in name order, 50 entries per page unless `per_page` says otherwise (at most
 * 100), the total in `X-Total-Count` and not in the body, a `Link` header with first/previous/next/
 * last. Answers `undefined` for any other path.
 */
export function catalogAnswer(
  pathname: string,
  search: URLSearchParams,
  options: {
    types: readonly OfferedServerType[];
    hideAvailability?: ReadonlySet<string>;
    /** Availability overrides (a type out of stock in a test). */
    availability?: ReadonlyMap<string, string>;
  },
): CatalogAnswer | undefined {
  const m = /\/products\/servers(\/availability)?$/.exec(pathname);
  if (!m) return undefined;
  const names = options.types.map(t => t.name).sort();
  const byName = new Map(options.types.map(t => [t.name, t]));
  const availability = Boolean(m[1]);
  const perPage = Math.min(100, Number(search.get('per_page') ?? 50) || 50);
  const page = Math.max(1, Number(search.get('page') ?? 1) || 1);
  const pages = Math.max(1, Math.ceil(names.length / perPage));
  const slice = names.slice((page - 1) * perPage, page * perPage);
  const servers: Record<string, unknown> = {};
  for (const n of slice) {
    if (availability) {
      if (!options.hideAvailability?.has(n))
        servers[n] = {
          availability:
            options.availability?.get(n) ?? byName.get(n)!.availability,
        };
    } else {
      servers[n] = wireType(byName.get(n)!);
    }
  }
  const path = availability
    ? '/products/servers/availability'
    : '/products/servers';
  const link = (p: number, rel: string) =>
    `<${path}?page=${p}&per_page=${perPage}&>; rel="${rel}"`;
  const links = [
    ...(page > 1 ? [link(1, 'first'), link(page - 1, 'previous')] : []),
    ...(page < pages ? [link(page + 1, 'next')] : []),
    link(pages, 'last'),
  ];
  return {
    status: 200,
    body: { servers },
    headers: { Link: links.join(','), 'X-Total-Count': String(names.length) },
  };
}

import {
  offlineOffer,
  type OfferedServerType,
} from '@internal/plugin-vmware2scw-common';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'http';
import { randomUUID } from 'crypto';
import type { AddressInfo } from 'net';
import { fetch as undiciFetch } from 'undici';
import { RECORDED_WIRE_FIELDS } from './recordedWireFields';

/**
 * A local stand-in for the Scaleway Instance API's catalog endpoints, answering as the real API did
 * when recorded (fr-par-1, 2026-07-30): `products/servers` and `products/servers/availability`, maps
 * keyed by type name in name order, 50 entries per page unless `per_page` says otherwise (at most
 * 100), the total in `X-Total-Count` and not in the body, a `Link` header with first/previous/next/
 * last, a `Content-Type` of exactly `application/json`, and bodies written as the API writes them
 * (`{"key": value, ...}` with spaces). Each type's body is the recorded one, field for field and in
 * the recorded key order: the domain's figures from the offline snapshot, the rest (deprecated
 * `monthly_price`, `gpu_info`, `alt_names`, scratch storage, ...) from `recordedWireFields.ts`.
 */
export interface FakeInstanceApi {
  url: string;
  requests: string[];
  /** Next responses fail with this status (a JSON error body), while > 0. */
  failNext(status: number, times?: number): void;
  /** Replaces the Content-Type header (to check the SDK's strictness). */
  contentType: string;
  /** Types to leave out of the availability list. */
  hideAvailability: Set<string>;
  close(): Promise<void>;
}

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

/** Fields the API holds as floats: written `4599.0`, not `4599`, when the value is whole. */
const FLOAT_FIELDS = new Set(['monthly_price', 'hourly_price']);

/**
 * JSON as the API writes it (Python's `json.dumps`): `{"a": 1, "b": [1, 2]}`, and floats with a
 * decimal point even when whole.
 */
export function apiJson(value: unknown, key?: string): string {
  if (Array.isArray(value)) return `[${value.map(v => apiJson(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${apiJson(v, k)}`)
      .join(', ')}}`;
  }
  if (
    typeof value === 'number' &&
    key &&
    FLOAT_FIELDS.has(key) &&
    Number.isInteger(value)
  ) {
    return `${value}.0`;
  }
  return JSON.stringify(value);
}

export async function startFakeInstanceApi(): Promise<FakeInstanceApi> {
  const types = offlineOffer('fr-par-1')!.serverTypes;
  const names = types.map(t => t.name).sort();
  const byName = new Map(types.map(t => [t.name, t]));
  const state = {
    requests: [] as string[],
    failures: [] as number[],
    contentType: 'application/json',
    hideAvailability: new Set<string>(),
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = apiJson(body);
    // Node adds `Date`; the gateway's own headers follow the recording.
    res.writeHead(status, {
      'Content-Length': String(Buffer.byteLength(text)),
      'Content-Type': state.contentType,
      ...headers,
      Server: 'Scaleway API Gateway (fake)',
      'X-Request-Id': randomUUID(),
    });
    res.end(text);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    state.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://fake');
    const m =
      /^\/instance\/v1\/zones\/([a-z]{2}-[a-z]{3}-\d)\/products\/servers(\/availability)?$/.exec(
        url.pathname,
      );
    if (!req.headers['x-auth-token']) {
      send(res, 401, {
        message: 'authentication is denied',
        method: 'api_key',
        reason: 'invalid_argument',
        type: 'denied_authentication',
      });
      return;
    }
    const failure = state.failures.shift();
    if (failure) {
      send(res, failure, { message: 'internal error', type: 'internal_error' });
      return;
    }
    if (req.method !== 'GET' || !m) {
      send(res, 404, {
        message: 'resource is not found',
        resource: 'path',
        type: 'not_found',
      });
      return;
    }
    if (m[1] !== 'fr-par-1') {
      send(res, 404, {
        message: `zone ${m[1]} is not found`,
        type: 'not_found',
      });
      return;
    }
    const availability = Boolean(m[2]);
    const perPage = Math.min(
      100,
      Number(url.searchParams.get('per_page') ?? 50) || 50,
    );
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const pages = Math.max(1, Math.ceil(names.length / perPage));
    const slice = names.slice((page - 1) * perPage, page * perPage);
    const servers: Record<string, unknown> = {};
    for (const n of slice) {
      if (availability) {
        if (!state.hideAvailability.has(n))
          servers[n] = { availability: byName.get(n)!.availability };
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
    send(
      res,
      200,
      { servers },
      { Link: links.join(','), 'X-Total-Count': String(names.length) },
    );
  };

  const server: Server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    failNext: (status, times = 1) =>
      state.failures.push(...Array(times).fill(status)),
    get contentType() {
      return state.contentType;
    },
    set contentType(v: string) {
      state.contentType = v;
    },
    hideAvailability: state.hideAvailability,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/**
 * A real HTTP client for the SDK in tests: Backstage's jest setup blocks the global `fetch`, so
 * requests to the local fake go through undici instead.
 */
export const testHttpClient = (async (
  input: RequestInfo | URL,
  init?: RequestInit,
) => {
  const req = input instanceof Request ? input : new Request(input, init);
  const response = await undiciFetch(req.url, {
    method: req.method,
    headers: Object.fromEntries(req.headers),
  });
  return response as unknown as Response;
}) as typeof fetch;

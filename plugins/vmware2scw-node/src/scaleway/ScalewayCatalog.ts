import {
  offlineCatalog,
  OFFLINE_SNAPSHOT_PRICED_AT,
  OFFLINE_SNAPSHOT_ZONE,
  PlanningError,
  makeProblem,
  type Catalog,
  type ExtraPrices,
} from '@internal/plugin-vmware2scw-common';
import {
  createAdvancedClient,
  withHTTPClient,
  withProfile,
  type Zone,
} from '@scaleway/sdk-client';
import { Instancev1 } from '@scaleway/sdk-instance';
import type { ScalewayConfig } from '../config';
import { fetchLiveCatalog } from './fetchLiveCatalog';

export interface ScalewayCatalogOptions {
  /** The Instance API; without it (no credentials) every catalog is the offline snapshot. */
  api?: Pick<Instancev1.API, 'listServersTypes' | 'getServerTypesAvailability'>;
  /** How long a live catalog is reused, default one hour: prices and stock change slowly. */
  cacheTtlMs?: number;
  /** Use the offline snapshot when the live API fails, default true (the catalog says so). */
  fallbackToSnapshot?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
  extraPrices?: ExtraPrices;
  logger?: { warn(message: string): void };
}

const HOUR = 60 * 60 * 1000;

/**
 * Where plans get their Scaleway catalog: the live Instance API when credentials are configured,
 * cached per zone, otherwise (or when the API fails) the offline snapshot shipped in the common
 * package, which records its date so that every plan and estimate says what priced it.
 */
export class ScalewayCatalog {
  private readonly cache = new Map<
    string,
    { at: number; catalog: Promise<Catalog> }
  >();
  private readonly now: () => Date;
  private readonly ttl: number;

  constructor(private readonly options: ScalewayCatalogOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.ttl = options.cacheTtlMs ?? HOUR;
  }

  /**
   * From the `vmware2scw.scaleway` configuration; `httpClient` replaces `fetch` (tests, proxies).
   * Without configuration the catalog is offline only.
   */
  static fromConfig(
    config:
      | Pick<
          ScalewayConfig,
          'accessKey' | 'secretKey' | 'apiUrl' | 'defaultZone' | 'projectId'
        >
      | undefined,
    options: Omit<ScalewayCatalogOptions, 'api'> & {
      httpClient?: typeof fetch;
    } = {},
  ): ScalewayCatalog {
    if (!config) return new ScalewayCatalog(options);
    // createClient() keeps only profile fields and would drop `httpClient`: build it from parts.
    const client = createAdvancedClient(
      withProfile({
        accessKey: config.accessKey,
        secretKey: config.secretKey,
        defaultProjectId: config.projectId,
        defaultZone: config.defaultZone as Zone,
        ...(config.apiUrl ? { apiURL: config.apiUrl } : {}),
      }),
      ...(options.httpClient ? [withHTTPClient(options.httpClient)] : []),
    );
    return new ScalewayCatalog({ ...options, api: new Instancev1.API(client) });
  }

  /** True when a live API is configured. */
  get live(): boolean {
    return Boolean(this.options.api);
  }

  /**
   * The catalog of `zone`. Throws a PlanningError when neither the live API nor the snapshot can
   * provide it (the snapshot covers fr-par-1 only).
   */
  async getCatalog(zone: string): Promise<Catalog> {
    const api = this.options.api;
    if (!api) return this.snapshot(zone);
    const hit = this.cache.get(zone);
    const nowMs = this.now().getTime();
    if (hit && nowMs - hit.at < this.ttl) return hit.catalog;
    // Concurrent callers share one fetch; a failed fetch is not cached.
    const catalog = fetchLiveCatalog(api, zone, {
      now: this.now,
      extraPrices: this.options.extraPrices,
    });
    this.cache.set(zone, { at: nowMs, catalog });
    try {
      return await catalog;
    } catch (e) {
      this.cache.delete(zone);
      const reason = `live catalog unavailable: ${
        e instanceof Error ? e.message : String(e)
      }`;
      if (this.options.fallbackToSnapshot === false || !offlineCatalog(zone)) {
        throw new PlanningError([
          makeProblem({
            code: 'CATALOG_FETCH_FAILED',
            field: `zone ${zone}`,
            text: `${reason}${
              offlineCatalog(zone)
                ? ''
                : ` (and the offline snapshot covers ${OFFLINE_SNAPSHOT_ZONE} only)`
            }`,
            remediation:
              'Check the Scaleway credentials and that the API is reachable, then retry.',
          }),
        ]);
      }
      this.options.logger?.warn(
        `Scaleway ${reason}; using the offline snapshot of ${OFFLINE_SNAPSHOT_PRICED_AT}`,
      );
      return { ...this.snapshot(zone), fallbackReason: reason };
    }
  }

  /** Forgets cached catalogs (all, or one zone's). */
  invalidate(zone?: string) {
    if (zone) this.cache.delete(zone);
    else this.cache.clear();
  }

  private snapshot(zone: string): Catalog {
    const catalog = offlineCatalog(zone);
    if (catalog) {
      return this.options.extraPrices
        ? { ...catalog, extraPrices: this.options.extraPrices }
        : catalog;
    }
    throw new PlanningError([
      makeProblem({
        code: 'CATALOG_ZONE_NOT_IN_SNAPSHOT',
        field: `zone ${zone}`,
        text: `no Scaleway catalog for ${zone}: the offline snapshot covers ${OFFLINE_SNAPSHOT_ZONE} only (recorded ${OFFLINE_SNAPSHOT_PRICED_AT}) and no Scaleway credentials are configured`,
        remediation: `Configure vmware2scw.scaleway credentials for live prices in ${zone}, or plan for ${OFFLINE_SNAPSHOT_ZONE}.`,
      }),
    ]);
  }
}

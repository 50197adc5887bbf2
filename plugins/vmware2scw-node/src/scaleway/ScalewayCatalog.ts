import {
  offlineOffer,
  OFFLINE_ZONES,
  didYouMean,
  formatZoneList,
  offlineCatalogInfo,
  PlanningError,
  makeProblem,
  type ScalewayOffer,
  type ExtraPrices,
} from '@internal/plugin-vmware2scw-common';
import { Instancev1 } from '@scaleway/sdk-instance';
import { fetchLiveCatalog } from './fetchLiveCatalog';
import { redact } from './redact';
import {
  scalewaySdkClient,
  type ScalewayClientConfig,
  type ScalewaySdkClient,
} from './scalewaySdkClient';
import { SignalScopedHttpClient } from './SignalScopedHttpClient';

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
  /** Values that must never appear in an error or a log line (the API keys). */
  secrets?: string[];
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
    { at: number; catalog: Promise<ScalewayOffer> }
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
    config: ScalewayClientConfig | undefined,
    options: Omit<ScalewayCatalogOptions, 'api' | 'secrets'> & {
      httpClient?: typeof fetch;
    } = {},
  ): ScalewayCatalog {
    if (!config) return new ScalewayCatalog(options);
    const secrets = [config.secretKey, config.accessKey];
    let client: ScalewaySdkClient;
    try {
      // Default: undici with a per-request timeout, as the gateway uses (the global fetch has none, and
      // its JSON lives in another realm under Jest, where the SDK's `instanceof Object` drops every map).
      client = scalewaySdkClient(
        config,
        options.httpClient ?? new SignalScopedHttpClient().fetch,
      );
    } catch (e) {
      throw PlanningError.fromProblems([
        makeProblem({
          code: 'CATALOG_CONFIG_INVALID',
          field: 'vmware2scw.scaleway',
          text: `the Scaleway client cannot be set up: ${errorText(e)}`,
          remediation:
            'Check vmware2scw.scaleway: accessKey is SCW followed by 17 letters or digits, secretKey a UUID, apiUrl without a trailing slash.',
        }),
      ]);
    }
    return new ScalewayCatalog({
      ...options,
      api: new Instancev1.API(client),
      secrets,
    });
  }

  /** True when a live API is configured. */
  get live(): boolean {
    return Boolean(this.options.api);
  }

  /**
   * The catalog of `zone`. Throws a PlanningError when neither the live API nor an offline catalog
   * can provide it (offline catalogs cover the zones of `OFFLINE_ZONES`).
   */
  async getCatalog(zone: string): Promise<ScalewayOffer> {
    const api = this.options.api;
    if (!api) return this.snapshot(zone);
    const hit = this.cache.get(zone);
    const nowMs = this.now().getTime();
    if (hit && nowMs - hit.at < this.ttl) return hit.catalog;
    // Concurrent callers share one fetch and its outcome (the fallback included); a failed fetch
    // is not cached, so the next call tries the API again.
    const catalog = this.fetchOrFallBack(api, zone);
    const entry = { at: nowMs, catalog };
    this.cache.set(zone, entry);
    catalog.then(
      c => {
        if (c.source !== 'live' && this.cache.get(zone) === entry)
          this.cache.delete(zone);
      },
      () => {
        if (this.cache.get(zone) === entry) this.cache.delete(zone);
      },
    );
    return catalog;
  }

  private async fetchOrFallBack(
    api: NonNullable<ScalewayCatalogOptions['api']>,
    zone: string,
  ): Promise<ScalewayOffer> {
    try {
      return await fetchLiveCatalog(api, zone, {
        now: this.now,
        extraPrices: this.options.extraPrices,
      });
    } catch (e) {
      // SDK messages carry the API's text; keys are never meant to be in them, but make sure.
      const reason = `live catalog unavailable: ${redact(
        errorText(e),
        this.options.secrets ?? [],
      )}`;
      if (this.options.fallbackToSnapshot === false || !offlineOffer(zone)) {
        throw PlanningError.fromProblems([
          makeProblem({
            code: 'CATALOG_FETCH_FAILED',
            field: `zone ${zone}`,
            text: `${reason}${
              offlineOffer(zone)
                ? ''
                : ` (and offline catalogs cover ${formatZoneList(
                    OFFLINE_ZONES,
                  )} only)`
            }`,
            remediation:
              'Check the Scaleway credentials and that the API is reachable, then retry.',
          }),
        ]);
      }
      this.options.logger?.warn(
        `Scaleway ${reason}; using the offline catalog of ${zone} recorded ${
          offlineCatalogInfo(zone)!.pricedAt
        }`,
      );
      return { ...this.snapshot(zone), fallbackReason: reason };
    }
  }

  /** Forgets cached catalogs (all, or one zone's). */
  invalidate(zone?: string) {
    if (zone) this.cache.delete(zone);
    else this.cache.clear();
  }

  private snapshot(zone: string): ScalewayOffer {
    const catalog = offlineOffer(zone);
    if (catalog) {
      return this.options.extraPrices
        ? { ...catalog, extraPrices: this.options.extraPrices }
        : catalog;
    }
    const near = didYouMean(zone, OFFLINE_ZONES);
    throw PlanningError.fromProblems([
      makeProblem({
        code: 'CATALOG_ZONE_NOT_IN_SNAPSHOT',
        field: `zone ${zone}`,
        text: `no Scaleway catalog for ${zone}${
          near ? ` (did you mean ${near}?)` : ''
        }: offline catalogs cover ${formatZoneList(
          OFFLINE_ZONES,
        )} and no Scaleway credentials are configured`,
        remediation: near
          ? `Plan for ${near}, or configure vmware2scw.scaleway credentials for live prices in ${zone}.`
          : `Configure vmware2scw.scaleway credentials for live prices in ${zone}, or plan for one of ${formatZoneList(
              OFFLINE_ZONES,
            )}.`,
      }),
    ]);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

import type {
  ExtraPrices,
  ScalewayOffer,
} from '@internal/plugin-vmware2scw-common';
import type { Zone } from '@scaleway/sdk-client';
import type { Instancev1 } from '@scaleway/sdk-instance';
import { catalogFromApi } from './catalogFromApi';

/** Enough for 5,000 types at 50 per page: a guard against a server that never stops paging. */
const MAX_PAGES = 100;

/**
 * Reads the zone's catalog from the Instance API. `listServersTypes` has no fetch-all helper in the
 * SDK: pages (50 entries by default) are read until the count in `X-Total-Count` (the SDK's
 * `totalCount`) is reached or a page comes back empty. Availability is paged the same way.
 */
export async function fetchLiveCatalog(
  api: Pick<Instancev1.API, 'listServersTypes' | 'getServerTypesAvailability'>,
  zone: string,
  options: { now: () => Date; extraPrices?: ExtraPrices; pageSize?: number },
): Promise<ScalewayOffer> {
  const serverTypes = await readAllPages(page =>
    api
      .listServersTypes({ zone: zone as Zone, page, perPage: options.pageSize })
      .then(r => ({ items: r.servers, total: r.totalCount })),
  );
  const availability = await readAllPages(page =>
    api
      .getServerTypesAvailability({
        zone: zone as Zone,
        page,
        perPage: options.pageSize,
      })
      .then(r => ({ items: r.servers, total: r.totalCount })),
  );
  return catalogFromApi({
    zone,
    serverTypes,
    availability,
    fetchedAt: options.now(),
    extraPrices: options.extraPrices,
  });
}

async function readAllPages<T>(
  fetchPage: (
    page: number,
  ) => Promise<{ items: Record<string, T>; total?: number }>,
): Promise<Record<string, T>> {
  const all: Record<string, T> = {};
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { items, total } = await fetchPage(page);
    const keys = Object.keys(items ?? {});
    for (const k of keys) all[k] = items[k];
    const count = Object.keys(all).length;
    if (keys.length === 0 || (typeof total === 'number' && count >= total))
      break;
  }
  return all;
}

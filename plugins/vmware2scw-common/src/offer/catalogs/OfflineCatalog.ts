import type { OfferedServerType } from '../ScalewayOffer';

/**
 * One row per type: name, arch, vCPUs, RAM GiB, GPUs, EUR/h, local volumes max GB (0 = Block only),
 * end of service, availability, internet bandwidth Mbit/s (`network.sum_internet_bandwidth`), Block
 * bandwidth MiB/s (`block_bandwidth`). Every figure is the recorded one.
 */
export type OfflineCatalogRow = [
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  boolean,
  OfferedServerType['availability'],
  number,
  number,
];

/** A zone's Instance types as a recorded public listing gave them. */
export interface OfflineCatalog {
  zone: string;
  /** ISO instant of the listing (its first page's `Date`). */
  pricedAt: string;
  /** Where the listing was recorded: repository and path of the cassette. */
  recording: string;
  rows: OfflineCatalogRow[];
}

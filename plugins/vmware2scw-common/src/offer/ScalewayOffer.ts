import { z } from 'zod';

/**
 * The Scaleway offer of one zone (Scaleway's Instance catalog, not Backstage's software catalog), as
 * sizing and estimates need it: commercial types from `GET /instance/v1/zones/{zone}/products/servers`
 * merged with `GET .../products/servers/availability`, plus the storage and IP prices that the API does
 * not list. Every offer says where its prices come from (`live` API or the offline `snapshot`) and when,
 * and plans and estimates copy that (as `metadata.catalog`, the plan file's key) so a reader knows what
 * priced them.
 */

export const HOURS_PER_MONTH = 730;

export const availabilitySchema = z.enum([
  'available',
  'scarce',
  'shortage',
  'unknown',
]);
export type Availability = z.infer<typeof availabilitySchema>;

export const offeredServerTypeSchema = z.object({
  /** Commercial type, e.g. `POP2-4C-16G`, `POP2-4C-16G-WIN`. */
  name: z.string().min(1),
  /** `x86_64`, `arm64`. */
  arch: z.string(),
  vcpus: z.number().int().positive(),
  memoryBytes: z.number().int().positive(),
  gpus: z.number().int().nonnegative().default(0),
  /** EUR per hour, excluding VAT, in this zone. */
  hourlyPriceEur: z.number().nonnegative(),
  /** `volumes_constraint.max_size`: 0 means no local storage, every volume must be Block (SBS). */
  localVolumesMaxBytes: z.number().int().nonnegative(),
  /** `volumes_constraint.min_size`: local storage the type insists on (0 for every current type). */
  localVolumesMinBytes: z.number().int().nonnegative().default(0),
  /** `capabilities.block_storage`: can attach Block (SBS) volumes, which is how imported disks arrive. */
  blockStorage: z.boolean(),
  endOfService: z.boolean(),
  availability: availabilitySchema,
  /** `network.sum_internet_bandwidth`, bits per second. */
  internetBandwidthBps: z.number().nonnegative().optional(),
  /** `block_bandwidth`, bytes per second. */
  blockBandwidthBytesPerSec: z.number().nonnegative().optional(),
});
export type OfferedServerType = z.infer<typeof offeredServerTypeSchema>;

/**
 * Prices billed next to the instance, which `products/servers` does not list: Block Storage per GB-hour
 * and a flexible IPv4 per hour (from the billing section of Scaleway's Instances FAQ).
 */
export const extraPricesSchema = z.object({
  /** Block Storage (SBS 5K), EUR per GB per hour. */
  blockStorageGbHourEur: z.number().nonnegative(),
  /** Flexible (public) IPv4, EUR per hour. */
  flexibleIpv4HourEur: z.number().nonnegative(),
  /** Where these come from: the API has no endpoint for them. */
  source: z.string(),
  /** ISO date of that source. */
  date: z.string(),
});
export type ExtraPrices = z.infer<typeof extraPricesSchema>;

export const DEFAULT_EXTRA_PRICES: ExtraPrices = {
  blockStorageGbHourEur: 0.000118,
  flexibleIpv4HourEur: 0.004,
  source:
    'Scaleway documentation, instances FAQ (billing of Block Storage and flexible IPs)',
  date: '2025-08-19',
};

export const offerSourceSchema = z.enum(['live', 'snapshot']);
export type OfferSource = z.infer<typeof offerSourceSchema>;

export const scalewayOfferSchema = z.object({
  zone: z.string(),
  source: offerSourceSchema,
  /** ISO 8601 instant the prices were read from the API (live) or recorded (snapshot). */
  pricedAt: z.string(),
  currency: z.literal('EUR'),
  serverTypes: z.array(offeredServerTypeSchema),
  extraPrices: extraPricesSchema,
  /** Set when a live fetch was wanted but the snapshot was used instead, and why. */
  fallbackReason: z.string().optional(),
});
export type ScalewayOffer = z.infer<typeof scalewayOfferSchema>;

/** What plans and estimates record about the catalog that priced them. */
export interface PricingSource {
  source: OfferSource;
  pricedAt: string;
  zone: string;
  currency: 'EUR';
  extraPrices: { source: string; date: string };
  fallbackReason?: string;
}

export function pricingSourceOf(catalog: ScalewayOffer): PricingSource {
  return {
    source: catalog.source,
    pricedAt: catalog.pricedAt,
    zone: catalog.zone,
    currency: catalog.currency,
    extraPrices: {
      source: catalog.extraPrices.source,
      date: catalog.extraPrices.date,
    },
    ...(catalog.fallbackReason
      ? { fallbackReason: catalog.fallbackReason }
      : {}),
  };
}

export function findServerType(
  catalog: ScalewayOffer,
  name: string,
): OfferedServerType | undefined {
  return catalog.serverTypes.find(t => t.name === name);
}

/** Monthly price as Scaleway bills it: hourly × 730 (the API's `monthly_price` is deprecated). */
export function monthlyPrice(hourlyEur: number): number {
  return roundCents(hourlyEur * HOURS_PER_MONTH);
}

export function roundCents(eur: number): number {
  return Math.round(eur * 100) / 100;
}

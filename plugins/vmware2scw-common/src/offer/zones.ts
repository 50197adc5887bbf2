import { z } from 'zod';

/**
 * The Scaleway Availability Zones where Instances run: the one list that the configuration
 * (`vmware2scw.scaleway.defaultZone`), the plan schema (`defaults.zone`), sizing and concern texts use.
 */
export const SCALEWAY_ZONES = [
  'fr-par-1',
  'fr-par-2',
  'fr-par-3',
  'nl-ams-1',
  'nl-ams-2',
  'nl-ams-3',
  'pl-waw-1',
  'pl-waw-2',
  'pl-waw-3',
  'it-mil-1',
] as const;
export type ScalewayZone = (typeof SCALEWAY_ZONES)[number];

/** A zone of {@link SCALEWAY_ZONES}. */
export const zoneSchema = z.enum(SCALEWAY_ZONES);

/** The zone plans target when they name none (the old tool's default). */
export const DEFAULT_ZONE: ScalewayZone = 'fr-par-1';

export function isScalewayZone(zone: string): zone is ScalewayZone {
  return (SCALEWAY_ZONES as readonly string[]).includes(zone);
}

/** Region of a zone, where its Object Storage buckets live: `fr-par-1` → `fr-par`. */
export function zoneRegion(zone: string): string {
  return zone.replace(/-\d+$/, '');
}

/** `fr-par-1`, `fr-par-1 and fr-par-2`, `fr-par-1, fr-par-2 and nl-ams-1`. */
export function formatZoneList(zones: readonly string[]): string {
  if (zones.length <= 1) return zones.join('');
  return `${zones.slice(0, -1).join(', ')} and ${zones[zones.length - 1]}`;
}

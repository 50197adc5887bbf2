import { FR_PAR_1 } from './fr-par-1';
import { FR_PAR_2 } from './fr-par-2';
import { FR_PAR_3 } from './fr-par-3';
import { IT_MIL_1 } from './it-mil-1';
import { NL_AMS_1 } from './nl-ams-1';
import { NL_AMS_2 } from './nl-ams-2';
import { NL_AMS_3 } from './nl-ams-3';
import { PL_WAW_1 } from './pl-waw-1';
import { PL_WAW_2 } from './pl-waw-2';
import { PL_WAW_3 } from './pl-waw-3';
import type { OfflineCatalog } from './OfflineCatalog';

export type { OfflineCatalog, OfflineCatalogRow } from './OfflineCatalog';

/** Every recorded zone listing (see scripts/offline-catalogs.mjs), in zone order. */
export const OFFLINE_CATALOGS: readonly OfflineCatalog[] = [
  FR_PAR_1,
  FR_PAR_2,
  FR_PAR_3,
  IT_MIL_1,
  NL_AMS_1,
  NL_AMS_2,
  NL_AMS_3,
  PL_WAW_1,
  PL_WAW_2,
  PL_WAW_3,
];

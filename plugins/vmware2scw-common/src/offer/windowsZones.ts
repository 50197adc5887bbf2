import { offlineCatalogHas } from './offlineOffer';
import type { ScalewayOffer } from './ScalewayOffer';
import { isWindowsServerType } from './serverTypeFamily';
import { SCALEWAY_ZONES, type ScalewayZone } from './zones';

const windowsOffered = new WeakMap<ScalewayOffer, boolean>();

/** Whether an offer lists Windows (-WIN) types; asked once per Windows VM, answered once per offer. */
export function offersWindows(offer: ScalewayOffer): boolean {
  let offered = windowsOffered.get(offer);
  if (offered === undefined) {
    offered = offer.serverTypes.some(t => isWindowsServerType(t.name));
    windowsOffered.set(offer, offered);
  }
  return offered;
}

const offlineWindows = new Map<string, boolean>();

/**
 * The zones whose offer lists -WIN types, the only ones Windows runs on. An offer given here (a live one)
 * decides for its zone; other zones are as their offline catalog recorded them (a zone without one
 * counts as offering none).
 */
export function zonesOfferingWindows(
  offers: readonly ScalewayOffer[] = [],
): ScalewayZone[] {
  return SCALEWAY_ZONES.filter(zone => {
    const given = offers.find(o => o.zone === zone);
    if (given) return offersWindows(given);
    let offered = offlineWindows.get(zone);
    if (offered === undefined) {
      offered = offlineCatalogHas(zone, isWindowsServerType);
      offlineWindows.set(zone, offered);
    }
    return offered;
  });
}

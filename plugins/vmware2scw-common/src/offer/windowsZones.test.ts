import { offlineOffer } from './offlineOffer';
import type { ScalewayOffer } from './ScalewayOffer';
import { offersWindows, zonesOfferingWindows } from './windowsZones';
import { formatZoneList, SCALEWAY_ZONES, zoneRegion } from './zones';

const frPar1 = offlineOffer('fr-par-1')!;
const withoutWin = (zone: string): ScalewayOffer => ({
  ...frPar1,
  zone,
  serverTypes: frPar1.serverTypes.filter(t => !t.name.endsWith('-WIN')),
});

describe('zonesOfferingWindows', () => {
  it('names the zones whose recorded offers list -WIN types', () => {
    expect(offersWindows(frPar1)).toBe(true);
    expect(zonesOfferingWindows()).toEqual(['fr-par-1', 'fr-par-2']);
    expect(formatZoneList(zonesOfferingWindows())).toBe(
      'fr-par-1 and fr-par-2',
    );
  });

  it('lets the offers in hand decide for their zones', () => {
    expect(
      zonesOfferingWindows([
        withoutWin('fr-par-2'),
        { ...frPar1, zone: 'nl-ams-1' },
      ]),
    ).toEqual(['fr-par-1', 'nl-ams-1']);
    expect(zonesOfferingWindows([withoutWin('fr-par-1')])).toEqual([
      'fr-par-2',
    ]);
  });
});

describe('zones', () => {
  it('lists every zone once, each with its region', () => {
    expect(new Set(SCALEWAY_ZONES).size).toBe(SCALEWAY_ZONES.length);
    expect(SCALEWAY_ZONES.map(zoneRegion)).toContain('it-mil');
    expect(formatZoneList(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

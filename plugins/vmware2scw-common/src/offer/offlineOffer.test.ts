import { scalewayOfferSchema } from './ScalewayOffer';
import {
  offlineCatalogInfo,
  offlineOffer,
  OFFLINE_SNAPSHOT_PRICED_AT,
  OFFLINE_SNAPSHOT_ZONE,
  OFFLINE_ZONES,
  requireOfflineOffer,
} from './offlineOffer';
import { zonesOfferingWindows } from './windowsZones';
import { SCALEWAY_ZONES } from './zones';

/**
 * Spot checks of the offline snapshot against the recording it transcribes (fr-par-1,
 * `products/servers` + `products/servers/availability`, 2026-07-30 12:55:08 GMT). The expected values
 * below are the recorded wire values, copied by hand: `ram`, `hourly_price`,
 * `volumes_constraint.max_size`, `network.sum_internet_bandwidth`, `block_bandwidth`, ...
 */
const catalog = offlineOffer()!;
const type = (name: string) => {
  const t = catalog.serverTypes.find(x => x.name === name);
  if (!t) throw new Error(`${name} is not in the snapshot`);
  return t;
};

// prettier-ignore
const RECORDED_TYPES = [
  // name, ncpus, ram, gpu, hourly_price, volumes max_size, internet bps, block B/s, EOS, availability
  ['POP2-2C-8G', 2, 8589934592, 0, 0.0735, 0, 400e6, 419430400, false, 'available'],
  ['POP2-6C-24G', 6, 25769803776, 0, 0.225, 0, 1200e6, 1258291200, false, 'available'],
  ['POP2-4C-16G-WIN', 4, 17179869184, 0, 0.3637, 0, 800e6, 838860800, false, 'available'],
  ['PRO2-M', 16, 68719476736, 0, 0.44676, 0, 3000e6, 1048576000, false, 'shortage'],
  ['PLAY2-PICO', 1, 2147483648, 0, 0.01428, 0, 100e6, 41943040, false, 'available'],
  ['GP1-M', 16, 68719476736, 0, 0.38352, 600e9, 1500e6, 838860800, false, 'available'],
  ['DEV1-S', 2, 2147483648, 0, 0.008976, 20e9, 200e6, 104857600, false, 'available'],
  ['VC1S', 2, 2147483648, 0, 0.00862, 50e9, 200e6, 41943040, true, 'available'],
  ['L4-1-24G', 8, 51539607552, 1, 0.7875, 0, 2500e6, 1048576000, false, 'available'],
  ['RENDER-S', 10, 45097156608, 1, 1.221, 400e9, 2000e6, 2147483648, false, 'available'],
  ['COMPUTE3-X2C-4G', 2, 4294967296, 0, 0.0585, 0, 500e6, 500170752, false, 'available'],
  ['BASIC2-A2C-4G', 2, 4294967296, 0, 0.023, 0, 200e6, 83886080, false, 'available'],
] as const;

describe('offline catalog snapshot', () => {
  it('is fr-par-1 as recorded on 2026-07-30, and valid', () => {
    expect(OFFLINE_SNAPSHOT_ZONE).toBe('fr-par-1');
    expect(OFFLINE_SNAPSHOT_PRICED_AT).toBe('2026-07-30T12:55:08Z');
    expect(catalog).toMatchObject({
      zone: 'fr-par-1',
      source: 'snapshot',
      currency: 'EUR',
    });
    expect(scalewayOfferSchema.parse(catalog)).toEqual(catalog);
    expect(offlineOffer('fr-par-4')).toBeUndefined();
  });

  it('lists the 135 recorded types: 105 available, 17 scarce, 13 in shortage, 11 end-of-service', () => {
    expect(catalog.serverTypes).toHaveLength(135);
    const count = (f: (t: (typeof catalog.serverTypes)[0]) => boolean) =>
      catalog.serverTypes.filter(f).length;
    expect(count(t => t.availability === 'available')).toBe(105);
    expect(count(t => t.availability === 'scarce')).toBe(17);
    expect(count(t => t.availability === 'shortage')).toBe(13);
    expect(count(t => t.endOfService)).toBe(11);
    expect(new Set(catalog.serverTypes.map(t => t.name)).size).toBe(135);
  });

  it.each(RECORDED_TYPES)(
    '%s is transcribed as recorded',
    (
      name,
      vcpus,
      ram,
      gpus,
      hourly,
      localMax,
      internet,
      block,
      eos,
      availability,
    ) => {
      expect(type(name)).toEqual({
        name,
        arch: name.startsWith('BASIC2-A') ? 'arm64' : 'x86_64',
        vcpus,
        memoryBytes: ram,
        gpus,
        hourlyPriceEur: hourly,
        localVolumesMaxBytes: localMax,
        localVolumesMinBytes: 0,
        blockStorage: true,
        endOfService: eos,
        availability,
        internetBandwidthBps: internet,
        blockBandwidthBytesPerSec: block,
      });
    },
  );

  it('has -WIN types only as POP2 variants, and PLAY2 and PRO2 as Block-only types', () => {
    const win = catalog.serverTypes.filter(t => t.name.endsWith('-WIN'));
    expect(win.map(t => t.name).sort()).toEqual([
      'POP2-16C-64G-WIN',
      'POP2-2C-8G-WIN',
      'POP2-32C-128G-WIN',
      'POP2-4C-16G-WIN',
      'POP2-8C-32G-WIN',
    ]);
    for (const t of catalog.serverTypes.filter(x =>
      /^(PLAY2|PRO2|POP2)/.test(x.name),
    ))
      expect(t.localVolumesMaxBytes).toBe(0);
  });
});

describe('offline catalogs of every zone', () => {
  it('cover every Scaleway zone, each valid, with its recording date and origin', () => {
    expect([...OFFLINE_ZONES].sort()).toEqual([...SCALEWAY_ZONES].sort());
    for (const zone of OFFLINE_ZONES) {
      const offer = offlineOffer(zone)!;
      expect(scalewayOfferSchema.parse(offer)).toEqual(offer);
      expect(offer).toMatchObject({ zone, source: 'snapshot' });
      expect(new Set(offer.serverTypes.map(t => t.name)).size).toBe(
        offer.serverTypes.length,
      );
      const info = offlineCatalogInfo(zone)!;
      expect(info.pricedAt).toBe(offer.pricedAt);
      expect(info.pricedAt).toMatch(/^2026-0[78]-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(info.recording).toMatch(
        /^scaleway\/(terraform-provider-scaleway|scaleway-cli):.*\.cassette\.yaml$/,
      );
    }
    expect(offlineCatalogInfo('it-mil-1')!.pricedAt).toBe(
      '2026-07-01T15:09:28Z',
    );
  });

  // Recorded wire values (ncpus, ram, hourly_price, sum_internet_bandwidth, block_bandwidth), by hand.
  it.each([
    ['nl-ams-1', 'POP2-2C-8G', 2, 8589934592, 0.0735, 400e6, 419430400],
    ['fr-par-3', 'POP2-4C-16G', 4, 17179869184, 0.2205, 800e6, 838860800],
    ['it-mil-1', 'POP2-4C-16G', 4, 17179869184, 0.147, 800e6, 838860800],
    ['pl-waw-2', 'PRO2-XS', 4, 17179869184, 0.1122, 700e6, 262144000],
  ] as const)(
    '%s %s is transcribed as recorded',
    (zone, name, vcpus, ram, hourly, internet, block) => {
      expect(
        offlineOffer(zone)!.serverTypes.find(t => t.name === name),
      ).toMatchObject({
        vcpus,
        memoryBytes: ram,
        hourlyPriceEur: hourly,
        internetBandwidthBps: internet,
        blockBandwidthBytesPerSec: block,
        availability: 'available',
      });
    },
  );

  it('say from their rows which zones offer Windows types: fr-par-1 and fr-par-2', () => {
    expect(zonesOfferingWindows()).toEqual(['fr-par-1', 'fr-par-2']);
    for (const zone of OFFLINE_ZONES)
      expect(
        offlineOffer(zone)!.serverTypes.some(t => t.name.endsWith('-WIN')),
      ).toBe(zone === 'fr-par-1' || zone === 'fr-par-2');
  });

  it('refuses a zone without a catalog, naming those with one and the near miss', () => {
    expect(requireOfflineOffer('pl-waw-2').zone).toBe('pl-waw-2');
    expect(() => requireOfflineOffer('fr-par1')).toThrow(
      expect.objectContaining({
        code: 'OFFLINE_CATALOG_NO_ZONE',
        message: expect.stringMatching(
          /^no offline Scaleway catalog for zone "fr-par1" \(did you mean fr-par-1\?\): offline catalogs exist for fr-par-1, fr-par-2, fr-par-3, it-mil-1, .* and pl-waw-3$/,
        ),
        remediation:
          'Use fr-par-1, or configure Scaleway credentials for the live catalog.',
      }),
    );
    expect(() => requireOfflineOffer('us-east-1')).toThrow(
      expect.objectContaining({
        remediation: expect.stringMatching(
          /^Use one of fr-par-1, .* and pl-waw-3, or configure/,
        ),
      }),
    );
  });
});

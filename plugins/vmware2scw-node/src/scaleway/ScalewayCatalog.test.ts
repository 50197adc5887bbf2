import {
  offlineOffer,
  PlanningError,
} from '@internal/plugin-vmware2scw-common';
import {
  startFakeInstanceApi,
  testHttpClient,
  type FakeInstanceApi,
} from './__fixtures__/fakeInstanceApi';
import { ScalewayCatalog } from './ScalewayCatalog';

const credentials = {
  accessKey: 'SCWABCDEFGHIJ0123456',
  secretKey: '11111111-2222-4333-8444-555555555555',
  projectId: '66666666-7777-4888-9999-000000000000',
  defaultZone: 'fr-par-1' as const,
};

describe('ScalewayCatalog', () => {
  let api: FakeInstanceApi;
  let clock: Date;
  const catalogFor = (extra: object = {}) =>
    ScalewayCatalog.fromConfig(
      { ...credentials, apiUrl: api.url },
      {
        httpClient: testHttpClient,
        now: () => clock,
        logger: { warn: jest.fn() },
        ...extra,
      },
    );

  beforeEach(async () => {
    api = await startFakeInstanceApi();
    clock = new Date('2026-11-26T10:00:00Z');
  });
  afterEach(() => api.close());

  it('reads every page of products/servers and of availability through the SDK', async () => {
    const catalog = await catalogFor().getCatalog('fr-par-1');
    expect(api.requests).toEqual([
      'GET /instance/v1/zones/fr-par-1/products/servers?page=1',
      'GET /instance/v1/zones/fr-par-1/products/servers?page=2',
      'GET /instance/v1/zones/fr-par-1/products/servers?page=3',
      'GET /instance/v1/zones/fr-par-1/products/servers/availability?page=1',
      'GET /instance/v1/zones/fr-par-1/products/servers/availability?page=2',
      'GET /instance/v1/zones/fr-par-1/products/servers/availability?page=3',
    ]);
    expect(catalog).toMatchObject({
      zone: 'fr-par-1',
      source: 'live',
      pricedAt: '2026-11-26T10:00:00.000Z',
      currency: 'EUR',
    });
    expect(catalog.serverTypes).toHaveLength(135);
    const pop2 = catalog.serverTypes.find(t => t.name === 'POP2-4C-16G');
    expect(pop2).toMatchObject({
      vcpus: 4,
      memoryBytes: 16 * 2 ** 30,
      hourlyPriceEur: 0.147,
      localVolumesMaxBytes: 0,
      blockStorage: true,
      availability: 'available',
      endOfService: false,
    });
    expect(
      catalog.serverTypes.find(t => t.name === 'PRO2-M')?.availability,
    ).toBe('shortage');
    // The fake answers as the recording; the snapshot transcribes the same recording.
    expect(catalog.serverTypes).toEqual(offlineOffer('fr-par-1')!.serverTypes);
  });

  it('caches per zone for its TTL, and shares one fetch between concurrent callers', async () => {
    const cat = catalogFor({ cacheTtlMs: 60_000 });
    await Promise.all([cat.getCatalog('fr-par-1'), cat.getCatalog('fr-par-1')]);
    expect(api.requests).toHaveLength(6);
    clock = new Date(clock.getTime() + 30_000);
    await cat.getCatalog('fr-par-1');
    expect(api.requests).toHaveLength(6);
    clock = new Date(clock.getTime() + 60_000);
    expect((await cat.getCatalog('fr-par-1')).pricedAt).toBe(
      '2026-11-26T10:01:30.000Z',
    );
    expect(api.requests).toHaveLength(12);
  });

  it('falls back to the dated snapshot when the API fails, and says why', async () => {
    api.failNext(500);
    const warn = jest.fn();
    const catalog = await catalogFor({ logger: { warn } }).getCatalog(
      'fr-par-1',
    );
    expect(catalog.source).toBe('snapshot');
    expect(catalog.pricedAt).toBe('2026-07-30T12:55:08Z');
    expect(catalog.fallbackReason).toMatch(/live catalog unavailable/);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'offline catalog of fr-par-1 recorded 2026-07-30',
      ),
    );
  });

  it('gives concurrent callers the same fallback when the shared fetch fails', async () => {
    api.failNext(500);
    const cat = catalogFor();
    const [a, b] = await Promise.all([
      cat.getCatalog('fr-par-1'),
      cat.getCatalog('fr-par-1'),
    ]);
    expect([a.source, b.source]).toEqual(['snapshot', 'snapshot']);
    expect(b.fallbackReason).toMatch(/live catalog unavailable/);
    // And the fallback is not cached: the next call reads the API again.
    expect((await cat.getCatalog('fr-par-1')).source).toBe('live');
  });

  it('never puts the API keys in an error, a fallback reason or a log line', async () => {
    const secretKey = 'not-a-uuid-s3cr3t-value';
    let thrown: unknown;
    try {
      ScalewayCatalog.fromConfig({
        ...credentials,
        secretKey,
        apiUrl: api.url,
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PlanningError);
    expect(thrown).toMatchObject({ code: 'CATALOG_CONFIG_INVALID' });
    expect(JSON.stringify(thrown)).not.toContain(secretKey);
    expect((thrown as Error).message).toContain('[redacted]');

    // A transport that echoes the token (a misbehaving proxy, say).
    const warn = jest.fn();
    const echoing = (async () => {
      throw new Error(`proxy refused X-Auth-Token ${credentials.secretKey}`);
    }) as unknown as typeof fetch;
    const cat = ScalewayCatalog.fromConfig(
      { ...credentials, apiUrl: api.url },
      { httpClient: echoing, logger: { warn } },
    );
    const fallback = await cat.getCatalog('fr-par-1');
    expect(fallback.fallbackReason).toContain('[redacted]');
    expect(JSON.stringify(fallback)).not.toContain(credentials.secretKey);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(
      credentials.secretKey,
    );
    await expect(
      ScalewayCatalog.fromConfig(
        { ...credentials, apiUrl: api.url },
        { httpClient: echoing, fallbackToSnapshot: false },
      ).getCatalog('fr-par-1'),
    ).rejects.toThrow(/\[redacted\]/);
  });

  it('does not cache a failure', async () => {
    api.failNext(503);
    const cat = catalogFor();
    expect((await cat.getCatalog('fr-par-1')).source).toBe('snapshot');
    expect((await cat.getCatalog('fr-par-1')).source).toBe('live');
  });

  it('treats a Content-Type other than exactly application/json as a failure, as the SDK does', async () => {
    api.contentType = 'application/json; charset=utf-8';
    const catalog = await catalogFor().getCatalog('fr-par-1');
    expect(catalog.fallbackReason).toMatch(
      /could not parse 'application\/json; charset=utf-8' response/,
    );
  });

  it('reports a typed error when asked not to fall back', async () => {
    api.failNext(500);
    await expect(
      catalogFor({ fallbackToSnapshot: false }).getCatalog('fr-par-1'),
    ).rejects.toMatchObject({
      code: 'CATALOG_FETCH_FAILED',
    });
  });

  it('marks types the availability list leaves out as unknown', async () => {
    api.hideAvailability.add('POP2-2C-8G');
    const catalog = await catalogFor().getCatalog('fr-par-1');
    expect(
      catalog.serverTypes.find(t => t.name === 'POP2-2C-8G')?.availability,
    ).toBe('unknown');
  });

  it('uses the offline catalogs without credentials, and refuses zones they do not cover', async () => {
    const offline = ScalewayCatalog.fromConfig(undefined);
    expect(offline.live).toBe(false);
    expect((await offline.getCatalog('fr-par-1')).source).toBe('snapshot');
    expect(await offline.getCatalog('nl-ams-1')).toMatchObject({
      zone: 'nl-ams-1',
      source: 'snapshot',
      pricedAt: '2026-07-30T12:55:04Z',
    });
    await expect(offline.getCatalog('fr-par1')).rejects.toBeInstanceOf(
      PlanningError,
    );
    await expect(offline.getCatalog('fr-par1')).rejects.toMatchObject({
      code: 'CATALOG_ZONE_NOT_IN_SNAPSHOT',
      message: expect.stringMatching(
        /no Scaleway catalog for fr-par1 \(did you mean fr-par-1\?\): offline catalogs cover fr-par-1, fr-par-2, .* and pl-waw-3/,
      ),
    });
    expect(api.requests).toEqual([]);
  });

  it("fails with the API's reason for a zone neither the API nor an offline catalog has", async () => {
    await expect(catalogFor().getCatalog('de-fra-1')).rejects.toMatchObject({
      code: 'CATALOG_FETCH_FAILED',
    });
  });
});

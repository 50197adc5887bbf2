import {
  offlineOffer,
  sizeVm,
  vmSchema,
  type VmInput,
} from '@internal/plugin-vmware2scw-common';
import { Agent } from 'undici';
import { PerformanceStats, pickInterval } from './PerformanceStats';
import { PropertyCollector } from './PropertyCollector';
import { SoapTransport } from './SoapTransport';
import { FakeVcenter, soapResponse } from './testing/FakeVcenter';

/**
 * PerformanceStats against a server answering with the shapes the vSphere Web Services API documents
 * (PerfCounterInfo, PerfInterval, PerfMetricId, PerfEntityMetric with PerfMetricIntSeries), with
 * counter keys unlike vcsim's so that the mapping by name is what is tested.
 */
const PC = { type: 'PropertyCollector', value: 'propertyCollector' };
const PM = { type: 'PerformanceManager', value: 'PerfMgr' };

const COUNTERS: Array<[number, string, string, string]> = [
  [6, 'cpu', 'usage', 'average'],
  [7, 'cpu', 'usage', 'maximum'],
  [24, 'mem', 'active', 'average'],
  [90, 'mem', 'consumed', 'average'],
  [130, 'disk', 'usage', 'average'],
  [140, 'net', 'usage', 'average'],
];

const desc = (key: string) =>
  `<label>${key}</label><summary>${key}</summary><key>${key}</key>`;
function perfManagerProps(intervals: Array<[number, number, boolean]>) {
  const counters = COUNTERS.map(
    ([key, group, name, rollup]) =>
      `<PerfCounterInfo><key>${key}</key><nameInfo>${desc(
        name,
      )}</nameInfo><groupInfo>${desc(group)}</groupInfo><unitInfo>${desc(
        'percent',
      )}</unitInfo><rollupType>${rollup}</rollupType><statsType>rate</statsType><level>1</level></PerfCounterInfo>`,
  ).join('');
  const ints = intervals
    .map(
      ([period, length, enabled], i) =>
        `<PerfInterval><key>${
          i + 1
        }</key><samplingPeriod>${period}</samplingPeriod><name>i${i}</name><length>${length}</length><level>1</level><enabled>${enabled}</enabled></PerfInterval>`,
    )
    .join('');
  return soapResponse(
    'RetrievePropertiesEx',
    `<returnval><objects><obj type="PerformanceManager">PerfMgr</obj>` +
      `<propSet><name>historicalInterval</name><val xsi:type="ArrayOfPerfInterval">${ints}</val></propSet>` +
      `<propSet><name>perfCounter</name><val xsi:type="ArrayOfPerfCounterInfo">${counters}</val></propSet>` +
      `</objects></returnval>`,
  );
}

const VCENTER_8_INTERVALS: Array<[number, number, boolean]> = [
  [300, 86_400, true],
  [1_800, 604_800, true],
  [7_200, 2_592_000, true],
  [86_400, 31_536_000, true],
];

/** Per VM and counter key: one value repeated, or a list cycled over the samples. */
type Series = Record<string, Record<number, number | number[]>>;

function perfHandlers(
  series: Series,
  opts: {
    intervals?: Array<[number, number, boolean]>;
    available?: number[];
  } = {},
) {
  return {
    RetrievePropertiesEx: () =>
      perfManagerProps(opts.intervals ?? VCENTER_8_INTERVALS),
    QueryAvailablePerfMetric: () =>
      soapResponse(
        'QueryAvailablePerfMetric',
        (opts.available ?? COUNTERS.map(c => c[0]))
          .map(
            k =>
              `<returnval><counterId>${k}</counterId><instance></instance></returnval>`,
          )
          .join(''),
      ),
    QueryPerf: (req: { body: string }) => {
      const specs = [
        ...req.body.matchAll(/<querySpec>([\s\S]*?)<\/querySpec>/g),
      ].map(m => m[1]);
      const out = specs.map(spec => {
        const vm = /<entity type="VirtualMachine">([^<]+)</.exec(spec)![1];
        const n = Number(/<maxSample>(\d+)</.exec(spec)![1]);
        const period = Number(/<intervalId>(\d+)</.exec(spec)![1]);
        const end = Date.parse(/<endTime>([^<]+)</.exec(spec)![1]);
        const keys = [...spec.matchAll(/<counterId>(\d+)</g)].map(m =>
          Number(m[1]),
        );
        const stamps = Array.from(
          { length: n },
          (_, i) =>
            `<sampleInfo><timestamp>${new Date(
              end - (n - 1 - i) * period * 1000,
            ).toISOString()}</timestamp><interval>${period}</interval></sampleInfo>`,
        ).join('');
        const values = keys
          .map(key => {
            const v = series[vm]?.[key];
            if (v === undefined) return '';
            const list = Array.isArray(v) ? v : [v];
            const points = Array.from(
              { length: n },
              (_, i) => `<value>${list[i % list.length]}</value>`,
            ).join('');
            return `<value xsi:type="PerfMetricIntSeries"><id><counterId>${key}</counterId><instance></instance></id>${points}</value>`;
          })
          .join('');
        return `<returnval xsi:type="PerfEntityMetric"><entity type="VirtualMachine">${vm}</entity>${stamps}${values}</returnval>`;
      });
      return soapResponse('QueryPerf', out.join(''));
    },
  };
}

const shape = {
  sourceId: 'vc',
  osFamily: 'linux' as const,
  firmware: 'efi' as const,
  numCpu: 8,
  memoryMiB: 32768,
  powerState: 'poweredOn' as const,
};
const vm = (moref: string, extra: Partial<VmInput> = {}) =>
  vmSchema.parse({ ...shape, moref, name: moref, ...extra });
const KIB_32G = 32 * 1024 * 1024;

describe('PerformanceStats', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  afterEach(() => fake?.close());
  afterAll(() => dispatcher.close());
  const stats = () => {
    const soap = new SoapTransport({
      sdkUrl: new URL(fake.sdkUrl),
      dispatcher,
    });
    return new PerformanceStats(soap, new PropertyCollector(soap, PC));
  };
  const now = () => new Date('2026-11-30T12:00:00Z');

  it('reads 30 days at the 2-hour interval, in bounded batches, and sizes an idle VM smaller than a busy one', async () => {
    fake = await FakeVcenter.start(
      perfHandlers({
        // cpu.usage in hundredths of a percent; memory in KiB; throughputs in KBps.
        'vm-idle': {
          6: [300, 500, 400],
          24: KIB_32G / 10,
          90: KIB_32G / 2,
          130: 100,
          140: 10,
        },
        'vm-busy': {
          6: [8000, 9000, 8500],
          24: (KIB_32G * 85) / 100,
          90: KIB_32G,
          130: 5000,
          140: 2000,
        },
        'vm-gaps': { 6: [-1, 2000], 24: -1 },
      }),
    );
    const vms = [
      vm('vm-idle'),
      vm('vm-busy'),
      vm('vm-gaps'),
      vm('vm-off', { powerState: 'poweredOff' }),
    ];
    const result = await stats().read(PM, vms, { batchSize: 2, now });

    expect(result.interval).toEqual({ samplingPeriod: 7200, length: 2592000 });
    // 3 running VMs in batches of 2: 2 QueryPerf; plus one property read and one availability query.
    expect(result.queries).toBe(2);
    expect(fake.calls.map(c => c.method)).toEqual([
      'RetrievePropertiesEx',
      'QueryAvailablePerfMetric',
      'QueryPerf',
      'QueryPerf',
    ]);
    const query = fake.calls[2].body;
    expect(query).toContain(
      '<startTime>2026-10-31T12:00:00.000Z</startTime><endTime>2026-11-30T12:00:00.000Z</endTime><maxSample>360</maxSample>',
    );
    expect(query).toContain('<intervalId>7200</intervalId>');
    // The average rollups only, by the keys this vCenter gives them.
    expect(
      [...query.matchAll(/<counterId>(\d+)</g)].map(m => m[1]).slice(0, 5),
    ).toEqual(['6', '24', '90', '130', '140']);
    expect(fake.calls.some(c => c.body.includes('vm-off'))).toBe(false);

    const idle = result.byMoref.get('vm-idle')!;
    expect(idle).toMatchObject({
      source: 'vcenter',
      samples: 360,
      intervalSeconds: 7200,
      windowSeconds: 30 * 86400,
      from: '2026-10-31T14:00:00.000Z',
      to: '2026-11-30T12:00:00.000Z',
      cpu: { p50: 4, p95: 5, max: 5 },
      memoryActive: { p95: 10 },
      memoryConsumed: { p95: 50 },
      diskBytesPerSec: { p95: 102400 },
      networkBytesPerSec: { p95: 10240 },
    });
    expect(result.byMoref.get('vm-busy')!.cpu).toMatchObject({
      p50: 85,
      p95: 90,
    });
    // -1 means "no data": skipped, not read as 0 %.
    expect(result.byMoref.get('vm-gaps')).toMatchObject({
      samples: 180,
      cpu: { p50: 20, max: 20 },
    });
    expect(result.byMoref.get('vm-gaps')!.memoryActive).toBeUndefined();
    expect(result.byMoref.has('vm-off')).toBe(false);

    const catalog = offlineOffer('fr-par-1')!;
    const size = (moref: string) =>
      sizeVm(
        { ...vm(moref), utilization: result.byMoref.get(moref) },
        catalog,
        { strategy: 'optimize' },
      );
    const [idleSize, busySize] = [size('vm-idle'), size('vm-busy')];
    expect(idleSize.vcpus!).toBeLessThan(busySize.vcpus!);
    expect(idleSize.monthlyPriceEur!).toBeLessThan(busySize.monthlyPriceEur!);
    expect(idleSize.confidence).toBe('high');
    expect(idleSize.reason).toMatch(
      /right-sized from utilisation P95 cpu 5% mem 10% over 30 d, 360 samples × 1.3, confidence high/,
    );
  });

  it('takes the longest history a vCenter keeps when none covers 30 days: low confidence, sized on allocation', async () => {
    fake = await FakeVcenter.start(
      perfHandlers(
        { 'vm-idle': { 6: 300, 24: KIB_32G / 10 } },
        {
          intervals: [
            [300, 86_400, true],
            [1_800, 604_800, false],
          ],
        },
      ),
    );
    const result = await stats().read(PM, [vm('vm-idle')], { now });
    expect(result.interval).toEqual({ samplingPeriod: 300, length: 86400 });
    const u = result.byMoref.get('vm-idle')!;
    expect(u).toMatchObject({ samples: 288, windowSeconds: 86400 });
    const sized = sizeVm(
      { ...vm('vm-idle'), utilization: u },
      offlineOffer()!,
      {
        strategy: 'optimize',
      },
    );
    expect(sized.demand).toMatchObject({ vcpus: 8, basis: 'allocated' });
    expect(sized.reason).toMatch(
      /as allocated: utilisation P95 cpu 3% mem 10% over 1 d, 288 samples gives low confidence/,
    );
  });

  it('says which counters the statistics level does not collect, and reads the others', async () => {
    fake = await FakeVcenter.start(
      perfHandlers(
        { 'vm-idle': { 6: 300, 24: KIB_32G / 10 } },
        { available: [6, 24] },
      ),
    );
    const result = await stats().read(PM, [vm('vm-idle')], { now });
    expect(result.missingCounters).toEqual([
      'mem.consumed.average',
      'disk.usage.average',
      'net.usage.average',
    ]);
    expect(result.warnings[0]).toMatch(
      /lack mem.consumed.average, disk.usage.average, net.usage.average: raise the statistics level/,
    );
    expect(fake.calls[2].body).not.toContain('<counterId>90<');
    expect(result.byMoref.get('vm-idle')!.cpu!.p95).toBe(3);
  });

  it('asks nothing when no VM runs', async () => {
    fake = await FakeVcenter.start({});
    const result = await stats().read(
      PM,
      [vm('vm-off', { powerState: 'poweredOff' })],
      { now },
    );
    expect(result.byMoref.size).toBe(0);
    expect(fake.calls).toEqual([]);
  });
});

describe('pickInterval', () => {
  it('picks the finest interval covering the window, else the longest history', () => {
    expect(
      pickInterval(
        [
          { samplingPeriod: 300, length: 86400 * 40 },
          { samplingPeriod: 7200, length: 86400 * 30 },
        ],
        86400 * 30,
      ),
    ).toEqual({ samplingPeriod: 300, length: 86400 * 30 });
    expect(pickInterval([], 86400 * 30)).toEqual({
      samplingPeriod: 7200,
      length: 86400 * 30,
    });
    expect(pickInterval([], 86400 * 7)).toEqual({
      samplingPeriod: 1800,
      length: 86400 * 7,
    });
  });
});

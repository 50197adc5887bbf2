import {
  clampPercent,
  percentilesOf,
  type Vm,
  type VmUtilization,
} from '@internal/plugin-vmware2scw-common';
import type { PropertyCollector } from './PropertyCollector';
import type { SoapTransport } from './SoapTransport';
import { morefXml, xml, type MoRef } from './VimXml';
import { arrayItems, at, int, list, moref, text } from './VimValue';

/**
 * Utilisation of VMs from the vCenter's historical statistics (`PerformanceManager`): CPU usage,
 * active and consumed memory, disk and network throughput, over the longest historical interval the
 * vCenter keeps, up to `maxDays` (30). One property read for the counters and intervals, one
 * `QueryAvailablePerfMetric` to learn which counters the statistics level collects, then one
 * `QueryPerf` per `batchSize` VMs: ⌈VMs / batchSize⌉ + 2 round trips in all.
 */

/** The counters read, by `group.name.rollup` as `PerfCounterInfo` names them. */
export const PERF_COUNTERS = {
  cpu: 'cpu.usage.average',
  memoryActive: 'mem.active.average',
  memoryConsumed: 'mem.consumed.average',
  disk: 'disk.usage.average',
  network: 'net.usage.average',
} as const;
type Metric = keyof typeof PERF_COUNTERS;

/**
 * The historical intervals vCenter ships with (past day every 5 min, past week every 30 min, past month
 * every 2 h, past year every day), for a PerformanceManager that does not list its own (vcsim).
 */
export const DEFAULT_HISTORICAL_INTERVALS: readonly HistoricalInterval[] = [
  { samplingPeriod: 300, length: 86_400 },
  { samplingPeriod: 1_800, length: 604_800 },
  { samplingPeriod: 7_200, length: 2_592_000 },
  { samplingPeriod: 86_400, length: 31_536_000 },
];

export interface HistoricalInterval {
  /** Seconds between samples. */
  samplingPeriod: number;
  /** Seconds of history kept at that period. */
  length: number;
}

export interface PerformanceStatsOptions {
  /** Longest window asked for, in days (default 30). */
  maxDays?: number;
  /** VMs per QueryPerf (default 50). */
  batchSize?: number;
  /** Clock, for tests. */
  now?: () => Date;
  signal?: AbortSignal;
}

export interface PerformanceStatsResult {
  /** Utilisation by VM moref; VMs without samples are absent. */
  byMoref: Map<string, VmUtilization>;
  /** The interval read, and how many QueryPerf calls it took. */
  interval?: HistoricalInterval;
  queries: number;
  /** Counters the vCenter does not collect at that interval (statistics level too low). */
  missingCounters: string[];
  warnings: string[];
}

type VmShape = Pick<Vm, 'moref' | 'numCpu' | 'memoryMiB' | 'powerState'> & {
  template?: boolean;
};

const DAY = 86_400;

export class PerformanceStats {
  constructor(
    private readonly soap: SoapTransport,
    private readonly pc: PropertyCollector,
  ) {}

  async read(
    perfManager: MoRef,
    vms: readonly VmShape[],
    opts: PerformanceStatsOptions = {},
  ): Promise<PerformanceStatsResult> {
    const { signal } = opts;
    const result: PerformanceStatsResult = {
      byMoref: new Map(),
      queries: 0,
      missingCounters: [],
      warnings: [],
    };
    // Powered-off VMs and templates have no recent statistics worth sizing on.
    const running = vms.filter(
      v => v.powerState === 'poweredOn' && !v.template,
    );
    if (running.length === 0) return result;

    const pm = await this.pc.retrieveOne(
      perfManager,
      ['perfCounter', 'historicalInterval'],
      { signal },
    );
    const keys = counterKeys(pm?.props.perfCounter);
    const interval = pickInterval(
      historicalIntervals(pm?.props.historicalInterval),
      (opts.maxDays ?? 30) * DAY,
    );
    result.interval = interval;

    const available = await this.availableCounters(
      perfManager,
      running[0].moref,
      interval.samplingPeriod,
      signal,
    );
    const metrics = (Object.keys(PERF_COUNTERS) as Metric[]).filter(m => {
      const key = keys.get(PERF_COUNTERS[m]);
      const ok = key !== undefined && (!available || available.has(key));
      if (!ok) result.missingCounters.push(PERF_COUNTERS[m]);
      return ok;
    });
    if (result.missingCounters.length) {
      result.warnings.push(
        `vCenter statistics at the ${
          interval.samplingPeriod
        }-second interval lack ${result.missingCounters.join(
          ', ',
        )}: raise the statistics level of that interval to 1 or more (vCenter > Configure > General > Statistics)`,
      );
    }
    if (metrics.length === 0) return result;

    const now = (opts.now ?? (() => new Date()))();
    const start = new Date(now.getTime() - interval.length * 1000);
    const maxSample = Math.ceil(interval.length / interval.samplingPeriod);
    const byKey = new Map(metrics.map(m => [keys.get(PERF_COUNTERS[m])!, m]));
    const shapes = new Map(running.map(v => [v.moref, v]));
    const batchSize = Math.max(1, opts.batchSize ?? 50);
    for (let i = 0; i < running.length; i += batchSize) {
      const batch = running.slice(i, i + batchSize);
      const res = await this.soap.call(
        'QueryPerf',
        xml`${morefXml('_this', perfManager)}${batch.map(
          vm =>
            xml`<querySpec>${morefXml('entity', {
              type: 'VirtualMachine',
              value: vm.moref,
            })}<startTime>${start.toISOString()}</startTime><endTime>${now.toISOString()}</endTime><maxSample>${maxSample}</maxSample>${[
              ...byKey.keys(),
            ].map(
              key =>
                xml`<metricId><counterId>${key}</counterId><instance></instance></metricId>`,
            )}<intervalId>${
              interval.samplingPeriod
            }</intervalId><format>normal</format></querySpec>`,
        )}`,
        { signal },
      );
      result.queries++;
      for (const entity of list(res.returnval)) {
        const ref = moref(at(entity, 'entity'));
        const vm = ref && shapes.get(ref.value);
        if (!vm) continue;
        const u = utilizationOf(entity, vm, byKey, interval.samplingPeriod);
        if (u) result.byMoref.set(vm.moref, u);
      }
    }
    return result;
  }

  /** Counter keys available for `vm` at the interval, or undefined when the vCenter does not say. */
  private async availableCounters(
    perfManager: MoRef,
    vm: string,
    intervalId: number,
    signal?: AbortSignal,
  ): Promise<Set<number> | undefined> {
    const res = await this.soap.call(
      'QueryAvailablePerfMetric',
      xml`${morefXml('_this', perfManager)}${morefXml('entity', {
        type: 'VirtualMachine',
        value: vm,
      })}<intervalId>${intervalId}</intervalId>`,
      { signal },
    );
    const ids = list(res.returnval)
      .map(m => int(at(m, 'counterId')))
      .filter((k): k is number => k !== undefined);
    return ids.length ? new Set(ids) : undefined;
  }
}

/** `group.name.rollup` → counter key, from `PerformanceManager.perfCounter`. */
export function counterKeys(
  perfCounter: Parameters<typeof arrayItems>[0],
): Map<string, number> {
  const keys = new Map<string, number>();
  for (const c of arrayItems(perfCounter, 'PerfCounterInfo')) {
    const key = int(at(c, 'key'));
    const group = text(at(c, 'groupInfo', 'key'));
    const name = text(at(c, 'nameInfo', 'key'));
    const rollup = text(at(c, 'rollupType'));
    if (key !== undefined && group && name && rollup)
      keys.set(`${group}.${name}.${rollup}`, key);
  }
  return keys;
}

function historicalIntervals(
  v: Parameters<typeof arrayItems>[0],
): HistoricalInterval[] {
  return arrayItems(v, 'PerfInterval')
    .filter(i => text(at(i, 'enabled')) !== 'false')
    .map(i => ({
      samplingPeriod: int(at(i, 'samplingPeriod')) ?? 0,
      length: int(at(i, 'length')) ?? 0,
    }))
    .filter(i => i.samplingPeriod > 0 && i.length > 0);
}

/**
 * The interval to read: the finest one that keeps `window` seconds of history, else the one that keeps
 * the most (its whole length); the window is capped at `window`.
 */
export function pickInterval(
  intervals: readonly HistoricalInterval[],
  window: number,
): HistoricalInterval {
  const all = intervals.length ? intervals : DEFAULT_HISTORICAL_INTERVALS;
  const covering = all
    .filter(i => i.length >= window)
    .sort((a, b) => a.samplingPeriod - b.samplingPeriod)[0];
  const chosen = covering ?? [...all].sort((a, b) => b.length - a.length)[0];
  return {
    samplingPeriod: chosen.samplingPeriod,
    length: Math.min(chosen.length, window),
  };
}

/** One `PerfEntityMetric` as the inventory's utilisation; negative values (no data) are skipped. */
function utilizationOf(
  entity: Parameters<typeof at>[0],
  vm: VmShape,
  byKey: Map<number, Metric>,
  intervalSeconds: number,
): VmUtilization | undefined {
  const series = new Map<Metric, number[]>();
  for (const s of list(at(entity, 'value'))) {
    const metric = byKey.get(int(at(s, 'id', 'counterId')) ?? -1);
    const instance = text(at(s, 'id', 'instance')) ?? '';
    if (!metric || instance !== '') continue;
    const values = list(at(s, 'value'))
      .map(x => Number(text(x)))
      .filter(x => Number.isFinite(x) && x >= 0);
    if (values.length) series.set(metric, values);
  }
  const stamps = list(at(entity, 'sampleInfo'))
    .map(s => text(at(s, 'timestamp')))
    .filter((t): t is string => !!t)
    .sort();
  const samples = Math.max(0, ...[...series.values()].map(v => v.length));
  if (samples === 0) return undefined;
  const memKiB = vm.memoryMiB * 1024;
  const pct = (m: Metric, scale: (v: number) => number) => {
    const v = series.get(m);
    return v && percentilesOf(v.map(scale), clampPercent);
  };
  const rate = (m: Metric) => {
    const v = series.get(m);
    // KBps (KiB per second, as vSphere counts) → bytes per second.
    return v && percentilesOf(v.map(x => x * 1024));
  };
  // cpu.usage is in hundredths of a percent of the VM's vCPUs; memory counters in KiB.
  const cpu = pct('cpu', v => v / 100);
  const memoryActive =
    memKiB > 0 ? pct('memoryActive', v => (v / memKiB) * 100) : undefined;
  const memoryConsumed =
    memKiB > 0 ? pct('memoryConsumed', v => (v / memKiB) * 100) : undefined;
  const diskBytesPerSec = rate('disk');
  const networkBytesPerSec = rate('network');
  return {
    source: 'vcenter',
    ...(stamps.length
      ? { from: stamps[0], to: stamps[stamps.length - 1] }
      : {}),
    windowSeconds: samples * intervalSeconds,
    intervalSeconds,
    samples,
    ...(cpu ? { cpu } : {}),
    ...(memoryActive ? { memoryActive } : {}),
    ...(memoryConsumed ? { memoryConsumed } : {}),
    ...(diskBytesPerSec ? { diskBytesPerSec } : {}),
    ...(networkBytesPerSec ? { networkBytesPerSec } : {}),
  };
}

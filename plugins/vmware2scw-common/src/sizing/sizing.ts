import { zonesOfferingWindows } from '../offer/windowsZones';
import { formatZoneList } from '../offer/zones';
import { z } from 'zod';
import {
  monthlyPrice,
  type ScalewayOffer,
  type OfferedServerType,
} from '../offer/ScalewayOffer';
import {
  DEFAULT_SIZING_FAMILIES,
  PRODUCTION_FAMILIES,
  isWindowsServerType,
  serverTypeFamily,
} from '../offer/serverTypeFamily';
import {
  utilizationSpan,
  type UtilisationPercentile,
  type Vm,
  type VmUtilization,
} from '../inventory/model';
import { makeProblem, type Problem } from '../problems/Problem';
import { ordinal } from '../ordinal';
import {
  formatGiB,
  MAX_VOLUMES_PER_INSTANCE,
  typeFitProblems,
} from './typeFit';

/**
 * Picking a Scaleway type for a VM: the old tool's three strategies.
 *
 * - `exact`: the type closest to the source's shape. Among types with at least the VM's vCPUs and
 *   RAM, the smallest relative excess `(vCPU_type/vCPU_vm − 1) + (RAM_type/RAM_vm − 1)`; ties go to
 *   the cheaper type. Families: PLAY2, PRO2, POP2, POP2-HM, POP2-HC.
 * - `optimize` (recommended): right-size, then the cheapest dedicated-vCPU type that fits.
 *   Demand is what the VM is allocated, unless the inventory carries measured utilisation
 *   (`vm.utilization`): then demand = allocated × the percentile (default P95) of CPU and active memory
 *   × a comfort factor (default 1.3), rounded up to a whole vCPU and a whole GiB, never below the
 *   guest OS's minimum and never more than allocated. Each such demand has a confidence from the share
 *   of the observation window (default 30 days) the samples cover: high from 80 %, medium from 40 %,
 *   low below; a demand under `minConfidence` (default medium) falls back to allocation and says why.
 *   Without utilisation nothing is shrunk blind. Families: PRO2, POP2, POP2-HM, POP2-HC (no PLAY2,
 *   whose vCPUs are shared).
 * - `cost`: the cheapest type with at least the allocated vCPUs and RAM, shared-vCPU PLAY2 included.
 *
 * Every strategy keeps only types that can host the VM at all: x86_64, no GPU, not end-of-service,
 * not in `shortage` in the zone, Block (SBS) volumes supported (imported disks are SBS volumes; this
 * is the only storage of PLAY2/PRO2/POP2), at most 16 volumes, and `-WIN` types for Windows guests
 * only (Scaleway's Windows licence; other guests never get them). A catalog is one zone, so only
 * types offered in the target zone are considered.
 */
export const sizingStrategySchema = z.enum(['exact', 'optimize', 'cost']);
export type SizingStrategy = z.infer<typeof sizingStrategySchema>;

/** Comfort factor over observed utilisation for `optimize` (Azure Migrate uses the same idea). */
export const OPTIMIZE_HEADROOM = 1.3;
/** Percentile of the samples `optimize` sizes from. */
export const DEFAULT_SIZING_PERCENTILE: UtilisationPercentile = 'p95';
/** Observation window a full-confidence recommendation covers. */
export const DEFAULT_UTILISATION_WINDOW_DAYS = 30;

export const sizingConfidenceSchema = z.enum(['low', 'medium', 'high']);
export type SizingConfidence = z.infer<typeof sizingConfidenceSchema>;

export interface SizingOptions {
  strategy: SizingStrategy;
  /** Families to choose from, overriding the strategy's default list; `['*']` means every family. */
  families?: string[];
  /** Comfort factor for `optimize` over utilisation (default 1.3). */
  headroom?: number;
  /** Percentile of utilisation `optimize` sizes from (default P95). */
  percentile?: UtilisationPercentile;
  /** Window that full confidence needs, in days (default 30). */
  windowDays?: number;
  /** Least confidence for which `optimize` sizes from utilisation rather than allocation (default medium). */
  minConfidence?: SizingConfidence;
}

/** What measured utilisation said about a VM, and whether sizing followed it. */
export interface SizingUtilisation {
  source: VmUtilization['source'];
  percentile: UtilisationPercentile;
  cpuPercent?: number;
  memoryPercent?: number;
  samples: number;
  windowSeconds: number;
  /** Share of the sizing window the samples cover, 0–1. */
  coverage: number;
  confidence: SizingConfidence;
  /** False when the confidence was too low and sizing fell back to allocation. */
  used: boolean;
  /** `utilisation P95 cpu 38% mem 52% over 30 d, 8,640 samples` */
  text: string;
}

export interface SizingDemand {
  vcpus: number;
  memoryMiB: number;
  /** `allocated` when taken from the VM's configuration, `utilization` when right-sized from usage. */
  basis: 'allocated' | 'utilization';
  /** Present when the VM has measured utilisation and the strategy is `optimize`. */
  utilisation?: SizingUtilisation;
}

export interface SizingCandidate {
  type: string;
  vcpus: number;
  memoryGiB: number;
  hourlyPriceEur: number;
  monthlyPriceEur: number;
}

/** Outcome for one VM: plain data, for the plan, the VM card and the estimate. */
export interface SizingResult {
  vmName: string;
  strategy: SizingStrategy;
  zone: string;
  demand: SizingDemand;
  /** Chosen type; absent when nothing fits (see `problem`). */
  targetType?: string;
  vcpus?: number;
  memoryGiB?: number;
  hourlyPriceEur?: number;
  monthlyPriceEur?: number;
  availability?: OfferedServerType['availability'];
  /** One sentence: why this type. */
  reason: string;
  /** Confidence of a utilisation-based recommendation (absent when sized on allocation only). */
  confidence?: SizingConfidence;
  /**
   * When sized from utilisation: the type and monthly price allocation-based sizing would give, for
   * the saving shown in estimates.
   */
  allocationBased?: { type?: string; monthlyPriceEur?: number };
  /** The next best fits, for a user who wants to choose. */
  alternatives: SizingCandidate[];
  problem?: Problem;
}

export type Sizer = (vm: Vm) => SizingResult;

const MIB = 2 ** 20;
const byName = (a: { name: string }, b: { name: string }) =>
  ordinal(a.name, b.name);

/** Prepares candidate lists once for a catalog and strategy, then sizes any number of VMs. */
export function createSizer(
  catalog: ScalewayOffer,
  options: SizingOptions,
): Sizer {
  const { strategy } = options;
  const headroom = options.headroom ?? OPTIMIZE_HEADROOM;
  const demandOptions: DemandOptions = {
    headroom,
    percentile: options.percentile ?? DEFAULT_SIZING_PERCENTILE,
    windowDays: options.windowDays ?? DEFAULT_UTILISATION_WINDOW_DAYS,
    minConfidence: options.minConfidence ?? 'medium',
  };
  const families =
    options.families ??
    (strategy === 'optimize' ? PRODUCTION_FAMILIES : DEFAULT_SIZING_FAMILIES);
  const anyFamily = families.includes('*');
  const pool = catalog.serverTypes.filter(
    t =>
      (anyFamily || families.includes(serverTypeFamily(t.name))) &&
      t.gpus === 0 &&
      // The fit rules without demand: arch, end of service, shortage, storage.
      typeFitProblems(
        { osFamily: 'linux', numCpu: 0, memoryMiB: 0, disks: [] },
        t,
      ).length === 0,
  );
  const byPrice = (a: OfferedServerType, b: OfferedServerType) =>
    a.hourlyPriceEur - b.hourlyPriceEur || byName(a, b);
  const windowsPool = pool
    .filter(t => isWindowsServerType(t.name))
    .sort(byPrice);
  const otherPool = pool
    .filter(t => !isWindowsServerType(t.name))
    .sort(byPrice);
  const familyText = anyFamily ? 'any family' : families.join('/');

  return vm => {
    const demand = sizingDemand(vm, strategy, demandOptions);
    const base = { vmName: vm.name, strategy, zone: catalog.zone, demand };
    const need = `${demand.vcpus} vCPU / ${formatGiB(demand.memoryMiB)} GiB`;
    if (vm.disks.length > MAX_VOLUMES_PER_INSTANCE) {
      return noFit(
        base,
        `${vm.disks.length} disks, while an Instance takes at most ${MAX_VOLUMES_PER_INSTANCE} volumes`,
        'Merge or drop disks so the VM has 16 at most.',
      );
    }
    const windows = vm.osFamily === 'windows';
    const ranked = rank(windows ? windowsPool : otherPool, demand, strategy);
    if (ranked.length === 0) {
      return noFit(
        base,
        `no ${windows ? 'Windows (-WIN) ' : ''}type in ${
          catalog.zone
        } (${familyText}) has ${need} or more`,
        windows && windowsPool.length === 0
          ? `Windows types exist in ${formatZoneList(
              zonesOfferingWindows([catalog]),
            )} only: pick one of those zones.`
          : `Pick a target_type by hand (another family), or reduce the VM's vCPU/RAM in vSphere first.`,
      );
    }
    const chosen = ranked[0];
    const u = demand.utilisation;
    let basisText = 'as allocated';
    if (u?.used)
      basisText = `right-sized from ${u.text} × ${headroom}, confidence ${u.confidence}`;
    else if (u)
      basisText = `as allocated: ${u.text} gives ${u.confidence} confidence, below ${demandOptions.minConfidence}`;
    let allocationBased: SizingResult['allocationBased'];
    if (u?.used) {
      const alloc = rank(
        windows ? windowsPool : otherPool,
        { vcpus: vm.numCpu, memoryMiB: vm.memoryMiB, basis: 'allocated' },
        strategy,
      )[0];
      allocationBased = alloc
        ? {
            type: alloc.name,
            monthlyPriceEur: monthlyPrice(alloc.hourlyPriceEur),
          }
        : {};
    }
    const reason = {
      exact: `closest shape to ${need} (${basisText}) among ${familyText}`,
      optimize: `cheapest dedicated-vCPU type with ${need} (${basisText}) among ${familyText}`,
      cost: `cheapest type with ${need} among ${familyText}`,
    }[strategy];
    return {
      vmName: base.vmName,
      strategy,
      zone: base.zone,
      demand,
      targetType: chosen.name,
      vcpus: chosen.vcpus,
      memoryGiB: chosen.memoryBytes / 2 ** 30,
      hourlyPriceEur: chosen.hourlyPriceEur,
      monthlyPriceEur: monthlyPrice(chosen.hourlyPriceEur),
      availability: chosen.availability,
      reason,
      ...(u ? { confidence: u.confidence } : {}),
      ...(allocationBased ? { allocationBased } : {}),
      alternatives: ranked.slice(1, 4).map(candidateOf),
    };
  };
}

export function sizeVm(
  vm: Vm,
  catalog: ScalewayOffer,
  options: SizingOptions,
): SizingResult {
  return createSizer(catalog, options)(vm);
}

interface DemandOptions {
  headroom: number;
  percentile: UtilisationPercentile;
  windowDays: number;
  minConfidence: SizingConfidence;
}

const CONFIDENCE_RANK: Record<SizingConfidence, number> = {
  low: 0,
  medium: 1,
  high: 2,
};

/** Confidence from the share of the window covered: high from 80 %, medium from 40 %. */
export function confidenceOf(coverage: number): SizingConfidence {
  if (coverage >= 0.8) return 'high';
  if (coverage >= 0.4) return 'medium';
  return 'low';
}

/**
 * The least a guest needs whatever its measured use: Windows 11 2 vCPU / 4 GiB, other Windows
 * (Server with Desktop Experience) 2 GiB, anything else 1 vCPU / 1 GiB.
 */
export function guestMinimum(vm: Pick<Vm, 'osFamily' | 'guestId'>): {
  vcpus: number;
  memoryMiB: number;
} {
  if (vm.osFamily === 'windows') {
    return /windows1[1-9]/i.test(vm.guestId ?? '')
      ? { vcpus: 2, memoryMiB: 4096 }
      : { vcpus: 1, memoryMiB: 2048 };
  }
  return { vcpus: 1, memoryMiB: 1024 };
}

const DAY = 86_400;

function utilisationText(
  u: VmUtilization,
  percentile: UtilisationPercentile,
  cpu: number | undefined,
  mem: number | undefined,
): string {
  const parts = [
    `utilisation ${percentile.toUpperCase()}`,
    ...(cpu !== undefined ? [`cpu ${Math.round(cpu)}%`] : []),
    ...(mem !== undefined ? [`mem ${Math.round(mem)}%`] : []),
  ];
  return `${parts.join(' ')} ${utilizationSpan(u)}`;
}

/** What the VM needs, under a strategy (see the module comment for the rule). */
export function sizingDemand(
  vm: Pick<Vm, 'numCpu' | 'memoryMiB' | 'utilization' | 'osFamily' | 'guestId'>,
  strategy: SizingStrategy,
  options: Partial<DemandOptions> = {},
): SizingDemand {
  const allocated: SizingDemand = {
    vcpus: vm.numCpu,
    memoryMiB: vm.memoryMiB,
    basis: 'allocated',
  };
  const u = vm.utilization;
  if (strategy !== 'optimize' || !u || (!u.cpu && !u.memoryActive)) {
    return allocated;
  }
  const headroom = options.headroom ?? OPTIMIZE_HEADROOM;
  const percentile = options.percentile ?? DEFAULT_SIZING_PERCENTILE;
  const windowSeconds =
    (options.windowDays ?? DEFAULT_UTILISATION_WINDOW_DAYS) * DAY;
  const cpuPercent = u.cpu?.[percentile];
  const memoryPercent = u.memoryActive?.[percentile];
  const coverage = Math.min(
    1,
    (u.samples * (u.intervalSeconds ?? 0)) / windowSeconds,
  );
  const confidence = confidenceOf(coverage);
  const used =
    CONFIDENCE_RANK[confidence] >=
    CONFIDENCE_RANK[options.minConfidence ?? 'medium'];
  const utilisation: SizingUtilisation = {
    source: u.source,
    percentile,
    ...(cpuPercent !== undefined ? { cpuPercent } : {}),
    ...(memoryPercent !== undefined ? { memoryPercent } : {}),
    samples: u.samples,
    windowSeconds: u.windowSeconds,
    coverage,
    confidence,
    used,
    text: utilisationText(u, percentile, cpuPercent, memoryPercent),
  };
  if (!used) return { ...allocated, utilisation };
  const min = guestMinimum(vm);
  const vcpus =
    cpuPercent === undefined
      ? vm.numCpu
      : Math.min(
          vm.numCpu,
          Math.max(
            min.vcpus,
            Math.ceil((vm.numCpu * cpuPercent * headroom) / 100),
          ),
        );
  const memoryMiB =
    memoryPercent === undefined
      ? vm.memoryMiB
      : Math.min(
          vm.memoryMiB,
          Math.max(
            min.memoryMiB,
            Math.ceil((vm.memoryMiB * memoryPercent * headroom) / 100 / 1024) *
              1024,
          ),
        );
  return { vcpus, memoryMiB, basis: 'utilization', utilisation };
}

/** How many types a result lists: the choice and three alternatives. */
const RANKED = 4;

/**
 * The best `RANKED` fitting types of a pool sorted by price, best first. `cost` and `optimize`:
 * cheapest first, the closer shape on equal prices; `exact`: closest shape first, the cheaper on
 * equal distance. One pass with a small insertion list: this runs once per VM.
 */
function rank(
  pool: readonly OfferedServerType[],
  demand: SizingDemand,
  strategy: SizingStrategy,
): OfferedServerType[] {
  const vcpus = Math.max(1, demand.vcpus);
  const mib = Math.max(1, demand.memoryMiB);
  const top: OfferedServerType[] = [];
  const keys: Array<[number, number]> = [];
  for (const t of pool) {
    const tMiB = t.memoryBytes / MIB;
    if (t.vcpus < demand.vcpus || tMiB < demand.memoryMiB) continue;
    const distance = t.vcpus / vcpus - 1 + tMiB / mib - 1;
    const key: [number, number] =
      strategy === 'exact'
        ? [distance, t.hourlyPriceEur]
        : [t.hourlyPriceEur, distance];
    // The pool is in price (then name) order, so a type only goes before strictly worse keys.
    let i = top.length;
    while (
      i > 0 &&
      (keys[i - 1][0] > key[0] ||
        (keys[i - 1][0] === key[0] && keys[i - 1][1] > key[1]))
    )
      i--;
    if (i >= RANKED) {
      // Later types cost at least as much: once they cost more than the last kept, none can rank.
      if (strategy !== 'exact' && key[0] > keys[RANKED - 1][0]) break;
      continue;
    }
    top.splice(i, 0, t);
    keys.splice(i, 0, key);
    if (top.length > RANKED) {
      top.pop();
      keys.pop();
    }
  }
  return top;
}

function candidateOf(t: OfferedServerType): SizingCandidate {
  return {
    type: t.name,
    vcpus: t.vcpus,
    memoryGiB: t.memoryBytes / 2 ** 30,
    hourlyPriceEur: t.hourlyPriceEur,
    monthlyPriceEur: monthlyPrice(t.hourlyPriceEur),
  };
}

function noFit(
  base: Pick<SizingResult, 'vmName' | 'strategy' | 'zone' | 'demand'>,
  why: string,
  remediation: string,
): SizingResult {
  return {
    ...base,
    reason: why,
    alternatives: [],
    problem: makeProblem({
      code: 'SIZING_NO_TYPE',
      field: `VM ${base.vmName}`,
      text: `no Scaleway type fits: ${why}`,
      remediation,
    }),
  };
}

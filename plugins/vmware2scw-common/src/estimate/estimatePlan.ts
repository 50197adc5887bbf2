import {
  pricingSourceOf,
  roundCents,
  type ScalewayOffer,
  type PricingSource,
} from '../offer/ScalewayOffer';
import { offlineCatalogInfo, OFFLINE_ZONES } from '../offer/offlineOffer';
import { formatZoneList } from '../offer/zones';
import type { Concern } from '../concerns/ConcernRule';
import { evaluateConcerns } from '../concerns/evaluateConcerns';
import { CONCERN_RULES_VERSION } from '../concerns/rules';
import type { UtilisationPercentile, Vm } from '../inventory/model';
import { resolvePlan, type ResolvedPlan } from '../plan/PlanResolver';
import type { PlanLocations } from '../plan/PlanParser';
import type { PauseAfter, Plan } from '../plan/planSchema';
import { makeProblem, type Problem } from '../problems/Problem';
import {
  createSizer,
  type Sizer,
  type SizingResult,
  type SizingStrategy,
} from '../sizing/sizing';
import {
  estimateModelSchema,
  type EstimateModel,
  type EstimateModelInput,
} from './estimateModel';
import { scheduleWave, type SimStage, type SimVm } from './migrationSchedule';
import {
  pipelineFor,
  STAGES,
  stagesHolding,
  type StageId,
} from '../stages/stages';
import { vmMonthlyCost, type VmMonthlyCost } from './monthlyCost';

export interface VmEstimate {
  vmName: string;
  moref: string;
  wave?: string;
  targetType?: string;
  /** Where the target comes from: the plan's `target_type`, sizing, or nowhere (nothing fits). */
  targetSource: 'plan' | 'sizing' | 'none';
  sizing?: SizingResult;
  /**
   * With `optimize` and measured utilisation: what sizing from utilisation saves on this VM's
   * instance per month against sizing on allocation, whether the type came from sizing or from the
   * plan (a plan built by auto-map records the type sizing chose).
   */
  utilisationSavingEur?: number;
  monthlyCost: VmMonthlyCost;
  bytesToMove: number;
  scratchBytes: number;
  /** Alone on the links. */
  standaloneSeconds: number;
  /** In the schedule, from the start of the plan; absent for VMs that cannot be migrated. */
  startSeconds?: number;
  endSeconds?: number;
  concerns: Concern[];
  migratable: boolean;
}

export interface WaveEstimate {
  name: string;
  pauseAfter?: PauseAfter;
  vmCount: number;
  bytesToMove: number;
  startSeconds: number;
  durationSeconds: number;
  peakScratchBytes: number;
  monthlyCostEur: number;
}

export interface ConcernTally {
  ruleId: string;
  severity: Concern['severity'];
  label: string;
  remediation: string;
  vmCount: number;
  /** The first VMs concerned. */
  vms: string[];
}

/**
 * The old `batch estimate` and more. Totals cover the VMs that will run (migratable ones);
 * `notMigratable` lists the others with their critical concerns.
 */
export interface PlanEstimate {
  rulesVersion: number;
  pricing: PricingSource;
  model: EstimateModel;
  vms: VmEstimate[];
  waves: WaveEstimate[];
  totals: {
    vmCount: number;
    migratableCount: number;
    bytesToMove: number;
    durationSeconds: number;
    peakScratchBytes: number;
    availableDiskBytes?: number;
    /** False when the runners' scratch space is too small for the plan's concurrency. */
    scratchFits?: boolean;
    monthlyInstanceEur: number;
    monthlyStorageEur: number;
    monthlyIpv4Eur: number;
    monthlyCostEur: number;
    hourlyCostEur: number;
    /** Migratable VMs that `optimize` sizes from measured utilisation (planned types included). */
    sizedFromUtilisation: number;
    /**
     * Monthly instance cost saved by sizing those VMs from utilisation rather than allocation (what
     * allocation-based sizing would cost them minus what utilisation-based sizing does).
     */
    monthlyUtilisationSavingEur: number;
  };
  /** True when some VM has a critical concern: the plan cannot run as it is. */
  containsCritical: boolean;
  notMigratable: Array<{ vmName: string; critical: string[] }>;
  /** Concerns counted by rule, critical first: the estimate's warnings. */
  concernTally: ConcernTally[];
  problems: Problem[];
  resolved: Pick<
    ResolvedPlan,
    'excluded' | 'vmsWithoutWave' | 'unplannedWaveMatches'
  >;
}

export interface EstimatePlanInput {
  plan: Plan;
  vms: readonly Vm[];
  catalog: ScalewayOffer;
  locations?: PlanLocations;
  file?: string;
  model?: EstimateModelInput;
  /** A resolution already made for the same plan and VMs. */
  resolved?: ResolvedPlan;
}

const NO_WAVE = '(no wave)';

export function estimatePlan(input: EstimatePlanInput): PlanEstimate {
  const { plan, catalog } = input;
  const model = estimateModelSchema.parse(input.model ?? {});
  const resolved =
    input.resolved ??
    resolvePlan({
      plan,
      vms: input.vms,
      locations: input.locations,
      file: input.file,
      catalog,
    });
  const problems: Problem[] = [...resolved.problems];
  if (catalog.zone !== resolved.zone) {
    problems.push(
      // Types, prices and stock differ per zone (no -WIN or PLAY2 in fr-par-3, 1.5× prices there):
      // sizing and costs from another zone's catalog would be wrong, not just approximate.
      makeProblem({
        code: 'ESTIMATE_ZONE_MISMATCH',
        file: input.file,
        field: 'defaults.zone',
        ...input.locations?.defaults,
        text: `the plan targets ${resolved.zone} but the catalog is for ${catalog.zone}: types, prices and availability differ between zones`,
        remediation: `Estimate with the catalog of ${resolved.zone} (${
          offlineCatalogInfo(resolved.zone)
            ? `its offline catalog, or the live Scaleway API`
            : `the live Scaleway API; offline catalogs cover ${formatZoneList(
                OFFLINE_ZONES,
              )}`
        }).`,
      }),
    );
  }

  const vmByKey = new Map(
    input.vms.map(vm => [`${vm.sourceId}/${vm.moref}`, vm]),
  );
  const typeByName = new Map(catalog.serverTypes.map(t => [t.name, t]));
  const sizers = new Map<SizingStrategy, Sizer>();
  const sizerFor = (s: SizingStrategy) => {
    let sizer = sizers.get(s);
    if (!sizer)
      sizers.set(
        s,
        (sizer = createSizer(catalog, {
          strategy: s,
          percentile: percentileKey(plan.defaults.sizing_percentile),
          headroom: plan.defaults.comfort_factor,
        })),
      );
    return sizer;
  };

  const estimates: VmEstimate[] = [];
  const simByWave = new Map<string, Array<{ est: VmEstimate; sim: SimVm }>>();
  for (const m of resolved.migrations) {
    const vm = vmByKey.get(`${m.sourceId}/${m.moref}`)!;
    let targetType = m.targetType;
    let sizing: SizingResult | undefined;
    if (!targetType) {
      sizing = sizerFor(resolved.sizingStrategy)(vm);
      targetType = sizing.targetType;
    }
    const type = targetType ? typeByName.get(targetType) : undefined;
    const report = evaluateConcerns({
      vm,
      zone: resolved.zone,
      catalog,
      sizing,
      target: targetType ? { name: targetType, type } : undefined,
    });
    const bytesToMove = vm.disks.reduce(
      (s, d) => s + (d.allocatedBytes ?? d.capacityBytes),
      0,
    );
    const sim = simVmOf(vm, bytesToMove, model);
    // Built field by field: object spreads in a 10,000-iteration loop are slow in V8.
    const est: VmEstimate = {
      vmName: vm.name,
      moref: vm.moref,
      targetSource: targetSourceOf(m.targetType, targetType),
      monthlyCost: vmMonthlyCost(vm, type, catalog, {
        publicIpv4: model.publicIpv4PerVm,
      }),
      bytesToMove,
      scratchBytes: sim.scratchBytes,
      standaloneSeconds: standaloneSeconds(sim, model),
      concerns: report.concerns,
      migratable: report.migratable,
    };
    if (m.wave !== undefined) est.wave = m.wave;
    if (targetType) est.targetType = targetType;
    if (sizing) est.sizing = sizing;
    // A planned type hides what right-sizing saved: size such VMs too, for the saving alone.
    const rightSized =
      resolved.sizingStrategy === 'optimize' && vm.utilization
        ? sizing ?? sizerFor('optimize')(vm)
        : undefined;
    const saving = rightSized && utilisationSaving(rightSized);
    if (saving !== undefined) est.utilisationSavingEur = saving;
    estimates.push(est);
    if (est.migratable) {
      const wave = m.wave ?? NO_WAVE;
      const list = simByWave.get(wave);
      if (list) list.push({ est, sim });
      else simByWave.set(wave, [{ est, sim }]);
    }
  }

  const limits = {
    workers: plan.concurrency.max_total_workers,
    exportsPerHost: plan.concurrency.max_exports_per_host,
    conversions: plan.concurrency.max_concurrent_conversions,
    uploads: plan.concurrency.max_concurrent_uploads,
    exportBytesPerSec: ((model.exportMbps ?? model.linkMbps) * 1e6) / 8,
    uploadBytesPerSec: ((model.uploadMbps ?? model.linkMbps) * 1e6) / 8,
  };
  const waveOrder: Array<{ name: string; pauseAfter?: PauseAfter }> = [
    ...resolved.waves.map(w => ({ name: w.name, pauseAfter: w.pauseAfter })),
    ...(simByWave.has(NO_WAVE) ? [{ name: NO_WAVE }] : []),
  ];
  let clock = 0;
  let peakScratch = 0;
  const waves: WaveEstimate[] = waveOrder.map(({ name, pauseAfter }) => {
    const members = simByWave.get(name) ?? [];
    const schedule = scheduleWave(
      members.map(x => x.sim),
      limits,
    );
    members.forEach(({ est }, i) => {
      est.startSeconds = Math.round(clock + schedule.vms[i].startSeconds);
      est.endSeconds = Math.round(clock + schedule.vms[i].endSeconds);
    });
    const wave: WaveEstimate = {
      name,
      ...(pauseAfter ? { pauseAfter } : {}),
      vmCount: members.length,
      bytesToMove: members.reduce((s, x) => s + x.est.bytesToMove, 0),
      startSeconds: Math.round(clock),
      durationSeconds: Math.round(schedule.durationSeconds),
      peakScratchBytes: schedule.peakScratchBytes,
      monthlyCostEur: roundCents(
        members.reduce((s, x) => s + x.est.monthlyCost.totalEur, 0),
      ),
    };
    clock += schedule.durationSeconds;
    peakScratch = Math.max(peakScratch, schedule.peakScratchBytes);
    return wave;
  });

  const running = estimates.filter(e => e.migratable);
  const sum = (f: (e: VmEstimate) => number) =>
    running.reduce((s, e) => s + f(e), 0);
  const availableDiskBytes =
    model.availableDiskGb !== undefined
      ? model.availableDiskGb * 1e9
      : undefined;
  const scratchFits =
    availableDiskBytes !== undefined
      ? peakScratch <= availableDiskBytes
      : undefined;
  if (scratchFits === false) {
    problems.push(
      makeProblem({
        code: 'ESTIMATE_SCRATCH_TOO_SMALL',
        field: 'available_disk',
        text: `the plan needs up to ${(peakScratch / 1e9).toFixed(
          1,
        )} GB of scratch space on the runners, ${
          model.availableDiskGb
        } GB are available`,
        remediation:
          'Lower max_total_workers (or max_exports_per_host) in concurrency, add runner disk, or split the largest VMs into a wave of their own.',
      }),
    );
  }
  const monthlyCostEur = roundCents(sum(e => e.monthlyCost.totalEur));
  const notMigratable = estimates
    .filter(e => !e.migratable)
    .map(e => ({
      vmName: e.vmName,
      critical: [
        ...new Set(
          e.concerns.filter(c => c.severity === 'critical').map(c => c.label),
        ),
      ],
    }));
  return {
    rulesVersion: CONCERN_RULES_VERSION,
    pricing: pricingSourceOf(catalog),
    model,
    vms: estimates,
    waves,
    totals: {
      vmCount: estimates.length,
      migratableCount: running.length,
      bytesToMove: sum(e => e.bytesToMove),
      durationSeconds: Math.round(clock),
      peakScratchBytes: peakScratch,
      ...(availableDiskBytes !== undefined
        ? { availableDiskBytes, scratchFits }
        : {}),
      monthlyInstanceEur: roundCents(sum(e => e.monthlyCost.instanceEur)),
      monthlyStorageEur: roundCents(sum(e => e.monthlyCost.storageEur)),
      monthlyIpv4Eur: roundCents(sum(e => e.monthlyCost.ipv4Eur)),
      monthlyCostEur,
      hourlyCostEur: Math.round((monthlyCostEur / 730) * 10000) / 10000,
      sizedFromUtilisation: running.filter(
        e => e.utilisationSavingEur !== undefined,
      ).length,
      monthlyUtilisationSavingEur: roundCents(
        sum(e => e.utilisationSavingEur ?? 0),
      ),
    },
    containsCritical: notMigratable.length > 0,
    notMigratable,
    concernTally: tallyConcerns(estimates),
    problems,
    resolved: {
      excluded: resolved.excluded,
      vmsWithoutWave: resolved.vmsWithoutWave,
      unplannedWaveMatches: resolved.unplannedWaveMatches,
    },
  };
}

/** `sizing_percentile` of a plan (50…100) as the inventory's percentile key. */
function percentileKey(
  p: Plan['defaults']['sizing_percentile'],
): UtilisationPercentile | undefined {
  if (p === undefined) return undefined;
  return p === 100 ? 'max' : `p${p}`;
}

/** What sizing from utilisation saves on a VM's instance per month; undefined when sized on allocation. */
function utilisationSaving(s: SizingResult): number | undefined {
  if (
    s.demand.basis !== 'utilization' ||
    s.monthlyPriceEur === undefined ||
    s.allocationBased?.monthlyPriceEur === undefined
  )
    return undefined;
  return s.allocationBased.monthlyPriceEur - s.monthlyPriceEur;
}

/**
 * A VM's pipeline for the simulation, from the stage data of `stages/`. Consecutive stages that hold
 * the same resource are one simulated stage (fewer events for 10,000 VMs, same durations): the
 * conversion stages (convert, adapt_guest or the three Windows stages, ensure_uefi) run back to back
 * on one conversion slot, and import_scw + verify + cleanup need nothing but the VM's worker.
 */
function simVmOf(
  vm: Vm,
  bytes: number,
  model: EstimateModel,
): SimVm & { scratchBytes: number } {
  const pipeline = pipelineFor(vm.osFamily === 'windows' ? 'windows' : 'linux');
  const stages: SimStage[] = [];
  for (const id of pipeline) {
    const { resource } = STAGES[id];
    if (resource === 'export' || resource === 'upload') {
      stages.push({
        name: id,
        kind: 'transfer',
        link: resource,
        bytes,
        resource,
      });
      continue;
    }
    const seconds = stageSeconds(id, vm, bytes, model);
    if (seconds === 0 && resource === 'worker') continue;
    const slot = resource === 'worker' ? undefined : resource;
    const last = stages[stages.length - 1];
    if (last && last.kind === 'fixed' && last.resource === slot) {
      last.name = `${last.name}+${id}`;
      last.seconds += seconds;
    } else {
      stages.push({
        name: id,
        kind: 'fixed',
        seconds,
        ...(slot ? { resource: slot } : {}),
      });
    }
  }
  return {
    host: vm.host ?? '',
    scratchBytes: bytes * model.scratchFactor,
    stages,
  };
}

/** Modelled seconds of a stage that is not a transfer (see `estimateModel.ts`). */
function stageSeconds(
  id: StageId,
  vm: Vm,
  bytes: number,
  model: EstimateModel,
): number {
  const windows = vm.osFamily === 'windows';
  const min = (m: number) => m * 60;
  // The three Windows adaptation stages share one figure (a QEMU boot of the guest among them).
  const windowsAdaptStages = stagesHolding(
    pipelineFor('windows'),
    'conversion',
  ).filter(s => s !== 'convert' && s !== 'ensure_uefi');
  switch (id) {
    case 'snapshot':
      return min(model.snapshotMinutes);
    case 'convert':
      return bytes / (model.convertMBps * 1e6);
    case 'adapt_guest':
      return min(model.adaptLinuxMinutes);
    case 'ensure_uefi':
      if (vm.firmware !== 'bios') return 0;
      return min(
        windows ? model.ensureUefiWindowsMinutes : model.ensureUefiLinuxMinutes,
      );
    case 'import_scw':
      return min(model.importFixedMinutes) + bytes / (model.importMBps * 1e6);
    case 'verify':
      return min(model.verifyMinutes);
    case 'cleanup':
      return min(model.cleanupMinutes);
    default:
      return windowsAdaptStages.includes(id)
        ? min(model.adaptWindowsMinutes) / windowsAdaptStages.length
        : 0;
  }
}

function standaloneSeconds(sim: SimVm, model: EstimateModel): number {
  const exportBps = ((model.exportMbps ?? model.linkMbps) * 1e6) / 8;
  const uploadBps = ((model.uploadMbps ?? model.linkMbps) * 1e6) / 8;
  let s = 0;
  for (const st of sim.stages) {
    s +=
      st.kind === 'fixed'
        ? st.seconds
        : st.bytes / (st.link === 'export' ? exportBps : uploadBps);
  }
  return Math.round(s);
}

function targetSourceOf(
  fromPlan: string | undefined,
  target: string | undefined,
): VmEstimate['targetSource'] {
  if (fromPlan) return 'plan';
  return target ? 'sizing' : 'none';
}

function tallyConcerns(estimates: VmEstimate[]): ConcernTally[] {
  const byRule = new Map<string, ConcernTally>();
  for (const e of estimates) {
    const seen = new Set<string>();
    for (const c of e.concerns) {
      if (seen.has(c.ruleId)) continue;
      seen.add(c.ruleId);
      let t = byRule.get(c.ruleId);
      if (!t) {
        t = {
          ruleId: c.ruleId,
          severity: c.severity,
          label: c.label,
          remediation: c.remediation,
          vmCount: 0,
          vms: [],
        };
        byRule.set(c.ruleId, t);
      }
      t.vmCount++;
      if (t.vms.length < 20) t.vms.push(e.vmName);
    }
  }
  const order = { critical: 0, warning: 1, info: 2 };
  return [...byRule.values()].sort(
    (a, b) => order[a.severity] - order[b.severity] || b.vmCount - a.vmCount,
  );
}

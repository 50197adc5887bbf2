import {
  buildFilters,
  compileVmFilters,
  createSizer,
  evaluateConcerns,
  pipelineFor,
  pricingSourceOf,
  resolvePlan,
  validateVmFilters,
  vmMonthlyCost,
  vmTotalDiskBytes,
  PlanningError,
  CONCERN_RULES_VERSION,
  type ApiModel,
  type Concern,
  type ScalewayOffer,
  type SizingStrategy,
  type Vm,
  type VmFilterSpec,
} from '@internal/plugin-vmware2scw-common';
import type { MigrationStore } from '../database/MigrationStore';
import type {
  CatalogInventory,
  CatalogVm,
} from '../inventory/CatalogInventory';

const STRATEGIES: SizingStrategy[] = ['optimize', 'exact', 'cost'];

/**
 * What a VM's page and a plan builder show before anyone runs anything: the VMs a filter selects with
 * their concern counts, and one VM's concerns and recommended Scaleway type per sizing strategy.
 */
export class Assessment {
  constructor(
    private readonly deps: {
      inventory: CatalogInventory;
      store: MigrationStore;
      catalog(zone: string): Promise<ScalewayOffer>;
      defaultZone: string;
    },
  ) {}

  async queryVms(
    spec: VmFilterSpec,
    page: { limit: number; offset: number },
  ): Promise<ApiModel.VmQueryResult> {
    const problems = validateVmFilters(spec);
    if (problems.some(p => p.severity === 'error')) {
      return { total: 0, vms: [], problems };
    }
    const filter = compileVmFilters(spec);
    const all = (await this.deps.inventory.list()).filter(v =>
      filter.matches(v.vm),
    );
    all.sort((a, b) => a.vm.name.localeCompare(b.vm.name));
    return {
      total: all.length,
      vms: all
        .slice(page.offset, page.offset + page.limit)
        .map(v => summaryOf(v)),
      problems,
    };
  }

  async assess(
    entityRef: string,
    zoneParam?: string,
  ): Promise<ApiModel.VmAssessment> {
    const vm = await this.deps.inventory.get(entityRef);
    const zone = zoneParam ?? this.deps.defaultZone;
    const catalog = await this.deps.catalog(zone);
    const recommendations: ApiModel.SizingRecommendation[] = STRATEGIES.map(
      strategy => {
        const s = createSizer(catalog, { strategy })(vm.vm);
        const type = s.targetType
          ? catalog.serverTypes.find(t => t.name === s.targetType)
          : undefined;
        const cost = vmMonthlyCost(vm.vm, type, catalog, { publicIpv4: true });
        return {
          strategy,
          ...(s.targetType ? { targetType: s.targetType } : {}),
          ...(s.vcpus ? { vcpus: s.vcpus } : {}),
          ...(s.memoryGiB ? { memoryGiB: s.memoryGiB } : {}),
          ...(s.hourlyPriceEur !== undefined
            ? { hourlyPriceEur: s.hourlyPriceEur }
            : {}),
          ...(s.monthlyPriceEur !== undefined
            ? { monthlyInstanceEur: s.monthlyPriceEur }
            : {}),
          ...(s.targetType ? { monthlyTotalEur: cost.totalEur } : {}),
          basis: s.demand.basis,
          reason: s.reason,
          alternatives: s.alternatives.map(a => ({
            type: a.type,
            vcpus: a.vcpus,
            memoryGiB: a.memoryGiB,
            monthlyPriceEur: a.monthlyPriceEur,
          })),
          ...(s.problem ? { problem: s.problem } : {}),
        };
      },
    );
    const recommended = recommendations[0].targetType;
    const report = evaluateConcerns({
      vm: vm.vm,
      zone,
      ...(recommended ? { target: { name: recommended } } : {}),
      catalog,
    });
    return {
      vm: summaryOf(vm, report),
      zone,
      pricing: pricingSourceOf(catalog),
      rulesVersion: CONCERN_RULES_VERSION,
      concerns: report.concerns,
      migratable: report.migratable,
      ...(recommended ? { recommended } : {}),
      recommendations,
      pipeline: [...pipelineFor(vm.vm.osFamily)],
      plans: await this.plansSelecting(vm.vm),
    };
  }

  /** Stored plans that select this VM (newest first), with its wave and type in each. */
  private async plansSelecting(
    vm: Vm,
  ): Promise<NonNullable<ApiModel.VmAssessment['plans']>> {
    const out: NonNullable<ApiModel.VmAssessment['plans']> = [];
    for (const plan of await this.deps.store.listPlans({ limit: 50 })) {
      try {
        const resolved = resolvePlan({ plan: plan.parsed, vms: [vm] });
        const m = resolved.migrations[0];
        if (m)
          out.push({
            planId: plan.id,
            planName: plan.name,
            ...(m.wave ? { wave: m.wave } : {}),
            ...(m.targetType ? { targetType: m.targetType } : {}),
          });
      } catch (err) {
        if (!(err instanceof PlanningError)) throw err;
      }
    }
    return out;
  }
}

function summaryOf(
  v: CatalogVm,
  report?: {
    counts: { critical: number; warning: number; info: number };
    concerns: Concern[];
  },
): ApiModel.VmSummary {
  const vm = v.vm;
  const r = report ?? evaluateConcerns({ vm });
  const c = r.counts;
  return {
    entityRef: v.entityRef,
    name: vm.name,
    sourceId: vm.sourceId,
    moref: vm.moref,
    osFamily: vm.osFamily,
    ...(vm.guestFullName ? { guestFullName: vm.guestFullName } : {}),
    powerState: vm.powerState,
    firmware: vm.firmware,
    numCpu: vm.numCpu,
    memoryMiB: vm.memoryMiB,
    diskBytes: vmTotalDiskBytes(vm),
    diskCount: vm.disks.length,
    ...(vm.host ? { host: vm.host } : {}),
    folderPath: vm.folderPath,
    concernCounts: c,
    concerns: r.concerns.map(x => ({
      ruleId: x.ruleId,
      severity: x.severity,
      label: x.label,
    })),
  };
}

export { buildFilters };

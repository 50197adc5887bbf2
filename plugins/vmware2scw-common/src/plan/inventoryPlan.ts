import { DEFAULT_ZONE, type ScalewayZone } from '../offer/zones';
import type { ScalewayOffer } from '../offer/ScalewayOffer';
import { compileVmFilters } from '../filters/filterVms';
import type { VmFilterSpec } from '../filters/VmFilter';
import type { Inventory, Vm } from '../inventory/model';
import { makeProblem, type Problem } from '../problems/Problem';
import { PlanningError } from '../problems/PlanningError';
import {
  createSizer,
  type SizingResult,
  type SizingStrategy,
} from '../sizing/sizing';
import { ordinal } from '../ordinal';
import { writePlan } from './PlanSerializer';
import {
  planV1Schema,
  type PauseAfter,
  type Plan,
  type PlanMigration,
  type PlanV1Input,
} from './planSchema';

/** How `inventoryPlan` groups VMs into waves. */
export type WaveGrouping =
  | 'single'
  | 'datacenter'
  | 'cluster'
  | 'host'
  | 'folder';

export interface InventoryPlanOptions {
  /** The old `-f` filters and `--min-cpu`-style bounds (ANDed). */
  filters?: VmFilterSpec;
  /** The old `--auto-map`: write a `target_type` for each VM now (needs `catalog`). */
  autoMap?: boolean;
  /** The old `--sizing`, recorded in `defaults.sizing_strategy`; default `optimize`. */
  sizing?: SizingStrategy;
  /** Target zone, default `DEFAULT_ZONE` (fr-par-1). */
  zone?: string;
  /** The old `--tag`: tags for every Instance (`defaults.tags`). */
  tags?: string[];
  /** Scaleway offer of `zone`, for `autoMap`; recorded in `metadata.catalog`. */
  catalog?: ScalewayOffer;
  /** ISO instant for `metadata.generated_at` (the caller's clock). */
  generatedAt?: string;
  generatedBy?: string;
  /** `metadata.vcenter`; default: the inventory source's name. */
  vcenter?: string;
  concurrency?: PlanV1Input['concurrency'];
  /** Default `single`: every VM in one wave. */
  waveBy?: WaveGrouping;
  /** Name of the wave when `waveBy` is `single`; default `wave-1`. */
  waveName?: string;
  pauseAfter?: PauseAfter;
  /** Every entry's priority; default none (sorted by name within the wave). */
  priority?: number;
  /** Templates are skipped unless asked for. */
  includeTemplates?: boolean;
}

export interface InventoryPlanResult {
  plan: Plan;
  /** The plan as YAML v1 text, ready to save or show. */
  yaml: string;
  /** VM names in the plan, in plan order. */
  selected: string[];
  /** VMs that passed the filters but were left out, and why. */
  skipped: Array<{ vmName: string; reason: string }>;
  /** Sizing of each selected VM, when `autoMap`. */
  sizing: SizingResult[];
  problems: Problem[];
}

/**
 * The old `inventory-plan`: filter the inventory, optionally map each VM to a Scaleway type, and
 * write a plan (one `vm_name` entry per VM). Throws a PlanningError for malformed filters or
 * options that contradict each other. The three steps are also exported on their own
 * (`selectVms`, `autoMapVms`, `buildPlan`) for callers that show the selection or sizing first.
 */
export function inventoryPlan(
  inventory: Pick<Inventory, 'vms' | 'source'>,
  options: InventoryPlanOptions = {},
): InventoryPlanResult {
  checkOptions(options);
  const selection = selectVms(inventory, options);
  const sizing =
    options.autoMap && options.catalog
      ? autoMapVms(selection.vms, options.catalog, options.sizing ?? 'optimize')
      : [];
  return buildPlan(inventory, selection, sizing, options);
}

export interface VmSelection {
  /** Selected VMs, sorted by name, one per name. */
  vms: Vm[];
  skipped: InventoryPlanResult['skipped'];
  problems: Problem[];
}

/** Step 1: the VMs the filters select, minus templates (unless asked) and duplicate names. */
export function selectVms(
  inventory: Pick<Inventory, 'vms'>,
  options: Pick<InventoryPlanOptions, 'filters' | 'includeTemplates'> = {},
): VmSelection {
  const filter = compileVmFilters(options.filters ?? {});
  const skipped: InventoryPlanResult['skipped'] = [];
  const chosen: Vm[] = [];
  for (const vm of inventory.vms) {
    if (!filter.matches(vm)) continue;
    if (vm.template && !options.includeTemplates) {
      skipped.push({ vmName: vm.name, reason: 'template' });
      continue;
    }
    chosen.push(vm);
  }
  chosen.sort((a, b) => ordinal(a.name, b.name));

  const problems: Problem[] = [];
  const seen = new Map<string, Vm>();
  const vms: Vm[] = [];
  for (const vm of chosen) {
    const prev = seen.get(vm.name);
    if (prev) {
      // A plan names VMs; two with one name cannot both be named.
      skipped.push({
        vmName: vm.name,
        reason: `another VM has the same name (${prev.folderPath})`,
      });
      problems.push(
        makeProblem({
          code: 'PLAN_VM_NAME_AMBIGUOUS',
          severity: 'warning',
          field: `VM ${vm.name}`,
          text: `two VMs are named "${vm.name}" (${prev.folderPath}, ${vm.folderPath}); only the first is in the plan`,
          remediation:
            'Rename one of them in vSphere so that VM names are unique.',
        }),
      );
      continue;
    }
    seen.set(vm.name, vm);
    vms.push(vm);
  }
  return { vms, skipped, problems };
}

/** Step 2 (the old `--auto-map`): a Scaleway type for each VM, with the strategy. */
export function autoMapVms(
  vms: readonly Vm[],
  catalog: ScalewayOffer,
  strategy: SizingStrategy,
): SizingResult[] {
  const sizer = createSizer(catalog, { strategy });
  return vms.map(vm => sizer(vm));
}

/** Step 3: the plan document and its YAML, from the selection and (optional) sizing results. */
export function buildPlan(
  inventory: Pick<Inventory, 'source'>,
  selection: VmSelection,
  sizing: readonly SizingResult[],
  options: InventoryPlanOptions = {},
): InventoryPlanResult {
  checkOptions(options);
  const zone = options.zone ?? options.catalog?.zone ?? DEFAULT_ZONE;
  const strategy = options.sizing ?? 'optimize';
  const problems = [...selection.problems];
  const sizingByName = new Map(sizing.map(r => [r.vmName, r]));
  const waveOf = (vm: Vm): string => {
    const unknown = 'unassigned';
    switch (options.waveBy ?? 'single') {
      case 'datacenter':
        return vm.datacenter || unknown;
      case 'cluster':
        return vm.cluster || unknown;
      case 'host':
        return vm.host || unknown;
      case 'folder':
        return vm.folderPath || '/';
      default:
        return options.waveName ?? 'wave-1';
    }
  };

  const migrations: PlanMigration[] = [];
  const waveSet = new Set<string>();
  for (const vm of selection.vms) {
    const wave = waveOf(vm);
    waveSet.add(wave);
    const entry: PlanMigration = { vm_name: vm.name };
    const sized = sizingByName.get(vm.name);
    if (sized?.targetType) entry.target_type = sized.targetType;
    else if (sized?.problem)
      problems.push({ ...sized.problem, severity: 'warning' });
    if (options.priority !== undefined) entry.priority = options.priority;
    entry.wave = wave;
    migrations.push(entry);
  }
  const waveNames = [...waveSet].sort(ordinal);

  const vcenter = options.vcenter ?? inventory.source.name;
  // Zones arrive as strings (API callers); the frame is validated below, an unknown zone is a problem there.
  const planInput: PlanV1Input = {
    version: 1,
    metadata: {
      ...(options.generatedAt ? { generated_at: options.generatedAt } : {}),
      ...(vcenter ? { vcenter } : {}),
      ...(options.generatedBy ? { generated_by: options.generatedBy } : {}),
      ...(options.catalog
        ? {
            catalog: {
              source: options.catalog.source,
              priced_at: options.catalog.pricedAt,
              zone: options.catalog.zone as ScalewayZone,
            },
          }
        : {}),
    },
    defaults: {
      zone: zone as ScalewayZone,
      sizing_strategy: strategy,
      tags: options.tags ?? [],
    },
    concurrency: options.concurrency ?? {},
    migrations,
    exclude: [],
    waves: waveNames.map(name => ({
      name,
      vms: [],
      pause_after: options.pauseAfter ?? 'pause',
    })),
    post_migration: {},
  };
  // Entries are built above from inventory names and catalog types: validating the frame (options)
  // is enough, and keeps 10,000-VM plans fast.
  const parsed = planV1Schema.safeParse({ ...planInput, migrations: [] });
  if (!parsed.success) {
    throw PlanningError.fromProblems(
      parsed.error.issues.map(issue =>
        makeProblem({
          code: 'PLAN_OPTIONS_INVALID',
          field: issue.path.join('.'),
          text: issue.message,
          remediation: 'Fix the option that sets this field.',
        }),
      ),
    );
  }
  const plan: Plan = { ...parsed.data, migrations };
  return {
    plan,
    yaml: writePlan(plan),
    selected: selection.vms.map(vm => vm.name),
    skipped: selection.skipped,
    sizing: [...sizing],
    problems,
  };
}

function checkOptions(options: InventoryPlanOptions) {
  const zone = options.zone ?? options.catalog?.zone ?? DEFAULT_ZONE;
  const setup: Problem[] = [];
  if (options.autoMap && !options.catalog) {
    setup.push(
      makeProblem({
        code: 'PLAN_OPTIONS_INVALID',
        field: 'autoMap',
        text: 'auto-map needs the Scaleway catalog of the zone',
        remediation:
          "Pass the zone's catalog (live or the offline snapshot), or leave auto-map off.",
      }),
    );
  }
  if (options.catalog && options.catalog.zone !== zone) {
    setup.push(
      makeProblem({
        code: 'PLAN_OPTIONS_INVALID',
        field: 'zone',
        text: `the catalog is for ${options.catalog.zone}, the plan targets ${zone}`,
        remediation: `Fetch the catalog of ${zone}.`,
      }),
    );
  }
  if (
    options.priority !== undefined &&
    !(
      Number.isInteger(options.priority) &&
      options.priority >= 0 &&
      options.priority <= 1_000_000
    )
  ) {
    setup.push(
      makeProblem({
        code: 'PLAN_OPTIONS_INVALID',
        field: 'priority',
        text: `priority ${options.priority} is not a whole number between 0 and 1000000`,
        remediation: 'Give a whole number; lower runs earlier within a wave.',
      }),
    );
  }
  if (setup.length) throw PlanningError.fromProblems(setup);
}

import { findServerType, type ScalewayOffer } from '../offer/ScalewayOffer';
import type { Vm } from '../inventory/model';
import { compileGlob, type GlobPattern } from '../patterns/GlobPattern';
import {
  makeProblem,
  type Problem,
  type RelatedLocation,
} from '../problems/Problem';
import type { SizingStrategy } from '../sizing/sizing';
import { didYouMean } from '../problems/didYouMean';
import { ordinal } from '../ordinal';
import type { PlanLocations } from './PlanParser';
import type { PauseAfter, Plan } from './planSchema';

/** Priority of entries that give none: after every entry that does. */
export const DEFAULT_PRIORITY = 100;

export interface ResolvedMigration {
  vmName: string;
  moref: string;
  sourceId: string;
  /** The `migrations` entry that selected the VM. */
  entry: {
    index: number;
    line?: number;
    selector: 'vm_name' | 'vm_pattern';
    value: string;
  };
  /** `target_type` of the entry; absent means "size with defaults.sizing_strategy". */
  targetType?: string;
  priority: number;
  wave?: string;
  zone: string;
}

export interface ResolvedWave {
  name: string;
  index: number;
  line?: number;
  pauseAfter: PauseAfter;
  /** In run order: priority, then name. */
  vmNames: string[];
}

/** A plan applied to an inventory: which VM goes where. Plain data. */
export interface ResolvedPlan {
  zone: string;
  sizingStrategy: SizingStrategy;
  tags: string[];
  /** In run order: wave order, then priority, then name; VMs without wave last. */
  migrations: ResolvedMigration[];
  waves: ResolvedWave[];
  /** VMs that `migrations` selected and `exclude` removed. */
  excluded: Array<{ vmName: string; by: string }>;
  /** Selected VMs that no wave takes: the engine cannot schedule them until they get one. */
  vmsWithoutWave: string[];
  /** VMs matched by a wave's `vms` but by no `migrations` entry: they are not migrated. */
  unplannedWaveMatches: string[];
  problems: Problem[];
}

export interface ResolvePlanInput {
  plan: Plan;
  /** The VMs to resolve against (an inventory's `vms`). */
  vms: readonly Vm[];
  /** From `parsePlan`, to name lines in messages. */
  locations?: PlanLocations;
  file?: string;
  /** When given, each `target_type` must exist in it. */
  catalog?: ScalewayOffer;
}

/**
 * Expands names and patterns against the inventory and checks what only the inventory can tell:
 * unknown `vm_name`, a VM selected by two entries or placed in two waves (both places named, with
 * lines), VMs left without a wave.
 */
export function resolvePlan(input: ResolvePlanInput): ResolvedPlan {
  const { plan, vms, locations = {}, file, catalog } = input;
  const problems: Problem[] = [];
  const where = (field: string) => ({ file, field, ...locations[field] });
  const related = (field: string): RelatedLocation => ({
    field,
    ...locations[field],
  });
  const lineOf = (field: string) =>
    locations[field] ? ` (line ${locations[field].line})` : '';
  /** `waves[2], line 47` */
  const placeOf = (field: string) =>
    locations[field] ? `${field}, line ${locations[field].line}` : field;

  // The same problem for several VMs (one pattern, one pair of entries or waves) is one problem
  // listing the VMs: `group` collects them, and they are made once the VMs are known.
  const groups = new Map<
    string,
    { vms: string[]; make: (names: string) => Problem }
  >();
  const group = (
    key: string,
    vmName: string,
    make: (names: string) => Problem,
  ) => {
    const g = groups.get(key);
    if (g) g.vms.push(vmName);
    else groups.set(key, { vms: [vmName], make });
  };

  const byName = new Map<string, Vm[]>();
  for (const vm of vms) {
    const list = byName.get(vm.name);
    if (list) list.push(vm);
    else byName.set(vm.name, [vm]);
  }
  const select = (selector: 'vm_name' | 'vm_pattern', value: string): Vm[] => {
    if (selector === 'vm_name') return byName.get(value) ?? [];
    const glob: GlobPattern = compileGlob(value);
    if (glob.isLiteral) return byName.get(value) ?? [];
    return vms.filter(vm => glob.matches(vm.name));
  };

  // Excludes first: they win over any selection.
  // VM objects are the inventory's entries: their identity is the VM's identity here.
  const excludedBy = new Map<Vm, string>();
  plan.exclude.forEach((ex, i) => {
    const selector = ex.vm_name !== undefined ? 'vm_name' : 'vm_pattern';
    const value = (ex.vm_name ?? ex.vm_pattern)!;
    const matched = select(selector, value);
    if (matched.length === 0) {
      problems.push(
        makeProblem({
          code: 'PLAN_EXCLUDE_MATCHES_NOTHING',
          severity: 'info',
          ...where(`exclude[${i}].${selector}`),
          text: `${selector} "${value}" matches no VM in the inventory`,
          remediation:
            'Nothing to do if the VM is gone; otherwise check the spelling.',
        }),
      );
    }
    for (const vm of matched)
      if (!excludedBy.has(vm)) excludedBy.set(vm, `exclude[${i}]`);
  });

  const claimedBy = new Map<Vm, number>();
  const selected: Array<{ vm: Vm; index: number }> = [];
  const excluded: ResolvedPlan['excluded'] = [];
  plan.migrations.forEach((m, i) => {
    const field = `migrations[${i}]`;
    const selector = m.vm_name !== undefined ? 'vm_name' : 'vm_pattern';
    const value = (m.vm_name ?? m.vm_pattern)!;
    const matched = select(selector, value);
    if (selector === 'vm_name' && matched.length === 0) {
      const suggestion = didYouMean(value, byName.keys());
      problems.push(
        makeProblem({
          code: 'PLAN_VM_NOT_FOUND',
          ...where(`${field}.vm_name`),
          text: `no VM named "${value}" in the inventory${
            suggestion ? `; did you mean "${suggestion}"?` : ''
          }`,
          remediation: suggestion
            ? `Set vm_name to "${suggestion}", or refresh the inventory if the VM is new.`
            : 'Check the name (names are case-sensitive), or refresh the inventory if the VM is new.',
          suggestion,
        }),
      );
      return;
    }
    if (selector === 'vm_name' && matched.length > 1) {
      problems.push(
        makeProblem({
          code: 'PLAN_VM_NAME_AMBIGUOUS',
          ...where(`${field}.vm_name`),
          text: `${matched.length} VMs are named "${value}" (${matched
            .map(vm => `${vm.folderPath} ${vm.moref}`)
            .join(', ')})`,
          remediation:
            'Rename one of them in vSphere so that each VM name is unique, then refresh the inventory.',
        }),
      );
      return;
    }
    if (selector === 'vm_pattern' && matched.length === 0) {
      problems.push(
        makeProblem({
          code: 'PLAN_PATTERN_MATCHES_NOTHING',
          severity: 'warning',
          ...where(`${field}.vm_pattern`),
          text: `pattern "${value}" matches no VM in the inventory`,
          remediation:
            'Check the pattern (globs are case-sensitive: * ? [...]), or remove the entry.',
        }),
      );
    }
    for (const vm of matched) {
      const k = vm;
      const ex = excludedBy.get(k);
      if (ex) {
        excluded.push({ vmName: vm.name, by: ex });
        continue;
      }
      const first = claimedBy.get(k);
      if (first !== undefined) {
        group(`entries:${i}:${first}`, vm.name, names =>
          makeProblem({
            code: 'PLAN_VM_IN_TWO_ENTRIES',
            ...where(field),
            text: `${names} ${verb(
              names,
              'is',
              'are',
            )} selected by ${field}${lineOf(
              field,
            )} and already by migrations[${first}]${lineOf(
              `migrations[${first}]`,
            )}`,
            remediation:
              'Select each VM in one entry only: narrow the pattern, or add the VM to exclude, or drop one entry.',
            related: [related(`migrations[${first}]`)],
          }),
        );
        continue;
      }
      claimedBy.set(k, i);
      selected.push({ vm, index: i });
    }
  });

  // Waves from their `vms` patterns, for selected VMs.
  const wavePatterns = plan.waves.map(w => w.vms.map(p => compileGlob(p)));
  const waveOf = new Map<Vm, number>();
  const waveHits = plan.waves.map(w => w.vms.map(() => 0));
  for (const { vm } of selected) {
    let found: number | undefined;
    let foundHit = -1;
    plan.waves.forEach((w, wi) => {
      const hit = wavePatterns[wi].findIndex(g => g.matches(vm.name));
      if (hit < 0) return;
      waveHits[wi][hit]++;
      if (found === undefined) {
        found = wi;
        foundHit = hit;
        return;
      }
      if (found === wi) return;
      const here = `waves[${wi}].vms[${hit}]`;
      const there = `waves[${found}].vms[${foundHit}]`;
      const other = plan.waves[found].name;
      group(`waves:${here}:${there}`, vm.name, names =>
        makeProblem({
          code: 'PLAN_VM_IN_TWO_WAVES',
          ...where(here),
          text: `${names} ${verb(names, 'is', 'are')} in wave "${
            w.name
          }" (${placeOf(here)}) and in wave "${other}" (${placeOf(there)})`,
          remediation:
            'Put each VM in one wave: narrow one of the vms patterns.',
          related: [related(there)],
        }),
      );
    });
    if (found !== undefined) waveOf.set(vm, found);
  }
  plan.waves.forEach((w, wi) =>
    w.vms.forEach((p, pi) => {
      if (waveHits[wi][pi] === 0) {
        problems.push(
          makeProblem({
            code: 'PLAN_WAVE_PATTERN_UNUSED',
            severity: 'info',
            ...where(`waves[${wi}].vms[${pi}]`),
            text: `"${p}" in wave "${w.name}" matches no VM that the plan migrates`,
            remediation:
              'A wave only orders VMs that a migrations entry selects; add an entry or drop the pattern.',
          }),
        );
      }
    }),
  );

  const waveIndexByName = new Map(plan.waves.map((w, i) => [w.name, i]));
  const zone = plan.defaults.zone;
  const migrations: ResolvedMigration[] = [];
  const vmsWithoutWave: string[] = [];
  /** Entries whose target_type was checked: once per entry, however many VMs it selects. */
  const typeChecked = new Set<number>();
  for (const { vm, index } of selected) {
    const m = plan.migrations[index];
    const field = `migrations[${index}]`;
    const fromWaves = waveOf.get(vm);
    let wave = m.wave;
    if (
      m.wave !== undefined &&
      fromWaves !== undefined &&
      plan.waves[fromWaves].name !== m.wave
    ) {
      const declared = waveIndexByName.get(m.wave);
      const listed = plan.waves[fromWaves].name;
      const entryWave = m.wave;
      group(`entry-wave:${index}:${fromWaves}`, vm.name, names =>
        makeProblem({
          code: 'PLAN_VM_IN_TWO_WAVES',
          ...where(`${field}.wave`),
          text: `${names} ${verb(
            names,
            'has',
            'have',
          )} wave "${entryWave}" in ${field}${lineOf(
            `${field}.wave`,
          )} but ${verb(
            names,
            'is',
            'are',
          )} listed in wave "${listed}" (${placeOf(`waves[${fromWaves}]`)})`,
          remediation:
            "Make the two agree: change the entry's wave or the wave's vms patterns.",
          related: [
            related(`waves[${fromWaves}]`),
            ...(declared !== undefined ? [related(`waves[${declared}]`)] : []),
          ],
        }),
      );
    } else if (wave === undefined && fromWaves !== undefined) {
      wave = plan.waves[fromWaves].name;
    }
    if (wave === undefined) vmsWithoutWave.push(vm.name);
    if (
      m.target_type &&
      catalog &&
      !typeChecked.has(index) &&
      !findServerType(catalog, m.target_type)
    ) {
      const suggestion = didYouMean(
        m.target_type,
        catalog.serverTypes.map(t => t.name),
      );
      problems.push(
        makeProblem({
          code: 'PLAN_UNKNOWN_TARGET_TYPE',
          ...where(`${field}.target_type`),
          text: `type "${m.target_type}" is not offered in ${catalog.zone}${
            suggestion ? `; did you mean "${suggestion}"?` : ''
          }`,
          remediation: suggestion
            ? `Set target_type to "${suggestion}".`
            : `Use a type listed for ${catalog.zone}.`,
          suggestion,
        }),
      );
    }
    typeChecked.add(index);
    const resolvedEntry: ResolvedMigration = {
      vmName: vm.name,
      moref: vm.moref,
      sourceId: vm.sourceId,
      entry: {
        index,
        selector: m.vm_name !== undefined ? 'vm_name' : 'vm_pattern',
        value: (m.vm_name ?? m.vm_pattern)!,
      },
      priority: m.priority ?? DEFAULT_PRIORITY,
      zone,
    };
    const line = locations[field]?.line;
    if (line !== undefined) resolvedEntry.entry.line = line;
    if (m.target_type) resolvedEntry.targetType = m.target_type;
    if (wave !== undefined) resolvedEntry.wave = wave;
    migrations.push(resolvedEntry);
  }
  if (vmsWithoutWave.length) {
    problems.push(
      makeProblem({
        code: 'PLAN_VMS_WITHOUT_WAVE',
        severity: 'warning',
        file,
        field: 'migrations',
        text: `${listVms(vmsWithoutWave)} ${verb(
          listVms(vmsWithoutWave),
          'has',
          'have',
        )} no wave`,
        remediation:
          "Give their entries a wave, or list them in a wave's vms; they will not run until then.",
      }),
    );
  }

  const rank = (m: ResolvedMigration) =>
    m.wave === undefined ? Infinity : waveIndexByName.get(m.wave) ?? Infinity;
  migrations.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.priority - b.priority ||
      ordinal(a.vmName, b.vmName),
  );
  const membersOf = new Map<string, string[]>(
    plan.waves.map(w => [w.name, []]),
  );
  for (const m of migrations)
    if (m.wave !== undefined) membersOf.get(m.wave)?.push(m.vmName);
  const waves: ResolvedWave[] = plan.waves.map((w, i) => ({
    name: w.name,
    index: i,
    line: locations[`waves[${i}]`]?.line,
    pauseAfter: w.pause_after,
    vmNames: membersOf.get(w.name) ?? [],
  }));

  const selectedVms = new Set(selected.map(s => s.vm));
  const unplannedWaveMatches = vms
    .filter(vm => !selectedVms.has(vm) && !excludedBy.has(vm))
    .filter(vm => wavePatterns.some(ps => ps.some(g => g.matches(vm.name))))
    .map(vm => vm.name);

  for (const g of groups.values()) problems.push(g.make(listVms(g.vms)));
  problems.sort(
    (a, b) =>
      (a.line ?? Infinity) - (b.line ?? Infinity) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
  return {
    zone,
    sizingStrategy: plan.defaults.sizing_strategy,
    tags: plan.defaults.tags,
    migrations,
    waves,
    excluded,
    vmsWithoutWave,
    unplannedWaveMatches,
    problems,
  };
}

/** How many VM names a message lists before "and N more". */
const LISTED_VMS = 10;

/** `VM "a"`, `VMs "a", "b" and "c"`, `VMs "a", ... and 12 more`. */
export function listVms(names: readonly string[]): string {
  const quoted = names.slice(0, LISTED_VMS).map(n => `"${n}"`);
  if (names.length === 1) return `VM ${quoted[0]}`;
  const rest = names.length - quoted.length;
  return rest > 0
    ? `${names.length} VMs ${quoted.join(', ')} and ${rest} more`
    : `VMs ${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

function verb(subject: string, one: string, many: string): string {
  return subject.startsWith('VM ') ? one : many;
}

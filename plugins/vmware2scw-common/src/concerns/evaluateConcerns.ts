import { findServerType } from '../offer/ScalewayOffer';
import type { Vm } from '../inventory/model';
import type {
  Concern,
  ConcernContext,
  ConcernRule,
  ConcernRuleInfo,
} from './ConcernRule';
import { CONCERN_RULES, CONCERN_RULES_VERSION } from './rules';

/** The concerns of one VM, and whether the tool can migrate it. */
export interface VmConcernReport {
  vmName: string;
  moref: string;
  sourceId: string;
  rulesVersion: number;
  /** Critical first, then warnings, then info; rule order within a severity. */
  concerns: Concern[];
  /** False as soon as one concern is critical. */
  migratable: boolean;
  counts: { critical: number; warning: number; info: number };
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/**
 * Runs every rule that applies: `vm` rules always, `target` rules when the target type is known,
 * `zone` rules when the catalog is given. The `validate` stage calls it with the resolved target;
 * the estimate with the plan's or sizing's target. A target given by name only is looked up in the
 * catalog, so a caller that knows just the plan's `target_type` gets the same judgement.
 */
export function evaluateConcerns(
  context: ConcernContext,
  rules: readonly ConcernRule[] = CONCERN_RULES,
): VmConcernReport {
  let ctx = context;
  if (ctx.target && !ctx.target.type && ctx.catalog) {
    const type = findServerType(ctx.catalog, ctx.target.name);
    if (type) ctx = { ...ctx, target: { name: ctx.target.name, type } };
  }
  const concerns: Concern[] = [];
  for (const rule of rules) {
    if (rule.scope === 'target' && !ctx.target) continue;
    if (rule.scope === 'zone' && !ctx.catalog) continue;
    for (const f of rule.check(ctx)) {
      const concern: Concern = {
        ruleId: rule.id,
        severity: rule.severity,
        category: rule.category,
        label: rule.label,
        assessment: f.assessment,
        remediation: rule.remediation,
      };
      if (f.subject !== undefined) concern.subject = f.subject;
      concerns.push(concern);
    }
  }
  if (concerns.length > 1)
    concerns.sort(
      (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const c of concerns) counts[c.severity]++;
  return {
    vmName: ctx.vm.name,
    moref: ctx.vm.moref,
    sourceId: ctx.vm.sourceId,
    rulesVersion: CONCERN_RULES_VERSION,
    concerns,
    migratable: counts.critical === 0,
    counts,
  };
}

/** The rule set as data (no code), for the UI's legend and the docs. */
export function describeConcernRules(
  rules: readonly ConcernRule[] = CONCERN_RULES,
): { rulesVersion: number; rules: ConcernRuleInfo[] } {
  return {
    rulesVersion: CONCERN_RULES_VERSION,
    rules: rules.map(({ check: _check, ...info }) => info),
  };
}

/** Short form for lists: VMs that cannot be migrated, with their critical labels. */
export function criticalSummary(
  vm: Pick<Vm, 'name'>,
  report: VmConcernReport,
): string | undefined {
  if (report.migratable) return undefined;
  const labels = [
    ...new Set(
      report.concerns.filter(c => c.severity === 'critical').map(c => c.label),
    ),
  ];
  return `${vm.name}: ${labels.join('; ')}`;
}

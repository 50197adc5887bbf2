import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatMonthlyEur } from '../../format/quantities';
import { recommendationOf } from '../VmMigrationCard/TargetProposal';

/** A Scaleway type the user can pick for a VM, with what it costs and why it is offered. */
export interface TargetTypeOption {
  type: string;
  label: string;
  description: string;
  recommended: boolean;
}

/**
 * Every type the assessment offers, the recommended one first: each strategy's pick (with its cost and
 * reason), then the alternatives; a type offered twice is listed once.
 */
export function targetTypeOptions(
  assessment: ApiModel.VmAssessment,
): TargetTypeOption[] {
  const recommended = recommendationOf(assessment)?.targetType;
  const options = new Map<string, TargetTypeOption>();
  const ordered = [...assessment.recommendations].sort(
    (a, b) =>
      Number(b.targetType === recommended) -
      Number(a.targetType === recommended),
  );
  for (const r of ordered) {
    if (!r.targetType || options.has(r.targetType)) continue;
    options.set(r.targetType, {
      type: r.targetType,
      label: `${r.targetType}${
        r.monthlyTotalEur !== undefined
          ? ` · ${formatMonthlyEur(r.monthlyTotalEur)}`
          : ''
      }${r.targetType === recommended ? ' (recommended)' : ''}`,
      description: `${r.vcpus ?? '?'} vCPU, ${r.memoryGiB ?? '?'} GiB · ${
        r.strategy
      } sizing: ${r.reason}`,
      recommended: r.targetType === recommended,
    });
  }
  for (const r of ordered)
    for (const alt of r.alternatives ?? []) {
      if (options.has(alt.type)) continue;
      options.set(alt.type, {
        type: alt.type,
        label: `${alt.type} · ${formatMonthlyEur(alt.monthlyPriceEur)}`,
        description: `${alt.vcpus} vCPU, ${alt.memoryGiB} GiB · alternative (instance price)`,
        recommended: false,
      });
    }
  return [...options.values()];
}

import type { Vm } from '../inventory/model';
import { hasErrors } from '../problems/Problem';
import { PlanningError } from '../problems/PlanningError';
import {
  buildFilters,
  type CompiledVmFilter,
  type VmFilterSpec,
} from './VmFilter';

/**
 * Compiles a filter spec once (patterns, regexes) so it can be applied to many VMs. Every filter
 * must hold (AND). Throws a PlanningError listing every malformed filter, each named.
 */
export function compileVmFilters(spec: VmFilterSpec): CompiledVmFilter {
  const { filters, predicates, problems } = buildFilters(spec);
  if (hasErrors(problems))
    throw PlanningError.fromProblems(
      problems.filter(p => p.severity === 'error'),
    );
  return {
    filters,
    matches: vm => predicates.every(p => p(vm)),
  };
}

/** The VMs that pass every filter, in inventory order. */
export function filterVms(vms: readonly Vm[], spec: VmFilterSpec): Vm[] {
  const compiled = compileVmFilters(spec);
  return vms.filter(vm => compiled.matches(vm));
}

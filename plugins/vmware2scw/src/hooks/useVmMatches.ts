import { useMemo, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  validateVmFilters,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { vmware2scwApiRef } from '../api';

/** Typing pauses this long before the count is asked again. */
export const VM_MATCH_DEBOUNCE_MS = 300;

/**
 * The VMs of the catalog that match the old tool's filters, as the user types them: syntax problems at
 * once (the shared filter parser, no call), then the backend's count and first VMs after a pause.
 */
export function useVmMatches(
  filters: string[],
  limit = 50,
  bounds: Omit<ApiModel.VmFilterSpec, 'filters'> = {},
) {
  const api = useApi(vmware2scwApiRef);
  const key = [filters.join('\n'), JSON.stringify(bounds)].join('\u0000');
  const [asked, setAsked] = useState(key);
  useDebounce(() => setAsked(key), VM_MATCH_DEBOUNCE_MS, [key]);
  const localProblems = useMemo(
    () => validateVmFilters({ filters, ...bounds }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  const blocked = localProblems.some(p => p.severity === 'error');
  const state = useAsync(async (): Promise<
    ApiModel.VmQueryResult | undefined
  > => {
    if (blocked) return undefined;
    const [lines, askedBounds] = asked.split('\u0000');
    return api.queryVms({
      filter: lines ? lines.split('\n') : [],
      ...(JSON.parse(askedBounds) as typeof bounds),
      limit,
    });
  }, [api, asked, blocked, limit]);
  return {
    problems: blocked
      ? (localProblems as ApiModel.Problem[])
      : state.value?.problems ?? (localProblems as ApiModel.Problem[]),
    result: blocked ? undefined : state.value,
    loading: !blocked && (state.loading || asked !== key),
    error: state.error,
  };
}

/** One filter per line; blank lines ignored. */
export function filterLines(text: string): string[] {
  return text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '');
}

import { useRouteRef } from '@backstage/frontend-plugin-api';
import { rootRouteRef } from '../routes';

/** Query parameters of the migration page: which tab, plan and batch it opens on. */
export const PAGE_PARAMS = {
  tab: 'tab',
  plan: 'plan',
  batch: 'batch',
} as const;

export type PageTab = 'plans' | 'estimate' | 'batches';

/** Links into the migration page (a batch, a plan's estimate), when the page is installed. */
export function useMigrationPageLinks():
  | { batch: (batchId: string) => string; plan: (planId: string) => string }
  | undefined {
  const root = useRouteRef(rootRouteRef);
  if (!root) return undefined;
  const at = (tab: PageTab, key: string, value: string) =>
    `${root()}?${new URLSearchParams({
      [PAGE_PARAMS.tab]: tab,
      [key]: value,
    })}`;
  return {
    batch: batchId => at('batches', PAGE_PARAMS.batch, batchId),
    plan: planId => at('estimate', PAGE_PARAMS.plan, planId),
  };
}

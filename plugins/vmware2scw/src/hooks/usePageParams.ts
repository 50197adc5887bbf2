import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { PAGE_PARAMS, type PageTab } from '../links/migrationPageLinks';

const TABS: readonly PageTab[] = ['plans', 'estimate', 'batches'];

/** The migration page's tab, plan and batch, in the URL so that links and reloads land on the same view. */
export function usePageParams() {
  const [params, setParams] = useSearchParams();
  const raw = params.get(PAGE_PARAMS.tab);
  const tab: PageTab = TABS.find(t => t === raw) ?? 'plans';
  const go = useCallback(
    (next: PageTab, extra: { plan?: string; batch?: string } = {}) => {
      const p = new URLSearchParams({ [PAGE_PARAMS.tab]: next });
      if (extra.plan) p.set(PAGE_PARAMS.plan, extra.plan);
      if (extra.batch) p.set(PAGE_PARAMS.batch, extra.batch);
      setParams(p);
    },
    [setParams],
  );
  return {
    tab,
    planId: params.get(PAGE_PARAMS.plan) ?? undefined,
    batchId: params.get(PAGE_PARAMS.batch) ?? undefined,
    go,
  };
}

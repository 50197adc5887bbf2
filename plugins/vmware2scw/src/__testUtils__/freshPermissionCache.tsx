import type { ReactElement } from 'react';
import { SWRConfig } from 'swr';

/**
 * `usePermission` keeps decisions in SWR's module-wide cache, keyed by permission and resource, so a test
 * that denies what an earlier test of the same file allowed would see the earlier answer. Each render gets
 * its own cache.
 */
export function withFreshPermissionCache(element: ReactElement) {
  return <SWRConfig value={{ provider: () => new Map() }}>{element}</SWRConfig>;
}

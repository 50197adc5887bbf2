import type { ApiModel } from '@internal/plugin-vmware2scw-common';

/** States after which nothing changes unless someone acts (retry, resume): no polling then. */
const FINAL_MIGRATION_STATES: ReadonlySet<ApiModel.MigrationState> = new Set([
  'succeeded',
  'failed',
  'cancelled',
]);

export function isMigrationLive(m: ApiModel.Migration): boolean {
  return !FINAL_MIGRATION_STATES.has(m.state);
}

export function isBatchLive(b: ApiModel.Batch): boolean {
  return b.state === 'running';
}

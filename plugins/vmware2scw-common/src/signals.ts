import type { ApiModel } from './schema/openapi';

/**
 * Live updates of the migration engine, pushed to browsers through Backstage signals. A message says
 * what changed; the page refetches what it shows (the API is the source of truth, polling the fallback).
 */
export interface Vmware2scwSignal {
  kind: 'batch' | 'wave' | 'migration';
  batchId: string;
  waveId?: string;
  migrationId?: string;
  entityRef?: string;
  state?: string;
  stage?: ApiModel.StageId;
  /** The running stage's progress, so a progress bar moves without a refetch. */
  progress?: ApiModel.StageProgress;
}

/** Channel of everything that happens in one batch (its waves and VMs). */
export function batchSignalChannel(batchId: string): string {
  return `vmware2scw:batch:${batchId}`;
}

/** Channel of one VM entity's migrations, for its catalog page. */
export function entitySignalChannel(entityRef: string): string {
  return `vmware2scw:entity:${entityRef.toLocaleLowerCase('en-US')}`;
}

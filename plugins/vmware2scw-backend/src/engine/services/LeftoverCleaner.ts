import { toErrorBody, type ApiModel } from '@internal/plugin-vmware2scw-common';
import type { MigrationRecord } from '../../database/MigrationStore';
import type { RunnerPool } from './RunnerPool';
import type { TransitBucket } from './TransitBucket';
import type { VcenterPool } from './VcenterPool';

export type Leftover = ApiModel.Leftover;

/** Removes one kind of leftover (the Scaleway resources plug in the same way). */
export type LeftoverRemover = (
  leftover: Leftover,
  migration: MigrationRecord,
  signal?: AbortSignal,
) => Promise<void>;

/**
 * The leak guard's hands: removes what a cancelled or failed migration left (VMware snapshot, runner
 * scratch files and its unfinished multipart uploads, transit objects, Scaleway resources), each
 * removal on its own, reporting what could not be removed.
 */
export class LeftoverCleaner {
  private readonly removers = new Map<Leftover['kind'], LeftoverRemover>();

  constructor(deps: {
    vcenters: VcenterPool;
    runners: RunnerPool;
    transit?: TransitBucket;
  }) {
    this.register('vmware_snapshot', async (l, m, signal) => {
      const client = deps.vcenters.client(m.sourceId);
      const still = (await client.listSnapshots(m.moref, { signal })).find(
        s => s.snapshot.value === l.id,
      );
      if (still)
        await client.removeSnapshot(still.snapshot, {
          consolidate: true,
          signal,
        });
      deps.vcenters.invalidate(m.sourceId);
    });
    this.register('runner_files', async (l, _m, signal) => {
      const client = deps.runners.client(l.where);
      const job = await client.submit(
        {
          idempotencyKey: `leftover:cleanup:${l.id}:${Date.now()}`,
          kind: 'cleanup',
          params: { vm: l.id },
        },
        signal,
      );
      await client.wait(job.id, { signal });
    });
    this.register('s3_object', async (l, _m, signal) => {
      if (!deps.transit)
        throw new Error('no transit bucket is configured to delete it from');
      await deps.transit.delete(l.id, signal);
    });
  }

  register(kind: Leftover['kind'], remover: LeftoverRemover): void {
    this.removers.set(kind, remover);
  }

  async removeAll(
    migration: MigrationRecord,
    signal?: AbortSignal,
  ): Promise<{
    removed: Leftover[];
    kept: Array<Leftover & { error: ApiModel.ErrorBody }>;
  }> {
    const removed: Leftover[] = [];
    const kept: Array<Leftover & { error: ApiModel.ErrorBody }> = [];
    // Runner files first: the runner's cleanup also aborts its unfinished multipart uploads.
    const order: Leftover['kind'][] = [
      'runner_files',
      'multipart_upload',
      's3_object',
      'vmware_snapshot',
      'scw_server',
      'scw_image',
      'scw_snapshot',
    ];
    const sorted = [...migration.leftovers].sort(
      (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind),
    );
    for (const l of sorted) {
      const remover = this.removers.get(l.kind);
      if (!remover) {
        kept.push({
          ...l,
          error: {
            code: 'LEFTOVER_KIND_UNSUPPORTED',
            message: `No remover for ${l.kind} ${l.id} in this backend`,
            remediation: `Remove ${l.kind} ${l.id} (${l.where}) by hand.`,
          },
        });
        continue;
      }
      try {
        await remover(l, migration, signal);
        removed.push(l);
      } catch (err) {
        kept.push({ ...l, error: toErrorBody(err) });
      }
    }
    return { removed, kept };
  }
}

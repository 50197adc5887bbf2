import { toErrorBody, type ApiModel } from '@internal/plugin-vmware2scw-common';
import type {
  StageContext,
  StageExecutor,
  StageOutcome,
} from '../StageExecutor';
import type { RunnerPool } from '../services/RunnerPool';
import type { TransitBucket } from '../services/TransitBucket';
import type { VcenterPool } from '../services/VcenterPool';
import { runnerVmName, type UploadedDisk } from './outputs';
import { runRunnerJobs } from './RunnerJobs';

export interface CleanupDeps {
  vcenters: VcenterPool;
  runners: RunnerPool;
  transit?: TransitBucket;
  /** Remove the runner's scratch files of a migrated VM (vmware2scw.conversion.cleanupOnSuccess). */
  cleanupRunnerFiles: boolean;
  /** vSphere tag category of `post_migration.tag_source`. */
  tagCategory?: string;
  pollMs?: number;
}

interface ActionResult {
  action: string;
  done: boolean;
  detail?: string;
  error?: ApiModel.ErrorBody;
}

/**
 * cleanup and the plan's post_migration: remove the runner's files, the VMware snapshot and the transit
 * objects; tag the source VM and power it off when the plan asks. Each step is idempotent and recorded;
 * a failed step is reported (and its leftover kept in the list) without undoing the migration.
 */
export function createCleanupExecutor(deps: CleanupDeps): StageExecutor {
  return {
    stage: 'cleanup',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { migration, batch } = ctx;
      const post = batch.settings.postMigration;
      const results: ActionResult[] = [];
      const attempt = async (
        action: string,
        fn: () => Promise<string | undefined>,
        clears?: (l: ApiModel.Leftover) => boolean,
      ) => {
        try {
          const detail = await fn();
          results.push({ action, done: true, ...(detail ? { detail } : {}) });
          if (clears) await ctx.clearLeftovers(clears);
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          results.push({ action, done: false, error: toErrorBody(err) });
          ctx.logger.warn(
            `cleanup of ${migration.vmName}: ${action} failed: ${
              (err as Error).message
            }`,
          );
        }
      };

      const runnerId = migration.runnerId;
      if (runnerId && deps.cleanupRunnerFiles) {
        await attempt(
          'remove runner files',
          async () => {
            await runRunnerJobs(
              ctx,
              deps.runners.client(runnerId),
              [{ kind: 'cleanup', params: { vm: runnerVmName(migration.id) } }],
              { pollMs: deps.pollMs },
            );
            return `scratch of ${runnerVmName(migration.id)} on ${runnerId}`;
          },
          l => l.kind === 'runner_files' || l.kind === 'multipart_upload',
        );
      }
      const snapshot = ctx.outputs.snapshot as
        | { snapshotMoref?: string }
        | undefined;
      if (snapshot?.snapshotMoref && post.delete_vmware_snapshot) {
        await attempt(
          'delete VMware snapshot',
          async () => {
            const client = deps.vcenters.client(migration.sourceId);
            const still = await client.findSnapshot(
              migration.moref,
              (ctx.outputs.snapshot as { snapshotName: string }).snapshotName,
              { signal: ctx.signal },
            );
            if (!still) return 'already gone';
            await client.removeSnapshot(still.snapshot, {
              consolidate: true,
              signal: ctx.signal,
              timeoutMs: 60 * 60 * 1000,
            });
            deps.vcenters.invalidate(migration.sourceId);
            return still.snapshot.value;
          },
          l => l.kind === 'vmware_snapshot',
        );
      }
      const uploaded = (
        ctx.outputs.upload_s3 as { disks?: UploadedDisk[] } | undefined
      )?.disks;
      if (uploaded?.length && post.delete_s3_transit && deps.transit) {
        await attempt(
          'delete transit objects',
          async () => {
            for (const d of uploaded)
              await deps.transit!.delete(d.key, ctx.signal);
            return uploaded.map(d => d.key).join(', ');
          },
          l => l.kind === 's3_object',
        );
      }
      if (post.tag_source) {
        await attempt('tag source VM', async () => {
          await deps.vcenters.client(migration.sourceId).tagVm(
            migration.moref,
            {
              category: deps.tagCategory ?? 'vmware2scw',
              name: post.tag_source!,
            },
            { signal: ctx.signal },
          );
          return `${deps.tagCategory ?? 'vmware2scw'}/${post.tag_source}`;
        });
      }
      if (post.power_off_source) {
        await attempt('power off source VM', async () => {
          const r = await deps.vcenters
            .client(migration.sourceId)
            .powerOff(migration.moref, { signal: ctx.signal });
          return r.alreadyOff ? 'already off' : 'powered off';
        });
      }
      return {
        outputs: {
          removed: results.filter(r => r.done).map(r => r.action),
          postMigration: results,
          failed: results.filter(r => !r.done).length,
        },
      };
    },
  };
}

import type {
  StageContext,
  StageExecutor,
  StageOutcome,
} from '../StageExecutor';
import type { VcenterPool } from '../services/VcenterPool';
import type { SnapshotOutputs } from './outputs';

/** The VMware snapshot of a migration is named after it, so a second run finds it instead of taking another. */
export function migrationSnapshotName(migrationId: string): string {
  return `vmware2scw-${migrationId}`;
}

/**
 * snapshot: a crash-consistent snapshot (no memory, no quiescing) named after the migration; an
 * existing one of that name is reused, never a second taken.
 */
export function createSnapshotExecutor(deps: {
  vcenters: VcenterPool;
}): StageExecutor {
  return {
    stage: 'snapshot',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { migration } = ctx;
      const client = deps.vcenters.client(migration.sourceId);
      const name = migrationSnapshotName(migration.id);
      const existing = await client.findSnapshot(migration.moref, name, {
        signal: ctx.signal,
      });
      const snapshot =
        existing ??
        (await client.createSnapshot(migration.moref, name, {
          description: `vmware2scw migration ${migration.id} (batch ${migration.batchId})`,
          memory: false,
          quiesce: false,
          signal: ctx.signal,
          timeoutMs: 60 * 60 * 1000,
        }));
      deps.vcenters.invalidate(migration.sourceId);
      await ctx.recordLeftovers([
        {
          kind: 'vmware_snapshot',
          id: snapshot.snapshot.value,
          where: `${migration.sourceId}/${migration.moref}`,
        },
      ]);
      const outputs: SnapshotOutputs = {
        snapshotMoref: snapshot.snapshot.value,
        snapshotName: name,
        reused: Boolean(existing),
      };
      return { outputs: outputs as unknown as Record<string, unknown> };
    },
  };
}

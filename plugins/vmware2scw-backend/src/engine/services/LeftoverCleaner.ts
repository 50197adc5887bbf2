import {
  isScalewayZone,
  toErrorBody,
  Vmware2scwError,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import type { ScalewayGateway } from '@internal/plugin-vmware2scw-node';
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
    scaleway?: ScalewayGateway;
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
    this.scaleway = deps.scaleway;
    const gateway = () => {
      if (!deps.scaleway)
        throw new Vmware2scwError({
          code: 'SCALEWAY_NOT_CONFIGURED',
          message: 'Scaleway is not configured (vmware2scw.scaleway)',
          remediation:
            'Configure vmware2scw.scaleway and clean up again, or remove the resource in the Scaleway console.',
        });
      return deps.scaleway;
    };
    // A server goes with its Block volumes; an image before its snapshots (they are linked to it).
    this.register('scw_server', async (l, _m, signal) => {
      await gateway().deleteServer(
        { serverId: l.id, zone: l.where },
        { signal },
      );
    });
    this.register('scw_image', async (l, _m, signal) => {
      await gateway().deleteImage({ imageId: l.id, zone: l.where }, { signal });
    });
    this.register('scw_volume', async (l, _m, signal) => {
      await gateway().deleteVolumes(
        { volumeIds: [l.id], zone: l.where },
        { signal },
      );
    });
    this.register('scw_snapshot', async (l, _m, signal) => {
      await gateway().deleteSnapshots(
        { snapshotIds: [l.id], zone: l.where },
        { signal },
      );
    });
  }

  private readonly scaleway?: ScalewayGateway;

  /**
   * What Scaleway holds of the migration (by its tag and names) that its record does not list: made
   * by a call whose answer was lost in a crash. Listed as leftovers so nothing is left without a record.
   */
  private async unrecorded(
    migration: MigrationRecord,
    signal?: AbortSignal,
  ): Promise<Leftover[]> {
    if (!this.scaleway || !isScalewayZone(migration.zone)) return [];
    const found = await this.scaleway.findByMigration(
      { migrationId: migration.id, zone: migration.zone },
      { signal },
    );
    const where = found.zone;
    const known = new Set(migration.leftovers.map(l => `${l.kind}:${l.id}`));
    const servers = new Set(found.servers.map(s => s.id));
    return [
      ...found.servers.map(s => ({ kind: 'scw_server' as const, id: s.id })),
      ...found.images.map(i => ({ kind: 'scw_image' as const, id: i.id })),
      ...found.snapshots.map(s => ({
        kind: 'scw_snapshot' as const,
        id: s.id,
      })),
      // Volumes of a server deleted halfway; those still attached go with their server.
      ...found.volumes
        .filter(v => !v.serverId || !servers.has(v.serverId))
        .map(v => ({ kind: 'scw_volume' as const, id: v.id })),
    ]
      .filter(l => !known.has(`${l.kind}:${l.id}`))
      .map(l => ({ ...l, where }));
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
    /** Why Scaleway could not be searched for unrecorded resources (the recorded ones were still removed). */
    searchError?: ApiModel.ErrorBody;
  }> {
    const removed: Leftover[] = [];
    const kept: Array<Leftover & { error: ApiModel.ErrorBody }> = [];
    let searchError: ApiModel.ErrorBody | undefined;
    const unrecorded = await this.unrecorded(migration, signal).catch(err => {
      searchError = toErrorBody(err);
      return [];
    });
    // Runner files first: the runner's cleanup also aborts its unfinished multipart uploads.
    const order: Leftover['kind'][] = [
      'runner_files',
      'multipart_upload',
      's3_object',
      'vmware_snapshot',
      'scw_server',
      'scw_volume',
      'scw_image',
      'scw_snapshot',
    ];
    const sorted = [...migration.leftovers, ...unrecorded].sort(
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
    return { removed, kept, ...(searchError ? { searchError } : {}) };
  }
}

import { Vmware2scwError } from '@internal/plugin-vmware2scw-common';
import type {
  StageContext,
  StageExecutor,
  StageOutcome,
} from '../StageExecutor';
import type { RunnerPool } from '../services/RunnerPool';
import {
  outputOf,
  runnerVmName,
  type ConvertedDisk,
  type UploadedDisk,
} from './outputs';
import { resultOf, runRunnerJobs } from './RunnerJobs';

export interface RunnerStageDeps {
  runners: RunnerPool;
  pollMs?: number;
}

/**
 * The runner that holds the VM's scratch files. If it is gone, the stage fails with a remediation:
 * a retry then restarts the VM from export on another runner (the engine resets it).
 */
async function runnerOf(ctx: StageContext, deps: RunnerStageDeps) {
  const exported = outputOf(ctx.outputs, 'export');
  const runnerId = ctx.migration.runnerId ?? exported.runner;
  if (!(await deps.runners.isReachable(runnerId))) {
    throw new Vmware2scwError({
      code: 'RUNNER_UNAVAILABLE',
      message: `Runner ${runnerId}, which holds the exported disks of ${ctx.migration.vmName}, does not answer`,
      remediation:
        'Start the runner again and retry; or retry now and the VM restarts from export on another runner.',
      details: { runner: runnerId },
    });
  }
  return { client: deps.runners.client(runnerId), runnerId };
}

/** convert: each exported disk to qcow2 (raw exports trimmed first, so free blocks do not travel). */
export function createConvertExecutor(
  deps: RunnerStageDeps & { trim: boolean; compress: boolean },
): StageExecutor {
  return {
    stage: 'convert',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { client } = await runnerOf(ctx, deps);
      const exported = outputOf(ctx.outputs, 'export');
      const vm = runnerVmName(ctx.migration.id);
      const trimmed = new Map<string, ConvertedDisk['trimmed']>();
      const raw = exported.disks.filter(d => d.format === 'raw');
      if (deps.trim && raw.length) {
        const jobs = await runRunnerJobs(
          ctx,
          client,
          raw.map(d => ({
            disk: d.disk,
            kind: 'trim',
            params: { vm, disk: d.disk },
          })),
          { pollMs: deps.pollMs },
        );
        jobs.forEach((job, i) => {
          const r = resultOf(job);
          if (!r.skipped)
            trimmed.set(raw[i].disk, {
              allocatedBefore: Number(r.allocatedBefore),
              allocatedAfter: Number(r.allocatedAfter),
            });
        });
      }
      const jobs = await runRunnerJobs(
        ctx,
        client,
        exported.disks.map(d => ({
          disk: d.disk,
          kind: 'convert',
          params: {
            vm,
            disk: d.disk,
            compress: deps.compress,
            removeSource: true,
          },
        })),
        { pollMs: deps.pollMs },
      );
      const disks: ConvertedDisk[] = jobs.map((job, i) => {
        const r = resultOf(job);
        const t = trimmed.get(exported.disks[i].disk);
        return {
          disk: exported.disks[i].disk,
          virtualSize: Number(r.virtualSize),
          actualSize: Number(r.actualSize),
          ...(t ? { trimmed: t } : {}),
        };
      });
      return {
        outputs: { disks } as Record<string, unknown>,
        bytes: disks.reduce((s, d) => s + d.actualSize, 0),
      };
    },
  };
}

/** adapt_guest (Linux): one libguestfs pass over every disk of the VM on the runner. */
export function createAdaptGuestExecutor(deps: RunnerStageDeps): StageExecutor {
  return {
    stage: 'adapt_guest',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { client } = await runnerOf(ctx, deps);
      const exported = outputOf(ctx.outputs, 'export');
      const [job] = await runRunnerJobs(
        ctx,
        client,
        [
          {
            kind: 'adapt_linux',
            params: {
              vm: runnerVmName(ctx.migration.id),
              disks: exported.disks.map(d => d.disk),
            },
          },
        ],
        { pollMs: deps.pollMs },
      );
      return { outputs: { report: resultOf(job) } };
    },
  };
}

/** ensure_uefi: BIOS → UEFI on the boot disk (a verified no-op when it already boots UEFI). */
export function createEnsureUefiExecutor(deps: RunnerStageDeps): StageExecutor {
  return {
    stage: 'ensure_uefi',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { client } = await runnerOf(ctx, deps);
      const exported = outputOf(ctx.outputs, 'export');
      const boot = exported.disks[0].disk;
      const [job] = await runRunnerJobs(
        ctx,
        client,
        [
          {
            disk: boot,
            kind: 'ensure_uefi',
            params: { vm: runnerVmName(ctx.migration.id), disk: boot },
          },
        ],
        { pollMs: deps.pollMs },
      );
      const r = resultOf(job);
      return {
        outputs: {
          firmwareBefore: ctx.migration.vm.firmware,
          changed: r.partitionTable?.before !== 'gpt' || Boolean(r.esp),
          result: r,
        },
      };
    },
  };
}

/** Object key of a disk in the transit bucket: under the migration, ending in .qcow2 as Scaleway requires. */
export function transitKey(migrationId: string, disk: string): string {
  return `vmware2scw/${migrationId}/${disk}.qcow2`;
}

/** upload_s3: each qcow2 to the transit bucket, multipart, resumable, verified by the runner. */
export function createUploadExecutor(
  deps: RunnerStageDeps & { bucket?: string; region?: string },
): StageExecutor {
  return {
    stage: 'upload_s3',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      if (!deps.bucket || !deps.region) {
        throw new Vmware2scwError({
          code: 'TRANSIT_BUCKET_NOT_CONFIGURED',
          message: 'No transit bucket is configured for the upload',
          remediation:
            'Configure vmware2scw.scaleway (transitBucket, s3Region) and retry the migration.',
        });
      }
      const { client, runnerId } = await runnerOf(ctx, deps);
      const exported = outputOf(ctx.outputs, 'export');
      const keys = exported.disks.map(d =>
        transitKey(ctx.migration.id, d.disk),
      );
      await ctx.recordLeftovers(
        keys.map(key => ({
          kind: 's3_object' as const,
          id: key,
          where: `${deps.region}/${deps.bucket}`,
        })),
      );
      const jobs = await runRunnerJobs(
        ctx,
        client,
        exported.disks.map((d, i) => ({
          disk: d.disk,
          kind: 'upload',
          params: {
            vm: runnerVmName(ctx.migration.id),
            disk: d.disk,
            bucket: deps.bucket,
            key: keys[i],
            region: deps.region,
          },
        })),
        { pollMs: deps.pollMs },
      );
      const disks: UploadedDisk[] = jobs.map((job, i) => {
        const r = resultOf(job);
        return {
          disk: exported.disks[i].disk,
          bucket: deps.bucket!,
          key: keys[i],
          region: deps.region!,
          bytes: Number(r.bytes ?? r.size ?? 0),
          ...(r.etag ? { etag: String(r.etag) } : {}),
          ...(r.sha256 ? { sha256: String(r.sha256) } : {}),
        };
      });
      return {
        outputs: { disks, runner: runnerId } as Record<string, unknown>,
        bytes: disks.reduce((s, d) => s + d.bytes, 0),
      };
    },
  };
}

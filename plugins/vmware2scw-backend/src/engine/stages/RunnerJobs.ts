import {
  runnerJobKey,
  type ApiModel,
  type RunnerJob,
  type RunnerJobKind,
} from '@internal/plugin-vmware2scw-common';
import type { RunnerClient } from '@internal/plugin-vmware2scw-node';
import type { StageContext } from '../StageExecutor';

export interface DiskJob {
  /** `disk-0`, …; absent for a VM-wide job. */
  disk?: string;
  kind: RunnerJobKind;
  params: Record<string, unknown>;
}

/**
 * Runs runner jobs of one stage at once (one per disk, or one for the VM), under idempotency keys
 * `<migration>:<stage>:<disk>`: after a crash or a retry the same keys find the same jobs on the
 * runner, which resumes or returns them. Progress of every job is merged into the stage's progress.
 * The first failure cancels the other jobs and is thrown with the runner's code and remediation.
 */
export async function runRunnerJobs(
  ctx: StageContext,
  client: RunnerClient,
  jobs: readonly DiskJob[],
  options: { pollMs?: number } = {},
): Promise<RunnerJob[]> {
  const latest = new Map<number, RunnerJob>();
  const publish = () => {
    const disks: ApiModel.DiskProgress[] = [];
    let rate = 0;
    let eta: number | undefined;
    let phase: string | undefined;
    for (const job of latest.values()) {
      disks.push(...job.progress.disks);
      rate += job.progress.bytesPerSecond ?? 0;
      if (job.progress.etaSeconds !== undefined)
        eta = Math.max(eta ?? 0, job.progress.etaSeconds);
      phase ??= job.progress.phase;
    }
    const total = disks.reduce((s, d) => s + (d.bytesTotal ?? 0), 0);
    const done = disks.reduce((s, d) => s + d.bytesDone, 0);
    ctx.progress({
      phase: `${jobs[0]?.kind ?? ''}${phase ? `: ${phase}` : ''}`,
      disks,
      ...(rate ? { bytesPerSecond: rate } : {}),
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
      ...(total ? { percent: Math.min(100, (done / total) * 100) } : {}),
    });
  };
  const local = new AbortController();
  const onAbort = () => local.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      jobs.map(async (job, i) => {
        try {
          const submitted = await client.submit(
            {
              idempotencyKey: runnerJobKey(
                ctx.migration.id,
                ctx.stage,
                job.kind,
                job.disk,
              ),
              kind: job.kind,
              params: job.params,
            },
            local.signal,
          );
          latest.set(i, submitted);
          return await client.wait(submitted.id, {
            signal: local.signal,
            pollMs: options.pollMs,
            onProgress: j => {
              latest.set(i, j);
              publish();
            },
          });
        } catch (err) {
          if (!local.signal.aborted) local.abort(err);
          throw err;
        }
      }),
    );
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** `result` of a runner job as a record (the runner's result shapes are per kind). */
export function resultOf(job: RunnerJob): Record<string, any> {
  return (job.result ?? {}) as Record<string, any>;
}

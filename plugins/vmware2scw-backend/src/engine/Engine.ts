import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  toErrorBody,
  Vmware2scwError,
  type ApiModel,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type {
  BatchRecord,
  ClaimedStageRun,
  MigrationStore,
  StageRunResult,
} from '../database/MigrationStore';
import type { EngineNotifier } from './EngineNotifier';
import type {
  RecordedOutputs,
  StageContext,
  StageExecutorRegistry,
  StageOutcome,
} from './StageExecutor';
import { WaveController } from './WaveController';

export interface EngineOptions {
  store: MigrationStore;
  executors: StageExecutorRegistry;
  notifier: EngineNotifier;
  logger: LoggerService;
  /** Unique per backend process: the owner of the stage runs it claims. */
  instanceId: string;
  leaseMs: number;
  /** Stages this instance runs at once. */
  maxConcurrentStages: number;
  /** Time limit of a stage, if any. */
  stageTimeoutMs?: (stage: StageId) => number | undefined;
  /** Between two progress writes of a stage (and signals), default 2 s. */
  progressIntervalMs?: number;
  now?: () => Date;
}

class StageAbort extends Error {
  constructor(
    readonly why: 'cancelled' | 'lost' | 'timeout' | 'shutdown',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The migration engine of one backend instance. Each tick it gives back stage runs whose owner died
 * (lease expired), moves waves on, claims runnable stage runs within the plans' concurrency limits
 * (shared with every other instance through the store) and runs them with their executors,
 * renewing their lease and recording progress while they run. A tick happens on a timer (the
 * Backstage scheduler) and whenever something it or the API did may have made work runnable.
 */
export class Engine {
  private readonly leftoverQueues = new Map<string, Promise<void>>();

  /** Runs `fn` after the earlier leftover updates of the same migration (in this process). */
  private serializeLeftovers(
    migrationId: string,
    fn: () => Promise<void>,
  ): Promise<void> {
    const previous = this.leftoverQueues.get(migrationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    const settled = next.catch(() => undefined);
    this.leftoverQueues.set(migrationId, settled);
    void settled.then(() => {
      if (this.leftoverQueues.get(migrationId) === settled)
        this.leftoverQueues.delete(migrationId);
    });
    return next;
  }

  private readonly store: MigrationStore;
  private readonly logger: LoggerService;
  private readonly waves: WaveController;
  private readonly running = new Map<
    string,
    { controller: AbortController; done: Promise<void> }
  >();
  private ticking = false;
  private again = false;
  /** Waves can only move when a VM ended, a person acted, or on the periodic tick. */
  private wavesDirty = true;
  private readonly batches = new Map<
    string,
    { at: number; batch: Promise<BatchRecord | undefined> }
  >();
  private stopped = false;
  private wakeTimer?: NodeJS.Timeout;

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.waves = new WaveController(
      options.store,
      options.notifier,
      options.logger,
      () => this.nowIso(),
    );
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  get waveController(): WaveController {
    return this.waves;
  }

  /** Stage runs executing in this instance now. */
  get activeCount(): number {
    return this.running.size;
  }

  /** Asks for a tick soon (coalesced); `waves: false` when nothing a wave depends on changed. */
  wake(options: { waves?: boolean } = {}): void {
    if (options.waves !== false) this.wavesDirty = true;
    if (this.stopped || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pass().catch(err =>
        this.logger.error(`vmware2scw engine tick failed: ${err}`),
      );
    }, 0);
  }

  /** One pass: recover, advance waves, claim and launch. Concurrent calls are folded into one more pass. */
  async tick(): Promise<void> {
    this.wavesDirty = true;
    return this.pass();
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.recover();
        if (this.wavesDirty) {
          this.wavesDirty = false;
          await this.waves.advanceAll();
        }
        await this.claimAndLaunch();
      } while (this.again && !this.stopped);
    } finally {
      this.ticking = false;
    }
  }

  /** Waits for the stages this instance runs to end (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running.size || this.ticking)
      await Promise.race([
        ...[...this.running.values()].map(r => r.done),
        new Promise(r => setTimeout(r, 20)),
      ]);
  }

  /**
   * Stops claiming; stages still running are handed back at once (pending again) so that another
   * instance takes them without waiting for the lease to expire.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const r of this.running.values())
      r.controller.abort(new StageAbort('shutdown', 'the backend is stopping'));
    await Promise.allSettled([...this.running.values()].map(r => r.done));
  }

  private nowIso(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  private leaseUntil(): string {
    return new Date(
      (this.options.now?.() ?? new Date()).getTime() + this.options.leaseMs,
    ).toISOString();
  }

  private async recover(): Promise<void> {
    const recovered = await this.store.recoverExpiredLeases(this.nowIso());
    for (const run of recovered) {
      const migration = await this.store.getMigration(run.migrationId);
      if (!migration) continue;
      await this.options.notifier.event({
        actor: 'engine',
        type: run.cancelRequested ? 'stage.cancelled' : 'stage.recovered',
        batchId: migration.batchId,
        migrationId: migration.id,
        entityRef: migration.entityRef,
        stage: run.stage,
        message: run.cancelRequested
          ? `${run.stage} of ${migration.vmName} cancelled (its backend instance had stopped)`
          : `${run.stage} of ${migration.vmName} given back: backend instance ${run.claimedBy} stopped renewing it; it runs again`,
      });
    }
  }

  private async claimAndLaunch(): Promise<void> {
    const room = this.options.maxConcurrentStages - this.running.size;
    if (room <= 0) return;
    const claims = await this.store.claimStageRuns({
      owner: this.options.instanceId,
      now: this.nowIso(),
      leaseUntil: this.leaseUntil(),
      max: room,
    });
    for (const claim of claims) this.launch(claim);
  }

  private launch(claim: ClaimedStageRun): void {
    const controller = new AbortController();
    // Keyed by attempt: a retry of a cancelled stage can be claimed here while the aborted attempt still
    // finishes its bookkeeping, and that one's end must not drop the new attempt from the count.
    const key = `${claim.run.id}#${claim.run.attempt}`;
    let ended = true;
    const done = this.execute(claim, controller)
      .then(state => {
        ended = !state || state !== 'running';
      })
      .catch(err =>
        this.logger.error(
          `vmware2scw: stage ${claim.run.stage} of ${claim.migration.vmName} could not be recorded: ${err}`,
        ),
      )
      .finally(() => {
        this.running.delete(key);
        this.wake({ waves: ended });
      });
    this.running.set(key, { controller, done });
  }

  /** A batch's record for its executors (its settings never change; kept a few seconds). */
  private batchOf(id: string): Promise<BatchRecord | undefined> {
    const now = Date.now();
    const hit = this.batches.get(id);
    if (hit && now - hit.at < 5000) return hit.batch;
    const batch = this.store.getBatch(id);
    this.batches.set(id, { at: now, batch });
    if (this.batches.size > 1000) this.batches.clear();
    return batch;
  }

  /** Runs a claimed stage and records its end; returns the migration's state after it. */
  private async execute(
    claim: ClaimedStageRun,
    controller: AbortController,
  ): Promise<string | undefined> {
    const { run, migration } = claim;
    const { notifier } = this.options;
    const owner = this.options.instanceId;
    const batch = await this.batchOf(migration.batchId);
    if (!batch) return undefined;
    const runs = await this.store.listStageRuns([migration.id]);
    const outputs: RecordedOutputs = {};
    for (const r of runs)
      if (r.state === 'succeeded' && r.outputs) outputs[r.stage] = r.outputs;
    let partial: Record<string, unknown> = { ...(run.outputs ?? {}) };
    let progress: ApiModel.StageProgress | undefined = run.progress;
    let progressDirty = false;
    let current = migration;

    const base = {
      batchId: migration.batchId,
      waveId: migration.waveId,
      migrationId: migration.id,
      entityRef: migration.entityRef,
    };
    // Recorded while the stage starts: its end is recorded after it (awaited below).
    const startedEvent = notifier
      .event({
        actor: 'engine',
        type: 'stage.started',
        ...base,
        stage: run.stage,
        message: `${run.stage} of ${migration.vmName} started (attempt ${run.attempt})`,
        details: { attempt: run.attempt, instance: owner },
      })
      .catch(err => this.logger.warn(`vmware2scw: event not recorded: ${err}`));
    notifier.signal({
      kind: 'migration',
      ...base,
      state: 'running',
      stage: run.stage,
    });

    const renew = async () => {
      const write = progressDirty;
      progressDirty = false;
      const lease = await this.store.renewLease(
        run.id,
        owner,
        this.leaseUntil(),
        write ? progress : undefined,
      );
      if (!lease.held)
        controller.abort(
          new StageAbort(
            'lost',
            'another backend instance took this stage over',
          ),
        );
      else if (lease.cancelRequested)
        controller.abort(new StageAbort('cancelled', 'cancelled on request'));
      else if (write)
        notifier.signal({
          kind: 'migration',
          ...base,
          state: 'running',
          stage: run.stage,
          progress,
        });
    };
    const heartbeat = setInterval(
      () =>
        renew().catch(err =>
          this.logger.warn(`vmware2scw: lease renewal failed: ${err}`),
        ),
      Math.min(
        this.options.progressIntervalMs ?? 2000,
        this.options.leaseMs / 3,
      ),
    );
    const timeoutMs = this.options.stageTimeoutMs?.(run.stage);
    const timeout = timeoutMs
      ? setTimeout(
          () =>
            controller.abort(
              new StageAbort(
                'timeout',
                `${run.stage} ran longer than its limit of ${Math.round(
                  timeoutMs / 60000,
                )} min`,
              ),
            ),
          timeoutMs,
        )
      : undefined;

    const ctx: StageContext = {
      stage: run.stage,
      migration,
      batch,
      run,
      outputs,
      partial,
      signal: controller.signal,
      logger: this.logger.child({ migration: migration.id, stage: run.stage }),
      progress: p => {
        progress = { ...p, updatedAt: this.nowIso() };
        progressDirty = true;
      },
      checkpoint: async more => {
        partial = { ...partial, ...more };
        ctx.partial = partial;
        await this.store.renewLease(
          run.id,
          owner,
          this.leaseUntil(),
          undefined,
          partial,
        );
      },
      placeOnRunner: async runnerId => {
        await this.store.updateMigration(migration.id, { runnerId });
        current = { ...current, runnerId };
        ctx.migration = current;
        await notifier.event({
          actor: 'engine',
          type: 'migration.placed',
          ...base,
          stage: run.stage,
          message: `${migration.vmName} placed on runner ${runnerId}`,
          details: { runner: runnerId },
        });
      },
      // Read-modify-write of the migration's leftovers, one at a time: two disks' resources recorded at the
      // same moment must not overwrite each other. One replica owns a running stage (its lease), so an
      // in-process queue per migration is enough.
      recordLeftovers: add =>
        this.serializeLeftovers(migration.id, async () => {
          const fresh =
            (await this.store.getMigration(migration.id)) ?? current;
          const known = new Set(
            fresh.leftovers.map(l => `${l.kind}:${l.where}:${l.id}`),
          );
          const leftovers = [
            ...fresh.leftovers,
            ...add.filter(l => !known.has(`${l.kind}:${l.where}:${l.id}`)),
          ];
          await this.store.updateMigration(migration.id, { leftovers });
        }),
      clearLeftovers: match =>
        this.serializeLeftovers(migration.id, async () => {
          const fresh =
            (await this.store.getMigration(migration.id)) ?? current;
          await this.store.updateMigration(migration.id, {
            leftovers: fresh.leftovers.filter(l => !match(l)),
          });
        }),
    };

    let result: StageRunResult;
    try {
      const outcome: StageOutcome = await this.options.executors
        .get(run.stage)
        .execute(ctx);
      if (controller.signal.aborted) throw controller.signal.reason;
      result =
        'skipped' in outcome
          ? {
              state: 'skipped',
              skippedReason: outcome.skipped,
              outputs: outcome.outputs,
              now: this.nowIso(),
            }
          : {
              state: 'succeeded',
              outputs:
                outcome.bytes !== undefined
                  ? { ...outcome.outputs, bytes: outcome.bytes }
                  : outcome.outputs,
              now: this.nowIso(),
            };
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      if (
        reason instanceof StageAbort &&
        (reason.why === 'lost' || reason.why === 'shutdown')
      ) {
        if (reason.why === 'shutdown') {
          // Handed back at once: pending again, attempt kept, for the next instance.
          await this.store.updateStageRun(
            run.id,
            {
              state: 'pending',
              claimedBy: null as any,
              leaseExpiresAt: null as any,
            },
            { fromStates: ['running'] },
          );
        }
        this.logger.info(
          `vmware2scw: ${run.stage} of ${migration.vmName} stopped here: ${reason.message}`,
        );
        await startedEvent;
        return undefined;
      }
      if (reason instanceof StageAbort && reason.why === 'cancelled') {
        result = {
          state: 'cancelled',
          error: {
            code: 'CANCELLED',
            message: `${run.stage} of ${migration.vmName} was cancelled`,
            remediation: 'Retry the migration to run it again from this stage.',
          },
          now: this.nowIso(),
        };
      } else if (reason instanceof StageAbort && reason.why === 'timeout') {
        result = {
          state: 'failed',
          error: {
            code: 'STAGE_TIMEOUT',
            message: `${migration.vmName}: ${reason.message}`,
            remediation:
              'Raise vmware2scw.engine.stageTimeoutMinutes for this stage if the disks are that large, then retry.',
          },
          now: this.nowIso(),
        };
      } else {
        result = {
          state: 'failed',
          error: toErrorBody(
            reason,
            'STAGE_FAILED',
            `Read the events of ${migration.vmName} and the runner log; retry once the cause is fixed.`,
          ),
          now: this.nowIso(),
        };
      }
    } finally {
      clearInterval(heartbeat);
      if (timeout) clearTimeout(timeout);
    }

    await startedEvent;
    if (progress && progressDirty) {
      await this.store.renewLease(run.id, owner, this.leaseUntil(), progress);
    }
    const completed = await this.store.completeStageRun(
      run.id,
      owner,
      result,
      run.attempt,
    );
    if (!completed) {
      this.logger.warn(
        `vmware2scw: ${run.stage} of ${migration.vmName} finished but another instance owns it now; its result is dropped`,
      );
      return undefined;
    }
    const after = completed.migration;
    await notifier.event({
      actor: 'engine',
      type: `stage.${result.state}`,
      ...base,
      stage: run.stage,
      message:
        result.state === 'failed' || result.state === 'cancelled'
          ? `${run.stage} of ${migration.vmName} ${result.state}: ${result.error?.message}`
          : `${run.stage} of ${migration.vmName} ${result.state}${
              result.skippedReason ? `: ${result.skippedReason}` : ''
            }`,
      ...(result.error ? { details: { error: result.error } } : {}),
    });
    if (
      after.state === 'succeeded' ||
      after.state === 'failed' ||
      after.state === 'cancelled'
    ) {
      await notifier.event({
        actor: 'engine',
        type: `migration.${after.state}`,
        ...base,
        message: `${migration.vmName} ${after.state}`,
      });
    }
    notifier.signal({
      kind: 'migration',
      ...base,
      state: after.state,
      stage: after.currentStage,
    });
    return after.state;
  }
}

/** Raised by commands that find a record in the wrong state. */
export class EngineStateError extends Vmware2scwError {}

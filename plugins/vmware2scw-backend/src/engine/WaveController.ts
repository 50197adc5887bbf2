import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  BatchRecord,
  MigrationCounts,
  MigrationStore,
  WaveRecord,
} from '../database/MigrationStore';
import type { EngineNotifier } from './EngineNotifier';

const ENGINE = 'engine';

function allDone(c: MigrationCounts | undefined): boolean {
  if (!c) return true;
  return c.pending + c.queued + c.running + c.waiting === 0;
}

/**
 * Moves the waves of running batches on: waves run in order; `pause_after` decides whether the next
 * wave waits for an approval (`pause`), pauses on a failure (`pause_on_failure`) or goes on (`none`);
 * the first wave waits for an approval unless the batch was started with one. Transitions are
 * compare-and-set, so when several backend replicas tick at once exactly one of them makes each.
 */
export class WaveController {
  constructor(
    private readonly store: MigrationStore,
    private readonly notifier: EngineNotifier,
    private readonly logger: LoggerService,
    private readonly now: () => string,
  ) {}

  async advanceAll(): Promise<number> {
    let moved = 0;
    for (const batch of await this.store.listBatches({
      states: ['running'],
      limit: 1000,
    })) {
      if (batch.dryRun) continue;
      moved += await this.advance(batch);
    }
    return moved;
  }

  /** Makes every transition the batch's records call for; returns how many. */
  async advance(batch: BatchRecord): Promise<number> {
    let moved = 0;
    for (let guard = 0; guard < 100; guard++) {
      const step = await this.step(batch);
      if (!step) break;
      moved++;
    }
    return moved;
  }

  private async step(batch: BatchRecord): Promise<boolean> {
    const waves = await this.store.listWaves(batch.id);
    const { byWave, batch: total } = await this.store.countMigrations(batch.id);
    for (let i = 0; i < waves.length; i++) {
      const wave = waves[i];
      const counts = byWave.get(wave.id);
      if (wave.state === 'rejected' || wave.state === 'cancelled') return false;
      if (wave.state === 'completed') continue;
      if (wave.state === 'running') {
        if (!allDone(counts)) return false;
        const failed = (counts?.failed ?? 0) + (counts?.cancelled ?? 0) > 0;
        if (failed && wave.pauseAfter !== 'none') {
          return this.move(batch, wave, 'running', 'paused', {
            pausedReason: 'failure',
            message: `${wave.name} paused: ${counts!.failed} VM(s) failed, ${
              counts!.cancelled
            } cancelled (pause_after: ${wave.pauseAfter})`,
            type: 'wave.paused',
          });
        }
        return this.move(batch, wave, 'running', 'completed', {
          finishedAt: this.now(),
          message: `${wave.name} completed: ${
            counts?.succeeded ?? 0
          } succeeded, ${counts?.failed ?? 0} failed`,
          type: 'wave.completed',
        });
      }
      if (wave.state === 'paused' || wave.state === 'awaiting_approval')
        return false;
      // pending: the previous wave (if any) is completed.
      const previous = waves[i - 1];
      const needsApproval = previous
        ? previous.pauseAfter === 'pause' || previous.pausedReason === 'failure'
        : !batch.settings.approveFirstWave;
      if (needsApproval) {
        return this.move(batch, wave, 'pending', 'awaiting_approval', {
          message: `${wave.name} awaits approval${
            previous
              ? ` (after ${previous.name}, pause_after: ${previous.pauseAfter})`
              : ''
          }`,
          type: 'wave.awaiting_approval',
        });
      }
      return this.start(batch, wave, 'pending');
    }
    // Every wave completed: the batch is done once no VM runs (a retried VM of a completed wave may).
    if (!allDone(total)) return false;
    const state = total.failed + total.cancelled > 0 ? 'failed' : 'succeeded';
    const done = await this.store.updateBatch(
      batch.id,
      { state, finishedAt: this.now() },
      { fromStates: ['running'] },
    );
    if (done) {
      await this.notifier.event({
        actor: ENGINE,
        type: `batch.${state}`,
        batchId: batch.id,
        message: `batch ${batch.planName} ${state}: ${total.succeeded} succeeded, ${total.failed} failed, ${total.cancelled} cancelled`,
      });
      this.notifier.signal({ kind: 'batch', batchId: batch.id, state });
      this.logger.info(
        `vmware2scw: batch ${batch.id} (${batch.planName}) ${state}`,
      );
    }
    return false;
  }

  /** Starts a wave: its VMs become runnable. */
  async start(
    batch: BatchRecord,
    wave: WaveRecord,
    from: 'pending' | 'awaiting_approval',
  ): Promise<boolean> {
    const moved = await this.move(batch, wave, from, 'running', {
      startedAt: this.now(),
      message: `${wave.name} started`,
      type: 'wave.started',
    });
    if (moved)
      await this.store.updateMigrationsOfWave(wave.id, ['pending'], 'queued');
    return moved;
  }

  private async move(
    batch: BatchRecord,
    wave: WaveRecord,
    from: WaveRecord['state'],
    to: WaveRecord['state'],
    change: {
      message: string;
      type: string;
      pausedReason?: string;
      startedAt?: string;
      finishedAt?: string;
    },
  ): Promise<boolean> {
    const moved = await this.store.updateWave(
      wave.id,
      {
        state: to,
        ...(change.pausedReason ? { pausedReason: change.pausedReason } : {}),
        ...(change.startedAt ? { startedAt: change.startedAt } : {}),
        ...(change.finishedAt ? { finishedAt: change.finishedAt } : {}),
      },
      { fromStates: [from] },
    );
    if (!moved) return false;
    await this.notifier.event({
      actor: ENGINE,
      type: change.type,
      batchId: batch.id,
      waveId: wave.id,
      message: change.message,
    });
    this.notifier.signal({
      kind: 'wave',
      batchId: batch.id,
      waveId: wave.id,
      state: to,
    });
    return true;
  }
}

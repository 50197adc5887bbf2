import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  Vmware2scwError,
  type ApiModel,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type {
  BatchRecord,
  MigrationRecord,
  StageRunRecord,
} from '../database/MigrationStore';

/** Recorded outputs of a migration's stages, by stage (what later stages and the report read). */
export type RecordedOutputs = Partial<Record<StageId, Record<string, unknown>>>;

/**
 * What a stage executor gets. Executors are idempotent given `outputs` and `partial`: a stage run again
 * (retry, crash recovery on another replica) finds what its first attempt recorded and reuses it rather
 * than doing it twice (one snapshot, one runner job per key, one S3 object, one Scaleway resource).
 */
export interface StageContext {
  stage: StageId;
  migration: MigrationRecord;
  batch: BatchRecord;
  run: StageRunRecord;
  /** Outputs of the stages that already succeeded. */
  outputs: RecordedOutputs;
  /** What an earlier attempt of this very stage recorded with `checkpoint` before it stopped. */
  partial: Record<string, unknown>;
  /** Aborted on cancel, on timeout, or when this backend lost the stage to another replica. */
  signal: AbortSignal;
  /** Progress of the stage (throttled before it reaches the store and the browsers). */
  progress(progress: Omit<ApiModel.StageProgress, 'updatedAt'>): void;
  /** Records partial outputs now (a vCenter task id, a runner job id), before waiting on them. */
  checkpoint(partial: Record<string, unknown>): Promise<void>;
  /** Records which runner holds the VM's scratch files (the stages export → upload_s3 stay on it). */
  placeOnRunner(runnerId: string): Promise<void>;
  /** Adds what the stage created, for the leak guard (listed until cleanup removes it). */
  recordLeftovers(leftovers: ApiModel.Leftover[]): Promise<void>;
  /** Removes leftovers cleanup took away. */
  clearLeftovers(match: (l: ApiModel.Leftover) => boolean): Promise<void>;
  logger: LoggerService;
}

export type StageOutcome =
  | { outputs: Record<string, unknown>; bytes?: number }
  | { skipped: string; outputs?: Record<string, unknown> };

/** One stage's work. The registry holds one per stage id; the Scaleway stages plug in the same way. */
export interface StageExecutor {
  stage: StageId;
  execute(context: StageContext): Promise<StageOutcome>;
}

export class StageExecutorRegistry {
  private readonly executors = new Map<StageId, StageExecutor>();

  constructor(executors: readonly StageExecutor[] = []) {
    for (const e of executors) this.register(e);
  }

  /** Adds or replaces the executor of a stage. */
  register(executor: StageExecutor): void {
    this.executors.set(executor.stage, executor);
  }

  get(stage: StageId): StageExecutor {
    const executor = this.executors.get(stage);
    if (!executor) {
      throw new Vmware2scwError({
        code: 'STAGE_NOT_AVAILABLE',
        message: `No executor for stage ${stage} in this backend`,
        remediation:
          'This stage is not implemented in this release (the Windows stages come with the runner’s Windows job kinds); validate refuses such VMs before anything runs.',
      });
    }
    return executor;
  }

  has(stage: StageId): boolean {
    return this.executors.has(stage);
  }
}

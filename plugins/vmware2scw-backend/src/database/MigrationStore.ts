import type {
  ApiModel,
  ErrorBody,
  Plan,
  Problem,
  StageId,
  StageResource,
  Vm,
} from '@internal/plugin-vmware2scw-common';

export type BatchState = ApiModel.BatchState;
export type WaveState = ApiModel.WaveState;
export type MigrationState = ApiModel.MigrationState;
export type StageRunState = ApiModel.StageRunState;
export type PauseAfter = 'pause' | 'pause_on_failure' | 'none';

export interface PlanRecord {
  id: string;
  name: string;
  description?: string;
  yaml: string;
  parsed: Plan;
  problems: Problem[];
  zone: string;
  vmCount: number;
  waveCount: number;
  createdBy: string;
  createdAt: string;
}

/** What a batch keeps from its plan (or from a one-VM request) for the engine. */
export interface BatchSettings {
  concurrency: {
    max_exports_per_host: number;
    max_concurrent_conversions: number;
    max_concurrent_uploads: number;
    max_total_workers: number;
  };
  postMigration: {
    tag_source?: string;
    power_off_source: boolean;
    delete_vmware_snapshot: boolean;
    delete_s3_transit: boolean;
  };
  /** `defaults.tags` of the plan, for the Scaleway resources. */
  tags: string[];
  /** The first wave starts without waiting for an approval. */
  approveFirstWave: boolean;
}

export interface BatchRecord {
  id: string;
  planId?: string;
  planName: string;
  kind: 'plan' | 'single';
  dryRun: boolean;
  state: BatchState;
  settings: BatchSettings;
  dryRunReport?: ApiModel.DryRunReport;
  createdBy: string;
  createdAt: string;
  finishedAt?: string;
}

export interface WaveRecord {
  id: string;
  batchId: string;
  name: string;
  position: number;
  state: WaveState;
  pauseAfter: PauseAfter;
  pausedReason?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface ApprovalRecord {
  id: number;
  waveId: string;
  decision: 'approved' | 'rejected';
  actor: string;
  comment?: string;
  at: string;
}

export type Leftover = ApiModel.Leftover;

export interface MigrationRecord {
  id: string;
  batchId: string;
  waveId?: string;
  entityRef: string;
  vmName: string;
  sourceId: string;
  moref: string;
  osFamily: Vm['osFamily'];
  esxiHost?: string;
  targetType?: string;
  zone: string;
  priority: number;
  runnerId?: string;
  state: MigrationState;
  currentStage?: StageId;
  /** Position of the first stage run that has not succeeded or been skipped (= pipeline length when done). */
  nextPosition: number;
  /** Last stage position the engine may run (stepwise migrations); absent: the whole pipeline. */
  runUntilPosition?: number;
  stepwise: boolean;
  /** Idempotency key of the one-VM request that created it. */
  requestId?: string;
  scaffolderTaskId?: string;
  pipeline: StageId[];
  /** The VM as the inventory described it when the migration was created. */
  vm: Vm;
  lastError?: ErrorBody;
  leftovers: Leftover[];
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface StageRunRecord {
  id: string;
  migrationId: string;
  stage: StageId;
  position: number;
  state: StageRunState;
  attempt: number;
  resource: StageResource;
  esxiHost?: string;
  diskCount: number;
  outputs?: Record<string, unknown>;
  progress?: ApiModel.StageProgress;
  error?: ErrorBody;
  skippedReason?: string;
  runnerId?: string;
  claimedBy?: string;
  leaseExpiresAt?: string;
  cancelRequested: boolean;
  startedAt?: string;
  finishedAt?: string;
  updatedAt?: string;
}

export interface EventRecord {
  id: number;
  at: string;
  actor: string;
  type: string;
  batchId?: string;
  waveId?: string;
  migrationId?: string;
  entityRef?: string;
  stage?: StageId;
  message: string;
  details?: Record<string, unknown>;
}

export type NewEvent = Omit<EventRecord, 'id' | 'at'> & { at?: string };

export type MigrationCounts = ApiModel.MigrationCounts;

/** A stage run the engine took for itself, with what it needs to run it. */
export interface ClaimedStageRun {
  run: StageRunRecord;
  migration: MigrationRecord;
}

export interface ClaimOptions {
  /** Id of the engine instance (one per backend process). */
  owner: string;
  now: string;
  leaseUntil: string;
  /** At most this many stage runs. */
  max: number;
}

export interface StageRunResult {
  state: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  outputs?: Record<string, unknown>;
  error?: ErrorBody;
  skippedReason?: string;
  now: string;
}

/** A partial update where `null` clears a column. */
export type Patch<T> = { [K in keyof T]?: T[K] | null };

/** Optimistic concurrency: the update happens only from one of these states. */
export interface FromStates<S> {
  fromStates?: readonly S[];
  /**
   * Only while no migration of the wave (or batch) is pending, queued, running or waiting, checked in
   * the same statement: a retry landing meanwhile keeps the wave or batch open.
   */
  whenIdle?: boolean;
}

/**
 * Persistence of the migration engine. One knex implementation ({@link DatabaseMigrationStore}) serves
 * SQLite (the embedded default) and PostgreSQL (several backend replicas: claims lock rows).
 * Updates with `fromStates` are compare-and-set and say whether they happened, so two replicas
 * never both move the same wave or migration.
 */
export interface MigrationStore {
  insertPlan(plan: PlanRecord): Promise<void>;
  getPlan(id: string): Promise<PlanRecord | undefined>;
  listPlans(options?: { limit?: number }): Promise<PlanRecord[]>;

  /** A batch with everything it runs, written at once (nothing half-created). */
  insertBatch(input: {
    batch: BatchRecord;
    waves: WaveRecord[];
    migrations: MigrationRecord[];
    stageRuns: StageRunRecord[];
  }): Promise<void>;
  getBatch(id: string): Promise<BatchRecord | undefined>;
  getLatestBatch(): Promise<BatchRecord | undefined>;
  listBatches(options?: {
    limit?: number;
    states?: readonly BatchState[];
  }): Promise<BatchRecord[]>;
  updateBatch(
    id: string,
    patch: Patch<Pick<BatchRecord, 'state' | 'finishedAt' | 'dryRunReport'>>,
    options?: FromStates<BatchState>,
  ): Promise<boolean>;

  getWave(id: string): Promise<WaveRecord | undefined>;
  listWaves(batchId: string): Promise<WaveRecord[]>;
  updateWave(
    id: string,
    patch: Patch<
      Pick<WaveRecord, 'state' | 'pausedReason' | 'startedAt' | 'finishedAt'>
    >,
    options?: FromStates<WaveState>,
  ): Promise<boolean>;
  insertApproval(approval: Omit<ApprovalRecord, 'id'>): Promise<void>;
  listApprovals(waveIds: readonly string[]): Promise<ApprovalRecord[]>;

  getMigration(id: string): Promise<MigrationRecord | undefined>;
  findMigrationByRequestId(
    requestId: string,
  ): Promise<MigrationRecord | undefined>;
  listMigrations(filter: {
    batchId?: string;
    waveId?: string;
    entityRef?: string;
    states?: readonly MigrationState[];
    limit?: number;
  }): Promise<MigrationRecord[]>;
  updateMigration(
    id: string,
    patch: Patch<
      Pick<
        MigrationRecord,
        | 'state'
        | 'runnerId'
        | 'runUntilPosition'
        | 'lastError'
        | 'leftovers'
        | 'finishedAt'
        | 'nextPosition'
        | 'currentStage'
        | 'targetType'
        | 'vm'
      >
    >,
    options?: FromStates<MigrationState>,
  ): Promise<boolean>;
  /** Moves every migration of a wave from one state to another (a wave starts, a batch is cancelled). */
  updateMigrationsOfWave(
    waveId: string,
    from: readonly MigrationState[],
    to: MigrationState,
  ): Promise<number>;
  /** Migrations per state, for a batch and for each of its waves. */
  countMigrations(batchId: string): Promise<{
    batch: MigrationCounts;
    byWave: Map<string, MigrationCounts>;
  }>;

  listStageRuns(migrationIds: readonly string[]): Promise<StageRunRecord[]>;
  getStageRun(id: string): Promise<StageRunRecord | undefined>;
  updateStageRun(
    id: string,
    patch: Partial<
      Pick<
        StageRunRecord,
        | 'state'
        | 'outputs'
        | 'progress'
        | 'error'
        | 'skippedReason'
        | 'runnerId'
        | 'cancelRequested'
        | 'claimedBy'
        | 'leaseExpiresAt'
        | 'finishedAt'
        | 'updatedAt'
      >
    >,
    options?: FromStates<StageRunState>,
  ): Promise<boolean>;

  /**
   * Takes runnable stage runs for `owner`: the next stage of migrations whose wave and batch run,
   * within the concurrency limits of each batch counted over everything running (every batch, every
   * replica). Serialised across replicas by a row lock; candidates locked with SKIP LOCKED.
   */
  claimStageRuns(options: ClaimOptions): Promise<ClaimedStageRun[]>;
  /** Extends the lease of a run this owner holds (and records its progress); false when it lost it. */
  renewLease(
    runId: string,
    owner: string,
    leaseUntil: string,
    progress?: ApiModel.StageProgress,
    outputs?: Record<string, unknown>,
  ): Promise<{ held: boolean; cancelRequested: boolean }>;
  /** Gives a run this owner holds back at once (pending again), e.g. when the backend stops. */
  releaseStageRun(runId: string, owner: string, now: string): Promise<boolean>;
  /** Runs whose owner stopped renewing: pending again (or cancelled when a cancel was asked). */
  recoverExpiredLeases(now: string): Promise<StageRunRecord[]>;
  /**
   * Records the end of a run the owner holds, and moves its migration on (next stage, waiting,
   * succeeded, failed, cancelled) in the same transaction. Undefined when the owner lost the run.
   */
  completeStageRun(
    runId: string,
    owner: string,
    result: StageRunResult,
    /** The attempt that ran: a later attempt of the same stage (a retry) is not ended by this one. */
    attempt?: number,
  ): Promise<{ run: StageRunRecord; migration: MigrationRecord } | undefined>;
  /**
   * Makes a failed or cancelled migration runnable again from its first stage that has not succeeded
   * (or from `fromPosition`, resetting the stages from there), keeping recorded outputs.
   */
  resetMigration(
    migrationId: string,
    options: { fromPosition?: number; state: MigrationState; now: string },
  ): Promise<MigrationRecord | undefined>;

  appendEvent(event: NewEvent): Promise<number>;
  listEvents(filter: {
    batchId?: string;
    migrationId?: string;
    entityRef?: string;
    after?: number;
    limit?: number;
  }): Promise<EventRecord[]>;
}

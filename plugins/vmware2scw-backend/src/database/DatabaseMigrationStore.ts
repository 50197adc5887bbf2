import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  ApprovalRecord,
  BatchRecord,
  BatchState,
  ClaimedStageRun,
  ClaimOptions,
  EventRecord,
  FromStates,
  MigrationCounts,
  MigrationRecord,
  MigrationState,
  MigrationStore,
  NewEvent,
  PlanRecord,
  StageRunRecord,
  StageRunResult,
  WaveRecord,
  WaveState,
} from './MigrationStore';

const MIGRATIONS_DIR = resolvePackagePath(
  '@internal/plugin-vmware2scw-backend',
  'migrations',
);

/** Applies the store's schema migrations unless the database service says to skip them. */
export async function migrateStore(database: DatabaseService): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({ directory: MIGRATIONS_DIR });
  }
  return knex;
}

export { MIGRATIONS_DIR };

const MIGRATION_STATES: readonly MigrationState[] = [
  'pending',
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
];

function emptyCounts(): MigrationCounts {
  return {
    total: 0,
    pending: 0,
    queued: 0,
    running: 0,
    waiting: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
  };
}

const json = (value: unknown) =>
  value === undefined ? null : JSON.stringify(value);
function parse<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  return JSON.parse(String(value)) as T;
}
const opt = <T>(value: T | null | undefined): T | undefined =>
  value === null ? undefined : value;

type Row = Record<string, any>;

function planOf(r: Row): PlanRecord {
  return {
    id: r.id,
    name: r.name,
    description: opt(r.description),
    yaml: r.yaml,
    parsed: parse(r.parsed)!,
    problems: parse(r.problems) ?? [],
    zone: r.zone,
    vmCount: Number(r.vm_count),
    waveCount: Number(r.wave_count),
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

function batchOf(r: Row): BatchRecord {
  return {
    id: r.id,
    planId: opt(r.plan_id),
    planName: r.plan_name,
    kind: r.kind,
    dryRun: Boolean(r.dry_run),
    state: r.state,
    settings: parse(r.settings)!,
    dryRunReport: parse(r.dry_run_report),
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: opt(r.finished_at),
  };
}

function waveOf(r: Row): WaveRecord {
  return {
    id: r.id,
    batchId: r.batch_id,
    name: r.name,
    position: Number(r.position),
    state: r.state,
    pauseAfter: r.pause_after,
    pausedReason: opt(r.paused_reason),
    startedAt: opt(r.started_at),
    finishedAt: opt(r.finished_at),
  };
}

function migrationOf(r: Row): MigrationRecord {
  return {
    id: r.id,
    batchId: r.batch_id,
    waveId: opt(r.wave_id),
    entityRef: r.entity_ref,
    vmName: r.vm_name,
    sourceId: r.source_id,
    moref: r.moref,
    osFamily: r.os_family,
    esxiHost: opt(r.esxi_host),
    targetType: opt(r.target_type),
    zone: r.zone,
    priority: Number(r.priority),
    runnerId: opt(r.runner_id),
    state: r.state,
    currentStage: opt(r.current_stage),
    nextPosition: Number(r.next_position),
    runUntilPosition:
      r.run_until_position === null || r.run_until_position === undefined
        ? undefined
        : Number(r.run_until_position),
    stepwise: Boolean(r.stepwise),
    requestId: opt(r.request_id),
    scaffolderTaskId: opt(r.scaffolder_task_id),
    pipeline: parse(r.pipeline)!,
    vm: parse(r.vm)!,
    lastError: parse(r.last_error),
    leftovers: parse(r.leftovers) ?? [],
    createdAt: r.created_at,
    startedAt: opt(r.started_at),
    finishedAt: opt(r.finished_at),
  };
}

function stageRunOf(r: Row): StageRunRecord {
  return {
    id: r.id,
    migrationId: r.migration_id,
    stage: r.stage,
    position: Number(r.position),
    state: r.state,
    attempt: Number(r.attempt),
    resource: r.resource,
    esxiHost: opt(r.esxi_host),
    diskCount: Number(r.disk_count),
    outputs: parse(r.outputs),
    progress: parse(r.progress),
    error: parse(r.error),
    skippedReason: opt(r.skipped_reason),
    runnerId: opt(r.runner_id),
    claimedBy: opt(r.claimed_by),
    leaseExpiresAt: opt(r.lease_expires_at),
    cancelRequested: Boolean(r.cancel_requested),
    startedAt: opt(r.started_at),
    finishedAt: opt(r.finished_at),
    updatedAt: opt(r.updated_at),
  };
}

function eventOf(r: Row): EventRecord {
  return {
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    type: r.type,
    batchId: opt(r.batch_id),
    waveId: opt(r.wave_id),
    migrationId: opt(r.migration_id),
    entityRef: opt(r.entity_ref),
    stage: opt(r.stage),
    message: r.message,
    details: parse(r.details),
  };
}

/** Column values of a partial record; `undefined` fields are left alone, explicit `null` clears. */
function columns(
  patch: Record<string, unknown>,
  map: Record<string, [column: string, kind?: 'json']>,
): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(patch)) {
    const target = map[key];
    if (!target || value === undefined) continue;
    const [column, kind] = target;
    if (value === null) out[column] = null;
    else out[column] = kind === 'json' ? JSON.stringify(value) : value;
  }
  return out;
}

const BATCH_COLUMNS: Record<string, [string, 'json'?]> = {
  state: ['state'],
  finishedAt: ['finished_at'],
  dryRunReport: ['dry_run_report', 'json'],
};
const WAVE_COLUMNS: Record<string, [string, 'json'?]> = {
  state: ['state'],
  pausedReason: ['paused_reason'],
  startedAt: ['started_at'],
  finishedAt: ['finished_at'],
};
const MIGRATION_COLUMNS: Record<string, [string, 'json'?]> = {
  state: ['state'],
  runnerId: ['runner_id'],
  runUntilPosition: ['run_until_position'],
  lastError: ['last_error', 'json'],
  leftovers: ['leftovers', 'json'],
  finishedAt: ['finished_at'],
  nextPosition: ['next_position'],
  currentStage: ['current_stage'],
  targetType: ['target_type'],
  vm: ['vm', 'json'],
};
const STAGE_RUN_COLUMNS: Record<string, [string, 'json'?]> = {
  state: ['state'],
  outputs: ['outputs', 'json'],
  progress: ['progress', 'json'],
  error: ['error', 'json'],
  skippedReason: ['skipped_reason'],
  runnerId: ['runner_id'],
  cancelRequested: ['cancel_requested'],
  claimedBy: ['claimed_by'],
  leaseExpiresAt: ['lease_expires_at'],
  finishedAt: ['finished_at'],
  updatedAt: ['updated_at'],
};

/** SQLite's bound-parameter limit is 999 on old builds: chunk `IN` lists and batch inserts. */
const CHUNK = 200;
function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The knex implementation of {@link MigrationStore}, for SQLite and PostgreSQL. */
export class DatabaseMigrationStore implements MigrationStore {
  private readonly isPostgres: boolean;

  static async create(
    database: DatabaseService,
  ): Promise<DatabaseMigrationStore> {
    return new DatabaseMigrationStore(await migrateStore(database));
  }

  constructor(private readonly db: Knex) {
    this.isPostgres = db.client.config.client === 'pg';
  }

  async insertPlan(plan: PlanRecord): Promise<void> {
    await this.db('plans').insert({
      id: plan.id,
      name: plan.name,
      description: plan.description ?? null,
      yaml: plan.yaml,
      parsed: JSON.stringify(plan.parsed),
      problems: JSON.stringify(plan.problems),
      zone: plan.zone,
      vm_count: plan.vmCount,
      wave_count: plan.waveCount,
      created_by: plan.createdBy,
      created_at: plan.createdAt,
    });
  }

  async getPlan(id: string): Promise<PlanRecord | undefined> {
    const row = await this.db('plans').where({ id }).first();
    return row ? planOf(row) : undefined;
  }

  async listPlans(options: { limit?: number } = {}): Promise<PlanRecord[]> {
    const rows = await this.db('plans')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit ?? 500);
    return rows.map(planOf);
  }

  async insertBatch(input: {
    batch: BatchRecord;
    waves: WaveRecord[];
    migrations: MigrationRecord[];
    stageRuns: StageRunRecord[];
  }): Promise<void> {
    const { batch, waves, migrations, stageRuns } = input;
    await this.db.transaction(async trx => {
      await trx('batches').insert({
        id: batch.id,
        plan_id: batch.planId ?? null,
        plan_name: batch.planName,
        kind: batch.kind,
        dry_run: batch.dryRun,
        state: batch.state,
        settings: JSON.stringify(batch.settings),
        dry_run_report: json(batch.dryRunReport),
        created_by: batch.createdBy,
        created_at: batch.createdAt,
        finished_at: batch.finishedAt ?? null,
      });
      for (const part of chunks(waves)) {
        await trx('waves').insert(
          part.map(w => ({
            id: w.id,
            batch_id: w.batchId,
            name: w.name,
            position: w.position,
            state: w.state,
            pause_after: w.pauseAfter,
            paused_reason: w.pausedReason ?? null,
            started_at: w.startedAt ?? null,
            finished_at: w.finishedAt ?? null,
          })),
        );
      }
      for (const part of chunks(migrations)) {
        await trx('migrations').insert(
          part.map(m => ({
            id: m.id,
            batch_id: m.batchId,
            wave_id: m.waveId ?? null,
            entity_ref: m.entityRef,
            vm_name: m.vmName,
            source_id: m.sourceId,
            moref: m.moref,
            os_family: m.osFamily,
            esxi_host: m.esxiHost ?? null,
            target_type: m.targetType ?? null,
            zone: m.zone,
            priority: m.priority,
            runner_id: m.runnerId ?? null,
            state: m.state,
            current_stage: m.currentStage ?? null,
            next_position: m.nextPosition,
            run_until_position: m.runUntilPosition ?? null,
            stepwise: m.stepwise,
            request_id: m.requestId ?? null,
            scaffolder_task_id: m.scaffolderTaskId ?? null,
            pipeline: JSON.stringify(m.pipeline),
            vm: JSON.stringify(m.vm),
            last_error: json(m.lastError),
            leftovers: JSON.stringify(m.leftovers),
            created_at: m.createdAt,
            started_at: m.startedAt ?? null,
            finished_at: m.finishedAt ?? null,
          })),
        );
      }
      for (const part of chunks(stageRuns)) {
        await trx('stage_runs').insert(
          part.map(s => ({
            id: s.id,
            migration_id: s.migrationId,
            stage: s.stage,
            position: s.position,
            state: s.state,
            attempt: s.attempt,
            resource: s.resource,
            esxi_host: s.esxiHost ?? null,
            disk_count: s.diskCount,
            outputs: json(s.outputs),
            progress: json(s.progress),
            error: json(s.error),
            skipped_reason: s.skippedReason ?? null,
            runner_id: s.runnerId ?? null,
            cancel_requested: s.cancelRequested,
            started_at: s.startedAt ?? null,
            finished_at: s.finishedAt ?? null,
            updated_at: s.updatedAt ?? null,
          })),
        );
      }
    });
  }

  async getBatch(id: string): Promise<BatchRecord | undefined> {
    const row = await this.db('batches').where({ id }).first();
    return row ? batchOf(row) : undefined;
  }

  async getLatestBatch(): Promise<BatchRecord | undefined> {
    const row = await this.db('batches')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? batchOf(row) : undefined;
  }

  async listBatches(
    options: { limit?: number; states?: readonly BatchState[] } = {},
  ): Promise<BatchRecord[]> {
    const q = this.db('batches')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit ?? 200);
    if (options.states) q.whereIn('state', options.states as string[]);
    return (await q).map(batchOf);
  }

  async updateBatch(
    id: string,
    patch: Parameters<MigrationStore['updateBatch']>[1],
    options: FromStates<BatchState> = {},
  ): Promise<boolean> {
    const q = this.db('batches')
      .where({ id })
      .update(columns(patch, BATCH_COLUMNS));
    if (options.fromStates) q.whereIn('state', options.fromStates as string[]);
    if (options.whenIdle)
      q.whereNotExists(this.activeMigrations('batch_id', id));
    return (await q) > 0;
  }

  async getWave(id: string): Promise<WaveRecord | undefined> {
    const row = await this.db('waves').where({ id }).first();
    return row ? waveOf(row) : undefined;
  }

  async listWaves(batchId: string): Promise<WaveRecord[]> {
    return (
      await this.db('waves').where({ batch_id: batchId }).orderBy('position')
    ).map(waveOf);
  }

  async updateWave(
    id: string,
    patch: Parameters<MigrationStore['updateWave']>[1],
    options: FromStates<WaveState> = {},
  ): Promise<boolean> {
    const q = this.db('waves')
      .where({ id })
      .update(columns(patch, WAVE_COLUMNS));
    if (options.fromStates) q.whereIn('state', options.fromStates as string[]);
    if (options.whenIdle)
      q.whereNotExists(this.activeMigrations('wave_id', id));
    return (await q) > 0;
  }

  private activeMigrations(column: 'batch_id' | 'wave_id', id: string) {
    return this.db('migrations')
      .select(this.db.raw('1'))
      .where(column, id)
      .whereIn('state', ['pending', 'queued', 'running', 'waiting']);
  }

  async insertApproval(approval: Omit<ApprovalRecord, 'id'>): Promise<void> {
    await this.db('wave_approvals').insert({
      wave_id: approval.waveId,
      decision: approval.decision,
      actor: approval.actor,
      comment: approval.comment ?? null,
      at: approval.at,
    });
  }

  async listApprovals(waveIds: readonly string[]): Promise<ApprovalRecord[]> {
    const out: ApprovalRecord[] = [];
    for (const part of chunks(waveIds)) {
      const rows = await this.db('wave_approvals')
        .whereIn('wave_id', part)
        .orderBy('id');
      for (const r of rows)
        out.push({
          id: Number(r.id),
          waveId: r.wave_id,
          decision: r.decision,
          actor: r.actor,
          comment: opt(r.comment),
          at: r.at,
        });
    }
    return out;
  }

  async getMigration(id: string): Promise<MigrationRecord | undefined> {
    const row = await this.db('migrations').where({ id }).first();
    return row ? migrationOf(row) : undefined;
  }

  async findMigrationByRequestId(
    requestId: string,
  ): Promise<MigrationRecord | undefined> {
    const row = await this.db('migrations')
      .where({ request_id: requestId })
      .first();
    return row ? migrationOf(row) : undefined;
  }

  async listMigrations(filter: {
    batchId?: string;
    waveId?: string;
    entityRef?: string;
    states?: readonly MigrationState[];
    limit?: number;
  }): Promise<MigrationRecord[]> {
    const q = this.db('migrations');
    if (filter.batchId) q.where('batch_id', filter.batchId);
    if (filter.waveId) q.where('wave_id', filter.waveId);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.states) q.whereIn('state', filter.states as string[]);
    if (filter.entityRef) {
      q.orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    } else {
      q.orderBy([
        { column: 'priority', order: 'asc' },
        { column: 'vm_name', order: 'asc' },
      ]);
    }
    if (filter.limit) q.limit(filter.limit);
    return (await q).map(migrationOf);
  }

  async updateMigration(
    id: string,
    patch: Parameters<MigrationStore['updateMigration']>[1],
    options: FromStates<MigrationState> = {},
  ): Promise<boolean> {
    const q = this.db('migrations')
      .where({ id })
      .update(columns(patch, MIGRATION_COLUMNS));
    if (options.fromStates) q.whereIn('state', options.fromStates as string[]);
    return (await q) > 0;
  }

  async updateMigrationsOfWave(
    waveId: string,
    from: readonly MigrationState[],
    to: MigrationState,
  ): Promise<number> {
    return this.db('migrations')
      .where({ wave_id: waveId })
      .whereIn('state', from as string[])
      .update({ state: to });
  }

  async countMigrations(batchId: string): Promise<{
    batch: MigrationCounts;
    byWave: Map<string, MigrationCounts>;
  }> {
    const rows: Row[] = await this.db('migrations')
      .where({ batch_id: batchId })
      .select('wave_id', 'state')
      .count({ n: '*' })
      .groupBy('wave_id', 'state');
    const batch = emptyCounts();
    const byWave = new Map<string, MigrationCounts>();
    for (const r of rows) {
      const n = Number(r.n);
      const state = r.state as MigrationState;
      if (!MIGRATION_STATES.includes(state)) continue;
      batch[state] += n;
      batch.total += n;
      if (r.wave_id) {
        const w = byWave.get(r.wave_id as string) ?? emptyCounts();
        w[state] += n;
        w.total += n;
        byWave.set(r.wave_id as string, w);
      }
    }
    return { batch, byWave };
  }

  async listStageRuns(
    migrationIds: readonly string[],
  ): Promise<StageRunRecord[]> {
    const out: StageRunRecord[] = [];
    for (const part of chunks(migrationIds)) {
      const rows = await this.db('stage_runs')
        .whereIn('migration_id', part)
        .orderBy([{ column: 'migration_id' }, { column: 'position' }]);
      out.push(...rows.map(stageRunOf));
    }
    return out;
  }

  async getStageRun(id: string): Promise<StageRunRecord | undefined> {
    const row = await this.db('stage_runs').where({ id }).first();
    return row ? stageRunOf(row) : undefined;
  }

  async updateStageRun(
    id: string,
    patch: Parameters<MigrationStore['updateStageRun']>[1],
    options: FromStates<StageRunRecord['state']> = {},
  ): Promise<boolean> {
    const q = this.db('stage_runs')
      .where({ id })
      .update(columns(patch, STAGE_RUN_COLUMNS));
    if (options.fromStates) q.whereIn('state', options.fromStates as string[]);
    return (await q) > 0;
  }

  async claimStageRuns(options: ClaimOptions): Promise<ClaimedStageRun[]> {
    const { owner, now, leaseUntil, max } = options;
    if (max <= 0) return [];
    return this.db.transaction(async trx => {
      if (this.isPostgres) {
        await trx('engine_locks').where({ id: 'claims' }).forUpdate().first();
      }
      const running = await trx('stage_runs')
        .where({ state: 'running' })
        .select('resource', 'esxi_host', 'disk_count');
      const slots = { conversion: 0, upload: 0 };
      const exportsByHost = new Map<string, number>();
      for (const r of running) {
        if (r.resource === 'conversion') slots.conversion++;
        if (r.resource === 'upload') slots.upload++;
        if (r.resource === 'export') {
          const host = r.esxi_host ?? '';
          exportsByHost.set(
            host,
            (exportsByHost.get(host) ?? 0) + Number(r.disk_count || 1),
          );
        }
      }
      const [{ n: workersRow }] = await trx('migrations')
        .where({ state: 'running' })
        .count({ n: '*' });
      let workers = Number(workersRow);

      const candidatesQuery = trx('stage_runs as sr')
        .join('migrations as m', function join() {
          this.on('m.id', '=', 'sr.migration_id').andOn(
            'sr.position',
            '=',
            'm.next_position',
          );
        })
        .join('waves as w', 'w.id', 'm.wave_id')
        .join('batches as b', 'b.id', 'm.batch_id')
        .where('sr.state', 'pending')
        .whereIn('m.state', ['queued', 'running'])
        .whereIn('w.state', ['running', 'completed'])
        .where('b.state', 'running')
        .where('b.dry_run', false)
        .where(function runUntil() {
          this.whereNull('m.run_until_position').orWhere(
            'sr.position',
            '<=',
            trx.ref('m.run_until_position'),
          );
        })
        .orderBy([
          { column: 'w.position' },
          { column: 'm.priority' },
          { column: 'm.vm_name' },
        ])
        .limit(Math.max(max * 4, 50))
        .select(
          'sr.id as run_id',
          'sr.resource as resource',
          'sr.esxi_host as run_host',
          'sr.disk_count as run_disks',
          'sr.stage as run_stage',
          'm.id as migration_id',
          'm.state as migration_state',
          'b.settings as settings',
        );
      if (this.isPostgres) candidatesQuery.forUpdate('sr').skipLocked();
      const candidates = await candidatesQuery;

      const claimed: string[] = [];
      const settingsCache = new Map<string, any>();
      for (const c of candidates) {
        if (claimed.length >= max) break;
        let settings = settingsCache.get(c.settings);
        if (!settings) {
          settings = JSON.parse(c.settings);
          settingsCache.set(c.settings, settings);
        }
        const limits = settings.concurrency;
        const starting = c.migration_state === 'queued';
        if (starting && workers >= limits.max_total_workers) continue;
        if (
          c.resource === 'conversion' &&
          slots.conversion >= limits.max_concurrent_conversions
        )
          continue;
        if (
          c.resource === 'upload' &&
          slots.upload >= limits.max_concurrent_uploads
        )
          continue;
        const disks = Math.max(1, Number(c.run_disks || 1));
        const host = c.run_host ?? '';
        if (c.resource === 'export') {
          const busy = exportsByHost.get(host) ?? 0;
          // A VM with more disks than the limit still runs, alone on its host.
          if (busy > 0 && busy + disks > limits.max_exports_per_host) continue;
        }
        const took = await trx('stage_runs')
          .where({ id: c.run_id, state: 'pending' })
          .update({
            state: 'running',
            claimed_by: owner,
            lease_expires_at: leaseUntil,
            attempt: trx.raw('attempt + 1'),
            started_at: now,
            finished_at: null,
            updated_at: now,
            error: null,
            cancel_requested: false,
          });
        if (!took) continue;
        await trx('migrations')
          .where({ id: c.migration_id })
          .update({
            state: 'running',
            current_stage: c.run_stage,
            started_at: trx.raw('coalesce(started_at, ?)', [now]),
          });
        if (starting) workers++;
        if (c.resource === 'conversion') slots.conversion++;
        if (c.resource === 'upload') slots.upload++;
        if (c.resource === 'export')
          exportsByHost.set(host, (exportsByHost.get(host) ?? 0) + disks);
        claimed.push(c.run_id);
      }
      if (!claimed.length) return [];
      const runs = (await trx('stage_runs').whereIn('id', claimed)).map(
        stageRunOf,
      );
      const migrations = new Map(
        (
          await trx('migrations').whereIn(
            'id',
            runs.map(r => r.migrationId),
          )
        ).map(r => [r.id as string, migrationOf(r)]),
      );
      const order = new Map(claimed.map((id, i) => [id, i]));
      return runs
        .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
        .map(run => ({ run, migration: migrations.get(run.migrationId)! }));
    });
  }

  async renewLease(
    runId: string,
    owner: string,
    leaseUntil: string,
    progress?: StageRunRecord['progress'],
    outputs?: Record<string, unknown>,
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const update: Row = { lease_expires_at: leaseUntil };
    if (progress) update.progress = JSON.stringify(progress);
    if (outputs) update.outputs = JSON.stringify(outputs);
    const n = await this.db('stage_runs')
      .where({ id: runId, claimed_by: owner, state: 'running' })
      .update(update);
    if (!n) return { held: false, cancelRequested: false };
    const row = await this.db('stage_runs')
      .where({ id: runId })
      .first('cancel_requested');
    return { held: true, cancelRequested: Boolean(row?.cancel_requested) };
  }

  async releaseStageRun(
    runId: string,
    owner: string,
    now: string,
  ): Promise<boolean> {
    const n = await this.db('stage_runs')
      .where({ id: runId, claimed_by: owner, state: 'running' })
      .update({
        state: 'pending',
        claimed_by: null,
        lease_expires_at: null,
        updated_at: now,
      });
    return n > 0;
  }

  async recoverExpiredLeases(now: string): Promise<StageRunRecord[]> {
    return this.db.transaction(async trx => {
      const q = trx('stage_runs')
        .where({ state: 'running' })
        .where('lease_expires_at', '<', now);
      if (this.isPostgres) q.forUpdate().skipLocked();
      const expired = (await q).map(stageRunOf);
      for (const run of expired) {
        if (run.cancelRequested) {
          await trx('stage_runs').where({ id: run.id }).update({
            state: 'cancelled',
            claimed_by: null,
            lease_expires_at: null,
            finished_at: now,
            updated_at: now,
          });
          await trx('migrations')
            .where({ id: run.migrationId })
            .update({ state: 'cancelled', finished_at: now });
        } else {
          await trx('stage_runs').where({ id: run.id }).update({
            state: 'pending',
            claimed_by: null,
            lease_expires_at: null,
            updated_at: now,
          });
        }
      }
      return expired;
    });
  }

  async completeStageRun(
    runId: string,
    owner: string,
    result: StageRunResult,
    attempt?: number,
  ): Promise<{ run: StageRunRecord; migration: MigrationRecord } | undefined> {
    return this.db.transaction(async trx => {
      const q = trx('stage_runs').where({ id: runId });
      if (this.isPostgres) q.forUpdate();
      const row = await q.first();
      if (
        !row ||
        row.state !== 'running' ||
        row.claimed_by !== owner ||
        (attempt !== undefined && Number(row.attempt) !== attempt)
      )
        return undefined;
      await trx('stage_runs')
        .where({ id: runId })
        .update({
          state: result.state,
          outputs: json(result.outputs) ?? row.outputs,
          error: json(result.error),
          skipped_reason: result.skippedReason ?? null,
          claimed_by: null,
          lease_expires_at: null,
          finished_at: result.now,
          updated_at: result.now,
        });
      const m = migrationOf(
        await trx('migrations').where({ id: row.migration_id }).first(),
      );
      const patch: Row = {};
      if (result.state === 'succeeded' || result.state === 'skipped') {
        const next = Number(row.position) + 1;
        patch.next_position = next;
        if (next >= m.pipeline.length) {
          patch.state = 'succeeded';
          patch.current_stage = null;
          patch.finished_at = result.now;
          patch.last_error = null;
        } else {
          patch.current_stage = m.pipeline[next];
          if (m.runUntilPosition !== undefined && next > m.runUntilPosition)
            patch.state = 'waiting';
        }
      } else if (result.state === 'failed') {
        patch.state = 'failed';
        patch.last_error = json(result.error);
        patch.finished_at = result.now;
      } else {
        patch.state = 'cancelled';
        patch.finished_at = result.now;
      }
      // A cancel of the whole migration may have landed while the stage ran: it wins over "go on".
      await trx('migrations')
        .where({ id: m.id })
        .whereIn('state', ['running', 'queued'])
        .update(patch);
      const run = stageRunOf(
        await trx('stage_runs').where({ id: runId }).first(),
      );
      const migration = migrationOf(
        await trx('migrations').where({ id: m.id }).first(),
      );
      return { run, migration };
    });
  }

  async resetMigration(
    migrationId: string,
    options: { fromPosition?: number; state: MigrationState; now: string },
  ): Promise<MigrationRecord | undefined> {
    return this.db.transaction(async trx => {
      const row = await trx('migrations').where({ id: migrationId }).first();
      if (!row) return undefined;
      const m = migrationOf(row);
      const from = Math.min(
        options.fromPosition ?? m.nextPosition,
        m.nextPosition,
      );
      await trx('stage_runs')
        .where({ migration_id: migrationId })
        .where('position', '>=', from)
        .whereNot('state', 'running')
        .update({
          state: 'pending',
          error: null,
          skipped_reason: null,
          cancel_requested: false,
          updated_at: options.now,
        });
      await trx('migrations')
        .where({ id: migrationId })
        .update({
          state: options.state,
          next_position: from,
          current_stage: m.pipeline[from] ?? null,
          finished_at: null,
        });
      return migrationOf(
        await trx('migrations').where({ id: migrationId }).first(),
      );
    });
  }

  async appendEvent(event: NewEvent): Promise<number> {
    const [row] = await this.db('events')
      .insert({
        at: event.at ?? new Date().toISOString(),
        actor: event.actor,
        type: event.type,
        batch_id: event.batchId ?? null,
        wave_id: event.waveId ?? null,
        migration_id: event.migrationId ?? null,
        entity_ref: event.entityRef ?? null,
        stage: event.stage ?? null,
        message: event.message,
        details: json(event.details),
      })
      .returning('id');
    return Number(typeof row === 'object' ? row.id : row);
  }

  async listEvents(filter: {
    batchId?: string;
    migrationId?: string;
    entityRef?: string;
    after?: number;
    limit?: number;
  }): Promise<EventRecord[]> {
    const q = this.db('events')
      .orderBy('id')
      .limit(filter.limit ?? 1000);
    if (filter.batchId) q.where('batch_id', filter.batchId);
    if (filter.migrationId) q.where('migration_id', filter.migrationId);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.after !== undefined) q.where('id', '>', filter.after);
    return (await q).map(eventOf);
  }
}

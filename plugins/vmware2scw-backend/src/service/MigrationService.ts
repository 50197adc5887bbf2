import { randomUUID } from 'node:crypto';
import { NotFoundError } from '@backstage/errors';
import {
  estimatePlan,
  hasErrors,
  inventoryPlan,
  isScalewayZone,
  makeProblem,
  parsePlan,
  planV1Schema,
  PlanningError,
  resolvePlan,
  SCALEWAY_ZONES,
  STAGES,
  Vmware2scwError,
  type ApiModel,
  type ScalewayOffer,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type {
  BatchRecord,
  MigrationCounts,
  MigrationRecord,
  MigrationStore,
  PlanRecord,
  WaveRecord,
} from '../database/MigrationStore';
import type { Engine } from '../engine/Engine';
import type { EngineNotifier } from '../engine/EngineNotifier';
import type { LeftoverCleaner } from '../engine/services/LeftoverCleaner';
import type { RunnerPool } from '../engine/services/RunnerPool';
import type { CatalogInventory } from '../inventory/CatalogInventory';
import { batchForVm, batchFromPlan } from './BatchFactory';
import type { DryRun } from './DryRun';
import {
  batchView,
  eventView,
  migrationView,
  planSummaryView,
  planView,
  waveView,
} from './views';

/** A command refused because of the state of what it acts on (409). */
export class ConflictStateError extends Vmware2scwError {}

const TERMINAL: readonly MigrationRecord['state'][] = [
  'succeeded',
  'failed',
  'cancelled',
];
/** Stages that read or write the runner's scratch files: a VM whose runner is gone restarts at export. */
const SCRATCH_STAGES: readonly StageId[] = [
  'export',
  'convert',
  'adapt_guest',
  'ensure_uefi',
  'upload_s3',
];

export interface MigrationServiceOptions {
  store: MigrationStore;
  engine: Engine;
  notifier: EngineNotifier;
  inventory: CatalogInventory;
  runners: RunnerPool;
  catalog(zone: string): Promise<ScalewayOffer>;
  dryRun: DryRun;
  cleaner: LeftoverCleaner;
  defaultZone: string;
  now?: () => Date;
}

/**
 * What the API asks of the engine: plans, batches, waves and migrations, read and changed. Every change
 * is recorded as an event with who made it, published to the browsers, and wakes the engine.
 */
export class MigrationService {
  private readonly store: MigrationStore;

  constructor(private readonly options: MigrationServiceOptions) {
    this.store = options.store;
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  // --- plans ---------------------------------------------------------------------------------------

  async listPlans(): Promise<ApiModel.PlanList> {
    return { items: (await this.store.listPlans()).map(planSummaryView) };
  }

  async getPlan(planId: string): Promise<PlanRecord> {
    const plan = await this.store.getPlan(planId);
    if (!plan) throw new NotFoundError(`No plan ${planId}`);
    return plan;
  }

  async getPlanView(planId: string): Promise<ApiModel.Plan> {
    return planView(await this.getPlan(planId));
  }

  /** Parses and resolves a plan against the catalog's VMs and the zone's Scaleway catalog. */
  async validatePlanYaml(yaml: string, file = 'plan.yaml') {
    const parsed = parsePlan(yaml, { file });
    const problems = [...parsed.problems];
    let vmCount: number | undefined;
    let waves: ApiModel.PlanValidation['waves'];
    if (parsed.plan) {
      const catalog = await this.options
        .catalog(parsed.plan.defaults.zone)
        .catch(err => {
          if (err instanceof PlanningError) {
            problems.push(...err.problems);
            return undefined;
          }
          throw err;
        });
      const vms = (await this.options.inventory.list()).map(v => v.vm);
      const resolved = resolvePlan({
        plan: parsed.plan,
        vms,
        locations: parsed.locations,
        file,
        ...(catalog ? { catalog } : {}),
      });
      problems.push(...resolved.problems);
      vmCount = resolved.migrations.length;
      waves = resolved.waves.map(w => ({
        name: w.name,
        vmCount: w.vmNames.length,
      }));
    }
    return { parsed, problems, vmCount, waves };
  }

  async validatePlan(yaml: string): Promise<ApiModel.PlanValidation> {
    const { problems, vmCount, waves } = await this.validatePlanYaml(yaml);
    return {
      valid: !hasErrors(problems),
      problems,
      ...(vmCount !== undefined ? { vmCount } : {}),
      ...(waves ? { waves } : {}),
    };
  }

  async createPlan(
    input: { name: string; description?: string; yaml: string },
    actor: string,
  ): Promise<ApiModel.Plan> {
    const { parsed, problems, vmCount, waves } = await this.validatePlanYaml(
      input.yaml,
      `${input.name}.yaml`,
    );
    if (hasErrors(problems) || !parsed.plan) {
      throw PlanningError.fromProblems(
        problems.filter(p => p.severity === 'error'),
      );
    }
    const record: PlanRecord = {
      id: randomUUID(),
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      yaml: input.yaml,
      parsed: parsed.plan,
      problems,
      zone: parsed.plan.defaults.zone,
      vmCount: vmCount ?? 0,
      waveCount: waves?.length ?? 0,
      createdBy: actor,
      createdAt: this.now(),
    };
    await this.store.insertPlan(record);
    await this.options.notifier.event({
      actor,
      type: 'plan.created',
      message: `plan ${record.name} created (${record.vmCount} VMs, ${record.waveCount} waves)`,
      details: { planId: record.id },
    });
    return planView(record);
  }

  async planFromFilters(
    req: ApiModel.PlanFromFiltersRequest,
    actor: string,
  ): Promise<ApiModel.PlanFromFiltersResult> {
    const zone = req.zone ?? this.options.defaultZone;
    const catalog = await this.options.catalog(zone);
    const vms = (await this.options.inventory.list()).map(v => v.vm);
    const result = inventoryPlan(
      { vms, source: { kind: 'vcenter', name: 'catalog' } as any },
      {
        filters: req.filters ?? {},
        autoMap: req.autoMap ?? true,
        ...(req.sizing ? { sizing: req.sizing } : {}),
        zone,
        ...(req.tags ? { tags: req.tags } : {}),
        catalog,
        generatedAt: this.now(),
        generatedBy: actor,
        ...(req.waveBy ? { waveBy: req.waveBy } : {}),
        ...(req.waveName ? { waveName: req.waveName } : {}),
        ...(req.pauseAfter ? { pauseAfter: req.pauseAfter } : {}),
        ...(req.includeTemplates ? { includeTemplates: true } : {}),
      },
    );
    const out: ApiModel.PlanFromFiltersResult = {
      yaml: result.yaml,
      selected: result.selected,
      skipped: result.skipped,
      problems: result.problems,
    };
    if (req.name) {
      const stored = await this.createPlan(
        {
          name: req.name,
          ...(req.description ? { description: req.description } : {}),
          yaml: result.yaml,
        },
        actor,
      );
      out.plan = planSummaryView({
        ...stored,
        parsed: stored.plan as any,
      } as any);
    }
    return out;
  }

  async estimate(
    source: { planId?: string; yaml?: string },
    model: Record<string, unknown> | undefined,
  ): Promise<ApiModel.PlanEstimate> {
    let yaml: string;
    let file: string;
    if (source.planId) {
      const plan = await this.getPlan(source.planId);
      yaml = plan.yaml;
      file = `${plan.name}.yaml`;
    } else {
      yaml = source.yaml ?? '';
      file = 'plan.yaml';
    }
    const parsed = parsePlan(yaml, { file });
    if (!parsed.plan)
      throw PlanningError.fromProblems(
        parsed.problems.filter(p => p.severity === 'error'),
      );
    const catalog = await this.options.catalog(parsed.plan.defaults.zone);
    const vms = (await this.options.inventory.list()).map(v => v.vm);
    const estimate = estimatePlan({
      plan: parsed.plan,
      vms,
      catalog,
      locations: parsed.locations,
      file,
      ...(model ? { model: model as any } : {}),
    });
    return estimate as unknown as ApiModel.PlanEstimate;
  }

  // --- batches -------------------------------------------------------------------------------------

  async startBatch(
    req: { planId: string; dryRun?: boolean; approveFirstWave?: boolean },
    actor: string,
  ): Promise<ApiModel.BatchStatus> {
    const plan = await this.getPlan(req.planId);
    // The stored plan is re-read with the schema of this release (defaults filled in).
    const parsedPlan = planV1Schema.parse(plan.parsed);
    const catalog = await this.options.catalog(parsedPlan.defaults.zone);
    const created = batchFromPlan({
      plan: { ...plan, parsed: parsedPlan },
      vms: await this.options.inventory.list(),
      catalog,
      createdBy: actor,
      dryRun: Boolean(req.dryRun),
      approveFirstWave: Boolean(req.approveFirstWave),
      now: this.now(),
    });
    return this.launch(created, actor, Boolean(req.approveFirstWave));
  }

  async createSingleMigration(
    req: ApiModel.SingleMigrationRequest,
    actor: string,
  ): Promise<ApiModel.SingleMigrationResult> {
    if (req.requestId) {
      const earlier = await this.store.findMigrationByRequestId(req.requestId);
      if (earlier) {
        const status = await this.batchStatus(earlier.batchId);
        return {
          batch: status.batch,
          migration: status.migrations.find(m => m.id === earlier.id)!,
          ...(status.dryRun ? { dryRun: status.dryRun } : {}),
        };
      }
    }
    const vm = await this.options.inventory.get(req.entityRef);
    if (!req.dryRun) {
      const active = (
        await this.store.listMigrations({
          entityRef: vm.entityRef,
          states: ['pending', 'queued', 'running', 'waiting'],
          limit: 1,
        })
      )[0];
      if (active) {
        throw new ConflictStateError({
          code: 'VM_ALREADY_MIGRATING',
          message: `${vm.vm.name} already has a migration under way (${active.id}, ${active.state})`,
          remediation:
            'Follow that migration, or cancel it before asking for another (repeat its requestId to get it back).',
          details: { migrationId: active.id, batchId: active.batchId },
        });
      }
    }
    const zone = req.zone ?? this.options.defaultZone;
    if (!isScalewayZone(zone)) {
      throw PlanningError.fromProblems([
        makeProblem({
          code: 'PLAN_INVALID_VALUE',
          field: 'zone',
          text: `"${zone}" is not a Scaleway zone`,
          remediation: `Use one of ${SCALEWAY_ZONES.join(', ')}.`,
        }),
      ]);
    }
    const defaults = planV1Schema.parse({ version: 1, migrations: [] });
    const created = batchForVm({
      vm,
      ...(req.targetType ? { targetType: req.targetType } : {}),
      zone,
      ...(req.wave ? { wave: req.wave } : {}),
      stepwise: Boolean(req.stepwise),
      dryRun: Boolean(req.dryRun),
      ...(req.requestId ? { requestId: req.requestId } : {}),
      ...(req.scaffolderTaskId
        ? { scaffolderTaskId: req.scaffolderTaskId }
        : {}),
      createdBy: actor,
      now: this.now(),
      defaults: { ...defaults, defaults: { ...defaults.defaults, zone } },
    });
    const status = await this.launch(created, actor, !req.wave);
    return {
      batch: status.batch,
      migration: status.migrations[0],
      ...(status.dryRun ? { dryRun: status.dryRun } : {}),
    };
  }

  private async launch(
    created: ReturnType<typeof batchFromPlan>,
    actor: string,
    approvedAtStart: boolean,
  ): Promise<ApiModel.BatchStatus> {
    await this.store.insertBatch(created);
    const { batch } = created;
    await this.options.notifier.event({
      actor,
      type: batch.dryRun ? 'batch.dry_run' : 'batch.started',
      batchId: batch.id,
      message: `${batch.dryRun ? 'dry run of' : 'started'} ${batch.planName}: ${
        created.migrations.length
      } VM(s) in ${created.waves.length} wave(s)`,
      details: { planId: batch.planId, kind: batch.kind },
    });
    if (approvedAtStart && !batch.dryRun && batch.kind === 'plan') {
      await this.store.insertApproval({
        waveId: created.waves[0].id,
        decision: 'approved',
        actor,
        comment: 'approved when the batch was started',
        at: this.now(),
      });
      await this.options.notifier.event({
        actor,
        type: 'wave.approved',
        batchId: batch.id,
        waveId: created.waves[0].id,
        message: `${created.waves[0].name} approved by ${actor} when the batch was started`,
      });
    }
    if (batch.dryRun) {
      const report = await this.options.dryRun.run(created.migrations, batch);
      await this.store.updateBatch(batch.id, {
        dryRunReport: report,
        state: report.ok ? 'succeeded' : 'failed',
        finishedAt: this.now(),
      });
      for (const w of created.waves)
        await this.store.updateWave(w.id, { state: 'cancelled' });
      await this.store.updateMigrationsOfWave(
        created.waves[0].id,
        ['pending'],
        'cancelled',
      );
      for (const w of created.waves.slice(1))
        await this.store.updateMigrationsOfWave(w.id, ['pending'], 'cancelled');
    } else {
      await this.options.engine.waveController.advance(batch);
      this.options.engine.wake();
    }
    this.options.notifier.signal({
      kind: 'batch',
      batchId: batch.id,
      state: batch.state,
    });
    return this.batchStatus(batch.id);
  }

  async listBatches(limit?: number): Promise<ApiModel.BatchList> {
    const batches = await this.store.listBatches({ limit: limit ?? 100 });
    return {
      items: await Promise.all(
        batches.map(async b =>
          batchView(b, (await this.store.countMigrations(b.id)).batch),
        ),
      ),
    };
  }

  async getBatch(batchId: string): Promise<BatchRecord> {
    const batch =
      batchId === 'latest'
        ? await this.store.getLatestBatch()
        : await this.store.getBatch(batchId);
    if (!batch) {
      throw new NotFoundError(
        batchId === 'latest'
          ? 'No batch has been started yet'
          : `No batch ${batchId}`,
      );
    }
    return batch;
  }

  async batchStatus(batchId: string): Promise<ApiModel.BatchStatus> {
    const batch = await this.getBatch(batchId);
    const [waves, migrations, counts] = await Promise.all([
      this.store.listWaves(batch.id),
      this.store.listMigrations({ batchId: batch.id }),
      this.store.countMigrations(batch.id),
    ]);
    const [approvals, runs] = await Promise.all([
      this.store.listApprovals(waves.map(w => w.id)),
      this.store.listStageRuns(migrations.map(m => m.id)),
    ]);
    const waveName = new Map(waves.map(w => [w.id, w.name]));
    const wavePos = new Map(waves.map(w => [w.id, w.position]));
    const runsByMigration = new Map<string, typeof runs>();
    for (const r of runs) {
      const list = runsByMigration.get(r.migrationId) ?? [];
      list.push(r);
      runsByMigration.set(r.migrationId, list);
    }
    return {
      batch: batchView(batch, counts.batch),
      waves: waves.map(w =>
        waveView(w, approvals, counts.byWave.get(w.id) ?? emptyCounts()),
      ),
      migrations: migrations
        .sort(
          (a, b) =>
            (wavePos.get(a.waveId ?? '') ?? 0) -
              (wavePos.get(b.waveId ?? '') ?? 0) ||
            a.priority - b.priority ||
            a.vmName.localeCompare(b.vmName),
        )
        .map(m =>
          migrationView(
            m,
            runsByMigration.get(m.id) ?? [],
            waveName.get(m.waveId ?? ''),
          ),
        ),
      ...(batch.dryRunReport ? { dryRun: batch.dryRunReport } : {}),
    };
  }

  async resumeBatch(
    batchId: string,
    actor: string,
  ): Promise<ApiModel.BatchStatus> {
    const batch = await this.getBatch(batchId);
    if (batch.dryRun) {
      throw new ConflictStateError({
        code: 'BATCH_IS_DRY_RUN',
        message: `Batch ${batch.id} is a dry run: there is nothing to resume`,
        remediation: 'Start the plan as a batch without dryRun.',
      });
    }
    const toRetry = await this.store.listMigrations({
      batchId: batch.id,
      states: ['failed', 'cancelled'],
    });
    if (batch.state !== 'running') {
      await this.store.updateBatch(batch.id, {
        state: 'running',
        finishedAt: null,
      });
    }
    for (const wave of await this.store.listWaves(batch.id)) {
      if (wave.state === 'cancelled')
        await this.store.updateWave(
          wave.id,
          { state: 'pending' },
          { fromStates: ['cancelled'] },
        );
    }
    for (const m of toRetry) await this.resetForRetry(m, actor);
    for (const wave of await this.store.listWaves(batch.id)) {
      if (wave.state === 'paused')
        await this.store.updateWave(
          wave.id,
          { state: 'running', pausedReason: null },
          { fromStates: ['paused'] },
        );
    }
    await this.options.notifier.event({
      actor,
      type: 'batch.resumed',
      batchId: batch.id,
      message: `batch ${batch.planName} resumed: ${toRetry.length} VM(s) run again from their first stage that had not succeeded`,
    });
    this.options.engine.wake();
    return this.batchStatus(batch.id);
  }

  async cancelBatch(
    batchId: string,
    actor: string,
  ): Promise<ApiModel.BatchStatus> {
    const batch = await this.getBatch(batchId);
    for (const m of await this.store.listMigrations({ batchId: batch.id })) {
      if (!TERMINAL.includes(m.state))
        await this.cancelMigrationRecord(m, actor, false);
    }
    for (const wave of await this.store.listWaves(batch.id)) {
      await this.store.updateWave(
        wave.id,
        { state: 'cancelled' },
        {
          fromStates: ['pending', 'awaiting_approval', 'paused'],
        },
      );
    }
    await this.store.updateBatch(
      batch.id,
      { state: 'cancelled', finishedAt: this.now() },
      { fromStates: ['running'] },
    );
    await this.options.notifier.event({
      actor,
      type: 'batch.cancelled',
      batchId: batch.id,
      message: `batch ${batch.planName} cancelled by ${actor}; its VMs stay resumable`,
    });
    this.options.notifier.signal({
      kind: 'batch',
      batchId: batch.id,
      state: 'cancelled',
    });
    this.options.engine.wake();
    return this.batchStatus(batch.id);
  }

  async batchEvents(
    batchId: string,
    after?: number,
    limit?: number,
  ): Promise<ApiModel.EventList> {
    const batch = await this.getBatch(batchId);
    return {
      items: (
        await this.store.listEvents({
          batchId: batch.id,
          ...(after !== undefined ? { after } : {}),
          limit: limit ?? 1000,
        })
      ).map(eventView),
    };
  }

  // --- waves ---------------------------------------------------------------------------------------

  async getWave(waveId: string): Promise<WaveRecord> {
    const wave = await this.store.getWave(waveId);
    if (!wave) throw new NotFoundError(`No wave ${waveId}`);
    return wave;
  }

  async waveView(waveId: string): Promise<ApiModel.Wave> {
    const wave = await this.getWave(waveId);
    const [approvals, counts] = await Promise.all([
      this.store.listApprovals([wave.id]),
      this.store.countMigrations(wave.batchId),
    ]);
    return waveView(
      wave,
      approvals,
      counts.byWave.get(wave.id) ?? emptyCounts(),
    );
  }

  /** The entity refs of the VMs of a wave (for the "owns every VM of the wave" rule). */
  async waveEntityRefs(waveId: string): Promise<string[]> {
    return (await this.store.listMigrations({ waveId })).map(m => m.entityRef);
  }

  async decideWave(
    waveId: string,
    decision: 'approved' | 'rejected',
    actor: string,
    comment?: string,
  ): Promise<ApiModel.Wave> {
    const wave = await this.getWave(waveId);
    const batch = await this.getBatch(wave.batchId);
    if (wave.state !== 'awaiting_approval') {
      throw new ConflictStateError({
        code: 'WAVE_NOT_AWAITING_APPROVAL',
        message: `Wave ${wave.name} is ${wave.state}, not awaiting approval`,
        remediation:
          wave.state === 'pending'
            ? 'The wave asks for approval when the waves before it are done.'
            : 'Nothing to approve: see the batch status.',
      });
    }
    let moved: boolean;
    if (decision === 'approved') {
      moved = await this.options.engine.waveController.start(
        batch,
        wave,
        'awaiting_approval',
      );
    } else {
      moved = await this.store.updateWave(
        wave.id,
        { state: 'rejected', finishedAt: this.now() },
        { fromStates: ['awaiting_approval'] },
      );
      if (moved) {
        for (const w of await this.store.listWaves(batch.id)) {
          await this.store.updateMigrationsOfWave(
            w.id,
            ['pending', 'queued'],
            'cancelled',
          );
          if (w.id !== wave.id)
            await this.store.updateWave(
              w.id,
              { state: 'cancelled' },
              { fromStates: ['pending'] },
            );
        }
        await this.store.updateBatch(
          batch.id,
          { state: 'rejected', finishedAt: this.now() },
          { fromStates: ['running'] },
        );
      }
    }
    if (!moved) {
      throw new ConflictStateError({
        code: 'WAVE_CHANGED',
        message: `Wave ${wave.name} changed while deciding`,
        remediation: 'Reload the batch status and decide again if needed.',
      });
    }
    await this.store.insertApproval({
      waveId: wave.id,
      decision,
      actor,
      ...(comment ? { comment } : {}),
      at: this.now(),
    });
    await this.options.notifier.event({
      actor,
      type: `wave.${decision}`,
      batchId: batch.id,
      waveId: wave.id,
      message: `${wave.name} ${decision} by ${actor}${
        comment ? `: ${comment}` : ''
      }`,
      ...(comment ? { details: { comment } } : {}),
    });
    this.options.notifier.signal({
      kind: 'wave',
      batchId: batch.id,
      waveId: wave.id,
      state: decision === 'approved' ? 'running' : 'rejected',
    });
    this.options.engine.wake();
    return this.waveView(wave.id);
  }

  async pauseWave(waveId: string, actor: string): Promise<ApiModel.Wave> {
    const wave = await this.getWave(waveId);
    const moved = await this.store.updateWave(
      wave.id,
      { state: 'paused', pausedReason: 'requested' },
      { fromStates: ['running'] },
    );
    if (!moved) {
      throw new ConflictStateError({
        code: 'WAVE_NOT_RUNNING',
        message: `Wave ${wave.name} is ${wave.state}: only a running wave can be paused`,
        remediation: 'See the batch status.',
      });
    }
    await this.options.notifier.event({
      actor,
      type: 'wave.paused',
      batchId: wave.batchId,
      waveId: wave.id,
      message: `${wave.name} paused by ${actor}: no new stage starts, running stages finish`,
    });
    this.options.notifier.signal({
      kind: 'wave',
      batchId: wave.batchId,
      waveId: wave.id,
      state: 'paused',
    });
    return this.waveView(wave.id);
  }

  async resumeWave(waveId: string, actor: string): Promise<ApiModel.Wave> {
    const wave = await this.getWave(waveId);
    if (wave.state !== 'paused') {
      throw new ConflictStateError({
        code: 'WAVE_NOT_PAUSED',
        message: `Wave ${wave.name} is ${wave.state}, not paused`,
        remediation: 'See the batch status.',
      });
    }
    const counts =
      (await this.store.countMigrations(wave.batchId)).byWave.get(wave.id) ??
      emptyCounts();
    const active =
      counts.pending + counts.queued + counts.running + counts.waiting;
    // Paused after a failure with every VM done: resuming accepts the failures and ends the wave.
    const to = active === 0 ? 'completed' : 'running';
    const moved = await this.store.updateWave(
      wave.id,
      {
        state: to,
        ...(to === 'completed'
          ? { finishedAt: this.now() }
          : { pausedReason: null }),
      },
      { fromStates: ['paused'] },
    );
    if (!moved) {
      throw new ConflictStateError({
        code: 'WAVE_CHANGED',
        message: `Wave ${wave.name} changed meanwhile`,
        remediation: 'Reload the batch status.',
      });
    }
    await this.options.notifier.event({
      actor,
      type: 'wave.resumed',
      batchId: wave.batchId,
      waveId: wave.id,
      message:
        to === 'completed'
          ? `${wave.name} resumed by ${actor}: its failures are accepted, the batch goes on`
          : `${wave.name} resumed by ${actor}`,
    });
    this.options.notifier.signal({
      kind: 'wave',
      batchId: wave.batchId,
      waveId: wave.id,
      state: to,
    });
    this.options.engine.wake();
    return this.waveView(wave.id);
  }

  // --- migrations ----------------------------------------------------------------------------------

  async getMigration(migrationId: string): Promise<MigrationRecord> {
    const m = await this.store.getMigration(migrationId);
    if (!m) throw new NotFoundError(`No migration ${migrationId}`);
    return m;
  }

  async migrationView(migrationId: string): Promise<ApiModel.Migration> {
    const m = await this.getMigration(migrationId);
    const [runs, wave] = await Promise.all([
      this.store.listStageRuns([m.id]),
      m.waveId ? this.store.getWave(m.waveId) : Promise.resolve(undefined),
    ]);
    return migrationView(m, runs, wave?.name);
  }

  async retryMigration(
    migrationId: string,
    actor: string,
  ): Promise<ApiModel.Migration> {
    const m = await this.getMigration(migrationId);
    if (m.state !== 'failed' && m.state !== 'cancelled') {
      throw new ConflictStateError({
        code: 'MIGRATION_NOT_RETRYABLE',
        message: `${m.vmName} is ${m.state}: only a failed or cancelled migration can be retried`,
        remediation:
          m.state === 'succeeded'
            ? 'It is done.'
            : 'Wait for it to end, or cancel it first.',
      });
    }
    const batch = await this.getBatch(m.batchId);
    // The VM is made active first: from then on the engine cannot close its wave or batch (those close
    // only while no VM of theirs is active), so reopening them below cannot be undone by a close that
    // read the VM as ended just before.
    await this.resetForRetry(m, actor);
    await this.store.updateBatch(
      batch.id,
      { state: 'running', finishedAt: null },
      { fromStates: ['succeeded', 'failed', 'cancelled'] },
    );
    if (m.waveId)
      await this.store.updateWave(
        m.waveId,
        { state: 'running', pausedReason: null },
        { fromStates: ['paused', 'cancelled'] },
      );
    this.options.engine.wake();
    return this.migrationView(m.id);
  }

  private async resetForRetry(
    m: MigrationRecord,
    actor: string,
  ): Promise<void> {
    let fromPosition: number | undefined;
    const stage = m.pipeline[m.nextPosition];
    if (
      m.runnerId &&
      stage &&
      SCRATCH_STAGES.includes(stage) &&
      stage !== 'export'
    ) {
      if (!(await this.options.runners.isReachable(m.runnerId))) {
        fromPosition = m.pipeline.indexOf('export');
        await this.store.updateMigration(m.id, { runnerId: null });
        await this.options.notifier.event({
          actor,
          type: 'migration.runner_lost',
          batchId: m.batchId,
          waveId: m.waveId,
          migrationId: m.id,
          entityRef: m.entityRef,
          message: `runner ${m.runnerId} of ${m.vmName} does not answer: the VM restarts from export on another runner`,
        });
      }
    }
    const wave = m.waveId ? await this.store.getWave(m.waveId) : undefined;
    const runnable =
      !wave || ['running', 'completed', 'paused'].includes(wave.state);
    await this.store.resetMigration(m.id, {
      ...(fromPosition !== undefined ? { fromPosition } : {}),
      state: runnable ? 'queued' : 'pending',
      now: this.now(),
    });
    await this.options.notifier.event({
      actor,
      type: 'migration.retried',
      batchId: m.batchId,
      waveId: m.waveId,
      migrationId: m.id,
      entityRef: m.entityRef,
      message: `${m.vmName} retried by ${actor} from ${
        m.pipeline[fromPosition ?? m.nextPosition]
      }`,
    });
    this.options.notifier.signal({
      kind: 'migration',
      batchId: m.batchId,
      migrationId: m.id,
      entityRef: m.entityRef,
      state: 'queued',
    });
  }

  async cancelMigration(
    migrationId: string,
    actor: string,
  ): Promise<ApiModel.Migration> {
    const m = await this.getMigration(migrationId);
    if (TERMINAL.includes(m.state)) {
      throw new ConflictStateError({
        code: 'MIGRATION_ENDED',
        message: `${m.vmName} is already ${m.state}`,
        remediation: 'Nothing to cancel.',
      });
    }
    await this.cancelMigrationRecord(m, actor, true);
    this.options.engine.wake();
    return this.migrationView(m.id);
  }

  private async cancelMigrationRecord(
    m: MigrationRecord,
    actor: string,
    event: boolean,
  ): Promise<void> {
    const runs = await this.store.listStageRuns([m.id]);
    const running = runs.find(r => r.state === 'running');
    if (running) {
      // The instance running it aborts the stage (runner job cancelled) at its next lease renewal.
      await this.store.updateStageRun(
        running.id,
        { cancelRequested: true },
        { fromStates: ['running'] },
      );
    } else {
      await this.store.updateMigration(
        m.id,
        { state: 'cancelled', finishedAt: this.now() },
        {
          fromStates: ['pending', 'queued', 'waiting', 'running'],
        },
      );
    }
    if (event) {
      await this.options.notifier.event({
        actor,
        type: 'migration.cancel_requested',
        batchId: m.batchId,
        waveId: m.waveId,
        migrationId: m.id,
        entityRef: m.entityRef,
        message: `${m.vmName} cancelled by ${actor}${
          running ? ` during ${running.stage}` : ''
        }; it stays resumable`,
      });
    }
    this.options.notifier.signal({
      kind: 'migration',
      batchId: m.batchId,
      migrationId: m.id,
      entityRef: m.entityRef,
      state: 'cancelled',
    });
  }

  /** Runs a stepwise migration up to `stage` (the scaffolder's stage actions). */
  async runStage(
    migrationId: string,
    stage: StageId,
    actor: string,
  ): Promise<ApiModel.Migration> {
    const m = await this.getMigration(migrationId);
    const position = m.pipeline.indexOf(stage);
    if (position < 0) {
      throw new ConflictStateError({
        code: 'STAGE_NOT_IN_PIPELINE',
        message: `${stage} is not a stage of ${
          m.vmName
        }'s pipeline (${m.pipeline.join(', ')})`,
        remediation: `Use one of the ${m.osFamily} pipeline's stages.`,
      });
    }
    if (position < m.nextPosition) return this.migrationView(m.id);
    if (m.state === 'failed' || m.state === 'cancelled') {
      throw new ConflictStateError({
        code: 'MIGRATION_NOT_RUNNABLE',
        message: `${m.vmName} is ${m.state}${
          m.lastError ? `: ${m.lastError.message}` : ''
        }`,
        remediation:
          'Retry the migration (POST /migrations/{id}/retry), then ask for the stage again.',
      });
    }
    if (m.stepwise && (m.runUntilPosition ?? -1) < position) {
      await this.store.updateMigration(m.id, {
        runUntilPosition: position,
        ...(m.state === 'waiting' ? { state: 'queued' } : {}),
      });
      await this.options.notifier.event({
        actor,
        type: 'migration.run_requested',
        batchId: m.batchId,
        waveId: m.waveId,
        migrationId: m.id,
        entityRef: m.entityRef,
        stage,
        message: `${actor} asked to run ${m.vmName} up to ${STAGES[stage].title}`,
      });
    }
    this.options.engine.wake();
    return this.migrationView(m.id);
  }

  /** The leak guard: removes what a failed or cancelled migration left, keeping what could not be removed. */
  async cleanupLeftovers(
    migrationId: string,
    actor: string,
  ): Promise<ApiModel.Migration> {
    const m = await this.getMigration(migrationId);
    if (m.state !== 'failed' && m.state !== 'cancelled') {
      throw new ConflictStateError({
        code: 'MIGRATION_NOT_ENDED_BADLY',
        message: `${m.vmName} is ${m.state}: only a failed or cancelled migration is cleaned up this way`,
        remediation:
          m.state === 'succeeded'
            ? 'Its cleanup stage already ran; see its outputs.'
            : 'Cancel it first.',
      });
    }
    const { removed, kept, searchError } = await this.options.cleaner.removeAll(
      m,
    );
    await this.store.updateMigration(m.id, {
      leftovers: kept.map(({ error: _error, ...l }) => l),
    });
    await this.options.notifier.event({
      actor,
      type: 'migration.cleaned_up',
      batchId: m.batchId,
      waveId: m.waveId,
      migrationId: m.id,
      entityRef: m.entityRef,
      message: `${actor} cleaned up ${m.vmName}: removed ${removed.length}, kept ${kept.length}`,
      details: { removed, kept, ...(searchError ? { searchError } : {}) },
    });
    return this.migrationView(m.id);
  }

  async migrationEvents(
    migrationId: string,
    after?: number,
    limit?: number,
  ): Promise<ApiModel.EventList> {
    const m = await this.getMigration(migrationId);
    return {
      items: (
        await this.store.listEvents({
          migrationId: m.id,
          ...(after !== undefined ? { after } : {}),
          limit: limit ?? 1000,
        })
      ).map(eventView),
    };
  }

  async entityStatus(
    entityRef: string,
  ): Promise<ApiModel.EntityMigrationStatus> {
    const ref = entityRef.toLocaleLowerCase('en-US');
    const all = await this.store.listMigrations({ entityRef: ref, limit: 20 });
    if (!all.length) return { entityRef: ref };
    const [latest, ...earlier] = all;
    const [batch, wave] = await Promise.all([
      this.store.getBatch(latest.batchId),
      latest.waveId
        ? this.store.getWave(latest.waveId)
        : Promise.resolve(undefined),
    ]);
    const counts = await this.store.countMigrations(latest.batchId);
    const approvals = wave ? await this.store.listApprovals([wave.id]) : [];
    return {
      entityRef: ref,
      migration: await this.migrationView(latest.id),
      ...(batch ? { batch: batchView(batch, counts.batch) } : {}),
      ...(wave
        ? {
            wave: waveView(
              wave,
              approvals,
              counts.byWave.get(wave.id) ?? emptyCounts(),
            ),
          }
        : {}),
      history: earlier.map(m => ({
        migrationId: m.id,
        batchId: m.batchId,
        state: m.state,
        createdAt: m.createdAt,
      })),
    };
  }
}

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

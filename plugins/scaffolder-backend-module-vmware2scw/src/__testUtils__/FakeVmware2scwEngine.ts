import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  pipelineFor,
  STAGES,
  type ApiModel,
  type ErrorBody,
  type StageId,
  type Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';
import type { Vmware2scwApi } from '@internal/plugin-vmware2scw-node';

const GiB = 1024 ** 3;

/** An API error body: `code`, `message`, `remediation`, and the problems of a refused input. */
type RefusalBody = ErrorBody & { problems?: ApiModel.Problem[] };

/** Thrown by the fake's handlers; the call wrapper turns it into the ResponseError a client sees. */
class Refusal {
  constructor(readonly status: number, readonly body: ErrorBody) {}
}

export interface FakeVm {
  entityRef: string;
  name: string;
  osFamily: 'linux' | 'windows';
  /** Disk sizes in bytes. */
  disks: number[];
  recommended?: string;
}

export interface FakeCall {
  op: keyof Vmware2scwApiCalls;
  args: unknown[];
  /** Who the call was made on behalf of. */
  principal?: string;
}

/** Calls that change something in the engine (a dry run and reads do not). */
const MUTATING = new Set<keyof Vmware2scwApiCalls>([
  'createMigration',
  'runMigrationStage',
  'cancelMigration',
  'retryMigration',
  'cleanupMigration',
  'createPlan',
  'startBatch',
  'approveWave',
  'rejectWave',
  'pauseWave',
  'resumeWave',
  'resumeBatch',
  'cancelBatch',
]);

/**
 * A stand-in for the vmware2scw engine, for the actions' tests until the engine exists. It follows the
 * contract (plugins/vmware2scw-backend/src/schema/openapi.yaml and the backend README): stepwise
 * migrations run up to the stage asked for and then wait; stages take one read to start and one read
 * per `chunkBytes` per disk to move their bytes; errors are real ResponseErrors with `code` and
 * `remediation`. Every call is recorded with the principal it was made for.
 */
export class FakeVmware2scwEngine {
  readonly calls: FakeCall[] = [];
  readonly migrations = new Map<string, ApiModel.Migration>();
  readonly waves = new Map<string, ApiModel.Wave>();
  readonly plans = new Map<string, ApiModel.Plan>();
  /** Bytes a per-disk stage moves per read of the migration. */
  chunkBytes = GiB / 2;
  private readonly failures = new Map<StageId, ErrorBody>();
  private readonly refusals = new Map<
    keyof Vmware2scwApiCalls,
    { status: number; body: RefusalBody }
  >();
  private ids = 0;

  constructor(readonly vms: FakeVm[]) {}

  /** The next run of `stage` fails with that error. */
  failStageOnce(stage: StageId, error: ErrorBody): void {
    this.failures.set(stage, error);
  }

  /** The next call of `op` is refused with that HTTP status and error body. */
  refuseOnce(op: keyof Vmware2scwApiCalls, status: number, body: RefusalBody) {
    this.refusals.set(op, { status, body });
  }

  mutatingCalls(): FakeCall[] {
    return this.calls.filter(
      c =>
        MUTATING.has(c.op) &&
        !(
          c.op === 'createMigration' &&
          (c.args[0] as ApiModel.SingleMigrationRequest).dryRun
        ),
    );
  }

  callsOf(op: keyof Vmware2scwApiCalls): FakeCall[] {
    return this.calls.filter(c => c.op === op);
  }

  /** The engine as the `vmware2scwApiServiceRef` service gives it. */
  api(): Vmware2scwApi {
    return { as: credentials => this.as(credentials) };
  }

  as(credentials?: BackstageCredentials): Vmware2scwApiCalls {
    const principal = (credentials?.principal as { userEntityRef?: string })
      ?.userEntityRef;
    const handlers: Partial<Vmware2scwApiCalls> = {
      getHealth: async () => ({
        status: 'ok',
        version: 'fake',
        vcenters: 1,
        runners: 1,
        scaleway: { configured: true, defaultZone: 'fr-par-1' },
      }),
      getMigration: async ({ migrationId }) => this.readMigration(migrationId),
      createMigration: async body => this.createMigration(body),
      runMigrationStage: async ({ migrationId, stage }) =>
        this.runStage(migrationId, stage),
      cancelMigration: async ({ migrationId }) => this.cancel(migrationId),
      retryMigration: async ({ migrationId }) => this.retry(migrationId),
      getVmAssessment: async ({ entityRef, zone }) =>
        this.assess(entityRef, zone),
      getWave: async ({ waveId }) => this.wave(waveId),
      createPlanFromFilters: async body => this.planFromFilters(body),
      estimatePlan: async ({ planId }) => this.estimate(this.plan(planId).yaml),
      estimatePlanYaml: async body => this.estimate(body.yaml ?? ''),
    };
    return new Proxy({} as Vmware2scwApiCalls, {
      get: (_target, op: keyof Vmware2scwApiCalls) => {
        const handler = handlers[op] as
          | ((...args: unknown[]) => Promise<unknown>)
          | undefined;
        return async (...args: unknown[]) => {
          this.calls.push({ op, args, principal });
          const refusal = this.refusals.get(op);
          if (refusal) {
            this.refusals.delete(op);
            throw await apiError(refusal.status, refusal.body);
          }
          if (!handler)
            throw await apiError(501, {
              code: 'NOT_IN_FAKE',
              message: `${String(op)} is not part of the fake engine`,
              remediation: 'Extend FakeVmware2scwEngine.',
            });
          try {
            return structuredClone(await handler(...args));
          } catch (e) {
            if (e instanceof Refusal) throw await apiError(e.status, e.body);
            throw e;
          }
        };
      },
    });
  }

  private vm(entityRef: string): FakeVm {
    return found(
      this.vms.find(v => v.entityRef === entityRef),
      'VM_NOT_FOUND',
      `no VM entity ${entityRef} in the catalog`,
      'Pick a VM of the catalog (kind Resource, type virtual-machine).',
    );
  }

  private migration(id: string): ApiModel.Migration {
    return found(
      this.migrations.get(id),
      'MIGRATION_NOT_FOUND',
      `no migration ${id}`,
      'Check the migration id.',
    );
  }

  private wave(id: string): ApiModel.Wave {
    return found(
      this.waves.get(id),
      'WAVE_NOT_FOUND',
      `no wave ${id}`,
      'Check the wave id on the migration page.',
    );
  }

  private plan(id: string): ApiModel.Plan {
    return found(
      this.plans.get(id),
      'PLAN_NOT_FOUND',
      `no plan ${id}`,
      'Check the plan id.',
    );
  }

  private nextId(prefix: string) {
    this.ids += 1;
    return `${prefix}-${this.ids}`;
  }

  private createMigration(
    body: ApiModel.SingleMigrationRequest,
  ): ApiModel.SingleMigrationResult {
    const vm = this.vm(body.entityRef);
    const pipeline = [...pipelineFor(vm.osFamily)];
    const now = new Date(0).toISOString();
    const batch: ApiModel.Batch = {
      id: this.nextId('batch'),
      kind: 'single',
      planName: `migrate ${vm.name}`,
      dryRun: Boolean(body.dryRun),
      state: 'running',
      createdBy: 'user:default/mock',
      createdAt: now,
      counts: counts(1),
    };
    const m: ApiModel.Migration = {
      id: this.nextId('mig'),
      batchId: batch.id,
      entityRef: vm.entityRef,
      vmName: vm.name,
      sourceId: 'vc-lab',
      moref: 'vm-42',
      osFamily: vm.osFamily,
      targetType: body.targetType ?? vm.recommended ?? 'POP2-2C-8G',
      zone: body.zone ?? 'fr-par-1',
      priority: 0,
      state: 'queued',
      stepwise: Boolean(body.stepwise),
      pipeline,
      stages: pipeline.map((stage, position) => ({
        stage,
        position,
        state: 'pending',
        attempt: 0,
      })),
      createdAt: now,
    };
    if (body.dryRun)
      return {
        batch,
        migration: m,
        dryRun: {
          ok: true,
          checkedAt: now,
          services: [{ check: 'vcenter', ok: true, message: 'vc-lab answers' }],
          vms: [
            {
              vmName: vm.name,
              entityRef: vm.entityRef,
              ok: true,
              checks: [],
              stages: pipeline,
            },
          ],
        },
      };
    // As the engine does: every migration is in a wave, one of its own named `now` when none was asked
    // for, and only a wave asked for waits for an approval.
    const wave: ApiModel.Wave = {
      id: this.nextId('wave'),
      batchId: batch.id,
      name: body.wave ?? 'now',
      position: 0,
      state: body.wave ? 'awaiting_approval' : 'running',
      pauseAfter: 'pause',
      approvals: [],
      counts: counts(1),
    };
    this.waves.set(wave.id, wave);
    m.waveId = wave.id;
    m.waveName = wave.name;
    if (body.wave) {
      m.state = 'pending';
      m.runUntil = pipeline[pipeline.length - 1];
    } else if (body.stepwise) {
      m.state = 'waiting';
    } else {
      m.runUntil = pipeline[pipeline.length - 1];
    }
    this.migrations.set(m.id, m);
    return { batch, migration: m };
  }

  private runStage(id: string, stage: StageId): ApiModel.Migration {
    const m = this.migration(id);
    const target = m.pipeline.indexOf(stage);
    if (target < 0)
      throw new Refusal(400, {
        code: 'STAGE_NOT_IN_PIPELINE',
        message: `${stage} is not a stage of ${m.vmName}'s ${m.osFamily} pipeline`,
        remediation: `Run one of: ${m.pipeline.join(', ')}.`,
      });
    const run = m.stages[target];
    if (run.state === 'succeeded' || run.state === 'skipped') return m;
    if (m.state === 'failed' || m.state === 'cancelled')
      throw new Refusal(409, {
        code: 'MIGRATION_NOT_RUNNABLE',
        message: `${m.vmName} is ${m.state}`,
        remediation:
          'Retry the migration (POST /migrations/{id}/retry), then ask for the stage again.',
      });
    const current = m.runUntil ? m.pipeline.indexOf(m.runUntil) : -1;
    if (m.stepwise && target > current) {
      m.runUntil = stage;
      if (m.state === 'waiting') m.state = 'queued';
    }
    return m;
  }

  private cancel(id: string): ApiModel.Migration {
    const m = this.migration(id);
    for (const s of m.stages) if (s.state === 'running') s.state = 'cancelled';
    m.state = 'cancelled';
    return m;
  }

  private retry(id: string): ApiModel.Migration {
    const m = this.migration(id);
    if (m.state !== 'failed' && m.state !== 'cancelled')
      throw new Refusal(409, {
        code: 'MIGRATION_NOT_RETRYABLE',
        message: `${m.vmName} is ${m.state}: only a failed or cancelled migration can be retried`,
        remediation: 'Wait for it to end, or cancel it first.',
      });
    for (const s of m.stages)
      if (s.state === 'failed' || s.state === 'cancelled') s.state = 'pending';
    m.state = 'queued';
    delete m.lastError;
    return m;
  }

  /** Reading a migration is what moves the fake engine on by one tick. */
  private readMigration(id: string): ApiModel.Migration {
    const m = this.migration(id);
    if (m.state === 'queued' || m.state === 'running') this.tick(m);
    return m;
  }

  private tick(m: ApiModel.Migration) {
    const run = this.nextRun(m);
    if (!run) return;
    m.state = 'running';
    m.currentStage = run.stage;
    const vm = this.vm(m.entityRef);
    if (run.state !== 'running') {
      run.state = 'running';
      run.attempt += 1;
      run.runnerId =
        STAGES[run.stage].runsOn === 'runner' ? 'runner-1' : undefined;
      if (STAGES[run.stage].perDisk)
        run.progress = {
          disks: vm.disks.map((bytesTotal, i) => ({
            disk: `disk-${i}`,
            bytesDone: 0,
            bytesTotal,
          })),
          bytesPerSecond: 100 * 1024 ** 2,
        };
      return;
    }
    const failure = this.failures.get(run.stage);
    if (failure) {
      this.failures.delete(run.stage);
      run.state = 'failed';
      run.error = failure;
      m.state = 'failed';
      m.lastError = failure;
      return;
    }
    const disk = run.progress?.disks.find(d => d.bytesDone < d.bytesTotal!);
    if (disk && run.progress) {
      disk.bytesDone = Math.min(
        disk.bytesTotal!,
        disk.bytesDone + this.chunkBytes,
      );
      const left = run.progress.disks.reduce(
        (sum, d) => sum + d.bytesTotal! - d.bytesDone,
        0,
      );
      run.progress.etaSeconds = left / run.progress.bytesPerSecond!;
      return;
    }
    run.state = 'succeeded';
    run.durationSeconds = 60;
    if (STAGES[run.stage].perDisk)
      run.bytes = vm.disks.reduce((a, b) => a + b, 0);
    delete run.progress;
    run.outputs = stageOutputs(run.stage, m);
    this.nextRun(m);
  }

  /** The stage run to work on; when none is left up to `runUntil`, the migration waits or is done. */
  private nextRun(m: ApiModel.Migration): ApiModel.StageRun | undefined {
    const limit = m.runUntil ? m.pipeline.indexOf(m.runUntil) : -1;
    const run = m.stages.find(
      (s, i) => i <= limit && s.state !== 'succeeded' && s.state !== 'skipped',
    );
    if (!run) {
      m.state = limit === m.pipeline.length - 1 ? 'succeeded' : 'waiting';
      delete m.currentStage;
    }
    return run;
  }

  private assess(entityRef: string, zone?: string): ApiModel.VmAssessment {
    const vm = this.vm(entityRef);
    return {
      vm: {
        entityRef,
        name: vm.name,
        sourceId: 'vc-lab',
        moref: 'vm-42',
        osFamily: vm.osFamily,
        powerState: 'poweredOn',
        firmware: 'bios',
        numCpu: 2,
        memoryMiB: 8192,
        diskBytes: vm.disks.reduce((a, b) => a + b, 0),
        diskCount: vm.disks.length,
        concernCounts: { critical: 0, warning: 1, info: 0 },
      },
      zone: zone ?? 'fr-par-1',
      pricing: {
        source: 'snapshot',
        pricedAt: '2026-11-01',
        zone: zone ?? 'fr-par-1',
        currency: 'EUR',
      },
      rulesVersion: 1,
      concerns: [
        {
          ruleId: 'vmware-tools-installed',
          severity: 'warning',
          category: 'vmware',
          label: 'VMware Tools installed',
          assessment: 'They are removed during adapt_guest.',
          remediation: 'Nothing to do.',
        },
      ],
      migratable: true,
      recommended: vm.recommended ?? 'POP2-2C-8G',
      recommendations: [],
      pipeline: [...pipelineFor(vm.osFamily)],
    };
  }

  private planFromFilters(
    body: ApiModel.PlanFromFiltersRequest,
  ): ApiModel.PlanFromFiltersResult {
    const selected = this.vms
      .filter(vm =>
        (body.filters?.filters ?? []).every(f =>
          f.startsWith('os:') ? vm.osFamily === f.slice(3) : true,
        ),
      )
      .map(vm => vm.name);
    const zone = body.zone ?? 'fr-par-1';
    const yamlText = [
      'version: 1',
      `zone: ${zone}`,
      'migrations:',
      ...selected.map(
        name => `  - vm: ${name}\n    wave: ${body.waveName ?? 'wave-1'}`,
      ),
      '',
    ].join('\n');
    const result: ApiModel.PlanFromFiltersResult = {
      yaml: yamlText,
      selected,
      skipped: [],
      problems: [],
    };
    if (body.name) {
      if ([...this.plans.values()].some(p => p.name === body.name))
        throw new Refusal(409, {
          code: 'PLAN_NAME_TAKEN',
          message: `a plan named ${body.name} exists`,
          remediation: 'Choose another name, or edit the existing plan.',
        });
      const summary: ApiModel.PlanSummary = {
        id: this.nextId('plan'),
        name: body.name,
        createdBy: 'user:default/mock',
        createdAt: new Date(0).toISOString(),
        zone,
        vmCount: selected.length,
        waveCount: 1,
      };
      this.plans.set(summary.id, {
        ...summary,
        yaml: yamlText,
        plan: {},
        problems: [],
      });
      result.plan = summary;
    }
    return result;
  }

  private estimate(yamlText: string): ApiModel.PlanEstimate {
    const vmCount = (yamlText.match(/- vm:/g) ?? []).length;
    return {
      rulesVersion: 1,
      pricing: {
        source: 'snapshot',
        pricedAt: '2026-11-01',
        zone: 'fr-par-1',
        currency: 'EUR',
      },
      vms: [],
      waves: [
        {
          name: 'wave-1',
          vmCount,
          bytesToMove: vmCount * 20 * GiB,
          startSeconds: 0,
          durationSeconds: vmCount * 1800,
          peakScratchBytes: 40 * GiB,
          monthlyCostEur: vmCount * 55.5,
        },
      ],
      totals: {
        vmCount,
        migratableCount: vmCount,
        bytesToMove: vmCount * 20 * GiB,
        durationSeconds: vmCount * 1800,
        peakScratchBytes: 40 * GiB,
        monthlyCostEur: vmCount * 55.5,
      },
      containsCritical: false,
      concernTally: [
        {
          ruleId: 'vmware-tools-installed',
          severity: 'warning',
          label: 'VMware Tools installed',
          remediation: 'Nothing to do.',
          vmCount,
          vms: [],
        },
      ],
      problems: [],
    };
  }

  /** Adds a wave awaiting approval (as a plan batch's first wave would be). */
  addWave(wave: Partial<ApiModel.Wave> & { name: string }): ApiModel.Wave {
    const w: ApiModel.Wave = {
      id: this.nextId('wave'),
      batchId: 'batch-plan',
      position: 0,
      state: 'awaiting_approval',
      pauseAfter: 'pause',
      approvals: [],
      counts: counts(3),
      ...wave,
    };
    this.waves.set(w.id, w);
    return w;
  }
}

/** The object, or the API's 404 with that code. */
function found<T>(
  value: T | undefined,
  code: string,
  message: string,
  remediation: string,
): T {
  if (value === undefined)
    throw new Refusal(404, { code, message, remediation });
  return value;
}

function stageOutputs(
  stage: StageId,
  m: ApiModel.Migration,
): Record<string, unknown> {
  if (stage === STAGES.verify.id)
    return { serverId: `srv-${m.id}`, ips: ['51.15.0.10'], checks: [] };
  if (stage === STAGES.import_scw.id)
    return { imageId: `img-${m.id}`, snapshots: [] };
  return {};
}

function counts(total: number): ApiModel.MigrationCounts {
  return {
    total,
    pending: total,
    queued: 0,
    running: 0,
    waiting: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
  };
}

/** A failure as the real client throws it: a ResponseError built from a Backstage error body. */
export async function apiError(
  status: number,
  body: RefusalBody,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Vmware2scwError', ...body },
        response: { statusCode: status },
      }),
      { status, headers: { 'content-type': 'application/json' } },
    ),
  );
}

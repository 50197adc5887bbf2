import { TestDatabases } from '@backstage/backend-test-utils';
import {
  LINUX_PIPELINE,
  Vmware2scwError,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import { testVm } from '../database/testFixtures';
import {
  createEngineHarness,
  runUntil,
  standInExecutors,
  type StandInCall,
} from './__testUtils__/EngineHarness';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const TWO_WAVES = `version: 1
defaults:
  zone: fr-par-1
concurrency:
  max_concurrent_conversions: 1
  max_total_workers: 3
migrations:
  - vm_pattern: "web-*"
    target_type: POP2-2C-8G
    wave: first
  - vm_pattern: "db-*"
    target_type: POP2-2C-8G
    wave: second
waves:
  - name: first
    pause_after: pause
  - name: second
    pause_after: none
`;

const ON_FAILURE = `version: 1
migrations:
  - vm_pattern: "app-*"
    target_type: POP2-2C-8G
    wave: only
waves:
  - name: only
    pause_after: pause_on_failure
`;

const vms = [
  testVm('web-1'),
  testVm('web-2'),
  testVm('web-3'),
  testVm('db-1'),
  testVm('app-ok'),
  testVm('app-bad'),
];
const ADMIN = 'user:default/platform-admin';

describe.each(databases.eachSupportedId())('Engine on %p', dbId => {
  it('runs waves in order with an approval before each, within the plan’s concurrency limits', async () => {
    const knex = await databases.init(dbId);
    const calls: StandInCall[] = [];
    const active = new Map<string, number>();
    let maxConversions = 0;
    const h = await createEngineHarness({
      knex,
      vms,
      executors: standInExecutors({
        stages: LINUX_PIPELINE,
        calls,
        instance: 'a',
        delayMs: s => (s === 'convert' ? 40 : 5),
        onConcurrency: (stage, d) => {
          active.set(stage, (active.get(stage) ?? 0) + d);
          const conv = (
            ['convert', 'adapt_guest', 'ensure_uefi'] as StageId[]
          ).reduce((n, s) => n + (active.get(s) ?? 0), 0);
          maxConversions = Math.max(maxConversions, conv);
        },
      }),
    });
    const plan = await h.service.createPlan(
      { name: 'two-waves', yaml: TWO_WAVES },
      ADMIN,
    );
    expect(plan).toMatchObject({ vmCount: 4, waveCount: 2 });
    const started = await h.service.startBatch({ planId: plan.id }, ADMIN);
    const batchId = started.batch.id;
    expect(started.waves.map(w => w.state)).toEqual([
      'awaiting_approval',
      'pending',
    ]);

    await h.engine.tick();
    await h.engine.idle();
    expect(calls).toEqual([]); // nothing runs before the approval

    await h.service.decideWave(started.waves[0].id, 'approved', ADMIN, 'go');
    await runUntil([h.engine], async () => {
      const s = await h.service.batchStatus(batchId);
      return s.waves[1].state === 'awaiting_approval';
    });
    let status = await h.service.batchStatus(batchId);
    expect(status.waves[0].state).toBe('completed');
    expect(
      status.migrations
        .filter(m => m.waveName === 'first')
        .every(m => m.state === 'succeeded'),
    ).toBe(true);
    expect(status.migrations.find(m => m.vmName === 'db-1')?.state).toBe(
      'pending',
    );
    expect(maxConversions).toBe(1);

    await h.service.decideWave(status.waves[1].id, 'approved', ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.batchStatus(batchId)).batch.state !== 'running',
    );
    status = await h.service.batchStatus(batchId);
    expect(status.batch.state).toBe('succeeded');
    expect(status.batch.counts).toMatchObject({ total: 4, succeeded: 4 });
    // Every VM ran its ten stages once, in pipeline order.
    for (const m of status.migrations) {
      expect(
        calls.filter(c => c.migrationId === m.id).map(c => c.stage),
      ).toEqual([...LINUX_PIPELINE]);
      expect(
        m.stages.every(
          s => s.state === 'succeeded' && s.durationSeconds !== undefined,
        ),
      ).toBe(true);
      expect(m.stages[2].bytes).toBe(100);
    }
    expect(status.waves[0].approvals).toEqual([
      expect.objectContaining({
        decision: 'approved',
        by: ADMIN,
        comment: 'go',
      }),
    ]);
    const events = (await h.service.batchEvents(batchId)).items.map(
      e => e.type,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'batch.started',
        'wave.awaiting_approval',
        'wave.approved',
        'wave.completed',
        'batch.succeeded',
      ]),
    );
    await h.engine.stop();
  });

  it('pauses a pause_on_failure wave on a failed VM, keeps the other, and a retry resumes from the failed stage', async () => {
    const knex = await databases.init(dbId);
    const calls: StandInCall[] = [];
    let fail = true;
    const h = await createEngineHarness({
      knex,
      vms,
      executors: standInExecutors({
        stages: LINUX_PIPELINE,
        calls,
        instance: 'a',
        behave: ctx => {
          if (
            fail &&
            ctx.stage === 'export' &&
            ctx.migration.vmName === 'app-bad'
          ) {
            throw new Vmware2scwError({
              code: 'DOWNLOAD_FAILED',
              message: 'the runner could not fetch disk-0 (HTTP 404)',
              remediation: 'Check the datastore path of the disk.',
            });
          }
        },
      }),
    });
    const plan = await h.service.createPlan(
      { name: 'on-failure', yaml: ON_FAILURE },
      ADMIN,
    );
    const started = await h.service.startBatch(
      { planId: plan.id, approveFirstWave: true },
      ADMIN,
    );
    const batchId = started.batch.id;
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.batchStatus(batchId)).waves[0].state === 'paused',
    );
    let status = await h.service.batchStatus(batchId);
    const bad = status.migrations.find(m => m.vmName === 'app-bad')!;
    expect(status.waves[0]).toMatchObject({
      state: 'paused',
      pausedReason: 'failure',
    });
    expect(status.migrations.find(m => m.vmName === 'app-ok')?.state).toBe(
      'succeeded',
    );
    expect(bad).toMatchObject({
      state: 'failed',
      lastError: {
        code: 'DOWNLOAD_FAILED',
        remediation: 'Check the datastore path of the disk.',
      },
    });
    expect(bad.stages.find(s => s.stage === 'export')).toMatchObject({
      state: 'failed',
      attempt: 1,
    });

    fail = false;
    await h.service.retryMigration(bad.id, ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.batchStatus(batchId)).batch.state !== 'running',
    );
    status = await h.service.batchStatus(batchId);
    expect(status.batch.state).toBe('succeeded');
    const badCalls = calls
      .filter(c => c.vmName === 'app-bad')
      .map(c => `${c.stage}#${c.attempt}`);
    // validate and snapshot are not run again: the retry starts at the failed export.
    expect(badCalls.slice(0, 4)).toEqual([
      'validate#1',
      'snapshot#1',
      'export#1',
      'export#2',
    ]);
    expect(badCalls.filter(c => c.startsWith('validate'))).toHaveLength(1);
    const types = (await h.service.migrationEvents(bad.id)).items.map(
      e => e.type,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'stage.failed',
        'migration.failed',
        'migration.retried',
        'migration.succeeded',
      ]),
    );
    await h.engine.stop();
  });

  it('cancels a running stage, and the VM resumes from it', async () => {
    const knex = await databases.init(dbId);
    const calls: StandInCall[] = [];
    const h = await createEngineHarness({
      knex,
      vms,
      executors: standInExecutors({
        stages: LINUX_PIPELINE,
        calls,
        instance: 'a',
        delayMs: s =>
          s === 'convert' &&
          calls.filter(c => c.stage === 'convert').length === 1
            ? 60_000
            : 5,
      }),
    });
    const vm = await h.inventory.get('resource:default/web-1');
    const { migration } = await h.service.createSingleMigration(
      { entityRef: vm.entityRef },
      ADMIN,
    );
    await runUntil([h.engine], async () =>
      calls.some(c => c.stage === 'convert'),
    );
    await h.service.cancelMigration(migration.id, ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.migrationView(migration.id)).state === 'cancelled',
    );
    const cancelled = await h.service.migrationView(migration.id);
    expect(cancelled.stages.find(s => s.stage === 'convert')).toMatchObject({
      state: 'cancelled',
      error: { code: 'CANCELLED' },
    });
    // Retried at once, while the aborted attempt may still be finishing its bookkeeping.
    await h.service.retryMigration(migration.id, ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.migrationView(migration.id)).state === 'succeeded',
    );
    expect(calls.filter(c => c.stage === 'export')).toHaveLength(1);
    expect(
      calls.filter(c => c.stage === 'convert').map(c => c.attempt),
    ).toEqual([1, 2]);
    await h.engine.stop();
  });

  it('runs a stepwise migration only up to the stage asked for', async () => {
    const knex = await databases.init(dbId);
    const calls: StandInCall[] = [];
    const h = await createEngineHarness({
      knex,
      vms,
      executors: standInExecutors({
        stages: LINUX_PIPELINE,
        calls,
        instance: 'a',
      }),
    });
    const { migration } = await h.service.createSingleMigration(
      { entityRef: 'resource:default/web-2', stepwise: true },
      ADMIN,
    );
    await h.engine.tick();
    await h.engine.idle();
    expect(calls).toEqual([]);
    await h.service.runStage(migration.id, 'snapshot', ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.migrationView(migration.id)).state === 'waiting',
    );
    expect(calls.map(c => c.stage)).toEqual(['validate', 'snapshot']);
    // Asking again for a stage that succeeded does nothing.
    await h.service.runStage(migration.id, 'validate', ADMIN);
    await h.service.runStage(migration.id, 'cleanup', ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.migrationView(migration.id)).state === 'succeeded',
    );
    expect(calls.map(c => c.stage)).toEqual([...LINUX_PIPELINE]);
    await h.engine.stop();
  });

  it('keeps every leftover two disks record at the same moment', async () => {
    const knex = await databases.init(dbId);
    const calls: StandInCall[] = [];
    const h = await createEngineHarness({
      knex,
      vms,
      executors: standInExecutors({
        stages: LINUX_PIPELINE.filter(s => s !== 'cleanup'),
        calls,
        instance: 'a',
        behave: async ctx => {
          if (ctx.stage !== 'import_scw') return;
          await Promise.all(
            ['disk-0', 'disk-1', 'disk-2'].map(disk =>
              ctx.recordLeftovers([
                { kind: 'scw_snapshot', id: `snap-${disk}`, where: 'fr-par-1' },
              ]),
            ),
          );
          await Promise.all([
            ctx.clearLeftovers(l => l.id === 'snap-disk-1'),
            ctx.recordLeftovers([
              { kind: 'scw_image', id: 'image-1', where: 'fr-par-1' },
            ]),
          ]);
        },
      }),
    });
    const { migration } = await h.service.createSingleMigration(
      { entityRef: 'resource:default/web-3', stepwise: true },
      ADMIN,
    );
    await h.service.runStage(migration.id, 'import_scw', ADMIN);
    await runUntil(
      [h.engine],
      async () =>
        (await h.service.migrationView(migration.id)).state === 'waiting',
    );
    const view = await h.service.migrationView(migration.id);
    expect(view.leftovers?.map(l => l.id).sort()).toEqual([
      'image-1',
      'snap-disk-0',
      'snap-disk-2',
    ]);
    await h.engine.stop();
  });

  it('gives a stage of a dead instance to another once its lease expires; the late result is dropped', async () => {
    const knex = await databases.init(dbId);
    const calls: StandInCall[] = [];
    let releaseA!: () => void;
    const aHangs = new Promise<void>(r => {
      releaseA = r;
    });
    const a = await createEngineHarness({
      knex,
      vms,
      instance: 'a',
      leaseMs: 400,
      executors: standInExecutors({
        stages: LINUX_PIPELINE,
        calls,
        instance: 'a',
        behave: async ctx => {
          if (ctx.stage === 'export') await aHangs;
        },
      }),
    });
    const b = await createEngineHarness({
      knex,
      vms,
      instance: 'b',
      leaseMs: 400,
      migrate: false,
      executors: standInExecutors({
        stages: LINUX_PIPELINE,
        calls,
        instance: 'b',
      }),
    });
    const { migration } = await a.service.createSingleMigration(
      { entityRef: 'resource:default/web-3' },
      ADMIN,
    );
    await runUntil([a.engine], async () =>
      calls.some(c => c.stage === 'export'),
    );
    // Instance a "dies": its process stops renewing (simulated by stopping its timers), nothing is written.
    jest
      .spyOn(a.store, 'renewLease')
      .mockResolvedValue({ held: true, cancelRequested: false });
    await new Promise(r => setTimeout(r, 600));
    await runUntil(
      [b.engine],
      async () =>
        (await b.service.migrationView(migration.id)).state === 'succeeded',
    );
    releaseA();
    await a.engine.idle();
    const view = await b.service.migrationView(migration.id);
    expect(view.stages.find(s => s.stage === 'export')).toMatchObject({
      state: 'succeeded',
      attempt: 2,
    });
    expect(view.stages.find(s => s.stage === 'export')?.outputs).toMatchObject({
      by: 'b',
    });
    const types = (await b.service.migrationEvents(migration.id)).items.map(
      e => e.type,
    );
    expect(types).toContain('stage.recovered');
    await a.engine.stop();
    await b.engine.stop();
  });
});

// PostgreSQL only: SQLite runs one process, there is nothing to share between instances.
const pgIds = databases
  .eachSupportedId()
  .filter(id => id[0].startsWith('POSTGRES'));
/* eslint-disable jest/no-standalone-expect -- a conditional \`it\` (PostgreSQL only) */
describe('Engine on PostgreSQL with two instances', () => {
  (pgIds.length ? it : it.skip)(
    'executes every stage run of a batch exactly once',
    async () => {
      const knex = await databases.init(pgIds[0][0]);
      const calls: StandInCall[] = [];
      const many = Array.from({ length: 12 }, (_, i) =>
        testVm(`web-${i + 10}`, { host: `esxi-${i % 3}` }),
      );
      const make = (instance: string, migrate: boolean) =>
        createEngineHarness({
          knex,
          vms: many,
          instance,
          migrate,
          executors: standInExecutors({
            stages: LINUX_PIPELINE,
            calls,
            instance,
            delayMs: () => 3,
          }),
        });
      const a = await make('a', true);
      const b = await make('b', false);
      const plan = await a.service.createPlan(
        {
          name: 'many',
          yaml: `version: 1\nconcurrency:\n  max_total_workers: 6\nmigrations:\n  - vm_pattern: "web-*"\n    target_type: POP2-2C-8G\n`,
        },
        ADMIN,
      );
      const { batch } = await a.service.startBatch(
        { planId: plan.id, approveFirstWave: true },
        ADMIN,
      );
      await runUntil(
        [a.engine, b.engine],
        async () =>
          (await a.service.batchStatus(batch.id)).batch.state !== 'running',
        60_000,
      );
      const status = await a.service.batchStatus(batch.id);
      expect(status.batch).toMatchObject({
        state: 'succeeded',
        counts: { succeeded: 12 },
      });
      const keys = calls.map(c => `${c.migrationId}:${c.stage}`);
      expect(keys).toHaveLength(12 * LINUX_PIPELINE.length);
      expect(new Set(keys).size).toBe(keys.length);
      expect(new Set(calls.map(c => c.instance))).toEqual(new Set(['a', 'b']));
      await a.engine.stop();
      await b.engine.stop();
    },
  );
});

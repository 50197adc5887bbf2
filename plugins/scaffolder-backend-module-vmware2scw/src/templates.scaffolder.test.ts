import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  LINUX_PIPELINE,
  STAGE_IDS,
  STAGES,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiServiceRef } from '@internal/plugin-vmware2scw-node';
import { FakeVmware2scwEngine } from './__testUtils__/FakeVmware2scwEngine';
import { stepLog, stepStatuses } from './__testUtils__/ScaffolderClient';
import { startScaffolder } from './__testUtils__/scaffolderHarness';
import { sentNotifications } from './__testUtils__/sentNotifications';
import { exampleAppMissing, startExampleApp } from './__testUtils__/exampleApp';
import fs from 'node:fs';

/**
 * The templates of examples/templates run by the real scaffolder (and the real catalog reading them)
 * with this module, against a stand-in of the engine that follows the API contract: how the steps are
 * wired, what the task log shows, and that retrying a task repeats no side effect. The same template
 * against the real engine is in migrateVm.engine.test.ts.
 */
describe('the templates in the real scaffolder', () => {
  const GiB = 1024 ** 3;
  const engine = new FakeVmware2scwEngine([
    {
      entityRef: 'resource:default/web-01',
      name: 'web-01',
      osFamily: 'linux',
      disks: [2 * GiB, 1 * GiB],
      recommended: 'POP2-2C-8G',
    },
    {
      entityRef: 'resource:default/db-01',
      name: 'db-01',
      osFamily: 'linux',
      disks: [1 * GiB],
    },
  ]);
  engine.chunkBytes = GiB;
  const notifications = sentNotifications();
  const { sent } = notifications;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  beforeAll(async () => {
    scaffolder = await startScaffolder({
      features: [
        createServiceFactory({
          service: vmware2scwApiServiceRef,
          deps: {},
          factory: () => engine.api(),
        }),
        notifications.factory,
      ],
      config: {
        scaffolder: {
          vmware2scw: {
            pollInterval: { milliseconds: 500 },
            progressInterval: { seconds: 1 },
          },
        },
        vmware2scw: {
          permissions: { admins: ['group:default/platform-team'] },
        },
      },
    });
    await Promise.all(
      [
        'migrate-vm-to-scaleway',
        'plan-migration-from-filters',
        'request-wave-approval',
      ].map(scaffolder.template),
    );
  }, 120_000);

  afterAll(() => scaffolder?.stop());

  it('migrates a VM now, stage by stage, each stage a step of the task log; a retry repeats nothing', async () => {
    const taskId = await scaffolder.run('migrate-vm-to-scaleway', {
      vm: 'resource:default/web-01',
      zone: 'fr-par-2',
      targetType: 'POP2-4C-16G',
      when: 'now',
    });
    const task = await scaffolder.finished(taskId);
    const events = await scaffolder.events(taskId);
    expect(task.status).toBe('completed');

    const [m] = [...engine.migrations.values()].filter(
      x => x.entityRef === 'resource:default/web-01',
    );
    expect(m).toMatchObject({
      state: 'succeeded',
      stepwise: true,
      targetType: 'POP2-4C-16G',
      zone: 'fr-par-2',
    });
    const statuses = stepStatuses(events);
    for (const stage of STAGE_IDS)
      expect([stage, statuses[stage]]).toEqual([
        stage,
        LINUX_PIPELINE.includes(stage) ? 'completed' : 'skipped',
      ]);
    for (const stage of LINUX_PIPELINE)
      expect(stepLog(events, stage).join('\n')).toContain(
        `${STAGES[stage].title} succeeded`,
      );
    expect(stepLog(events, 'export').join('\n')).toMatch(
      /Export: \d+% \| disk-0 .* \/ 2\.0 GiB, disk-1 .* \/ 1\.0 GiB/,
    );
    const completion = events.find(e => e.type === 'completion');
    expect(completion?.body.output).toMatchObject({
      links: expect.arrayContaining([
        expect.objectContaining({ entityRef: 'resource:default/web-01' }),
        expect.objectContaining({
          url: `https://console.scaleway.com/instance/servers/fr-par-2/srv-${m.id}/overview`,
        }),
      ]),
    });

    const calls = engine.mutatingCalls().length;
    expect(engine.callsOf('createMigration')).toHaveLength(1);
    expect(engine.callsOf('runMigrationStage')).toHaveLength(
      LINUX_PIPELINE.length,
    );
    await scaffolder.retry(taskId);
    expect((await scaffolder.finished(taskId)).status).toBe('completed');
    expect(engine.mutatingCalls()).toHaveLength(calls);
  }, 120_000);

  it('retried after its last step failed, retries that step only', async () => {
    engine.failStageOnce('cleanup', {
      code: 'VCENTER_SNAPSHOT_REMOVE_FAILED',
      message: 'RemoveSnapshot_Task of vm-42 failed: the VM is locked',
      remediation:
        'Wait for the running vCenter task on the VM to end, then retry.',
    });
    const taskId = await scaffolder.run('migrate-vm-to-scaleway', {
      vm: 'resource:default/db-01',
      zone: 'fr-par-1',
      targetType: 'POP2-2C-8G',
      when: 'now',
    });
    expect((await scaffolder.finished(taskId)).status).toBe('failed');
    const log = stepLog(await scaffolder.events(taskId), 'cleanup').join('\n');
    expect(log).toContain(
      'RemoveSnapshot_Task of vm-42 failed: the VM is locked [VCENTER_SNAPSHOT_REMOVE_FAILED]',
    );
    expect(log).toContain(
      'Remediation: Wait for the running vCenter task on the VM to end, then retry.',
    );
    const before = engine.mutatingCalls().map(c => c.op);

    await scaffolder.retry(taskId);

    expect((await scaffolder.finished(taskId)).status).toBe('completed');
    const after = engine.mutatingCalls().map(c => c.op);
    // The failed migration is retried once and its cleanup asked for again; nothing before it is.
    expect(after.slice(before.length)).toEqual([
      'retryMigration',
      'runMigrationStage',
    ]);
    const m = [...engine.migrations.values()].find(
      x => x.entityRef === 'resource:default/db-01',
    );
    expect(m?.state).toBe('succeeded');
  }, 120_000);

  it('puts the VM in a wave and asks the approvers, running no stage itself', async () => {
    const before = engine.callsOf('runMigrationStage').length;
    const taskId = await scaffolder.run('migrate-vm-to-scaleway', {
      vm: 'resource:default/web-01',
      zone: 'fr-par-1',
      targetType: 'POP2-2C-8G',
      when: 'wave',
      wave: 'weekend',
      comment: 'Saturday night',
    });
    expect((await scaffolder.finished(taskId)).status).toBe('completed');
    const events = await scaffolder.events(taskId);

    const wave = [...engine.waves.values()].find(w => w.name === 'weekend');
    expect(wave?.state).toBe('awaiting_approval');
    expect(sent).toContainEqual({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/platform-team'],
      },
      payload: expect.objectContaining({
        title: 'Wave weekend awaits your approval',
        link: `/vmware2scw?wave=${wave!.id}`,
        description: expect.stringMatching(
          /user:default\/jane asks you .* Saturday night$/,
        ),
      }),
    });
    expect(engine.callsOf('runMigrationStage')).toHaveLength(before);
    const statuses = stepStatuses(events);
    for (const stage of STAGE_IDS) expect(statuses[stage]).toBe('skipped');
    expect(
      events.find(e => e.type === 'completion')?.body.output,
    ).toMatchObject({
      links: expect.arrayContaining([
        expect.objectContaining({ url: `/vmware2scw?wave=${wave!.id}` }),
      ]),
    });
  }, 120_000);

  it('plans from filters, stores the plan and shows its estimate', async () => {
    const taskId = await scaffolder.run('plan-migration-from-filters', {
      filters: { filters: ['os:linux'] },
      name: 'linux-all',
      zone: 'fr-par-1',
      sizing: 'optimize',
      waveBy: 'single',
      waveName: 'wave-1',
      pauseAfter: 'pause',
      linkMbps: 620,
    });
    expect((await scaffolder.finished(taskId)).status).toBe('completed');

    const plan = [...engine.plans.values()].find(p => p.name === 'linux-all');
    expect(plan).toBeDefined();
    expect(engine.callsOf('estimatePlan').map(c => c.args)).toContainEqual([
      { planId: plan!.id },
      { model: { linkMbps: 620 } },
    ]);
    const output = (await scaffolder.events(taskId)).find(
      e => e.type === 'completion',
    )?.body.output as {
      links: unknown[];
      text: Array<{ title: string; content: string }>;
    };
    expect(output.links).toEqual([
      expect.objectContaining({ url: `/vmware2scw?plan=${plan!.id}` }),
    ]);
    expect(output.text.find(t => t.title === 'Estimate')?.content).toContain(
      '**2 of 2 VM(s) migratable**',
    );
    expect(output.text.find(t => t.title === 'Plan (YAML)')?.content).toContain(
      '  - vm: web-01\n    wave: wave-1',
    );
  }, 120_000);

  it('asks the configured approvers of a wave when the form names nobody', async () => {
    const wave = engine.addWave({ name: 'first' });
    const taskId = await scaffolder.run('request-wave-approval', {
      waveId: wave.id,
    });
    expect((await scaffolder.finished(taskId)).status).toBe('completed');
    expect(sent[sent.length - 1]).toMatchObject({
      recipients: { entityRef: ['group:default/platform-team'] },
      payload: { link: `/vmware2scw?wave=${wave.id}` },
    });
  }, 60_000);
});

const appMissing = exampleAppMissing();
const describeWithApp = appMissing ? describe.skip : describe;

describeWithApp(
  `the finished task page in the example app${
    appMissing ? ` (skipped: ${appMissing})` : ''
  }`,
  () => {
    it('shows each stage of "Migrate a VM to Scaleway" as a step, with its log and the links (screenshot)', async () => {
      const engine = new FakeVmware2scwEngine([
        {
          entityRef: 'resource:default/web-01',
          name: 'web-01',
          osFamily: 'linux',
          disks: [2 * 1024 ** 3],
        },
      ]);
      engine.chunkBytes = 1024 ** 3;
      const app = await startExampleApp({
        features: [
          createServiceFactory({
            service: vmware2scwApiServiceRef,
            deps: {},
            factory: () => engine.api(),
          }),
        ],
        config: {
          scaffolder: {
            vmware2scw: { pollInterval: { milliseconds: 500 } },
          },
        },
      });
      try {
        await app.template('migrate-vm-to-scaleway');
        const taskId = await app.run('migrate-vm-to-scaleway', {
          vm: 'resource:default/web-01',
          zone: 'fr-par-1',
          targetType: 'POP2-2C-8G',
          when: 'now',
        });
        expect((await app.finished(taskId)).status).toBe('completed');

        const shot = await app.screenshot(
          `/create/tasks/${taskId}`,
          'data/screenshots/migrate-vm-task.stand-in.png',
        );
        expect(shot.stdout).toContain(`screenshot of /create/tasks/${taskId}`);
        expect(fs.statSync(shot.file).size).toBeGreaterThan(10_000);
      } finally {
        await app.stop();
      }
    }, 600_000);
  },
);

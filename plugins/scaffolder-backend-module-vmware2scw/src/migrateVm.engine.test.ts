// A backend runs both plugins side by side; only a test of the two together imports the other one.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import vmware2scwPlugin from '@internal/plugin-vmware2scw-backend';
import {
  STAGES,
  type ApiModel,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import fs from 'node:fs';
import {
  engineLabMissing,
  startEngineLab,
  type EngineLab,
} from './__testUtils__/engineLab';
import { exampleAppMissing, startExampleApp } from './__testUtils__/exampleApp';
import {
  stepLog,
  stepStatuses,
  type ScaffolderClient,
} from './__testUtils__/ScaffolderClient';
import { startScaffolder } from './__testUtils__/scaffolderHarness';

/**
 * "Migrate a VM to Scaleway" end to end: the real scaffolder, this module, the vmware2scw backend plugin
 * with its engine and the catalog, against the engine's lab (vcsim, conversion runner, S3 server,
 * Scaleway simulator; packages/lab) with the runner's stages as stand-ins (the real conversion is proven
 * by packages/lab's migration.e2e.test.ts). With the example app built (packages/app/dist, which
 * scripts/test.sh builds) it runs in the example app's backend and saves a screenshot of the finished
 * task page; without, in a test backend. Skipped, saying why, where the lab's Debian packages are missing.
 */
const missing = engineLabMissing();
const describeWithEngine = missing ? describe.skip : describe;
const appMissing = exampleAppMissing();
const describeWithApp = appMissing ? describe.skip : describe;

describeWithEngine(
  `Migrate a VM to Scaleway against the engine's lab${
    missing ? ` (skipped: ${missing})` : ''
  }`,
  () => {
    let lab: EngineLab;
    let host: ScaffolderClient & { stop(): Promise<void> };
    let app: Awaited<ReturnType<typeof startExampleApp>> | undefined;
    let taskId: string;

    beforeAll(async () => {
      lab = await startEngineLab();
      const options = {
        features: [vmware2scwPlugin, ...lab.features],
        config: {
          ...lab.config,
          scaffolder: { vmware2scw: { pollInterval: { seconds: 1 } } },
        },
      };
      app = appMissing ? undefined : await startExampleApp(options);
      host = app ?? (await startScaffolder(options));
      await host.template('migrate-vm-to-scaleway');
    }, 10 * 60_000);

    afterAll(async () => {
      await host?.stop();
      await lab?.stop();
    });

    it(
      'ends with the VM migrated, each stage a step of the task log; the task retried repeats no side effect',
      async () => {
        taskId = await host.run('migrate-vm-to-scaleway', {
          vm: lab.vm.entityRef,
          zone: lab.zone,
          targetType: lab.targetType,
          when: 'now',
        });
        const task = await host.finished(taskId, 45 * 60_000);
        const events = await host.events(taskId);
        if (task.status !== 'completed')
          throw new Error(
            `task ${task.status}:\n${events
              .map(e => `${e.body.stepId ?? ''} ${e.body.message ?? ''}`)
              .join('\n')}`,
          );

        const status = await host.call<ApiModel.EntityMigrationStatus>(
          'GET',
          `/vmware2scw/vms/migration?entityRef=${encodeURIComponent(
            lab.vm.entityRef,
          )}`,
        );
        const m = status.migration!;
        expect(m.state).toBe('succeeded');
        const statuses = stepStatuses(events);
        for (const stage of m.pipeline as StageId[]) {
          expect([stage, statuses[stage]]).toEqual([stage, 'completed']);
          expect(stepLog(events, stage).join('\n')).toContain(
            `${STAGES[stage].title} succeeded`,
          );
        }
        const serverId = m.stages.find(s => s.stage === 'verify')?.outputs
          ?.serverId;
        expect(serverId).toEqual(expect.any(String));
        const effects = await lab.sideEffects();
        expect(effects).toMatchObject({
          vmwareSnapshotsCreated: 1,
          scalewayImports: 1,
          serversCreated: 1,
        });

        await host.retry(taskId);
        expect((await host.finished(taskId, 10 * 60_000)).status).toBe(
          'completed',
        );
        expect(await lab.sideEffects()).toEqual(effects);
      },
      60 * 60_000,
    );

    describeWithApp(
      `in the example app${appMissing ? ` (skipped: ${appMissing})` : ''}`,
      () => {
        it(
          'shows the finished task page (screenshot)',
          async () => {
            const shot = await app!.screenshot(
              `/create/tasks/${taskId}`,
              'data/screenshots/migrate-vm-task.png',
            );
            expect(shot.stdout).toContain(
              `screenshot of /create/tasks/${taskId}`,
            );
            expect(fs.statSync(shot.file).size).toBeGreaterThan(10_000);
          },
          10 * 60_000,
        );
      },
    );
  },
);

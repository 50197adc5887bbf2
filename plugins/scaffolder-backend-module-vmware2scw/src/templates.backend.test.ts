import type { ApiModel } from '@internal/plugin-vmware2scw-common';
// A backend runs these plugins side by side; only a test of them together imports the others.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { catalogModuleVmware2scwEntityProvider } from '@internal/plugin-catalog-backend-module-vmware2scw';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import vmware2scwPlugin from '@internal/plugin-vmware2scw-backend';
import path from 'node:path';
import { stepLog, stepStatuses } from './__testUtils__/ScaffolderClient';
import { startScaffolder } from './__testUtils__/scaffolderHarness';
import { sentNotifications } from './__testUtils__/sentNotifications';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

/**
 * The templates against the real vmware2scw backend plugin (its API, store and engine) and the real
 * catalog holding the sample RVTools inventory: what runs without vCenter, runners or Scaleway (plans,
 * estimates, waves and their approval, and a migration's first stage telling what it lacks).
 */
describe('the templates against the vmware2scw backend plugin', () => {
  const notifications = sentNotifications();
  const { sent } = notifications;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  beforeAll(async () => {
    scaffolder = await startScaffolder({
      features: [
        vmware2scwPlugin,
        catalogModuleVmware2scwEntityProvider,
        notifications.factory,
      ],
      config: {
        catalog: {
          locations: [
            { type: 'file', target: path.join(EXAMPLES, 'org.yaml') },
          ],
          providers: {
            vmware2scw: {
              owner: { default: 'platform-team' },
              rvtools: {
                sample: {
                  target: path.join(EXAMPLES, 'inventory/rvtools-sample.xlsx'),
                },
              },
            },
          },
        },
        scaffolder: {
          vmware2scw: { pollInterval: { milliseconds: 500 } },
        },
        // Configured so that the template's preflight passes; nothing answers at these addresses (the
        // discard port), so a migration stops at its first stage that needs one of them.
        vmware2scw: {
          permissions: { admins: ['group:default/platform-team'] },
          vcenters: [
            {
              id: 'vc-nowhere',
              url: 'http://127.0.0.1:9/sdk',
              username: 'migration',
              password: 'not-a-secret',
            },
          ],
          conversion: {
            runners: [
              {
                id: 'runner-nowhere',
                url: 'http://127.0.0.1:9',
                token: 'not-a-secret-token',
              },
            ],
          },
          scaleway: {
            accessKey: 'SCWXXXXXXXXXXXXXXXXX',
            secretKey: '00000000-0000-4000-8000-000000000000',
            projectId: '00000000-0000-4000-8000-000000000001',
            defaultZone: 'fr-par-1',
            transitBucket: 'transit',
            apiUrl: 'http://127.0.0.1:9',
            s3Endpoint: 'http://127.0.0.1:9',
          },
        },
      },
    });
    await Promise.all(
      [
        'plan-migration-from-filters',
        'request-wave-approval',
        'migrate-vm-to-scaleway',
      ].map(scaffolder.template),
    );
    // The sample VMs, as the RVTools provider puts them in the catalog.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const vms = await scaffolder.call<ApiModel.VmQueryResult>(
        'GET',
        '/vmware2scw/vms?filter=os%3Alinux',
      );
      if (vms.total > 0) break;
      if (Date.now() > deadline) throw new Error('no sample VM in the catalog');
      await new Promise(r => setTimeout(r, 1000));
    }
  }, 180_000);

  afterAll(() => scaffolder?.stop());

  it('plans from filters and estimates, then asks the approvers of the first wave of a batch', async () => {
    const taskId = await scaffolder.run('plan-migration-from-filters', {
      filters: { filters: ['os:linux', 'name:web-*'] },
      name: 'web-linux',
      zone: 'fr-par-1',
      sizing: 'optimize',
      waveBy: 'single',
      waveName: 'web',
      pauseAfter: 'pause',
      linkMbps: 620,
    });
    const task = await scaffolder.finished(taskId);
    const events = await scaffolder.events(taskId);
    expect(task.status).toBe('completed');

    const plans = await scaffolder.call<ApiModel.PlanList>(
      'GET',
      '/vmware2scw/plans',
    );
    const plan = plans.items.find(p => p.name === 'web-linux')!;
    expect(plan.vmCount).toBeGreaterThan(0);
    const output = events.find(e => e.type === 'completion')?.body.output as {
      links: Array<{ url: string }>;
      text: Array<{ title: string; content: string }>;
    };
    expect(output.links).toEqual([
      expect.objectContaining({ url: `/vmware2scw?plan=${plan.id}` }),
    ]);
    expect(output.text.find(t => t.title === 'Estimate')?.content).toMatch(
      new RegExp(
        `^\\*\\*${plan.vmCount} of ${plan.vmCount} VM\\(s\\) migratable\\*\\*`,
      ),
    );
    expect(output.text.find(t => t.title === 'Plan (YAML)')?.content).toContain(
      'version: 1',
    );

    const batch = await scaffolder.call<ApiModel.BatchStatus>(
      'POST',
      '/vmware2scw/batches',
      { planId: plan.id },
    );
    const [wave] = batch.waves;
    expect(wave.state).toBe('awaiting_approval');
    const approval = await scaffolder.run('request-wave-approval', {
      waveId: wave.id,
      comment: 'Web tier first',
    });
    expect((await scaffolder.finished(approval)).status).toBe('completed');
    expect(sent[sent.length - 1]).toMatchObject({
      recipients: { entityRef: ['group:default/platform-team'] },
      payload: {
        title: 'Wave web awaits your approval',
        link: `/vmware2scw?wave=${wave.id}`,
      },
    });
  }, 180_000);

  it('stops a migration "now" at its first stage the engine refuses, with the engine’s code and remediation in the task log', async () => {
    const vms = await scaffolder.call<ApiModel.VmQueryResult>(
      'GET',
      '/vmware2scw/vms?filter=os%3Alinux&limit=1',
    );
    const taskId = await scaffolder.run('migrate-vm-to-scaleway', {
      vm: vms.vms[0].entityRef,
      zone: 'fr-par-1',
      targetType: 'POP2-2C-8G',
      when: 'now',
    });
    const task = await scaffolder.finished(taskId);
    const events = await scaffolder.events(taskId);
    const statuses = stepStatuses(events);
    const failed = Object.keys(statuses).find(id => statuses[id] === 'failed');
    const log = stepLog(events, failed!).join('\n');

    expect([task.status, failed]).toEqual(['failed', 'validate']);
    expect(stepLog(events, 'create').join('\n')).not.toMatch(/approval/);
    // An RVTools VM can be planned, not migrated: the engine says so, and what to do.
    expect(log).toContain(
      'which is not a configured vCenter [SOURCE_NOT_A_VCENTER]',
    );
    expect(log).toMatch(/Remediation: Migrations read disks from a vCenter/);
  }, 180_000);
});

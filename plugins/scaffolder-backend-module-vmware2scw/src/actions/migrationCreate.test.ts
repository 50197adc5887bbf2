import {
  LINUX_PIPELINE,
  stageActionId,
  WINDOWS_PIPELINE,
} from '@internal/plugin-vmware2scw-common';
import { FakeVmware2scwEngine } from '../__testUtils__/FakeVmware2scwEngine';
import { checkpointMap, stepContext } from '../__testUtils__/stepContext';
import { DEFAULT_ACTION_SETTINGS } from '../settings/ActionSettings';
import { createMigrationCreateAction } from './migrationCreate';

const GiB = 1024 ** 3;

function setup() {
  const engine = new FakeVmware2scwEngine([
    {
      entityRef: 'resource:default/web-01',
      name: 'web-01',
      osFamily: 'linux',
      disks: [20 * GiB],
      recommended: 'POP2-2C-8G',
    },
    {
      entityRef: 'resource:default/win-01',
      name: 'win-01',
      osFamily: 'windows',
      disks: [60 * GiB],
    },
  ]);
  const action = createMigrationCreateAction({
    api: engine.api(),
    settings: DEFAULT_ACTION_SETTINGS,
  });
  return { engine, action };
}

describe('vmware2scw:migration:create', () => {
  it('creates a stepwise migration on behalf of the initiator and lists the stage actions to run', async () => {
    const { engine, action } = setup();
    const { ctx, outputs, logger } = stepContext({
      entityRef: 'resource:default/win-01',
      targetType: 'POP2-4C-16G-WIN',
      zone: 'nl-ams-1',
      wave: 'now',
      stepwise: true,
    });

    await action.handler(ctx);

    expect(engine.callsOf('createMigration')).toEqual([
      {
        op: 'createMigration',
        args: [
          {
            entityRef: 'resource:default/win-01',
            targetType: 'POP2-4C-16G-WIN',
            zone: 'nl-ams-1',
            wave: undefined,
            stepwise: true,
            requestId: 'scaffolder:mock-task-id:mock-step-id',
            scaffolderTaskId: 'mock-task-id',
          },
        ],
        principal: 'user:default/jane',
      },
    ]);
    expect(outputs).toMatchObject({
      migrationId: expect.any(String),
      vmName: 'win-01',
      targetType: 'POP2-4C-16G-WIN',
      zone: 'nl-ams-1',
      stepwise: true,
      pipeline: [...WINDOWS_PIPELINE],
      stageActions: WINDOWS_PIPELINE.map(stageActionId),
    });
    expect(outputs.stageActions).toContain('vmware2scw:inject-virtio');
    expect(logger.text()).toContain(
      'Stepwise: each stage runs when its step asks for it.',
    );
    expect(logger.text()).not.toMatch(/approval/);
  });

  it('puts the VM in a wave that waits for an approval, leaving no stage to the template', async () => {
    const { engine, action } = setup();
    const { ctx, outputs, logger } = stepContext({
      entityRef: 'resource:default/web-01',
      wave: 'weekend',
    });

    await action.handler(ctx);

    const waveId = outputs.waveId as string;
    expect(engine.waves.get(waveId)?.state).toBe('awaiting_approval');
    expect(outputs).toMatchObject({
      waveName: 'weekend',
      stepwise: false,
      stageActions: [],
      pipeline: [...LINUX_PIPELINE],
    });
    expect(logger.text()).toMatch(/waits in wave weekend for an approval/);
  });

  it('never creates a second migration when the task is retried', async () => {
    const { engine, action } = setup();
    const checkpoints = checkpointMap();
    const input = { entityRef: 'resource:default/web-01', stepwise: true };
    const first = stepContext(input, { checkpoints });
    const second = stepContext(input, { checkpoints });

    await action.handler(first.ctx);
    await action.handler(second.ctx);

    expect(engine.mutatingCalls()).toHaveLength(1);
    expect(engine.migrations.size).toBe(1);
    expect(second.outputs).toEqual(first.outputs);
  });

  it('only reads in a dry run: the assessment says what would happen', async () => {
    const { engine, action } = setup();
    const { ctx, outputs, logger } = stepContext(
      { entityRef: 'resource:default/web-01', stepwise: true },
      { isDryRun: true },
    );

    await action.handler(ctx);

    expect(engine.calls.map(c => c.op)).toEqual(['getVmAssessment']);
    expect(outputs).toMatchObject({
      migrationId: 'dry-run',
      targetType: 'POP2-2C-8G',
      stageActions: LINUX_PIPELINE.map(stageActionId),
    });
    expect(logger.text()).toMatch(
      /Dry run: web-01 \(linux\) would migrate to POP2-2C-8G in fr-par-1, now; 10 stages: validate → snapshot/,
    );
    expect(logger.text()).toMatch(/Concern \(warning\) VMware Tools installed/);
  });

  it('runs the engine’s checks with checkOnly, creating nothing', async () => {
    const { engine, action } = setup();
    const { ctx, outputs, logger } = stepContext({
      entityRef: 'resource:default/web-01',
      checkOnly: true,
    });

    await action.handler(ctx);

    expect(engine.callsOf('createMigration')[0].args[0]).toMatchObject({
      dryRun: true,
    });
    expect(engine.mutatingCalls()).toEqual([]);
    expect(engine.migrations.size).toBe(0);
    expect(outputs.checks).toMatchObject({ ok: true });
    expect(logger.text()).toMatch(/ok vcenter: vc-lab answers/);
  });

  it('refuses a stepwise migration in a wave before calling anything', async () => {
    const { engine, action } = setup();
    const { ctx } = stepContext({
      entityRef: 'resource:default/web-01',
      wave: 'weekend',
      stepwise: true,
    });

    await expect(action.handler(ctx)).rejects.toThrow(
      /a stepwise migration cannot wait in wave "weekend": set wave to "now"/,
    );
    expect(engine.calls).toEqual([]);
  });

  it('passes the API’s refusal to the task log with its code and remediation', async () => {
    const { engine, action } = setup();
    engine.refuseOnce('createMigration', 409, {
      code: 'VM_MIGRATION_ACTIVE',
      message: 'web-01 is already being migrated (migration mig-7)',
      remediation: 'Follow mig-7 on the VM’s page, or cancel it first.',
    });
    const { ctx, logger } = stepContext({
      entityRef: 'resource:default/web-01',
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'VM_MIGRATION_ACTIVE',
    });
    expect(logger.text()).toContain(
      'error: creating the migration of resource:default/web-01: web-01 is already being migrated (migration mig-7) [VM_MIGRATION_ACTIVE]\nerror: Remediation: Follow mig-7 on the VM’s page, or cancel it first.',
    );
  });

  it('names the VM that the catalog does not know', async () => {
    const { action } = setup();
    const { ctx, logger } = stepContext({
      entityRef: 'resource:default/nope',
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'VM_NOT_FOUND',
    });
    expect(logger.text()).toMatch(
      /no VM entity resource:default\/nope in the catalog \[VM_NOT_FOUND\]/,
    );
  });
});

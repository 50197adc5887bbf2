import { LINUX_PIPELINE } from '@internal/plugin-vmware2scw-common';
import { FakeVmware2scwEngine } from '../__testUtils__/FakeVmware2scwEngine';
import {
  cancellingClock,
  checkpointMap,
  stepContext,
  virtualClock,
} from '../__testUtils__/stepContext';
import { DEFAULT_ACTION_SETTINGS } from '../settings/ActionSettings';
import { createMigrationRunAction } from './migrationRun';

const GiB = 1024 ** 3;

function setup() {
  const engine = new FakeVmware2scwEngine([
    {
      entityRef: 'resource:default/db-01',
      name: 'db-01',
      osFamily: 'linux',
      disks: [8 * GiB, 2 * GiB],
    },
  ]);
  const action = createMigrationRunAction({
    api: engine.api(),
    settings: DEFAULT_ACTION_SETTINGS,
    clock: virtualClock(),
  });
  const create = async (stepwise: boolean) => {
    const { migration } = await engine
      .as()
      .createMigration({ entityRef: 'resource:default/db-01', stepwise });
    engine.calls.length = 0;
    return migration.id;
  };
  return { engine, action, create };
}

describe('vmware2scw:migration:run', () => {
  it('asks a stepwise migration to run to its last stage and waits until it succeeds, logging every stage', async () => {
    const { engine, action, create } = setup();
    const migrationId = await create(true);
    const { ctx, outputs, logger } = stepContext({ migrationId });

    await action.handler(ctx);

    expect(engine.callsOf('runMigrationStage').map(c => c.args)).toEqual([
      [{ migrationId, stage: 'cleanup' }],
    ]);
    expect(engine.callsOf('runMigrationStage')[0].principal).toBe(
      'user:default/jane',
    );
    expect(outputs.state).toBe('succeeded');
    expect(
      (outputs.stages as Array<{ stage: string; state: string }>).map(
        s => `${s.stage}:${s.state}`,
      ),
    ).toEqual(LINUX_PIPELINE.map(s => `${s}:succeeded`));
    expect(outputs.stageOutputs).toMatchObject({
      verify: { serverId: `srv-${migrationId}` },
    });
    for (const title of ['Validate', 'Export', 'Upload', 'Verify', 'Clean up'])
      expect(logger.text()).toContain(`${title} succeeded`);
    expect(logger.text()).toMatch(/Upload: \d+% \| disk-0/);
  });

  it('asks once per try: a retried task repeats no call, a task retried after a failure retries the migration once', async () => {
    const { engine, action, create } = setup();
    const migrationId = await create(false);
    engine.failStageOnce('import_scw', {
      code: 'SCW_QUOTA_EXCEEDED',
      message: 'the project has no snapshot quota left in fr-par-1',
      remediation: 'Ask Scaleway support to raise the quota, then retry.',
    });
    const checkpoints = checkpointMap();

    const first = stepContext({ migrationId }, { checkpoints });
    await expect(action.handler(first.ctx)).rejects.toMatchObject({
      code: 'SCW_QUOTA_EXCEEDED',
    });
    expect(engine.mutatingCalls()).toEqual([]); // it ran on its own: nothing to ask
    expect(first.logger.text()).toContain(
      'Remediation: Ask Scaleway support to raise the quota, then retry.',
    );

    const retry = stepContext({ migrationId }, { checkpoints });
    await action.handler(retry.ctx);
    expect(engine.mutatingCalls().map(c => c.op)).toEqual(['retryMigration']);
    expect(retry.outputs.state).toBe('succeeded');

    const again = stepContext({ migrationId }, { checkpoints });
    await action.handler(again.ctx);
    expect(engine.mutatingCalls()).toHaveLength(1);
  });

  it('has no side effect in a dry run', async () => {
    const { engine, action, create } = setup();
    const migrationId = await create(true);
    const { ctx } = stepContext({ migrationId }, { isDryRun: true });

    await action.handler(ctx);

    expect(engine.calls).toEqual([]);
  });

  it('cancels the running stage when the task is cancelled', async () => {
    const { engine, create } = setup();
    const migrationId = await create(true);
    const controller = new AbortController();
    const action = createMigrationRunAction({
      api: engine.api(),
      settings: DEFAULT_ACTION_SETTINGS,
      clock: cancellingClock(controller, 12),
    });
    const { ctx } = stepContext({ migrationId }, { signal: controller.signal });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'TASK_CANCELLED',
    });
    expect(engine.callsOf('cancelMigration')).toHaveLength(1);
    const m = engine.migrations.get(migrationId)!;
    expect(m.state).toBe('cancelled');
    expect(m.stages.filter(s => s.state === 'cancelled')).toHaveLength(1);
  });

  it('asks nothing for a task cancelled before the step started', async () => {
    const { engine, action, create } = setup();
    const migrationId = await create(true);
    const controller = new AbortController();
    controller.abort();
    const { ctx } = stepContext({ migrationId }, { signal: controller.signal });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'TASK_CANCELLED',
    });
    expect(engine.mutatingCalls()).toEqual([]);
  });
});

import { mockCredentials } from '@backstage/backend-test-utils';
import {
  STAGE_IDS,
  stageActionId,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import { FakeVmware2scwEngine } from '../__testUtils__/FakeVmware2scwEngine';
import {
  cancellingClock,
  checkpointMap,
  stepContext,
  virtualClock,
} from '../__testUtils__/stepContext';
import {
  DEFAULT_ACTION_SETTINGS,
  type ActionSettings,
} from '../settings/ActionSettings';
import { createStageAction, createStageActions } from './stageActions';

const GiB = 1024 ** 3;
const web01 = {
  entityRef: 'resource:default/web-01',
  name: 'web-01',
  osFamily: 'linux' as const,
  disks: [4 * GiB, 1 * GiB],
};

function setup(settings: Partial<ActionSettings> = {}) {
  const engine = new FakeVmware2scwEngine([web01]);
  const clock = virtualClock();
  const deps = {
    api: engine.api(),
    settings: { ...DEFAULT_ACTION_SETTINGS, ...settings },
    clock,
  };
  const action = (stage: StageId) => createStageAction(stage, deps);
  return { engine, clock, deps, action };
}

/** A stepwise migration whose stages before `stage` already ran. */
async function migrationAt(
  engine: FakeVmware2scwEngine,
  stage: StageId,
  stepwise = true,
) {
  const api = engine.as();
  const { migration } = await api.createMigration({
    entityRef: web01.entityRef,
    stepwise,
  });
  const before = migration.pipeline[migration.pipeline.indexOf(stage) - 1];
  if (before && stepwise) {
    await api.runMigrationStage({ migrationId: migration.id, stage: before });
    let m = await api.getMigration({ migrationId: migration.id });
    while (m.state !== 'waiting')
      m = await api.getMigration({ migrationId: migration.id });
  }
  engine.calls.length = 0;
  return migration.id;
}

describe('stage actions', () => {
  it('are the 13 stages of -common, each with a description and an example', () => {
    const actions = createStageActions(setup().deps);
    expect(actions.map(a => a.id)).toEqual(STAGE_IDS.map(stageActionId));
    expect(actions.map(a => a.id)).toContain('vmware2scw:adapt-guest');
    for (const a of actions) {
      expect(a.description?.length).toBeGreaterThan(150);
      expect(a.examples?.[0].example).toContain(`action: ${a.id}`);
      expect(a.supportsDryRun).toBe(true);
    }
  });

  it('asks the engine to run the stage on behalf of the initiator and follows it to its end, logging progress at a readable rate', async () => {
    const { engine, clock, action } = setup();
    engine.chunkBytes = 64 * 1024 ** 2; // 80 reads to move 5 GiB
    const migrationId = await migrationAt(engine, 'export');
    const { ctx, logger, outputs } = stepContext({ migrationId });

    await action('export').handler(ctx);

    expect(engine.callsOf('runMigrationStage')).toEqual([
      {
        op: 'runMigrationStage',
        args: [{ migrationId, stage: 'export' }],
        principal: 'user:default/jane',
      },
    ]);
    expect(outputs).toMatchObject({
      stage: 'export',
      state: 'succeeded',
      attempt: 1,
      bytes: 5 * GiB,
    });
    const reads = engine.callsOf('getMigration').length;
    const progressLines = logger.lines.filter(l =>
      /^Export: \d+% \| disk-0 .* \/ 4\.0 GiB, disk-1 .* \/ 1\.0 GiB \| 100\.0 MiB\/s, ETA /.test(
        l.message,
      ),
    );
    expect(reads).toBeGreaterThan(80);
    // Every 15 s of a 3 s poll or every 10 %: far fewer lines than reads, but some all along.
    expect(progressLines.length).toBeGreaterThanOrEqual(10);
    expect(progressLines.length).toBeLessThanOrEqual(reads / 4);
    expect(logger.text()).toMatch(
      /Export started \(attempt 1, on runner runner-1\)/,
    );
    expect(logger.text()).toMatch(/Export succeeded in 1m 00s \(5\.0 GiB\)/);
    expect(clock.elapsedMs()).toBeGreaterThan(0);
  });

  it('makes no second call to the engine when the step runs again (retry or recovery)', async () => {
    const { engine, action } = setup();
    const migrationId = await migrationAt(engine, 'snapshot');
    const checkpoints = checkpointMap();

    await action('snapshot').handler(
      stepContext({ migrationId }, { checkpoints }).ctx,
    );
    expect(engine.mutatingCalls()).toHaveLength(1);
    const again = stepContext({ migrationId }, { checkpoints });
    await action('snapshot').handler(again.ctx);

    expect(engine.mutatingCalls()).toHaveLength(1);
    expect(again.outputs).toMatchObject({ state: 'succeeded' });
    expect(again.logger.text()).toMatch(/already succeeded.*not asked again/);
  });

  it('gives its worker slot back after maxWait, and a retried step follows the stage without asking again', async () => {
    const { engine, action } = setup({ maxWaitMs: 30_000 });
    engine.chunkBytes = 64 * 1024 ** 2;
    const migrationId = await migrationAt(engine, 'export');
    const checkpoints = checkpointMap();

    const first = stepContext({ migrationId }, { checkpoints });
    await expect(action('export').handler(first.ctx)).rejects.toMatchObject({
      code: 'STEP_WAIT_EXCEEDED',
    });
    expect(first.logger.text()).toMatch(
      /Remediation: Follow the migration on the VM's page; retry the task/,
    );
    const second = stepContext({ migrationId }, { checkpoints });
    // The retried step gets a full maxWait of its own; 80 reads at 3 s need more than 30 s, so lift it.
    const patient = createStageAction('export', {
      api: engine.api(),
      settings: DEFAULT_ACTION_SETTINGS,
      clock: virtualClock(),
    });
    await patient.handler(second.ctx);

    expect(engine.callsOf('runMigrationStage')).toHaveLength(1);
    expect(second.outputs).toMatchObject({ state: 'succeeded' });
  });

  it('reports a failed stage with the engine’s code and remediation, and a retried task retries it once', async () => {
    const { engine, action } = setup();
    const migrationId = await migrationAt(engine, 'snapshot');
    engine.failStageOnce('snapshot', {
      code: 'VCENTER_SNAPSHOT_FAILED',
      message: 'CreateSnapshot_Task of vm-42 failed: disk locked',
      remediation: 'Consolidate the VM’s disks in vCenter, then retry.',
    });
    const checkpoints = checkpointMap();
    const first = stepContext({ migrationId }, { checkpoints });

    await expect(action('snapshot').handler(first.ctx)).rejects.toMatchObject({
      code: 'VCENTER_SNAPSHOT_FAILED',
      remediation: 'Consolidate the VM’s disks in vCenter, then retry.',
    });
    expect(first.logger.lines).toContainEqual({
      level: 'error',
      message:
        'Snapshot of web-01 (migration mig-2): CreateSnapshot_Task of vm-42 failed: disk locked [VCENTER_SNAPSHOT_FAILED]',
    });
    expect(first.logger.lines).toContainEqual({
      level: 'error',
      message:
        'Remediation: Consolidate the VM’s disks in vCenter, then retry.',
    });

    const retry = stepContext({ migrationId }, { checkpoints });
    await action('snapshot').handler(retry.ctx);
    // As the engine wants it: a failed migration is retried, then the stage is asked for again.
    expect(engine.mutatingCalls().map(c => c.op)).toEqual([
      'runMigrationStage',
      'retryMigration',
      'runMigrationStage',
    ]);
    expect(retry.outputs).toMatchObject({ state: 'succeeded', attempt: 2 });
  });

  it('passes an API refusal to the task log with its code and remediation', async () => {
    const { engine, action } = setup();
    const migrationId = await migrationAt(engine, 'validate');
    engine.refuseOnce('runMigrationStage', 403, {
      code: 'NOT_ALLOWED',
      message: 'user:default/jane may not migrate resource:default/web-01',
      remediation:
        'Ask an owner of web-01 or the platform team for vmware2scw.vm.migrate.',
    });
    const { ctx, logger } = stepContext({ migrationId });

    await expect(action('validate').handler(ctx)).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
    expect(logger.text()).toContain(
      'error: asking the engine to run Validate of web-01: user:default/jane may not migrate resource:default/web-01 [NOT_ALLOWED]',
    );
    expect(logger.text()).toContain(
      'error: Remediation: Ask an owner of web-01 or the platform team for vmware2scw.vm.migrate.',
    );
  });

  it('cancels the running stage through the API when the task is cancelled', async () => {
    const { engine, deps } = setup();
    engine.chunkBytes = 64 * 1024 ** 2;
    const migrationId = await migrationAt(engine, 'export');
    const controller = new AbortController();
    const action = createStageAction('export', {
      ...deps,
      clock: cancellingClock(controller, 5),
    });
    const { ctx, logger } = stepContext(
      { migrationId },
      { signal: controller.signal },
    );

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'TASK_CANCELLED',
    });
    expect(engine.callsOf('cancelMigration')).toEqual([
      {
        op: 'cancelMigration',
        args: [{ migrationId }],
        principal: 'user:default/jane',
      },
    ]);
    expect(engine.migrations.get(migrationId)?.state).toBe('cancelled');
    expect(logger.text()).toMatch(/The VM stays resumable/);
  });

  it('follows on with its own identity once the initiator’s token ended, and asks for nothing more on their behalf', async () => {
    const { engine, clock, deps } = setup();
    engine.chunkBytes = 64 * 1024 ** 2; // 80 reads, 3 s apart
    const migrationId = await migrationAt(engine, 'export');
    // As the scaffolder hands them back from the task's secrets: JSON, the date a string.
    const credentials = JSON.parse(
      JSON.stringify({
        ...mockCredentials.user('user:default/jane'),
        expiresAt: new Date(120_000),
      }),
    );

    const exported = stepContext({ migrationId }, { credentials });
    await createStageAction('export', deps).handler(exported.ctx);

    expect(exported.outputs).toMatchObject({ state: 'succeeded' });
    const readers = engine.callsOf('getMigration').map(c => c.principal);
    expect(readers[0]).toBe('user:default/jane');
    expect(readers[readers.length - 1]).toBeUndefined(); // the scaffolder's own identity
    expect(exported.logger.text()).toContain(
      "warn: The Backstage token of the person who ran the template ended at 1970-01-01T00:02:00.000Z: following the migration with the scaffolder's own identity.",
    );

    const converted = stepContext({ migrationId }, { credentials });
    await expect(
      createStageAction('convert', deps).handler(converted.ctx),
    ).rejects.toMatchObject({ code: 'INITIATOR_TOKEN_EXPIRED' });
    expect(engine.callsOf('runMigrationStage')).toHaveLength(1);
    expect(converted.logger.text()).toContain(
      'Remediation: Retry the task: it goes on with your fresh token',
    );
    expect(clock.elapsedMs()).toBeGreaterThan(120_000);
  });

  it('has no side effect in a dry run', async () => {
    const { engine, action } = setup();
    const migrationId = await migrationAt(engine, 'export');
    const { ctx, logger, outputs } = stepContext(
      { migrationId },
      { isDryRun: true },
    );

    await action('export').handler(ctx);

    expect(engine.calls).toEqual([]);
    expect(outputs).toEqual({ stage: 'export', state: 'pending' });
    expect(logger.text()).toMatch(
      /Dry run: Export of migration .* nothing was asked/,
    );
  });

  it('skips a stage that is not in the VM’s pipeline without asking', async () => {
    const { engine, action } = setup();
    const migrationId = await migrationAt(engine, 'validate');
    const { ctx, outputs, logger } = stepContext({ migrationId });

    await action('inject_virtio').handler(ctx);

    expect(engine.mutatingCalls()).toEqual([]);
    expect(outputs).toMatchObject({ state: 'skipped' });
    expect(logger.text()).toMatch(/not a stage of web-01's linux pipeline/);
  });

  it('only follows a migration the engine runs on its own (not stepwise)', async () => {
    const { engine, action } = setup();
    const migrationId = await migrationAt(engine, 'validate', false);
    const { ctx, outputs } = stepContext({ migrationId });

    await action('snapshot').handler(ctx);

    expect(engine.mutatingCalls()).toEqual([]);
    expect(outputs).toMatchObject({ state: 'succeeded' });
  });
});

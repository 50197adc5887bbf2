import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { FakeVmware2scwEngine } from '../__testUtils__/FakeVmware2scwEngine';
import { checkpointMap, stepContext } from '../__testUtils__/stepContext';
import { DEFAULT_ACTION_SETTINGS } from '../settings/ActionSettings';
import { createWaveRequestApprovalAction } from './waveRequestApproval';

function setup(approvers = ['group:default/platform-team']) {
  const engine = new FakeVmware2scwEngine([]);
  const sent: NotificationSendOptions[] = [];
  const notifications = {
    send: jest.fn(async (n: NotificationSendOptions) => {
      sent.push(n);
    }),
  };
  const action = createWaveRequestApprovalAction({
    api: engine.api(),
    settings: { ...DEFAULT_ACTION_SETTINGS, approvers },
    notifications,
  });
  return { engine, sent, notifications, action };
}

describe('vmware2scw:wave:request-approval', () => {
  it('notifies the configured approvers with a link to the wave on the migration page', async () => {
    const { engine, sent, action } = setup();
    const wave = engine.addWave({ name: 'weekend' });
    const { ctx, outputs } = stepContext({
      waveId: wave.id,
      comment: 'Saturday 22:00, rollback plan in the runbook.',
    });

    await action.handler(ctx);

    expect(engine.callsOf('getWave')[0].principal).toBe('user:default/jane');
    expect(sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: ['group:default/platform-team'],
        },
        payload: {
          title: 'Wave weekend awaits your approval',
          description:
            'user:default/jane asks you to approve wave weekend (3 VM(s) to migrate to Scaleway). Saturday 22:00, rollback plan in the runbook.',
          link: `/vmware2scw?wave=${wave.id}`,
          severity: 'high',
          topic: 'vmware2scw wave approval',
          scope: `vmware2scw:wave:${wave.id}:approval`,
        },
      },
    ]);
    expect(outputs).toEqual({
      link: `/vmware2scw?wave=${wave.id}`,
      state: 'awaiting_approval',
      notified: ['group:default/platform-team'],
    });
  });

  it('asks once however often the task is retried', async () => {
    const { engine, notifications, action } = setup();
    const wave = engine.addWave({ name: 'weekend' });
    const checkpoints = checkpointMap();

    await action.handler(stepContext({ waveId: wave.id }, { checkpoints }).ctx);
    await action.handler(stepContext({ waveId: wave.id }, { checkpoints }).ctx);

    expect(notifications.send).toHaveBeenCalledTimes(1);
  });

  it('notifies the recipients of the step, written in full, rather than the configured ones', async () => {
    const { engine, sent, action } = setup();
    const wave = engine.addWave({ name: 'weekend' });

    await action.handler(
      stepContext({
        waveId: wave.id,
        recipients: ['user:jane', 'Group:default/team-web'],
      }).ctx,
    );

    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['user:default/jane', 'group:default/team-web'],
    });
  });

  it('refuses a recipient that is not a user or a group, naming it', async () => {
    const { engine, notifications, action } = setup();
    const wave = engine.addWave({ name: 'weekend' });

    await expect(
      action.handler(
        stepContext({
          waveId: wave.id,
          recipients: ['resource:default/web-01'],
        }).ctx,
      ),
    ).rejects.toThrow(
      /recipient "resource:default\/web-01" is not a user or group entity ref/,
    );
    expect(notifications.send).not.toHaveBeenCalled();
  });

  it('says who to configure when there is nobody to ask', async () => {
    const { engine, action } = setup([]);
    const wave = engine.addWave({ name: 'weekend' });

    await expect(
      action.handler(stepContext({ waveId: wave.id, recipients: [] }).ctx),
    ).rejects.toThrow(/configure scaffolder\.vmware2scw\.approvers/);
  });

  it('asks nobody for a wave already approved', async () => {
    const { engine, notifications, action } = setup();
    const wave = engine.addWave({
      name: 'weekend',
      state: 'running',
      approvals: [
        {
          decision: 'approved',
          by: 'user:default/boss',
          at: '2026-12-05T21:00:00Z',
        },
      ],
    });
    const { ctx, outputs, logger } = stepContext({ waveId: wave.id });

    await action.handler(ctx);

    expect(notifications.send).not.toHaveBeenCalled();
    expect(outputs.notified).toEqual([]);
    expect(logger.text()).toMatch(
      /already approved \(by user:default\/boss at 2026-12-05T21:00:00Z\) and running/,
    );
  });

  it('fails with a code and a remediation for a wave that does not await approval yet', async () => {
    const { engine, notifications, action } = setup();
    const wave = engine.addWave({ name: 'second', state: 'pending' });
    const { ctx, logger } = stepContext({ waveId: wave.id });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'WAVE_NOT_AWAITING_APPROVAL',
    });
    expect(logger.text()).toContain(
      'Remediation: Ask again once the waves before it are done and it awaits approval.',
    );
    expect(notifications.send).not.toHaveBeenCalled();
  });

  it('notifies nobody in a dry run', async () => {
    const { engine, notifications, action } = setup();
    const wave = engine.addWave({ name: 'weekend' });
    const { ctx, logger } = stepContext(
      { waveId: wave.id },
      { isDryRun: true },
    );

    await action.handler(ctx);

    expect(notifications.send).not.toHaveBeenCalled();
    expect(engine.mutatingCalls()).toEqual([]);
    expect(logger.text()).toMatch(
      /Dry run: would notify group:default\/platform-team: "Wave weekend awaits your approval"/,
    );
  });

  it('passes an unknown wave to the task log with its code and remediation', async () => {
    const { action } = setup();
    const { ctx, logger } = stepContext({ waveId: 'wave-x' });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'WAVE_NOT_FOUND',
    });
    expect(logger.text()).toContain(
      'error: reading wave wave-x: no wave wave-x [WAVE_NOT_FOUND]\nerror: Remediation: Check the wave id on the migration page.',
    );
  });
});

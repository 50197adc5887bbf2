import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ActionFailure, callApi } from '../api/ActionFailure';
import type { ActionDeps } from './ActionDeps';
import { actionExample } from './actionExample';

/** Where a wave is shown, with its approve and reject buttons: the migration page. */
export function waveLink(waveId: string): string {
  return `/vmware2scw?wave=${encodeURIComponent(waveId)}`;
}

/**
 * `vmware2scw:wave:request-approval`: tells the approvers, through Backstage notifications, that a wave
 * awaits their approval, with a link to it on the migration page. Approving stays a decision taken
 * there (vmware2scw.wave.approve); this step only asks, once per task however often it is retried.
 */
export function createWaveRequestApprovalAction(
  deps: ActionDeps & { notifications: NotificationService },
) {
  return createTemplateAction({
    id: 'vmware2scw:wave:request-approval',
    description:
      'Notifies the approvers (Backstage notifications) that a wave awaits their approval, with a link to the wave on the migration page. Recipients default to scaffolder.vmware2scw.approvers, else vmware2scw.permissions.admins. A retried task does not notify twice.',
    examples: [
      actionExample('Ask the platform team to approve the wave just created.', [
        {
          id: 'approval',
          name: 'Request approval',
          action: 'vmware2scw:wave:request-approval',
          input: {
            waveId: '${{ steps.create.output.waveId }}',
            recipients: ['group:default/platform-team'],
            comment: 'Maintenance window on Saturday 22:00',
          },
        },
      ]),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        waveId: z => z.string().min(1).describe('Id of the wave'),
        recipients: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'User or group entity refs to notify; none or empty: the configured approvers',
            ),
        comment: z =>
          z
            .string()
            .max(2000)
            .optional()
            .describe('Why, when, anything the approvers should know'),
      },
      output: {
        link: z => z.string().describe('The wave on the migration page'),
        state: z => z.string().describe('State of the wave'),
        notified: z =>
          z
            .array(z.string())
            .describe('Who was notified (none when already approved)'),
      },
    },
    async handler(ctx) {
      const { waveId, comment } = ctx.input;
      // An empty list (a template's optional picker left empty) means the configured approvers.
      const recipients = approverRefs(
        ctx.input.recipients?.length
          ? ctx.input.recipients
          : deps.settings.approvers,
      );
      const api = deps.api.as(await ctx.getInitiatorCredentials());
      const wave = await callApi(ctx.logger, `reading wave ${waveId}`, () =>
        api.getWave({ waveId }),
      );
      const link = waveLink(waveId);
      ctx.output('link', link);
      ctx.output('state', wave.state);

      if (wave.state !== 'awaiting_approval') {
        const approval = wave.approvals.find(a => a.decision === 'approved');
        if (
          approval ||
          wave.state === 'running' ||
          wave.state === 'completed'
        ) {
          ctx.logger.info(
            `Wave ${wave.name} is already approved${
              approval ? ` (by ${approval.by} at ${approval.at})` : ''
            } and ${wave.state}: nobody to ask.`,
          );
          ctx.output('notified', []);
          return;
        }
        const failure = new ActionFailure(
          `asking approval of wave ${wave.name}`,
          {
            code: 'WAVE_NOT_AWAITING_APPROVAL',
            message: `the wave is ${wave.state}, not awaiting approval`,
            remediation:
              wave.state === 'pending'
                ? 'Ask again once the waves before it are done and it awaits approval.'
                : `Open ${link} to see why the wave is ${wave.state}.`,
          },
        );
        failure.report(ctx.logger);
        throw failure;
      }

      const requester = ctx.user?.ref ?? 'Someone';
      const title = `Wave ${wave.name} awaits your approval`;
      const description = `${requester} asks you to approve wave ${
        wave.name
      } (${wave.counts.total} VM(s) to migrate to Scaleway).${
        comment ? ` ${comment}` : ''
      }`;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would notify ${recipients.join(
            ', ',
          )}: "${title}" with a link to ${link}.`,
        );
        ctx.output('notified', []);
        return;
      }
      await ctx.checkpoint({
        key: `notify:${waveId}`,
        fn: async () => {
          try {
            await deps.notifications.send({
              recipients: { type: 'entity', entityRef: recipients },
              payload: {
                title,
                description,
                link,
                severity: 'high',
                topic: 'vmware2scw wave approval',
                // One notification per wave: sent again, it updates instead of piling up.
                scope: `vmware2scw:wave:${waveId}:approval`,
              },
            });
          } catch (error) {
            const failure = new ActionFailure(
              `notifying the approvers of wave ${wave.name}`,
              {
                code: 'NOTIFICATION_FAILED',
                message: error instanceof Error ? error.message : String(error),
                remediation:
                  'Check that @backstage/plugin-notifications-backend is installed and running, then retry the task.',
              },
            );
            failure.report(ctx.logger);
            throw failure;
          }
          return { recipients };
        },
      });
      ctx.logger.info(
        `Asked ${recipients.join(', ')} to approve wave ${wave.name}: ${link}`,
      );
      ctx.output('notified', recipients);
    },
  });
}

/** The approvers as full user or group entity refs; anything else is refused, naming it. */
function approverRefs(refs: string[]): string[] {
  if (refs.length === 0)
    throw new InputError(
      'vmware2scw:wave:request-approval has nobody to notify: give the step recipients (user or group entity refs), or configure scaffolder.vmware2scw.approvers or vmware2scw.permissions.admins.',
    );
  return refs.map(ref => {
    let parsed;
    try {
      parsed = parseEntityRef(ref);
    } catch {
      parsed = undefined;
    }
    const kind = parsed?.kind.toLocaleLowerCase('en-US');
    if (!parsed || (kind !== 'user' && kind !== 'group'))
      throw new InputError(
        `vmware2scw:wave:request-approval: recipient "${ref}" is not a user or group entity ref; write it as group:default/platform-team or user:default/jane.`,
      );
    return stringifyEntityRef(parsed);
  });
}

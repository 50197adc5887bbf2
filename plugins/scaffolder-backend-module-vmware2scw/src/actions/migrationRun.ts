import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { STAGES } from '@internal/plugin-vmware2scw-common';
import { attemptsOf, migrationIsOver } from '../follow/outcome';
import type { ActionDeps } from './ActionDeps';
import { actionExample } from './actionExample';
import { MIGRATION_ID_DESCRIPTION, MigrationStep } from './MigrationStep';

/**
 * `vmware2scw:migration:run`: every remaining stage of a migration, waiting until it ends. A stepwise
 * migration is asked to run up to its last stage; a failed or cancelled one is retried from its first
 * stage not succeeded; one the engine already runs (or that waits for its wave's approval) is followed.
 */
export function createMigrationRunAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'vmware2scw:migration:run',
    description:
      'Runs all remaining stages of a migration and waits until it ends, logging each stage and its progress. A failed or cancelled migration is retried from its first stage not succeeded. Cancelling the task cancels the running stage; a retried task does not ask twice.',
    examples: [
      actionExample('Run a migration to its end in one step.', [
        {
          id: 'run',
          name: 'Migrate',
          action: 'vmware2scw:migration:run',
          input: { migrationId: '${{ steps.create.output.migrationId }}' },
        },
      ]),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        migrationId: z => z.string().min(1).describe(MIGRATION_ID_DESCRIPTION),
      },
      output: {
        state: z =>
          z.string().describe('State of the migration at the end (succeeded)'),
        stages: z =>
          z
            .array(
              z.object({
                stage: z.string(),
                state: z.string(),
                durationSeconds: z.number().optional(),
                bytes: z.number().optional(),
              }),
            )
            .describe('Each stage of the pipeline and how it ended'),
        stageOutputs: z =>
          z
            .record(z.record(z.any()))
            .describe(
              'What each stage recorded, by stage id (verify.serverId is the new server)',
            ),
      },
    },
    async handler(ctx) {
      const { migrationId } = ctx.input;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: the remaining stages of migration ${migrationId} would be run and followed; nothing was asked.`,
        );
        ctx.output('state', 'pending');
        ctx.output('stages', []);
        ctx.output('stageOutputs', {});
        return;
      }
      const opened = await MigrationStep.open(ctx, deps, migrationId);
      const { step } = opened;
      let m = opened.migration;
      const last = m.pipeline[m.pipeline.length - 1];
      const vmName = m.vmName;
      if (m.state !== 'succeeded') {
        // Keyed by the migration's total attempts: one ask per try, and a retried task asks no more.
        const key = `run-all:${migrationId}:${attemptsOf(m)}`;
        const stepwise = m.stepwise;
        const retry = m.state === 'failed' || m.state === 'cancelled';
        if (retry) {
          await step.askOnce(
            key,
            `retrying the migration of ${vmName}`,
            async api => {
              const after = await api.retryMigration({ migrationId });
              return stepwise
                ? api.runMigrationStage({ migrationId, stage: last })
                : after;
            },
          );
        } else if (stepwise && m.state !== 'running' && m.runUntil !== last) {
          await step.askOnce(
            key,
            `asking the engine to run ${vmName} up to ${STAGES[last].title}`,
            api => api.runMigrationStage({ migrationId, stage: last }),
          );
        }
        ctx.logger.info(
          `Migration of ${vmName} (${m.pipeline.length} stages): following it to its end.`,
        );
        m = await step.follow(`Migration of ${vmName}`, migrationIsOver);
      } else {
        ctx.logger.info(
          `Migration of ${vmName} already succeeded: nothing to ask.`,
        );
      }
      ctx.output('state', m.state);
      ctx.output(
        'stages',
        m.stages.map(s => ({
          stage: s.stage,
          state: s.state,
          ...(s.durationSeconds === undefined
            ? {}
            : { durationSeconds: s.durationSeconds }),
          ...(s.bytes === undefined ? {} : { bytes: s.bytes }),
        })),
      );
      ctx.output(
        'stageOutputs',
        Object.fromEntries(m.stages.map(s => [s.stage, s.outputs ?? {}])),
      );
    },
  });
}

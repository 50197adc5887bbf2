import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  STAGE_IDS,
  STAGES,
  stageActionId,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import { stageIsOver, stageRunOf } from '../follow/outcome';
import { formatDuration } from '../follow/progressText';
import type { ActionDeps } from './ActionDeps';
import { actionExample } from './actionExample';
import { MIGRATION_ID_DESCRIPTION, MigrationStep } from './MigrationStep';

/** The 13 stage actions (`vmware2scw:validate` … `vmware2scw:cleanup`), one per stage of -common's data. */
export function createStageActions(deps: ActionDeps) {
  return STAGE_IDS.map(stage => createStageAction(stage, deps));
}

/**
 * `vmware2scw:<stage>`: asks the engine to run one stage of a stepwise migration (and any earlier one
 * not run yet), then follows it to its end with its progress in the task log. The heavy work stays on
 * the engine and its runners; the step only asks and reads.
 */
export function createStageAction(stage: StageId, deps: ActionDeps) {
  const def = STAGES[stage];
  return createTemplateAction({
    id: stageActionId(stage),
    description: `${def.title} of a VM migration: ${def.description} Asks the vmware2scw engine to run this stage of a stepwise migration, then follows it to its end (progress, rate and ETA in the task log). Cancelling the task cancels the stage; a retried task does not ask twice.`,
    examples: [
      actionExample(
        `Run ${def.title} of the migration created by an earlier vmware2scw:migration:create step.`,
        [
          {
            id: stage,
            name: def.title,
            action: stageActionId(stage),
            input: { migrationId: '${{ steps.create.output.migrationId }}' },
          },
        ],
      ),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        migrationId: z => z.string().min(1).describe(MIGRATION_ID_DESCRIPTION),
      },
      output: {
        stage: z => z.string().describe('The stage id'),
        state: z =>
          z
            .string()
            .describe(
              'How the stage ended: succeeded or skipped (pending in a dry run)',
            ),
        attempt: z =>
          z.number().optional().describe('Runs of the stage so far'),
        durationSeconds: z =>
          z.number().optional().describe('How long the stage ran'),
        bytes: z =>
          z.number().optional().describe('Bytes the stage moved or produced'),
        outputs: z =>
          z
            .record(z.any())
            .optional()
            .describe(
              `What the stage recorded (${
                def.outputs.join(', ') || 'nothing'
              })`,
            ),
      },
    },
    async handler(ctx) {
      const { migrationId } = ctx.input;
      ctx.output('stage', stage);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: ${def.title} of migration ${migrationId} would be asked for and followed; nothing was asked.`,
        );
        ctx.output('state', 'pending');
        return;
      }
      const opened = await MigrationStep.open(ctx, deps, migrationId);
      const { step } = opened;
      let m = opened.migration;
      let run = stageRunOf(m, stage);
      if (!run) {
        ctx.logger.info(
          `${def.title} is not a stage of ${m.vmName}'s ${m.osFamily} pipeline: nothing to do.`,
        );
        ctx.output('state', 'skipped');
        return;
      }
      const awaiting = `${def.title} of ${m.vmName}`;
      if (run.state === 'succeeded' || run.state === 'skipped') {
        ctx.logger.info(
          `${awaiting} already ${run.state}${
            run.durationSeconds === undefined
              ? ''
              : ` (in ${formatDuration(run.durationSeconds)})`
          }: not asked again.`,
        );
      } else {
        if (!m.stepwise) {
          // The engine runs this migration on its own: asking would make it stop after this stage.
          ctx.logger.info(
            `Migration ${migrationId} runs on its own (not stepwise): following ${def.title}.`,
          );
        } else if (run.state !== 'running') {
          // One ask per try of the stage: a task retried after the stage failed asks again, since the
          // stage's attempt count moved on.
          // The engine runs a failed or cancelled migration again only once retried.
          const retry = m.state === 'failed' || m.state === 'cancelled';
          await step.askOnce(
            `run:${migrationId}:${stage}:${run.attempt}`,
            `asking the engine to ${retry ? 'retry' : 'run'} ${awaiting}`,
            async api => {
              if (retry) await api.retryMigration({ migrationId });
              return api.runMigrationStage({ migrationId, stage });
            },
          );
          ctx.logger.info(
            `${awaiting} (${m.targetType ?? 'recommended type'}, ${
              m.zone
            }): asked the engine; following it.`,
          );
        }
        m = await step.follow(awaiting, next => stageIsOver(next, stage));
        run = stageRunOf(m, stage) ?? run;
      }
      ctx.output('state', run.state);
      ctx.output('attempt', run.attempt);
      if (run.durationSeconds !== undefined)
        ctx.output('durationSeconds', run.durationSeconds);
      if (run.bytes !== undefined) ctx.output('bytes', run.bytes);
      ctx.output('outputs', run.outputs ?? {});
    },
  });
}

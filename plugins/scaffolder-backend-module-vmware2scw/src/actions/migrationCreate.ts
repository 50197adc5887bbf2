import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  stageActionId,
  type ApiModel,
  type StageId,
  type Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';
import type { JsonObject } from '@backstage/types';
import { callApi } from '../api/ActionFailure';
import type { ActionDeps } from './ActionDeps';
import { actionExample } from './actionExample';

/** Wave values that mean "no wave, start now" (the template's choice between a wave and now). */
const NOW = new Set(['', 'now']);

/**
 * `vmware2scw:migration:create`: one VM, as a one-VM batch (the old `migrate`), on behalf of the
 * template's initiator (the API checks vmware2scw.vm.migrate on the VM). Stepwise when the template's
 * next steps are the stage actions; in a wave (which waits for an approval) otherwise.
 */
export function createMigrationCreateAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'vmware2scw:migration:create',
    description:
      'Creates the migration of one VM to Scaleway (the old `migrate`): target type, zone, and either a wave that waits for an approval or now. Stepwise migrations run no stage until the stage actions ask for it. A retried task does not create a second migration.',
    examples: [
      actionExample(
        'Create a stepwise migration, to be run by the stage actions that follow.',
        [
          {
            id: 'create',
            name: 'Create the migration',
            action: 'vmware2scw:migration:create',
            input: {
              entityRef: '${{ parameters.vm }}',
              targetType: '${{ parameters.targetType }}',
              zone: 'fr-par-1',
              stepwise: true,
            },
          },
        ],
      ),
      actionExample(
        'Put a VM in a wave of its own that waits for an approval.',
        [
          {
            id: 'create',
            name: 'Create the migration',
            action: 'vmware2scw:migration:create',
            input: {
              entityRef: 'resource:default/web-01',
              wave: 'weekend-2026-12-05',
            },
          },
        ],
      ),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe('Entity ref of the VM, e.g. resource:default/web-01'),
        targetType: z =>
          z
            .string()
            .optional()
            .describe(
              'Scaleway commercial type; default the type recommended for the VM',
            ),
        zone: z =>
          z
            .string()
            .optional()
            .describe('Scaleway zone; default the backend’s default zone'),
        wave: z =>
          z
            .string()
            .optional()
            .describe(
              'Name of a wave to create for the VM (it waits for an approval); empty or "now" starts now',
            ),
        stepwise: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Run no stage until a stage action asks for it (templates whose steps are the stage actions). Default false.',
            ),
        checkOnly: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Only run the engine’s checks (the old `migrate --dry-run`): nothing is created. Default false.',
            ),
      },
      output: {
        migrationId: z => z.string().describe('Id of the migration'),
        batchId: z => z.string().optional().describe('Id of its batch'),
        waveId: z =>
          z.string().optional().describe('Id of its wave, when in a wave'),
        waveName: z => z.string().optional().describe('Name of its wave'),
        vmName: z => z.string().describe('The VM’s name in vSphere'),
        targetType: z => z.string().optional().describe('Scaleway type'),
        zone: z => z.string().describe('Scaleway zone'),
        pipeline: z =>
          z.array(z.string()).describe('Stage ids the VM goes through'),
        stageActions: z =>
          z
            .array(z.string())
            .describe(
              'Action ids of the stages the next steps should run: the pipeline when stepwise, none otherwise (the engine runs it)',
            ),
        stepwise: z =>
          z.boolean().describe('Whether the migration is stepwise'),
        checks: z =>
          z.any().optional().describe('The engine’s check report (checkOnly)'),
      },
    },
    async handler(ctx) {
      const { entityRef, targetType, zone } = ctx.input;
      const wave = NOW.has((ctx.input.wave ?? '').trim().toLowerCase())
        ? undefined
        : ctx.input.wave?.trim();
      const stepwise = ctx.input.stepwise ?? false;
      if (stepwise && wave)
        throw new InputError(
          `vmware2scw:migration:create: a stepwise migration cannot wait in wave "${wave}": set wave to "now" to run it with the stage steps, or stepwise to false to let the engine run it once the wave is approved.`,
        );
      const api = deps.api.as(await ctx.getInitiatorCredentials());

      if (ctx.isDryRun || ctx.input.checkOnly) {
        const outputs = await check(ctx.logger, api, {
          entityRef,
          targetType,
          zone,
          wave,
          stepwise,
          engineChecks: Boolean(ctx.input.checkOnly) && !ctx.isDryRun,
        });
        for (const [key, value] of Object.entries(outputs))
          ctx.output(key as keyof typeof outputs, value);
        return;
      }

      const created = await ctx.checkpoint({
        key: `create:${entityRef}`,
        fn: async () => {
          const { migration: m } = await callApi(
            ctx.logger,
            `creating the migration of ${entityRef}`,
            () =>
              api.createMigration({
                entityRef,
                targetType,
                zone,
                wave,
                stepwise,
                // A recovered task that lost its checkpoint gets the same migration back.
                requestId: `scaffolder:${ctx.task.id}:${
                  ctx.step?.id ?? 'create'
                }`,
                scaffolderTaskId: ctx.task.id,
              }),
          );
          return {
            migrationId: m.id,
            batchId: m.batchId,
            ...(m.waveId ? { waveId: m.waveId } : {}),
            ...(m.waveName ? { waveName: m.waveName } : {}),
            vmName: m.vmName,
            ...(m.targetType ? { targetType: m.targetType } : {}),
            zone: m.zone,
            pipeline: m.pipeline as string[],
            stepwise: Boolean(m.stepwise),
            // The engine puts every migration in a wave (one of its own, `now`, when none was asked
            // for); only a wave asked for waits for an approval.
            awaitsApproval: Boolean(wave),
          };
        },
      });
      ctx.logger.info(
        `Migration ${created.migrationId}: ${created.vmName} to ${
          created.targetType ?? 'the recommended type'
        } in ${created.zone}, ${
          created.pipeline.length
        } stages (${created.pipeline.join(' → ')})`,
      );
      if (created.awaitsApproval)
        ctx.logger.info(
          `It waits in wave ${created.waveName} for an approval; the engine runs it once approved.`,
        );
      else if (created.stepwise)
        ctx.logger.info('Stepwise: each stage runs when its step asks for it.');
      const { awaitsApproval: _, ...outputs } = created;
      for (const [key, value] of Object.entries(outputs))
        ctx.output(key as 'migrationId', value as string);
      ctx.output(
        'stageActions',
        created.stepwise
          ? (created.pipeline as StageId[]).map(stageActionId)
          : [],
      );
    },
  });
}

/**
 * What a dry run (or `checkOnly`) says: the VM's assessment (read only), and with `engineChecks` the
 * engine's own dry run, which the contract says creates nothing.
 */
async function check(
  logger: LoggerService,
  api: Vmware2scwApiCalls,
  req: {
    entityRef: string;
    targetType?: string;
    zone?: string;
    wave?: string;
    stepwise: boolean;
    engineChecks: boolean;
  },
) {
  const assessment = await callApi(logger, `assessing ${req.entityRef}`, () =>
    api.getVmAssessment({ entityRef: req.entityRef, zone: req.zone }),
  );
  const targetType = req.targetType ?? assessment.recommended;
  logger.info(
    `Dry run: ${assessment.vm.name} (${
      assessment.vm.osFamily
    }) would migrate to ${targetType ?? 'no type (none fits)'} in ${
      assessment.zone
    }${req.wave ? ` in wave ${req.wave}` : ', now'}; ${
      assessment.pipeline.length
    } stages: ${assessment.pipeline.join(' → ')}. Nothing was created.`,
  );
  for (const c of assessment.concerns)
    logger[c.severity === 'critical' ? 'warn' : 'info'](
      `Concern (${c.severity}) ${c.label}: ${c.assessment} ${c.remediation}`,
    );
  if (!assessment.migratable)
    logger.warn(
      `${assessment.vm.name} is not migratable as it is: the validate stage would stop on its critical concerns.`,
    );
  let report: ApiModel.DryRunReport | undefined;
  if (req.engineChecks) {
    const result = await callApi(
      logger,
      `checking the migration of ${req.entityRef}`,
      () =>
        api.createMigration({
          entityRef: req.entityRef,
          targetType: req.targetType,
          zone: req.zone,
          wave: req.wave,
          dryRun: true,
        }),
    );
    report = result.dryRun;
    for (const c of [
      ...(report?.services ?? []),
      ...(report?.vms.flatMap(v => v.checks) ?? []),
    ])
      logger[c.ok ? 'info' : 'warn'](
        `${c.ok ? 'ok' : 'FAILED'} ${c.check}: ${c.message}${
          c.remediation && !c.ok ? ` ${c.remediation}` : ''
        }`,
      );
  }
  return {
    migrationId: 'dry-run',
    vmName: assessment.vm.name,
    ...(targetType ? { targetType } : {}),
    zone: assessment.zone,
    pipeline: assessment.pipeline as string[],
    stageActions: req.stepwise ? assessment.pipeline.map(stageActionId) : [],
    stepwise: req.stepwise,
    ...(report ? { checks: report as unknown as JsonObject } : {}),
  };
}

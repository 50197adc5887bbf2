import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  pauseAfterSchema,
  sizingStrategySchema,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { callApi } from '../api/ActionFailure';
import type { ActionDeps } from './ActionDeps';
import { actionExample } from './actionExample';

/** How the plan groups VMs into waves; checked against the API's type so the two cannot drift apart. */
const WAVE_BY = [
  'single',
  'datacenter',
  'cluster',
  'host',
  'folder',
] as const satisfies readonly NonNullable<
  ApiModel.PlanFromFiltersRequest['waveBy']
>[];

/**
 * `vmware2scw:plan:create`: the old `inventory-plan`: the old tool's filters over the catalog's VM
 * entities → a plan YAML (v1), stored under `name` when one is given (vmware2scw.plan.create).
 */
export function createPlanCreateAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'vmware2scw:plan:create',
    description:
      'Builds a migration plan (YAML v1) from the old tool’s VM filters (`os:linux`, `name:web-*`, `folder:…`, bounds on CPU, RAM and disk) over the catalog’s VMs, with a Scaleway type for each VM; stores it when a name is given. A retried task does not store it twice.',
    examples: [
      actionExample('Plan the Linux web VMs in one wave and store the plan.', [
        {
          id: 'plan',
          name: 'Plan',
          action: 'vmware2scw:plan:create',
          input: {
            name: 'web-linux',
            filters: { filters: ['os:linux', 'name:web-*'], maxDiskGb: 500 },
            sizing: 'optimize',
            zone: 'fr-par-1',
            waveBy: 'single',
            waveName: 'web',
            pauseAfter: 'pause_on_failure',
          },
        },
      ]),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .max(200)
            .optional()
            .describe(
              'Name to store the plan under; without it the plan is only returned',
            ),
        description: z =>
          z.string().optional().describe('What the plan is for'),
        filters: z =>
          z
            .object({
              filters: z
                .array(z.string())
                .optional()
                .describe('`kind:value` filters, ANDed'),
              minCpu: z.number().optional(),
              maxCpu: z.number().optional(),
              minRamGb: z.number().optional(),
              maxDiskGb: z.number().optional(),
            })
            .optional()
            .describe(
              'The old tool’s filters and bounds (Vmware2scwVmFilters)',
            ),
        autoMap: z =>
          z
            .boolean()
            .optional()
            .describe('Write a target_type for each VM now (default true)'),
        sizing: z =>
          z
            .enum(sizingStrategySchema.options)
            .optional()
            .describe('Sizing strategy for the target types'),
        zone: z => z.string().optional().describe('Scaleway zone'),
        tags: z =>
          z.array(z.string()).optional().describe('Tags of the new servers'),
        waveBy: z =>
          z.enum(WAVE_BY).optional().describe('How VMs are grouped into waves'),
        waveName: z =>
          z
            .string()
            .optional()
            .describe('Name of the wave when waveBy is single'),
        pauseAfter: z =>
          z
            .enum(pauseAfterSchema.options)
            .optional()
            .describe('What happens after each wave'),
        includeTemplates: z =>
          z.boolean().optional().describe('Also plan vSphere templates'),
      },
      output: {
        yaml: z => z.string().describe('The plan, YAML v1'),
        planId: z =>
          z.string().optional().describe('Id of the stored plan (with a name)'),
        selected: z =>
          z.array(z.string()).describe('Names of the VMs the plan migrates'),
        skipped: z =>
          z
            .array(z.object({ vmName: z.string(), reason: z.string() }))
            .describe('VMs the filters matched but the plan leaves out'),
        problems: z => z.array(z.any()).describe('Warnings about the plan'),
      },
    },
    async handler(ctx) {
      const { name, ...rest } = ctx.input;
      const request: ApiModel.PlanFromFiltersRequest = rest;
      const api = deps.api.as(await ctx.getInitiatorCredentials());
      const build = async (store: boolean) => {
        const result = await callApi(
          ctx.logger,
          store ? `creating plan ${name}` : 'building the plan',
          () =>
            api.createPlanFromFilters(
              store && name ? { ...request, name } : request,
            ),
        );
        return {
          yaml: result.yaml,
          ...(result.plan ? { planId: result.plan.id } : {}),
          selected: result.selected,
          skipped: result.skipped,
          problems: result.problems as unknown as Array<{
            [key: string]: string | number;
          }>,
        };
      };
      // Only a named plan is stored: that is the one side effect, and the one call a retry must not repeat.
      const plan =
        name && !ctx.isDryRun
          ? await ctx.checkpoint({
              key: `plan:${name}`,
              fn: () => build(true),
            })
          : await build(false);
      let stored = ' (not stored: no name)';
      if (plan.planId) stored = `, stored as ${plan.planId}`;
      else if (name) stored = ' (dry run: not stored)';
      ctx.logger.info(
        `Plan${name ? ` ${name}` : ''}: ${plan.selected.length} VM(s) selected${
          plan.skipped.length ? `, ${plan.skipped.length} left out` : ''
        }${stored}.`,
      );
      for (const s of plan.skipped)
        ctx.logger.info(`Left out ${s.vmName}: ${s.reason}`);
      for (const p of plan.problems)
        ctx.logger.warn(`${p.message} (${p.code}): ${p.remediation}`);
      ctx.output('yaml', plan.yaml);
      if (plan.planId) ctx.output('planId', plan.planId);
      ctx.output('selected', plan.selected);
      ctx.output('skipped', plan.skipped);
      ctx.output('problems', plan.problems);
    },
  });
}

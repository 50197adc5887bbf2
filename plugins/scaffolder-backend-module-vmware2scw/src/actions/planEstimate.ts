import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { JsonObject } from '@backstage/types';
import { callApi } from '../api/ActionFailure';
import type { ActionDeps } from './ActionDeps';
import { actionExample } from './actionExample';
import { estimateSummary } from './estimateSummary';

/**
 * `vmware2scw:plan:estimate`: the old `batch estimate` of a stored plan, or of a plan YAML not stored
 * yet. It changes nothing, so a retry or a dry run simply estimates again.
 */
export function createPlanEstimateAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'vmware2scw:plan:estimate',
    description:
      'Estimates a plan (the old `batch estimate`): bytes to move, duration per wave, scratch space, monthly Scaleway cost, concerns. Takes a stored plan id or a plan YAML; changes nothing.',
    examples: [
      actionExample('Estimate the plan built by an earlier step.', [
        {
          id: 'estimate',
          name: 'Estimate',
          action: 'vmware2scw:plan:estimate',
          input: {
            planId: '${{ steps.plan.output.planId }}',
            yaml: '${{ steps.plan.output.yaml }}',
            model: { linkMbps: 1000 },
          },
        },
      ]),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        planId: z =>
          z
            .string()
            .optional()
            .describe('Id of a stored plan (preferred when both are given)'),
        yaml: z => z.string().optional().describe('A plan YAML not stored yet'),
        model: z =>
          z
            .record(z.any())
            .optional()
            .describe(
              'Duration model overrides (linkMbps, availableDiskGb, …)',
            ),
      },
      output: {
        estimate: z =>
          z.record(z.any()).describe('The estimate, as the API returns it'),
        summary: z =>
          z.string().describe('The estimate as Markdown, for an output page'),
        monthlyCostEur: z => z.number().describe('Monthly cost of the plan'),
        durationSeconds: z =>
          z.number().describe('Estimated duration of the whole plan'),
      },
    },
    async handler(ctx) {
      const { planId, yaml, model } = ctx.input;
      if (!planId && !yaml)
        throw new InputError(
          'vmware2scw:plan:estimate needs planId (a stored plan) or yaml (a plan not stored yet): pass the output of vmware2scw:plan:create.',
        );
      const api = deps.api.as(await ctx.getInitiatorCredentials());
      const estimate = await callApi(
        ctx.logger,
        planId ? `estimating plan ${planId}` : 'estimating the plan',
        () =>
          planId
            ? api.estimatePlan({ planId }, model ? { model } : undefined)
            : api.estimatePlanYaml({ yaml, ...(model ? { model } : {}) }),
      );
      const summary = estimateSummary(estimate);
      // The totals and the cost in the log; the tables are for the output page.
      for (const paragraph of summary.split('\n\n').slice(0, 2))
        ctx.logger.info(`Estimate: ${paragraph.replace(/\*\*/g, '')}`);
      ctx.output('estimate', estimate as unknown as JsonObject);
      ctx.output('summary', summary);
      ctx.output('monthlyCostEur', estimate.totals.monthlyCostEur);
      ctx.output('durationSeconds', estimate.totals.durationSeconds);
    },
  });
}

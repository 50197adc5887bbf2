import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { Vmware2scwApi } from '@internal/plugin-vmware2scw-node';
import { InputError } from '@backstage/errors';
import { actionExample } from './actionExample';

/**
 * `vmware2scw:preflight`: first step of a migration template. Confirms the vmware2scw backend answers and
 * has what the rest of the template needs, so a request fails at once with what to configure instead of
 * half-way through a migration.
 */
export function createPreflightAction(options: { api: Vmware2scwApi }) {
  return createTemplateAction({
    id: 'vmware2scw:preflight',
    description:
      'Checks that the vmware2scw backend is up and has the vCenters, Scaleway account and conversion runners a migration needs.',
    examples: [
      actionExample(
        'First step of a planning template: no conversion runner needed.',
        [
          {
            id: 'preflight',
            name: 'Check vmware2scw',
            action: 'vmware2scw:preflight',
            input: { requireRunners: false },
          },
        ],
      ),
    ],
    supportsDryRun: true,
    schema: {
      input: {
        requireVcenter: z =>
          z
            .boolean()
            .default(true)
            .describe('Fail when no vCenter is configured')
            .optional(),
        requireScaleway: z =>
          z
            .boolean()
            .default(true)
            .describe('Fail when no Scaleway account is configured')
            .optional(),
        requireRunners: z =>
          z
            .boolean()
            .default(true)
            .describe('Fail when no conversion runner is configured')
            .optional(),
      },
      output: {
        version: z => z.string().describe('Version of the vmware2scw backend'),
        vcenters: z => z.number().describe('Configured vCenters'),
        runners: z => z.number().describe('Configured conversion runners'),
        zone: z => z.string().optional().describe('Default Scaleway zone'),
      },
    },
    async handler(ctx) {
      const health = await options.api
        .as(await ctx.getInitiatorCredentials())
        .getHealth();
      const missing: string[] = [];
      if ((ctx.input.requireVcenter ?? true) && health.vcenters === 0)
        missing.push('a vCenter (vmware2scw.vcenters)');
      if ((ctx.input.requireScaleway ?? true) && !health.scaleway.configured)
        missing.push('a Scaleway account (vmware2scw.scaleway)');
      if ((ctx.input.requireRunners ?? true) && health.runners === 0)
        missing.push('a conversion runner (vmware2scw.conversion.runners)');
      if (missing.length > 0) {
        throw new InputError(
          `vmware2scw is not ready for migrations: configure ${missing.join(
            ', ',
          )} in the backend's app-config, or relax the requirement in the template step's input.`,
        );
      }
      ctx.logger.info(
        `vmware2scw ${health.version}: ${health.vcenters} vCenter(s), ${
          health.runners
        } runner(s), zone ${health.scaleway.defaultZone ?? 'none'}`,
      );
      ctx.output('version', health.version);
      ctx.output('vcenters', health.vcenters);
      ctx.output('runners', health.runners);
      if (health.scaleway.defaultZone)
        ctx.output('zone', health.scaleway.defaultZone);
    },
  });
}

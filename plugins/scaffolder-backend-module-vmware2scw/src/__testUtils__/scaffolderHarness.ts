import type { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import path from 'node:path';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleVmware2scw } from '../module';
import { scaffolderClient } from './ScaffolderClient';

/** The repository's templates, as the example app registers them. */
export const TEMPLATES_DIR = path.resolve(
  __dirname,
  '../../../../examples/templates',
);

/**
 * A test backend with the real catalog (reading examples/templates) and the real scaffolder with this
 * module, driven over HTTP as the app drives it, as user:default/jane.
 */
export async function startScaffolder(options: {
  features: BackendFeature[];
  config?: JsonObject;
}) {
  const { config = {} } = options;
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleTemplateKind,
      scaffolderPlugin,
      scaffolderModuleVmware2scw,
      mockServices.rootConfig.factory({
        data: {
          ...config,
          catalog: {
            ...(config.catalog as JsonObject | undefined),
            rules: [
              { allow: ['Template', 'Location', 'Resource', 'User', 'Group'] },
            ],
            locations: [
              ...(((config.catalog as JsonObject | undefined)?.locations ??
                []) as JsonObject[]),
              ...[
                'migrate-vm-to-scaleway.yaml',
                'plan-migration-from-filters.yaml',
                'request-wave-approval.yaml',
              ].map(f => ({
                type: 'file',
                target: path.join(TEMPLATES_DIR, f),
              })),
            ],
          },
        },
      }),
      ...options.features,
    ],
  });
  const authorization = mockCredentials.user.header('user:default/jane');
  return {
    stop: () => backend.stop(),
    ...scaffolderClient(
      `http://localhost:${backend.server.port()}/api`,
      async () => authorization,
    ),
  };
}

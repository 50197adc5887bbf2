import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { vmware2scwPermissions } from '@internal/plugin-vmware2scw-common';
import { readVmware2scwConfig } from '@internal/plugin-vmware2scw-node';
import { version } from '../package.json';
import { createRouter } from './service/router';

/**
 * The vmware2scw backend plugin: migration API, store and engine.
 *
 * @public
 */
export const vmware2scwPlugin = createBackendPlugin({
  pluginId: 'vmware2scw',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ config, logger, httpRouter, permissionsRegistry }) {
        // Throws with every bad key named: the backend must not start on a half-valid configuration.
        const settings = readVmware2scwConfig(config);
        permissionsRegistry.addPermissions(vmware2scwPermissions);

        httpRouter.use(await createRouter({ settings, version }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        logger.info(
          `vmware2scw ${version}: ${settings.vcenters.length} vCenter(s), ${
            settings.conversion.runners.length
          } conversion runner(s), Scaleway ${
            settings.scaleway
              ? `zone ${settings.scaleway.defaultZone}`
              : 'not configured'
          }`,
        );
      },
    });
  },
});

import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { vmware2scwApiServiceRef } from '@internal/plugin-vmware2scw-node';
import { createPreflightAction } from './actions/preflight';

/**
 * Scaffolder actions `vmware2scw:*`: thin clients of the vmware2scw backend API.
 *
 * @public
 */
export const scaffolderModuleVmware2scw = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'vmware2scw',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        api: vmware2scwApiServiceRef,
      },
      async init({ scaffolderActions, api }) {
        scaffolderActions.addActions(createPreflightAction({ api }));
      },
    });
  },
});

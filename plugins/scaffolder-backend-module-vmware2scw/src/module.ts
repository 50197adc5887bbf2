import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { vmware2scwApiServiceRef } from '@internal/plugin-vmware2scw-node';
import { createMigrationCreateAction } from './actions/migrationCreate';
import { createMigrationRunAction } from './actions/migrationRun';
import { createPlanCreateAction } from './actions/planCreate';
import { createPlanEstimateAction } from './actions/planEstimate';
import { createPreflightAction } from './actions/preflight';
import { createStageActions } from './actions/stageActions';
import { createWaveRequestApprovalAction } from './actions/waveRequestApproval';
import { readActionSettings } from './settings/ActionSettings';

/**
 * Scaffolder actions `vmware2scw:*`: thin clients of the vmware2scw backend API, on behalf of each
 * task's initiator.
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
        config: coreServices.rootConfig,
        api: vmware2scwApiServiceRef,
        notifications: notificationService,
      },
      async init({ scaffolderActions, config, api, notifications }) {
        const deps = { api, settings: readActionSettings(config) };
        scaffolderActions.addActions(
          createPreflightAction({ api }),
          createMigrationCreateAction(deps),
          ...createStageActions(deps),
          createMigrationRunAction(deps),
          createPlanCreateAction(deps),
          createPlanEstimateAction(deps),
          createWaveRequestApprovalAction({ ...deps, notifications }),
        );
      },
    });
  },
});

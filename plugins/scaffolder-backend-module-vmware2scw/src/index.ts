/**
 * The vmware2scw module for @backstage/plugin-scaffolder-backend.
 *
 * @packageDocumentation
 */
export { scaffolderModuleVmware2scw as default } from './module';
export { createPreflightAction } from './actions/preflight';
export { createMigrationCreateAction } from './actions/migrationCreate';
export { createStageAction, createStageActions } from './actions/stageActions';
export { createMigrationRunAction } from './actions/migrationRun';
export { createPlanCreateAction } from './actions/planCreate';
export { createPlanEstimateAction } from './actions/planEstimate';
export { createWaveRequestApprovalAction } from './actions/waveRequestApproval';
export type { ActionDeps } from './actions/ActionDeps';
export {
  readActionSettings,
  DEFAULT_ACTION_SETTINGS,
  type ActionSettings,
} from './settings/ActionSettings';

/**
 * The vmware2scw module for @backstage/plugin-scaffolder-backend.
 *
 * @packageDocumentation
 */
export { scaffolderModuleVmware2scw as default } from './module';
export { createPreflightAction } from './actions/preflight';

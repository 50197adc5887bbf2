/**
 * vmware2scw frontend plugin: VM migration card on catalog pages and the migration page.
 *
 * @packageDocumentation
 */
export { vmware2scwPlugin as default } from './plugin';
export * from './api';

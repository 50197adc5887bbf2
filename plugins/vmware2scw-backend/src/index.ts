/**
 * The vmware2scw backend plugin.
 *
 * @packageDocumentation
 */
export { vmware2scwPlugin as default } from './plugin';

/**
 * The vmware2scw backend plugin.
 *
 * @packageDocumentation
 */
export { vmware2scwPlugin as default } from './plugin';
export {
  vmware2scwStageExecutorsExtensionPoint,
  type Vmware2scwStageExecutorsExtensionPoint,
} from './extensions';
export type {
  RecordedOutputs,
  StageContext,
  StageExecutor,
  StageOutcome,
} from './engine/StageExecutor';
export type * from './engine/stages/outputs';
export { transitKey } from './engine/stages/runnerStages';

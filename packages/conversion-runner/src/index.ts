/**
 * vmware2scw conversion runner: the stand-alone service that exports, converts, adapts and uploads
 * VM disks for the vmware2scw backend. See README.md and openapi.yaml.
 */
export { startConversionRunner } from './ConversionRunner';
export { runConversionRunnerCli } from './runnerCli';
export type { StartedRunner } from './ConversionRunner';
export {
  loadRunnerConfig,
  resolveRunnerConfig,
  runnerConfigFileSchema,
} from './config/RunnerConfig';
export type { RunnerConfig, RunnerConfigFile } from './config/RunnerConfig';
export { RunnerError } from './RunnerError';
export { builtInJobKinds } from './jobs/builtInJobKinds';
export type { JobKindDefinition, JobContext } from './jobs/JobKindDefinition';
export { planMultipart } from './upload/MultipartPlan';

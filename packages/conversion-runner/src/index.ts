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
export { builtInJobKinds } from './jobs/jobKinds';
export type { JobKindDefinition, JobContext } from './jobs/JobKind';
export { jobRecordSchema, jobSubmissionSchema } from './jobs/JobModel';
export type { JobRecord, JobSubmission, JobProgress } from './jobs/JobModel';
export { exportParamsSchema } from './jobs/kinds/exportJob';
export { convertParamsSchema } from './jobs/kinds/convertJob';
export { adaptLinuxParamsSchema } from './jobs/kinds/adaptLinuxJob';
export { ensureUefiParamsSchema } from './jobs/kinds/ensureUefiJob';
export { uploadParamsSchema } from './jobs/kinds/uploadJob';
export { cleanupParamsSchema } from './jobs/kinds/cleanupJob';
export { planMultipart } from './upload/MultipartPlan';

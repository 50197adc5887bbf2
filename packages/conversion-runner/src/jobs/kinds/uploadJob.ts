import {
  runnerUploadParamsSchema,
  type RunnerUploadParams,
} from '@internal/plugin-vmware2scw-common';
import { assertImportableQcow2, qemuImgInfo } from '../../convert/QemuImg';
import { RunnerError } from '../../RunnerError';
import { VmManifest } from '../../scratch/VmManifest';
import { uploadDisk } from '../../upload/S3DiskUpload';
import { defineJobKind } from '../JobKindDefinition';

export const uploadJob = defineJobKind<RunnerUploadParams>({
  kind: 'upload',
  description:
    'S3 multipart upload of the qcow2 (resumable, size and ETag verified).',
  paramsSchema: runnerUploadParamsSchema,
  vmOf: params => params.vm,
  disksOf: params => [params.disk],
  redact: params => params,
  validate: (_params, services) => {
    if (!services.config.s3Credentials) {
      throw new RunnerError({
        code: 'S3_CREDENTIALS_MISSING',
        httpStatus: 503,
        message: `This runner has no Object Storage credentials (env ${services.config.s3.accessKeyIdEnv} / ${services.config.s3.secretAccessKeyEnv}).`,
        remediation:
          'Set both env variables on the runner (an API key whose preferred Object Storage project is the import project) and restart it.',
      });
    }
  },
  scratchNeeded: async () => 0,
  run: async (params, context) => {
    const manifest = new VmManifest(context.scratch, params.vm);
    const qcow2 = await manifest.requireQcow2(params.disk, 'upload');
    // What Scaleway imports: checked here too, so gigabytes are not sent for an object it would refuse.
    assertImportableQcow2(qcow2.file, await qemuImgInfo(qcow2.file, 'qcow2'));
    const endpoint = context.config.s3.endpoint.replace(
      '{region}',
      params.region,
    );
    context.progress.setPhase('uploading');
    const started = Date.now();
    const result = await uploadDisk({
      file: qcow2.file,
      journalPath: context.scratch.diskFile(
        params.vm,
        params.disk,
        'upload.json',
      ),
      target: {
        endpoint,
        region: params.region,
        forcePathStyle: context.config.s3.forcePathStyle,
        credentials: context.config.s3Credentials!,
        bucket: params.bucket,
        key: params.key,
      },
      memory: {
        maxMemoryBytes: context.config.s3.maxMemoryBytes,
        queueSize: context.config.s3.queueSize,
        preferredPartSize: context.config.s3.partSizeBytes,
      },
      signal: context.signal,
      log: context.log,
      onProgress: (done, total) =>
        context.progress.update(params.disk, done, total),
    });
    const seconds = (Date.now() - started) / 1000;
    await manifest.update(params.disk, record => {
      record.stages.upload = {
        bucket: result.bucket,
        key: result.key,
        etag: result.etag,
        sha256: result.sha256,
        at: new Date().toISOString(),
      };
    });
    return { ...result, endpoint, region: params.region, seconds };
  },
});

import { z } from 'zod';
import { assertImportableQcow2, qemuImgInfo } from '../../convert/QemuImg';
import { RunnerError } from '../../RunnerError';
import { safeNameSchema } from '../../scratch/SafeName';
import { VmManifest } from '../../scratch/VmManifest';
import { uploadDisk } from '../../upload/S3DiskUpload';
import { defineJobKind } from '../JobKind';

export const uploadParamsSchema = z
  .object({
    vm: safeNameSchema,
    disk: safeNameSchema,
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be a valid S3 bucket name',
      ),
    /** Scaleway's import wants a key ending in .qcow2. */
    key: z
      .string()
      .min(7)
      .max(1024)
      .regex(
        /^[A-Za-z0-9!_.*'()/-]+$/,
        "may only hold letters, digits and !_.*'()/-",
      )
      .refine(
        key => key.endsWith('.qcow2'),
        'must end with ".qcow2" (Scaleway imports only qcow2 objects)',
      )
      .refine(
        key => !key.split('/').includes('..') && !key.startsWith('/'),
        'must not contain ".." segments or start with "/"',
      ),
    /** Object Storage region of the target zone (fr-par, nl-ams, pl-waw, ...). */
    region: z.string().regex(/^[a-z]{2}-[a-z]{3}$/, 'must look like "fr-par"'),
  })
  .strict();
export type UploadParams = z.infer<typeof uploadParamsSchema>;

export const uploadJob = defineJobKind<UploadParams>({
  kind: 'upload',
  description:
    'S3 multipart upload of the qcow2 (resumable, size and ETag verified).',
  paramsSchema: uploadParamsSchema,
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

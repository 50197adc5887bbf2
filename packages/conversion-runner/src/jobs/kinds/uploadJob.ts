import {
  runnerUploadParamsSchema,
  type RunnerUploadParams,
} from '@internal/plugin-vmware2scw-common';
import { assertImportableQcow2, qemuImgInfo } from '../../convert/QemuImg';
import { RunnerError } from '../../RunnerError';
import { VmManifest } from '../../scratch/VmManifest';
import { S3UploadOptions, uploadDisk } from '../../upload/S3DiskUpload';
import { requireNbdSource } from '../../export/NbdSources';
import { streamQcow2Upload } from '../../upload/StreamedQcow2Upload';
import { defineJobKind, JobContext } from '../JobKindDefinition';
import { sparsifyInPlace } from './trimJob';

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
    const endpoint = context.config.s3.endpoint.replace(
      '{region}',
      params.region,
    );
    const source = (await manifest.disk(params.disk))?.source;
    if (source?.access === 'nbd')
      return streamOverlay(params, context, manifest, qcow2.file, endpoint);
    // What Scaleway imports: checked here too, so gigabytes are not sent for an object it would refuse.
    assertImportableQcow2(qcow2.file, await qemuImgInfo(qcow2.file, 'qcow2'));
    context.progress.setPhase('uploading');
    const started = Date.now();
    const result = await uploadDisk({
      file: qcow2.file,
      journalPath: context.scratch.diskFile(
        params.vm,
        params.disk,
        'upload.json',
      ),
      ...uploadOptions(params, context, endpoint),
    });
    const seconds = (Date.now() - started) / 1000;
    await recordUpload(manifest, params.disk, result);
    return { ...result, endpoint, region: params.region, seconds };
  },
});

/** Where and how a disk of this job is uploaded (S3 target, memory budget, log, progress). */
function uploadOptions(
  params: RunnerUploadParams,
  context: JobContext,
  endpoint: string,
): S3UploadOptions {
  return {
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
  };
}

async function recordUpload(
  manifest: VmManifest,
  disk: string,
  result: { bucket: string; key: string; etag: string; sha256?: string },
): Promise<void> {
  await manifest.update(disk, record => {
    record.stages.upload = {
      bucket: result.bucket,
      key: result.key,
      etag: result.etag,
      sha256: result.sha256,
      at: new Date().toISOString(),
    };
  });
}

/**
 * access "nbd": the adapted overlay is trimmed (fstrim of the guest filesystems in one appliance: free
 * blocks become zero clusters), then streamed as a qcow2 of the in-use blocks only, read once from
 * overlay-over-source; nothing disk-sized is written to scratch. A streamed upload is not resumed: an
 * interrupted one is aborted and the object restarts (the log says so).
 */
async function streamOverlay(
  params: RunnerUploadParams,
  context: JobContext,
  manifest: VmManifest,
  overlay: string,
  endpoint: string,
) {
  const source = requireNbdSource(
    context.scratch,
    params.vm,
    params.disk,
    'upload',
  );
  const fetchedBefore = source.bytesFetched;
  // not marked busy: a killed trim leaves a valid overlay, and trimming again is safe
  context.progress.setPhase(
    'trimming free blocks in the overlay (libguestfs appliance)',
  );
  const trimStarted = Date.now();
  await sparsifyInPlace(overlay, 'qcow2', context);
  const trimSeconds = (Date.now() - trimStarted) / 1000;
  const fetchedByTrim = source.bytesFetched - fetchedBefore;
  context.progress.setPhase('uploading (streamed qcow2)');
  const started = Date.now();
  const result = await streamQcow2Upload({
    ...uploadOptions(params, context, endpoint),
    image: overlay,
    format: 'qcow2',
    socketDir: context.scratch.vmDir(params.vm),
  });
  const seconds = (Date.now() - started) / 1000;
  await recordUpload(manifest, params.disk, result);
  return {
    ...result,
    streamed: true,
    endpoint,
    region: params.region,
    trimSeconds,
    sourceBytesFetchedByTrim: fetchedByTrim,
    sourceBytesFetchedByUpload:
      source.bytesFetched - fetchedBefore - fetchedByTrim,
    seconds,
  };
}

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BuildMiddleware } from '@smithy/types';
import { createReadStream } from 'fs';
import { stat } from 'fs/promises';
import type { Readable } from 'stream';
import { RunnerError } from '../RunnerError';
import {
  expectedMultipartEtag,
  MultipartPlan,
  planMultipart,
  stripEtag,
} from './MultipartPlan';
import { FileDigests } from './FileDigests';
import { UploadJournal, type UploadJournalData } from './UploadJournal';

export type S3Target = {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
  key: string;
};

/** Where an upload goes and how: what the file upload and the streamed upload share. */
export type S3UploadOptions = {
  target: S3Target;
  memory: {
    maxMemoryBytes: number;
    queueSize: number;
    preferredPartSize?: number;
  };
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  client?: S3Client;
};

export type UploadResult = {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  sha256?: string;
  partSize: number;
  partCount: number;
  resumedParts: number;
  bytesSent: number;
};

export function createS3Client(
  target: Pick<
    S3Target,
    'endpoint' | 'region' | 'forcePathStyle' | 'credentials'
  >,
): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: target.forcePathStyle,
    credentials: target.credentials,
    // Integrity comes from Content-MD5 per part (checked by the server) and the final ETag; the SDK's
    // optional CRC trailers are not understood by every S3 implementation.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 5,
    // a server that stops answering fails the request (and the job, which resumes) instead of hanging it
    requestHandler: { connectionTimeout: 30_000, requestTimeout: 10 * 60_000 },
  });
}

/**
 * Uploads a qcow2 with S3 multipart (lib-storage for the streaming path), parts of ≥ size/1000 and
 * ≥ 5 MiB, memory bounded by the plan. Every part carries Content-MD5 (the server refuses a part whose
 * bytes differ); the payload itself is not hashed again for SigV4 (UNSIGNED-PAYLOAD: Content-MD5 and TLS
 * already cover it). MD5s and the SHA-256 come from one read of the file in a worker thread. Parts and
 * the upload id go to a journal, so after an interruption the same multipart upload is continued: a
 * part is kept only if the server's ETag equals the MD5 of that part of the file as it is now. The
 * result is verified: size (HEAD) and the multipart ETag recomputed locally.
 */
export async function uploadDisk(
  options: S3UploadOptions & { file: string; journalPath: string },
): Promise<UploadResult> {
  const { file, target, log } = options;
  const info = await stat(file);
  const plan = planMultipart(info.size, options.memory);
  const client = options.client ?? createS3Client(target);
  const journal = await UploadJournal.open(options.journalPath, {
    bucket: target.bucket,
    key: target.key,
    endpoint: target.endpoint,
    region: target.region,
    size: info.size,
    mtimeMs: Math.floor(info.mtimeMs),
    partSize: plan.partSize,
  });
  if (journal.replaced) await abortReplaced(journal.replaced, target, log);
  log(
    `upload ${info.size} bytes to s3://${target.bucket}/${target.key}: ${plan.partCount} part(s) of ${plan.partSize} bytes, ${plan.queueSize} in flight`,
  );

  if (journal.data.completed) {
    const verified = await verifyObject(
      client,
      target,
      info.size,
      journal.data.completed.etag,
    ).catch(() => false);
    if (verified) {
      log(
        'the object is already uploaded and verified (journal + HEAD): nothing to send',
      );
      return result(
        target,
        plan,
        journal.data.completed.etag,
        0,
        plan.partCount,
        journal.data.completed.sha256,
      );
    }
    await journal.reset();
  }

  const digests = new FileDigests(file, info.size, plan.partSize);
  const run: UploadRun = { ...options, client, plan, journal, digests };
  const removeIntegrity = addBuildMiddleware(
    client,
    'integrity',
    (next, context) => async (args: any) => {
      const command = context.commandName;
      if (command === 'UploadPartCommand' || command === 'PutObjectCommand') {
        const part =
          command === 'UploadPartCommand' ? Number(args.input.PartNumber) : 1;
        const md5 = await digests.partMd5(part);
        args.request.headers['content-md5'] = Buffer.from(md5, 'hex').toString(
          'base64',
        );
        args.request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      }
      return next(args);
    },
  );
  try {
    let bytesSent = 0;
    let resumedParts = 0;
    if (
      !journal.data.uploadId &&
      plan.partSize > options.memory.maxMemoryBytes
    ) {
      // lib-storage holds whole parts in memory: parts over the budget (disks of terabytes) are streamed
      // from the file one by one instead, through the same path as a resumed upload
      const created = await client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          ContentType: 'application/octet-stream',
        }),
        { abortSignal: options.signal },
      );
      await journal.setUploadId(created.UploadId!);
      log(
        `parts of ${plan.partSize} bytes are over s3.maxMemoryBytes (${options.memory.maxMemoryBytes}): streaming each part from the file (multipart upload ${created.UploadId})`,
      );
    }
    if (journal.data.uploadId) {
      const resumed = await resumeUpload(run);
      if (resumed) {
        resumedParts = resumed.reusedParts;
        bytesSent = resumed.bytesSent;
      }
    }
    if (!journal.data.completed) {
      await freshUpload(run);
      bytesSent += plan.size;
    }
    const sha256 = await digests.sha256();

    const etag = journal.data.completed!.etag;
    if (!(await verifyObject(client, target, info.size, etag))) {
      throw new RunnerError({
        code: 'UPLOAD_VERIFY_FAILED',
        message: `s3://${target.bucket}/${target.key}: the stored object does not have the expected size ${info.size} and ETag ${etag}.`,
        remediation:
          'Run upload again; if it keeps failing, check the S3 endpoint for a proxy that alters uploads.',
      });
    }
    await journal.markCompleted(etag, sha256);
    log(`verified: ${info.size} bytes, ETag ${etag}, sha256 ${sha256}`);
    return result(
      target,
      plan,
      etag,
      resumedParts,
      plan.partCount,
      sha256,
      bytesSent,
    );
  } finally {
    removeIntegrity();
    await digests.close();
  }
}

function result(
  target: S3Target,
  plan: MultipartPlan,
  etag: string,
  resumedParts: number,
  partCount: number,
  sha256?: string,
  bytesSent = 0,
): UploadResult {
  return {
    bucket: target.bucket,
    key: target.key,
    etag,
    size: plan.size,
    sha256,
    partSize: plan.partSize,
    partCount,
    resumedParts,
    bytesSent,
  };
}

/** What the fresh and the resumed upload paths work with. */
type UploadRun = {
  client: S3Client;
  target: S3Target;
  file: string;
  plan: MultipartPlan;
  journal: UploadJournal;
  digests: FileDigests;
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
};

/** Streaming path: lib-storage reads the file once; a middleware journals each part as the server accepts it. */
async function freshUpload(run: UploadRun): Promise<void> {
  const { client, target, file, plan, journal, digests } = run;
  const options = run;
  await journal.reset();
  const sent = new Map<number, string>();
  const removeJournal = addBuildMiddleware(
    client,
    'journal',
    (next, context) => async (args: any) => {
      const command = context.commandName;
      const output: any = await next(args);
      if (
        command === 'CreateMultipartUploadCommand' &&
        output.output?.UploadId
      ) {
        await journal.setUploadId(output.output.UploadId);
      }
      if (command === 'UploadPartCommand') {
        const partNumber = Number(args.input.PartNumber);
        const md5 = await digests.partMd5(partNumber);
        sent.set(partNumber, md5);
        await journal.recordPart(
          partNumber,
          stripEtag(output.output?.ETag),
          md5,
        );
      }
      if (command === 'PutObjectCommand') sent.set(1, await digests.partMd5(1));
      return output;
    },
  );
  const body = createReadStream(file, { highWaterMark: 1024 * 1024 });
  // Keep parts on failure: they are what a resumed upload reuses.
  const upload = objectUpload(client, target, body, plan, true);
  upload.on('httpUploadProgress', progress =>
    options.onProgress?.(progress.loaded ?? 0, plan.size),
  );
  const onAbort = () => void upload.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const output = await upload.done();
    const parts = [...sent.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, md5]) => md5);
    const expected = expectedMultipartEtag(parts);
    const etag = stripEtag((output as { ETag?: string }).ETag) || expected;
    if (parts.length !== plan.partCount || etag !== expected) {
      throw new RunnerError({
        code: 'UPLOAD_VERIFY_FAILED',
        message: `s3://${target.bucket}/${target.key}: server ETag ${etag} does not match ${expected} computed from the ${parts.length} parts sent.`,
        remediation:
          'Run upload again; the multipart upload is journaled and will be checked part by part.',
      });
    }
    await journal.markCompleted(etag);
  } catch (error) {
    body.destroy();
    if (options.signal?.aborted) {
      throw new RunnerError({
        code: 'CANCELLED',
        httpStatus: 409,
        message: `Upload to s3://${target.bucket}/${target.key} was cancelled; the parts sent so far are kept.`,
        remediation:
          'Submit upload again to continue the same multipart upload, or cleanup to abort it.',
      });
    }
    if (error instanceof RunnerError) throw error;
    throw new RunnerError({
      code: 'UPLOAD_FAILED',
      message: `Upload to s3://${target.bucket}/${target.key} failed: ${
        (error as Error).message
      }`,
      remediation:
        'Check the endpoint, region, bucket and credentials; run upload again to resume the multipart upload.',
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    removeJournal();
  }
}

/**
 * Continues the journaled multipart upload: parts the server lists with the ETag we journaled are kept,
 * the others are read from the file and sent again, then the upload is completed.
 * Returns undefined when the upload id is gone (expired or aborted): the caller starts over.
 */
async function resumeUpload(
  run: UploadRun,
): Promise<{ reusedParts: number; bytesSent: number } | undefined> {
  const { client, target, file, plan, journal, digests } = run;
  const options = run;
  const uploadId = journal.data.uploadId!;
  const onServer = new Map<number, string>();
  try {
    let marker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListPartsCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumberMarker: marker,
        }),
      );
      for (const part of page.Parts ?? [])
        onServer.set(part.PartNumber!, stripEtag(part.ETag));
      if (!page.IsTruncated) break;
      marker = page.NextPartNumberMarker;
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchUpload') {
      options.log(
        `multipart upload ${uploadId} no longer exists on the server: starting a new one`,
      );
      await journal.reset();
      return undefined;
    }
    throw error;
  }
  // A part is kept only when the server holds exactly the bytes the file has there now.
  const keep = new Map<number, string>();
  for (const [n, etag] of onServer) {
    if (n < 1 || n > plan.partCount) continue;
    const md5 = await digests.partMd5(n);
    if (etag === md5) keep.set(n, md5);
  }
  options.log(
    `resuming multipart upload ${uploadId}: ${keep.size} of ${plan.partCount} part(s) already on the server`,
  );
  const reusedParts = keep.size;
  const missing = Array.from(
    { length: plan.partCount },
    (_, i) => i + 1,
  ).filter(n => !keep.has(n));
  let bytesSent = 0;
  let done = [...keep.keys()].reduce((sum, n) => sum + partLength(plan, n), 0);
  options.onProgress?.(done, plan.size);
  {
    const worker = async () => {
      for (;;) {
        const n = missing.shift();
        if (n === undefined) return;
        if (options.signal?.aborted)
          throw new RunnerError({
            code: 'CANCELLED',
            httpStatus: 409,
            message: 'Upload cancelled while resuming.',
            remediation: 'Submit upload again to continue.',
          });
        const length = partLength(plan, n);
        // Content-MD5 comes from the digests (integrity middleware); the server refuses other bytes.
        const md5 = Buffer.from(await digests.partMd5(n), 'hex');
        const start = (n - 1) * plan.partSize;
        // streamed from the file: memory does not grow with the part size; a cancel aborts the request
        const response = await client.send(
          new UploadPartCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId: uploadId,
            PartNumber: n,
            Body: createReadStream(file, {
              start,
              end: start + length - 1,
              highWaterMark: 1024 * 1024,
            }),
            ContentLength: length,
          }),
          { abortSignal: options.signal },
        );
        if (stripEtag(response.ETag) !== md5.toString('hex'))
          throw new Error(
            `part ${n}: server ETag ${
              response.ETag
            } differs from md5 ${md5.toString('hex')}`,
          );
        await journal.recordPart(n, md5.toString('hex'), md5.toString('hex'));
        keep.set(n, md5.toString('hex'));
        bytesSent += length;
        done += length;
        options.onProgress?.(done, plan.size);
      }
    };
    await Promise.all(Array.from({ length: plan.queueSize }, worker));
  }
  const parts = [...keep.entries()].sort((a, b) => a[0] - b[0]);
  const completed = await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      UploadId: uploadId,
      MultipartUpload: {
        Parts: parts.map(([n, md5]) => ({ PartNumber: n, ETag: `"${md5}"` })),
      },
    }),
  );
  const expected = expectedMultipartEtag(parts.map(([, md5]) => md5));
  const etag = stripEtag(completed.ETag) || expected;
  if (etag !== expected) {
    throw new RunnerError({
      code: 'UPLOAD_VERIFY_FAILED',
      message: `s3://${target.bucket}/${target.key}: server ETag ${etag} after resume does not match ${expected}.`,
      remediation:
        'Run cleanup for this disk to abort the upload, then upload again.',
    });
  }
  await journal.markCompleted(etag);
  return { reusedParts, bytesSent };
}

/** lib-storage's multipart upload of `body` (plan.size bytes) to the target, parts as planned. */
export function objectUpload(
  client: S3Client,
  target: S3Target,
  body: Readable,
  plan: MultipartPlan,
  leavePartsOnError: boolean,
): Upload {
  return new Upload({
    client,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: body,
      ContentLength: plan.size,
      ContentType: 'application/octet-stream',
    },
    partSize: plan.partSize,
    queueSize: plan.queueSize,
    leavePartsOnError,
  });
}

function partLength(plan: MultipartPlan, n: number): number {
  return Math.min(plan.partSize, plan.size - (n - 1) * plan.partSize);
}

export async function verifyObject(
  client: S3Client,
  target: S3Target,
  size: number,
  etag: string,
): Promise<boolean> {
  const head = await client.send(
    new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }),
  );
  return head.ContentLength === size && stripEtag(head.ETag) === etag;
}

/**
 * Adds a build-step middleware under a name of its own (several uploads may share a client) and
 * returns the function that removes it.
 */
export function addBuildMiddleware(
  client: S3Client,
  label: string,
  middleware: BuildMiddleware<any, any>,
): () => void {
  const name = `vmware2scw-${label}-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(middleware, { step: 'build', name });
  return () => {
    client.middlewareStack.remove(name);
  };
}

/**
 * The qcow2 (or the destination) changed since a multipart upload was journaled: that upload will never
 * be completed, so it is aborted before the new one starts (an unfinished multipart upload is billed).
 * A failure is logged; cleanup aborts the VM's leftovers too.
 */
async function abortReplaced(
  replaced: UploadJournalData,
  target: S3Target,
  log: (line: string) => void,
): Promise<void> {
  const client = createS3Client({
    ...target,
    endpoint: replaced.endpoint,
    region: replaced.region ?? target.region,
  });
  try {
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: replaced.bucket,
        Key: replaced.key,
        UploadId: replaced.uploadId,
      }),
    );
    log(
      `aborted multipart upload ${replaced.uploadId} of s3://${replaced.bucket}/${replaced.key}: the qcow2 changed since it started`,
    );
  } catch (error) {
    log(
      `could not abort the replaced multipart upload ${
        replaced.uploadId
      } of s3://${replaced.bucket}/${replaced.key}: ${
        (error as Error).message
      } (cleanup of the VM aborts it)`,
    );
  } finally {
    client.destroy();
  }
}

import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'crypto';
import { existsSync } from 'fs';
import { rm } from 'fs/promises';
import { join } from 'path';
import { Readable } from 'stream';
import { z } from 'zod';
import { RunnerError } from '../RunnerError';
import { runTool } from '../tools/ToolRunner';
import {
  expectedMultipartEtag,
  planMultipart,
  stripEtag,
} from './MultipartPlan';
import { NbdClient } from './NbdClient';
import { CLUSTER, DataExtent, Qcow2StreamLayout } from './Qcow2StreamLayout';
import {
  addBuildMiddleware,
  createS3Client,
  objectUpload,
  S3Target,
  S3UploadOptions,
  verifyObject,
} from './S3DiskUpload';

const READ_SIZE = 4 * 1024 * 1024;
const READS_IN_FLIGHT = 4;

const mapSchema = z.array(
  z.object({
    start: z.number(),
    length: z.number(),
    data: z.boolean(),
    zero: z.boolean(),
  }),
);

/** The extents of a disk image that hold data (not zero, not unallocated), from qemu-img map. */
export async function dataExtents(
  image: string,
  format: string,
): Promise<{ extents: DataExtent[]; virtualSize: number }> {
  const { stdout } = await runTool(
    'qemu-img',
    ['map', '--output=json', '-f', format, image],
    { maxStdoutBytes: 256 * 1024 * 1024 },
  );
  const entries = mapSchema.parse(JSON.parse(stdout));
  const last = entries[entries.length - 1];
  return {
    virtualSize: last ? last.start + last.length : 0,
    extents: entries
      .filter(e => e.data && !e.zero)
      .map(e => ({ start: e.start, length: e.length })),
  };
}

export type StreamedUploadResult = {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  sha256: string;
  partSize: number;
  partCount: number;
  virtualSize: number;
  /** Bytes of the disk read (whole clusters that hold data): from the overlay, or through it from the source. */
  dataBytes: number;
  metadataBytes: number;
  /** Multipart uploads of this key left by an interrupted run, aborted before this one (the object restarts). */
  abortedUploads: number;
};

/**
 * Uploads a disk image (typically the adapted qcow2 overlay over the NBD source) as a standalone qcow2
 * without writing one locally: the extent map gives the layout (Qcow2StreamLayout), qemu-nbd serves the
 * image read-only, and the file is produced in order (metadata, then the data clusters read extent by
 * extent) straight into an S3 multipart upload; only clusters holding data are read. Parts carry
 * Content-MD5; the result is checked (HEAD size and multipart ETag). An interrupted streamed upload is
 * not continued: its multipart upload is aborted and the object is sent again, and the job says so.
 */
export async function streamQcow2Upload(
  options: S3UploadOptions & {
    image: string;
    format: string;
    /** Private folder for qemu-nbd's socket. */
    socketDir: string;
  },
): Promise<StreamedUploadResult> {
  const { target, log } = options;
  const { extents, virtualSize } = await dataExtents(
    options.image,
    options.format,
  );
  const layout = new Qcow2StreamLayout(virtualSize, extents);
  const plan = planMultipart(layout.fileSize, options.memory);
  const client = options.client ?? createS3Client(target);
  log(
    `streaming a ${layout.fileSize}-byte qcow2 (virtual ${virtualSize}, ${layout.dataBytes} bytes of data in ${extents.length} extent(s), ${layout.metadataBytes} of metadata) to s3://${target.bucket}/${target.key}: ${plan.partCount} part(s) of ${plan.partSize} bytes, ${plan.queueSize} in flight`,
  );
  const abortedUploads = await abortLeftovers(client, target, log);

  const socket = join(
    options.socketDir,
    `nbd-${process.pid}-${Date.now()}.sock`,
  );
  const stopServer = new AbortController();
  const server = runTool(
    'qemu-nbd',
    [
      '--read-only',
      '--shared=1',
      `--format=${options.format}`,
      `--socket=${socket}`,
      options.image,
    ],
    { signal: stopServer.signal, captureStdout: false, onLine: log },
  );
  server.catch(() => undefined);
  const sha256 = createHash('sha256');
  const parts = new Map<number, string>();
  const removeMiddleware = addBuildMiddleware(
    client,
    'stream-md5',
    (next, context) => async (args: any) => {
      if (context.commandName === 'UploadPartCommand') {
        const body = args.request.body as Buffer;
        const md5 = createHash('md5').update(body).digest();
        args.request.headers['content-md5'] = md5.toString('base64');
        args.request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        const output: any = await next(args);
        const n = Number(args.input.PartNumber);
        if (stripEtag(output.output?.ETag) !== md5.toString('hex'))
          throw new Error(`part ${n}: the server's ETag is not the part's md5`);
        parts.set(n, md5.toString('hex'));
        return output;
      }
      return next(args);
    },
  );
  let nbd: NbdClient | undefined;
  try {
    nbd = await connectWhenReady(socket, server);
    const body = Readable.from(produce(layout, nbd, sha256), {
      objectMode: false,
    });
    // a failed streamed upload is aborted: it is never continued (its parts would be orphans)
    const upload = objectUpload(client, target, body, plan, false);
    upload.on('httpUploadProgress', p =>
      options.onProgress?.(p.loaded ?? 0, layout.fileSize),
    );
    const onAbort = () => void upload.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let output: { ETag?: string };
    try {
      output = (await upload.done()) as { ETag?: string };
    } catch (error) {
      body.destroy();
      if (options.signal?.aborted)
        throw new RunnerError({
          code: 'CANCELLED',
          httpStatus: 409,
          message: `Streamed upload to s3://${target.bucket}/${target.key} was cancelled.`,
          remediation:
            'Submit upload again: a streamed upload restarts the object from its first part.',
        });
      if (error instanceof RunnerError) throw error;
      throw new RunnerError({
        code: 'UPLOAD_FAILED',
        message: `Streamed upload to s3://${target.bucket}/${
          target.key
        } failed: ${(error as Error).message}`,
        remediation:
          'Check the endpoint, region, bucket and credentials, and that the source still answers; run upload again (the object restarts from its first part).',
      });
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    const md5s = [...parts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, md5]) => md5);
    const expected =
      plan.partCount === 1 && md5s.length === 0
        ? stripEtag(output.ETag)
        : expectedMultipartEtag(md5s);
    const etag = stripEtag(output.ETag) || expected;
    if (
      etag !== expected ||
      !(await verifyObject(client, target, layout.fileSize, etag))
    ) {
      throw new RunnerError({
        code: 'UPLOAD_VERIFY_FAILED',
        message: `s3://${target.bucket}/${target.key}: the stored object does not have the expected size ${layout.fileSize} and ETag ${expected} (server: ${etag}).`,
        remediation:
          'Run upload again; if it keeps failing, check the S3 endpoint for a proxy that alters uploads.',
      });
    }
    const digest = sha256.digest('hex');
    log(`verified: ${layout.fileSize} bytes, ETag ${etag}, sha256 ${digest}`);
    return {
      bucket: target.bucket,
      key: target.key,
      etag,
      size: layout.fileSize,
      sha256: digest,
      partSize: plan.partSize,
      partCount: plan.partCount,
      virtualSize,
      dataBytes: layout.dataBytes,
      metadataBytes: layout.metadataBytes,
      abortedUploads,
    };
  } finally {
    removeMiddleware();
    await nbd?.close();
    stopServer.abort();
    await server.catch(() => undefined);
    await rm(socket, { force: true });
    if (!options.client) client.destroy();
  }
}

/** The qcow2 bytes in file order: metadata, then data clusters read with a few reads in flight. */
async function* produce(
  layout: Qcow2StreamLayout,
  nbd: NbdClient,
  sha256: ReturnType<typeof createHash>,
): AsyncGenerator<Buffer> {
  for (const chunk of layout.metadata()) {
    sha256.update(chunk);
    yield chunk;
  }
  const runs = layout.dataRuns(READ_SIZE);
  const inFlight: Array<Promise<Buffer>> = [];
  let next = 0;
  const fill = () => {
    while (inFlight.length < READS_IN_FLIGHT && next < runs.length) {
      const run = runs[next++];
      inFlight.push(nbd.read(run.start, run.length));
    }
  };
  fill();
  while (inFlight.length > 0) {
    let data = await inFlight.shift()!;
    fill();
    // the disk's last cluster may be partial: the file holds it whole
    if (data.length % CLUSTER !== 0)
      data = Buffer.concat([
        data,
        Buffer.alloc(CLUSTER - (data.length % CLUSTER)),
      ]);
    sha256.update(data);
    yield data;
  }
}

async function connectWhenReady(
  socket: string,
  server: Promise<unknown>,
): Promise<NbdClient> {
  let exited: unknown;
  void server.then(
    () => (exited = new Error('qemu-nbd exited')),
    error => (exited = error),
  );
  const deadline = Date.now() + 30_000;
  while (!existsSync(socket)) {
    if (exited !== undefined || Date.now() > deadline)
      throw new RunnerError({
        code: 'UPLOAD_FAILED',
        message: `qemu-nbd did not serve the disk to upload: ${
          exited instanceof Error ? exited.message : 'no socket after 30 s'
        }`,
        remediation:
          'Check that qemu-utils is installed and that the disk is not held by another job.',
      });
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return NbdClient.connect(socket);
}

/** Multipart uploads of this key that a killed run left: aborted, since a streamed upload is not continued. */
async function abortLeftovers(
  client: S3Client,
  target: S3Target,
  log: (line: string) => void,
): Promise<number> {
  const listed = await client.send(
    new ListMultipartUploadsCommand({
      Bucket: target.bucket,
      Prefix: target.key,
    }),
  );
  let aborted = 0;
  for (const upload of listed.Uploads ?? []) {
    if (upload.Key !== target.key || !upload.UploadId) continue;
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: upload.UploadId,
      }),
    );
    aborted++;
    log(
      `aborted the unfinished multipart upload ${upload.UploadId} of this object: a streamed upload restarts the object from its first part`,
    );
  }
  return aborted;
}

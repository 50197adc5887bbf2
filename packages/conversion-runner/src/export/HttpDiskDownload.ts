import { createHash, Hash } from 'crypto';
import { createReadStream } from 'fs';
import { open, stat, FileHandle } from 'fs/promises';
import { Dispatcher, request } from 'undici';
import { RunnerError } from '../RunnerError';
import { commitPartial, partialPathOf } from '../scratch/AtomicFile';
import { AllowedHosts } from './AllowedHosts';

const BLOCK = 64 * 1024;
const STAGING = 4 * 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const LOCAL_IO_ERRORS = new Set(['ENOSPC', 'EIO', 'EROFS', 'EDQUOT', 'EBADF']);

export type DownloadProgress = { bytesDone: number; bytesTotal?: number };

export type DownloadResult = {
  bytes: number;
  sha256: string;
  sha1?: string;
  /** Bytes actually written: all-zero blocks become holes, so a thin disk stays thin on scratch. */
  bytesWritten: number;
  resumes: number;
};

/**
 * Streams a disk from an NFC lease URL or a datastore /folder URL to `target`, through `target.partial`.
 * A dropped connection resumes with `Range: bytes=<done>-`; a runner restart resumes from the partial
 * file (its prefix is re-hashed, which costs a local read, not a download). The SHA-256 covers every byte.
 */
export async function downloadDisk(options: {
  url: URL;
  headers: Record<string, string>;
  target: string;
  allowedHosts: AllowedHosts;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: (progress: DownloadProgress) => void;
  maxRetries?: number;
  retryDelayMs?: number;
  wantSha1?: boolean;
}): Promise<DownloadResult> {
  const partial = partialPathOf(options.target);
  const maxRetries = options.maxRetries ?? 8;
  let file: FileHandle = await open(partial, 'a+');
  await file.close();
  file = await open(partial, 'r+');
  let done = (await stat(partial)).size;
  let sha256 = createHash('sha256');
  let sha1 = options.wantSha1 ? createHash('sha1') : undefined;
  if (done > 0) {
    options.log(
      `resuming a previous download: re-hashing the ${done} bytes already on disk`,
    );
    await hashPrefix(partial, done, [sha256, sha1]);
  }
  let bytesWritten = 0;
  let bytesTotal: number | undefined;
  let failures = 0;
  let resumes = 0;
  const staging = Buffer.allocUnsafe(STAGING);
  let staged = 0;
  let stagedAt = done;

  const flush = async () => {
    bytesWritten += await writeSparse(
      file,
      staging.subarray(0, staged),
      stagedAt,
    );
    stagedAt += staged;
    staged = 0;
    // The file length is what a restart trusts as "received", including trailing holes.
    await file.truncate(stagedAt);
  };

  try {
    for (;;) {
      if (options.signal?.aborted) throw abortError();
      try {
        const response = await openStream(options, done);
        if (done > 0 && response.statusCode === 200) {
          options.log(
            'the server ignored the Range header: restarting the download from byte 0',
          );
          done = 0;
          stagedAt = 0;
          await file.truncate(0);
          sha256 = createHash('sha256');
          sha1 = options.wantSha1 ? createHash('sha1') : undefined;
        } else if (done > 0) {
          resumes += 1;
          options.log(
            `resumed at byte ${done} (HTTP 206 ${
              response.headers['content-range'] ?? ''
            })`,
          );
        }
        bytesTotal = totalFrom(response, done) ?? bytesTotal;
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          let offset = 0;
          while (offset < chunk.length) {
            const take = Math.min(chunk.length - offset, STAGING - staged);
            chunk.copy(staging, staged, offset, offset + take);
            staged += take;
            offset += take;
            if (staged === STAGING) await flush();
          }
          sha256.update(chunk);
          sha1?.update(chunk);
          done += chunk.length;
          failures = 0;
          options.onProgress?.({ bytesDone: done, bytesTotal });
        }
        await flush();
        if (bytesTotal !== undefined && done !== bytesTotal) {
          throw new Error(`connection closed at byte ${done} of ${bytesTotal}`);
        }
        break;
      } catch (error) {
        if (options.signal?.aborted) throw abortError();
        if (error instanceof RunnerError) throw error;
        if (LOCAL_IO_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) {
          throw new RunnerError({
            code: 'SCRATCH_WRITE_FAILED',
            message: `Writing ${partial} failed: ${(error as Error).message}`,
            remediation:
              'Free scratch space or fix the scratch volume, then run export again (it resumes).',
          });
        }
        await flush();
        failures += 1;
        if (failures > maxRetries) {
          throw new RunnerError({
            code: 'EXPORT_FAILED',
            message: `Download of ${redactUrl(
              options.url,
            )} failed ${failures} times in a row at byte ${done}: ${
              (error as Error).message
            }`,
            remediation:
              'Check that the NFC lease or the session/ticket is still valid and that the ESXi host is reachable; run export again to resume from the partial file.',
          });
        }
        const delay =
          (options.retryDelayMs ?? 1000) * Math.min(2 ** (failures - 1), 16);
        options.log(
          `connection lost at byte ${done} (${
            (error as Error).message
          }); retry ${failures}/${maxRetries} in ${delay} ms with Range`,
        );
        await new Promise(resolve => setTimeout(resolve, delay));
      }
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await commitPartial(options.target);
  return {
    bytes: done,
    sha256: sha256.digest('hex'),
    sha1: sha1?.digest('hex'),
    bytesWritten,
    resumes,
  };
}

async function openStream(
  options: {
    url: URL;
    headers: Record<string, string>;
    allowedHosts: AllowedHosts;
    dispatcher: Dispatcher;
    signal?: AbortSignal;
  },
  offset: number,
): Promise<Dispatcher.ResponseData> {
  let url = options.url;
  for (let hop = 0; hop < 5; hop++) {
    const response = await request(url, {
      method: 'GET',
      dispatcher: options.dispatcher,
      signal: options.signal,
      headers: {
        ...options.headers,
        ...(offset > 0 ? { range: `bytes=${offset}-` } : {}),
      },
      headersTimeout: 60_000,
      bodyTimeout: 120_000,
      // Large reads: fewer chunks through the hash, the zero check and the staging copy.
      highWaterMark: 4 * 1024 * 1024,
    });
    if (
      response.statusCode >= 300 &&
      response.statusCode < 400 &&
      response.headers.location
    ) {
      await response.body.dump();
      // A redirect must not lead the runner to a host the operator did not list.
      url = options.allowedHosts.assertAllowed(
        'redirect location',
        new URL(String(response.headers.location), url).toString(),
      );
      continue;
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      await response.body.dump();
      throw new RunnerError({
        code: 'EXPORT_UNAUTHORIZED',
        message: `${redactUrl(url)} answered HTTP ${
          response.statusCode
        }: the cookie or ticket was refused.`,
        remediation:
          'Acquire a fresh session cookie or service ticket (or keep the NFC lease alive) and submit export again.',
      });
    }
    if (response.statusCode === 416 && offset > 0) {
      await response.body.dump();
      throw new Error('range not satisfiable');
    }
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      await response.body.dump();
      if (response.statusCode === 404) {
        throw new RunnerError({
          code: 'EXPORT_NOT_FOUND',
          message: `${redactUrl(url)} answered HTTP 404.`,
          remediation:
            'Check the datastore path / NFC device URL; the lease may have expired or the snapshot been removed.',
        });
      }
      throw new Error(`HTTP ${response.statusCode}`);
    }
    if (response.statusCode === 206 && offset > 0) {
      const start = Number(
        String(response.headers['content-range'] ?? '').match(
          /bytes (\d+)-/,
        )?.[1],
      );
      if (start !== offset) {
        await response.body.dump();
        throw new Error(`server resumed at ${start} instead of ${offset}`);
      }
    }
    return response;
  }
  throw new RunnerError({
    code: 'EXPORT_FAILED',
    message: `${redactUrl(options.url)} redirected more than 5 times.`,
    remediation: 'Check the URL; vSphere export URLs do not redirect in loops.',
  });
}

function totalFrom(
  response: Dispatcher.ResponseData,
  offset: number,
): number | undefined {
  const range = String(response.headers['content-range'] ?? '').match(
    /\/(\d+)$/,
  );
  if (range) return Number(range[1]);
  const length = response.headers['content-length'];
  if (length !== undefined)
    return Number(length) + (response.statusCode === 206 ? offset : 0);
  return undefined;
}

/** Writes `data` at `position`, skipping 64 KiB blocks that are all zero (they stay holes). */
async function writeSparse(
  file: FileHandle,
  data: Buffer,
  position: number,
): Promise<number> {
  let written = 0;
  let runStart = -1;
  for (let offset = 0; offset < data.length; offset += BLOCK) {
    const block = data.subarray(offset, Math.min(offset + BLOCK, data.length));
    const zero =
      block.length === BLOCK
        ? block.equals(ZERO_BLOCK)
        : block.equals(ZERO_BLOCK.subarray(0, block.length));
    if (!zero && runStart < 0) runStart = offset;
    if (zero && runStart >= 0) {
      written += await writeAll(
        file,
        data.subarray(runStart, offset),
        position + runStart,
      );
      runStart = -1;
    }
  }
  if (runStart >= 0)
    written += await writeAll(
      file,
      data.subarray(runStart),
      position + runStart,
    );
  return written;
}

async function writeAll(
  file: FileHandle,
  data: Buffer,
  position: number,
): Promise<number> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(
      data,
      offset,
      data.length - offset,
      position + offset,
    );
    offset += bytesWritten;
  }
  return data.length;
}

async function hashPrefix(
  path: string,
  length: number,
  hashes: Array<Hash | undefined>,
): Promise<void> {
  for await (const chunk of createReadStream(path, {
    start: 0,
    end: length - 1,
    highWaterMark: 1024 * 1024,
  })) {
    for (const hash of hashes) hash?.update(chunk as Buffer);
  }
}

/** URLs are logged without their query string (datastore URLs carry dcPath/dsName, tickets may ride there too). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

function abortError(): RunnerError {
  return new RunnerError({
    code: 'CANCELLED',
    httpStatus: 409,
    message:
      'The export was cancelled; the partial file is kept so a new export resumes from it.',
    remediation:
      'Submit export again to resume, or cleanup to drop the partial file.',
  });
}

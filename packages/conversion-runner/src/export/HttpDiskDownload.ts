import { constants } from 'fs';
import { open, stat, FileHandle } from 'fs/promises';
import { Dispatcher, request } from 'undici';
import { RunnerError } from '../RunnerError';
import { commitPartial, partialPathOf } from '../scratch/AtomicFile';
import { AllowedHosts } from './AllowedHosts';
import { HashWorker } from './HashWorker';

const BLOCK = 64 * 1024;
const STAGING = 4 * 1024 * 1024;
const SLOTS = 4;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const LOCAL_IO_ERRORS = new Set(['ENOSPC', 'EIO', 'EROFS', 'EDQUOT', 'EBADF']);
/** OpenSSL / Node codes of a certificate that does not verify (chain, self-signed, expiry, name). */
const TLS_TRUST_ERRORS =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?)|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/;

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
 * Collects the stream into 4 MiB blocks. A full block is written (zero runs skipped), then handed to
 * the hash worker, while the next blocks fill; a block is refilled once it came back from the worker.
 * Writes run one at a time, in order: the file never holds data past a gap that was not written yet,
 * which is what makes its length a safe resume point after a kill. Blocks reach the worker in the same
 * order, so the digest follows the byte order.
 */
class SparseWriter {
  bytesWritten = 0;
  failure?: Error;
  private readonly blocks: Buffer[] = [];
  private readonly ready: Array<Promise<void>> = [];
  private current = 0;
  private staged = 0;
  private stagedAt: number;
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: FileHandle,
    private readonly hasher: HashWorker,
    position: number,
  ) {
    this.stagedAt = position;
    for (let i = 0; i < SLOTS; i++) {
      this.blocks.push(Buffer.from(new ArrayBuffer(STAGING)));
      this.ready.push(Promise.resolve());
    }
  }

  async push(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const block = this.blocks[this.current];
      const take = Math.min(chunk.length - offset, STAGING - this.staged);
      chunk.copy(block, this.staged, offset, offset + take);
      this.staged += take;
      offset += take;
      if (this.staged === STAGING) await this.rotate();
    }
  }

  /** Writes and hashes what is staged and waits for every block. */
  async flush(): Promise<void> {
    await this.rotate();
    await this.drain();
  }

  async drain(): Promise<void> {
    await Promise.all(this.ready);
    if (this.failure) throw this.failure;
  }

  restartAt(position: number): void {
    this.staged = 0;
    this.stagedAt = position;
  }

  private async rotate(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.staged > 0) {
      const index = this.current;
      const length = this.staged;
      const at = this.stagedAt;
      this.stagedAt += length;
      this.staged = 0;
      // Written after the previous block was; hashed once written (so blocks reach the worker in order),
      // while the next write already runs.
      const block = this.blocks[index];
      const written = this.lastWrite.then(async () => {
        if (this.failure) throw this.failure;
        this.bytesWritten += await writeSparse(
          this.file,
          block.subarray(0, length),
          at,
        );
      });
      this.lastWrite = written.catch(error => {
        this.failure ??= error as Error;
      });
      this.ready[index] = written
        .then(() => this.hasher.hashBlock(block, length))
        .then(
          back => {
            this.blocks[index] = back;
          },
          error => {
            this.failure ??= error as Error;
          },
        );
      this.current = (index + 1) % SLOTS;
    }
    // the next block must be back from the worker before it is refilled
    await this.ready[this.current];
    if (this.failure) throw this.failure;
  }
}

/**
 * Streams a disk from an NFC lease URL or a datastore /folder URL to `target`, through `target.partial`.
 * A dropped connection resumes with `Range: bytes=<done>-`; a runner restart resumes from the partial
 * file (its prefix is re-hashed, which costs a local read, not a download). The SHA-256 covers every byte.
 *
 * Nothing is created before the server answered (a refused certificate, cookie or host leaves no file).
 * The bytes go through shared 4 MiB slots: a worker thread hashes a full slot while the event loop keeps
 * receiving, and the slot is written with all-zero 64 KiB blocks skipped (holes). Writes are sequential,
 * so the partial file's length never exceeds the bytes really written before it: after a kill, a
 * restart resumes from its length (re-fetching at most trailing zeros).
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
  /** Called once the size is known, with the bytes still to come (throws to refuse, e.g. no scratch space). */
  checkRoom?: (bytesNeeded: number, bytesTotal: number) => Promise<void>;
  maxRetries?: number;
  retryDelayMs?: number;
  wantSha1?: boolean;
}): Promise<DownloadResult> {
  const partial = partialPathOf(options.target);
  const maxRetries = options.maxRetries ?? 8;
  let done = (await stat(partial).catch(() => undefined))?.size ?? 0;
  const hasher = new HashWorker(
    options.wantSha1 ? ['sha256', 'sha1'] : ['sha256'],
  );
  let file: FileHandle | undefined;
  let writer: SparseWriter | undefined;
  let bytesTotal: number | undefined;
  let roomChecked = false;
  let fatal: unknown;
  let failures = 0;
  let resumes = 0;
  let digests: string[];

  try {
    if (done > 0) {
      options.log(
        `resuming a previous download: re-hashing the ${done} bytes already on disk`,
      );
      await hasher.hashFile(partial, done);
    }
    for (;;) {
      if (options.signal?.aborted) throw abortError();
      try {
        const response = await openStream(options, done);
        if (response === 'complete') {
          options.log(
            `the partial file already holds all ${done} bytes: nothing left to download`,
          );
          bytesTotal = done;
          break;
        }
        if (done > 0 && response.statusCode === 200) {
          options.log(
            'the server ignored the Range header: restarting the download from byte 0',
          );
          done = 0;
          await writer?.drain();
          await hasher.reset();
          await file?.truncate(0);
          writer?.restartAt(0);
        } else if (done > 0) {
          resumes += 1;
          options.log(
            `resumed at byte ${done} (HTTP 206 ${
              response.headers['content-range'] ?? ''
            })`,
          );
        }
        bytesTotal = totalFrom(response, done) ?? bytesTotal;
        if (!roomChecked && bytesTotal !== undefined && options.checkRoom) {
          roomChecked = true;
          try {
            await options.checkRoom(Math.max(0, bytesTotal - done), bytesTotal);
          } catch (error) {
            await response.body.dump().catch(() => undefined);
            fatal = error; // a refusal, not a network error: no retry
            throw error;
          }
        }
        if (!file) {
          // O_CREAT without O_TRUNC: keeps a partial file to resume; positional writes (no O_APPEND).
          file = await open(
            partial,
            constants.O_RDWR | constants.O_CREAT,
            0o600,
          );
          if (done === 0) await file.truncate(0);
          writer = new SparseWriter(file, hasher, done);
        }
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          await writer!.push(chunk);
          done += chunk.length;
          failures = 0;
          options.onProgress?.({ bytesDone: done, bytesTotal });
        }
        await writer!.flush();
        if (bytesTotal !== undefined && done !== bytesTotal) {
          throw new Error(`connection closed at byte ${done} of ${bytesTotal}`);
        }
        break;
      } catch (error) {
        // What was received is hashed and written before anything else, so `done`, the file and the hash agree.
        await writer?.flush().catch(() => undefined);
        if (options.signal?.aborted) throw abortError();
        if (error instanceof RunnerError || error === fatal) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? '';
        // After a failed write the file no longer matches the bytes counted: never resume on top of it.
        if (writer?.failure || LOCAL_IO_ERRORS.has(code)) {
          throw new RunnerError({
            code: 'SCRATCH_WRITE_FAILED',
            message: `Writing ${partial} failed: ${
              (writer?.failure ?? (error as Error)).message
            }`,
            remediation:
              'Free scratch space or fix the scratch volume, then run export again (it resumes).',
          });
        }
        if (TLS_TRUST_ERRORS.test(code)) {
          // A certificate that does not verify will not verify on a retry either.
          throw new RunnerError({
            code: 'TLS_UNTRUSTED',
            message: `The certificate of ${options.url.host} is not trusted (${code}); nothing was sent or written.`,
            remediation:
              'Pin the host certificate thumbprint in params.source.tlsThumbprint (vSphere shows it per host and in the NFC lease), or install the CA that signed it on the runner host.',
          });
        }
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
    // Trailing zero blocks were not written: the length says how many bytes the disk has.
    if (file && (await file.stat()).size < done) await file.truncate(done);
    digests = await hasher.digest();
  } finally {
    await writer?.drain().catch(() => undefined);
    await file?.close();
    await hasher.close();
  }
  if (!file) {
    // nothing was written in this run (empty disk, or a partial that was already complete): keep what is there
    await (
      await open(partial, constants.O_WRONLY | constants.O_CREAT, 0o600)
    ).close();
  }
  await commitPartial(options.target);
  return {
    bytes: done,
    sha256: digests[0],
    sha1: options.wantSha1 ? digests[1] : undefined,
    bytesWritten: writer?.bytesWritten ?? 0,
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
): Promise<Dispatcher.ResponseData | 'complete'> {
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
      // undici's default 64 KiB reads: a larger highWaterMark only made the stream concatenate chunks
      // (one more copy of every byte) before they are copied into the staging slots.
    });
    if (
      response.statusCode >= 300 &&
      response.statusCode < 400 &&
      response.headers.location
    ) {
      await response.body.dump();
      // A redirect must not lead the runner to a host the operator did not list, nor from TLS to clear text.
      const next = options.allowedHosts.assertAllowed(
        'redirect location',
        new URL(String(response.headers.location), url).toString(),
      );
      if (url.protocol === 'https:' && next.protocol !== 'https:') {
        throw new RunnerError({
          code: 'REDIRECT_REFUSED',
          message: `${redactUrl(url)} redirected to plain ${redactUrl(
            next,
          )}; the cookie or ticket would travel in clear text.`,
          remediation:
            'Use the URL vSphere returned over https; check for a proxy rewriting the redirect.',
        });
      }
      url = next;
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
      // "bytes */<size>" with size == offset: the partial file already holds everything (killed before the rename).
      const size = String(response.headers['content-range'] ?? '').match(
        /^bytes \*\/(\d+)$/,
      )?.[1];
      if (size !== undefined && Number(size) === offset) return 'complete';
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

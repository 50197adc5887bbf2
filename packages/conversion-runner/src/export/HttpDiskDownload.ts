import { constants } from 'fs';
import { open, rm, stat, FileHandle } from 'fs/promises';
import { Dispatcher } from 'undici';
import { RunnerError } from '../RunnerError';
import { commitPartial, partialPathOf } from '../scratch/AtomicFile';
import { AllowedHosts } from './AllowedHosts';
import { openDiskSource, OpenedSource, redactUrl } from './DiskSource';
import { HashWorker } from './HashWorker';
import {
  changedSource,
  differentSource,
  discardPartialOrigin,
  ifRangeOf,
  PartialOrigin,
  readPartialOrigin,
  sourceUrlOf,
  writePartialOrigin,
} from './PartialOrigin';
import { SparseWriter } from './SparseWriter';

export { redactUrl } from './DiskSource';

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

export type DownloadOptions = {
  url: URL;
  headers: Record<string, string>;
  target: string;
  allowedHosts: AllowedHosts;
  dispatcher: Dispatcher;
  /** The job's idempotency key: a partial file written under another key is not resumed. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called once the size is known, with the bytes still to come (throws to refuse, e.g. no scratch space). */
  checkRoom?: (bytesNeeded: number, bytesTotal: number) => Promise<void>;
  maxRetries?: number;
  retryDelayMs?: number;
  wantSha1?: boolean;
};

class DiskDownload {
  private readonly partial: string;
  private readonly hasher: HashWorker;
  private readonly wanted: { url: string; idempotencyKey?: string };
  /** What the partial file holds, as recorded beside it. */
  private origin?: PartialOrigin;
  private file?: FileHandle;
  private writer?: SparseWriter;
  private done = 0;
  private bytesTotal?: number;
  private roomChecked = false;
  private fatal: unknown;
  private failures = 0;
  private resumes = 0;

  constructor(private readonly options: DownloadOptions) {
    this.partial = partialPathOf(options.target);
    this.hasher = new HashWorker(
      options.wantSha1 ? ['sha256', 'sha1'] : ['sha256'],
    );
    this.wanted = {
      url: sourceUrlOf(options.url),
      idempotencyKey: options.idempotencyKey,
    };
  }

  async run(): Promise<DownloadResult> {
    let digests: string[];
    try {
      await this.resumePoint();
      await this.transfer();
      // Trailing zero blocks were not written: the length says how many bytes the disk has.
      if (this.file && (await this.file.stat()).size < this.done)
        await this.file.truncate(this.done);
      digests = await this.hasher.digest();
    } finally {
      await this.writer?.drain().catch(() => undefined);
      await this.file?.close();
      await this.hasher.close();
    }
    if (!this.file) {
      // nothing was written in this run (empty disk, or a partial that was already complete): keep what is there
      await (
        await open(this.partial, constants.O_WRONLY | constants.O_CREAT, 0o600)
      ).close();
    }
    await commitPartial(this.options.target);
    await discardPartialOrigin(this.options.target);
    return {
      bytes: this.done,
      sha256: digests[0],
      sha1: this.options.wantSha1 ? digests[1] : undefined,
      bytesWritten: this.writer?.bytesWritten ?? 0,
      resumes: this.resumes,
    };
  }

  /** Continue the partial file only if it is recorded as a partial of this very source and job. */
  private async resumePoint(): Promise<void> {
    const size = (await stat(this.partial).catch(() => undefined))?.size ?? 0;
    if (size === 0) return;
    const recorded = await readPartialOrigin(this.options.target);
    const mismatch = differentSource(recorded, this.wanted);
    if (mismatch) {
      this.options.log(
        `not resuming the ${size} bytes in ${this.partial}: ${mismatch}; downloading from byte 0`,
      );
      await rm(this.partial, { force: true });
      await discardPartialOrigin(this.options.target);
      return;
    }
    this.origin = recorded;
    this.done = size;
    this.options.log(
      `resuming a previous download: re-hashing the ${size} bytes already on disk`,
    );
    await this.hasher.hashFile(this.partial, size);
  }

  private async transfer(): Promise<void> {
    for (;;) {
      if (this.options.signal?.aborted) throw abortError();
      try {
        const opened = await openDiskSource(
          this.options,
          this.done,
          ifRangeOf(this.origin),
        );
        if (opened.kind === 'unsatisfiable') {
          if (await this.completeOrRestart(opened.size)) return;
          continue;
        }
        if (!(await this.acceptResume(opened))) continue;
        await this.receive(opened);
        return;
      } catch (error) {
        // What was received is hashed and written before anything else, so `done`, the file and the hash agree.
        await this.writer?.flush().catch(() => undefined);
        await this.retryOrThrow(error);
      }
    }
  }

  /**
   * A 416: the partial file already holds every byte (killed before the rename) when the source has
   * exactly its length; a smaller source is another disk, downloaded again from byte 0.
   */
  private async completeOrRestart(size: number | undefined): Promise<boolean> {
    if (
      size === this.done &&
      !changedSource(this.origin, { sizeBytes: size })
    ) {
      this.options.log(
        `the partial file already holds all ${this.done} bytes: nothing left to download`,
      );
      this.bytesTotal = this.done;
      return true;
    }
    await this.restart(
      `the source has ${size ?? 'fewer'} bytes, the partial file already ${
        this.done
      }`,
    );
    return false;
  }

  /** On a resume, checks the answer is the rest of the same source; false: restart requested. */
  private async acceptResume(
    opened: Extract<OpenedSource, { kind: 'body' }>,
  ): Promise<boolean> {
    if (this.done === 0) return true;
    const { response } = opened;
    if (response.statusCode === 200) {
      // the whole disk follows: take it from byte 0 (Range ignored, or If-Range found the source changed)
      await this.restart(
        'the server sent the whole disk (Range ignored, or the source changed since the partial file)',
      );
      return true;
    }
    const changed = changedSource(this.origin, opened.validators);
    if (changed) {
      await response.body.dump().catch(() => undefined);
      await this.restart(changed);
      return false;
    }
    this.resumes += 1;
    this.options.log(
      `resumed at byte ${this.done} (HTTP 206 ${
        response.headers['content-range'] ?? ''
      })`,
    );
    return true;
  }

  /** Drops what the partial file holds and starts over at byte 0. */
  private async restart(reason: string): Promise<void> {
    this.options.log(`${reason}: restarting the download from byte 0`);
    this.done = 0;
    this.origin = undefined;
    await this.writer?.drain();
    await this.hasher.reset();
    if (this.file) await this.file.truncate(0);
    else await rm(this.partial, { force: true });
    this.writer?.restartAt(0);
    await discardPartialOrigin(this.options.target);
  }

  private async receive(
    opened: Extract<OpenedSource, { kind: 'body' }>,
  ): Promise<void> {
    const { response } = opened;
    this.bytesTotal = opened.total ?? this.bytesTotal;
    await this.checkRoomOnce(response);
    await this.recordOrigin(opened);
    if (!this.file) {
      // O_CREAT without O_TRUNC: keeps a partial file to resume; positional writes (no O_APPEND).
      this.file = await open(
        this.partial,
        constants.O_RDWR | constants.O_CREAT,
        0o600,
      );
      if (this.done === 0) await this.file.truncate(0);
      this.writer = new SparseWriter(this.file, this.hasher, this.done);
    }
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      await this.writer!.push(chunk);
      this.done += chunk.length;
      this.failures = 0;
      this.options.onProgress?.({
        bytesDone: this.done,
        bytesTotal: this.bytesTotal,
      });
    }
    await this.writer!.flush();
    if (this.bytesTotal !== undefined && this.done !== this.bytesTotal) {
      throw new Error(
        `connection closed at byte ${this.done} of ${this.bytesTotal}`,
      );
    }
  }

  private async checkRoomOnce(response: Dispatcher.ResponseData) {
    const { checkRoom } = this.options;
    if (this.roomChecked || this.bytesTotal === undefined || !checkRoom) return;
    this.roomChecked = true;
    try {
      await checkRoom(
        Math.max(0, this.bytesTotal - this.done),
        this.bytesTotal,
      );
    } catch (error) {
      await response.body.dump().catch(() => undefined);
      this.fatal = error; // a refusal, not a network error: no retry
      throw error;
    }
  }

  /** Written before the first byte of a source lands in the partial file. */
  private async recordOrigin(
    opened: Extract<OpenedSource, { kind: 'body' }>,
  ): Promise<void> {
    const origin: PartialOrigin = {
      ...this.wanted,
      sizeBytes: this.origin?.sizeBytes ?? opened.validators.sizeBytes,
      etag: this.origin?.etag ?? opened.validators.etag,
      lastModified: this.origin?.lastModified ?? opened.validators.lastModified,
    };
    if (JSON.stringify(origin) === JSON.stringify(this.origin)) return;
    await writePartialOrigin(this.options.target, origin);
    this.origin = origin;
  }

  private async retryOrThrow(error: unknown): Promise<void> {
    const { options } = this;
    if (options.signal?.aborted) throw abortError();
    if (error instanceof RunnerError || error === this.fatal) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // After a failed write the file no longer matches the bytes counted: never resume on top of it.
    if (this.writer?.failure || LOCAL_IO_ERRORS.has(code)) {
      throw new RunnerError({
        code: 'SCRATCH_WRITE_FAILED',
        message: `Writing ${this.partial} failed: ${
          (this.writer?.failure ?? (error as Error)).message
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
    this.failures += 1;
    const maxRetries = options.maxRetries ?? 8;
    if (this.failures > maxRetries) {
      throw new RunnerError({
        code: 'EXPORT_FAILED',
        message: `Download of ${redactUrl(options.url)} failed ${
          this.failures
        } times in a row at byte ${this.done}: ${(error as Error).message}`,
        remediation:
          'Check that the NFC lease or the session/ticket is still valid and that the ESXi host is reachable; run export again to resume from the partial file.',
      });
    }
    const delay =
      (options.retryDelayMs ?? 1000) * Math.min(2 ** (this.failures - 1), 16);
    options.log(
      `connection lost at byte ${this.done} (${
        (error as Error).message
      }); retry ${this.failures}/${maxRetries} in ${delay} ms with Range`,
    );
    await new Promise(resolve => setTimeout(resolve, delay));
  }
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

/**
 * Streams a disk from an NFC lease URL or a datastore /folder URL to `target`, through `target.partial`.
 * A dropped connection resumes with `Range: bytes=<done>-`; a runner restart resumes from the partial
 * file (its prefix is re-hashed, which costs a local read, not a download) when the partial file is
 * recorded as taken from the same source (URL, job, size, ETag / Last-Modified, see PartialOrigin);
 * otherwise it starts over. The SHA-256 covers every byte.
 *
 * Nothing is created before the server answered (a refused certificate, cookie or host leaves no file).
 * The bytes go through shared 4 MiB slots (SparseWriter): a worker thread hashes a full slot while the
 * event loop keeps receiving, and the slot is written with all-zero 64 KiB blocks skipped (holes).
 * Writes are sequential, so the partial file's length never exceeds the bytes really written before
 * it: after a kill, a restart resumes from its length (re-fetching at most trailing zeros).
 */
export async function downloadDisk(
  options: DownloadOptions,
): Promise<DownloadResult> {
  return new DiskDownload(options).run();
}

import { Worker } from 'worker_threads';

/**
 * The worker reads the file once, in order, and computes each part's MD5 (Content-MD5, multipart ETag)
 * and the SHA-256 of the whole file. Plain JavaScript evaluated in the worker, so it runs the same from
 * src/ (tests, dev) and from a bundled dist/.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const { createHash } = require('crypto');
const { openSync, readSync, closeSync } = require('fs');
const { file, size, partSize } = workerData;
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
let fd;
try {
  fd = openSync(file, 'r');
  const sha256 = createHash('sha256');
  for (let part = 1, start = 0; ; part++, start += partSize) {
    const md5 = createHash('md5');
    const end = Math.min(size, start + partSize);
    for (let at = start; at < end; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (n === 0) throw new Error('the file is shorter than ' + size + ' bytes (it changed during the upload)');
      const view = buffer.subarray(0, n);
      md5.update(view);
      sha256.update(view);
      at += n;
    }
    parentPort.postMessage({ part, md5: md5.digest('hex') });
    if (end >= size) break;
  }
  parentPort.postMessage({ sha256: sha256.digest('hex') });
} catch (error) {
  parentPort.postMessage({ error: String((error && error.message) || error) });
} finally {
  if (fd !== undefined) closeSync(fd);
}
`;

type Deferred<T> = {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
};

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // awaited later, or not at all: never an unhandled rejection
  return { promise, resolve, reject };
}

/**
 * Digests of a file to upload, computed off the event loop in one read: MD5 per part and SHA-256 of
 * the whole. The upload asks for a part's MD5 when it sends that part (the worker is usually ahead:
 * hashing runs faster than an upload), and a resumed upload compares the server's part ETags with them.
 */
export class FileDigests {
  private readonly parts = new Map<number, Deferred<string>>();
  private readonly whole = deferred<string>();
  private readonly worker: Worker;
  private failure?: Error;

  constructor(file: string, size: number, partSize: number) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, size, partSize },
    });
    this.worker.on(
      'message',
      (message: {
        part?: number;
        md5?: string;
        sha256?: string;
        error?: string;
      }) => {
        if (message.error) this.fail(new Error(message.error));
        else if (message.part !== undefined)
          this.part(message.part).resolve(message.md5!);
        else if (message.sha256) this.whole.resolve(message.sha256);
      },
    );
    this.worker.on('error', error => this.fail(error as Error));
    this.worker.on('exit', () =>
      this.fail(new Error('the hashing worker stopped before it finished')),
    );
  }

  /** MD5 (hex) of part n (1-based) as the file holds it now. */
  partMd5(n: number): Promise<string> {
    return this.part(n).promise;
  }

  sha256(): Promise<string> {
    return this.whole.promise;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private part(n: number): Deferred<string> {
    let entry = this.parts.get(n);
    if (!entry) {
      entry = deferred<string>();
      if (this.failure) entry.reject(this.failure);
      this.parts.set(n, entry);
    }
    return entry;
  }

  private fail(error: Error): void {
    // settled promises ignore this; pending and future ones get the error
    this.failure ??= error;
    for (const entry of this.parts.values()) entry.reject(this.failure);
    this.whole.reject(this.failure);
  }
}

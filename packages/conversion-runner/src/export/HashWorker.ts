import { Worker } from 'worker_threads';

/**
 * Plain JavaScript evaluated in the worker (the same from src/ and from a bundled dist/): it hashes the
 * blocks it is handed, in the order it gets them, and the prefix of a partial file.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const { createHash } = require('crypto');
const { openSync, readSync, closeSync } = require('fs');
const algorithms = workerData.algorithms;
let hashes = algorithms.map(name => createHash(name));
parentPort.on('message', message => {
  try {
    if (message.op === 'block') {
      const view = Buffer.from(message.buffer, 0, message.length);
      for (const hash of hashes) hash.update(view);
      // the block goes back to the download, which fills it again
      parentPort.postMessage({ id: message.id, buffer: message.buffer }, [message.buffer]);
      return;
    } else if (message.op === 'file') {
      const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
      const fd = openSync(message.path, 'r');
      try {
        for (let at = 0; at < message.length; ) {
          const n = readSync(fd, buffer, 0, Math.min(buffer.length, message.length - at), at);
          if (n === 0) throw new Error(message.path + ' is shorter than ' + message.length + ' bytes');
          for (const hash of hashes) hash.update(buffer.subarray(0, n));
          at += n;
        }
      } finally {
        closeSync(fd);
      }
    } else if (message.op === 'reset') {
      hashes = algorithms.map(name => createHash(name));
    } else if (message.op === 'digest') {
      parentPort.postMessage({ id: message.id, digests: hashes.map(hash => hash.digest('hex')) });
      hashes = algorithms.map(name => createHash(name));
      return;
    }
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.message) || error) });
  }
});
`;

/**
 * Hashes a download off the event loop: each staging block is moved (transferred, not copied) to the
 * worker once it is written, hashed there while the event loop keeps receiving, and moved back to be
 * filled again. Requests are answered in order, so the digest covers the bytes in the order they came.
 * (Blocks are transferred rather than shared: V8 copies into a SharedArrayBuffer several times slower.)
 */
export class HashWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    {
      resolve(value: { digests?: string[]; buffer?: ArrayBuffer }): void;
      reject(error: Error): void;
    }
  >();
  private nextId = 0;
  private failure?: Error;

  constructor(algorithms: string[]) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { algorithms },
    });
    this.worker.unref();
    this.worker.on(
      'message',
      (message: {
        id: number;
        digests?: string[];
        buffer?: ArrayBuffer;
        error?: string;
      }) => {
        const entry = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error) entry?.reject(new Error(message.error));
        else entry?.resolve(message);
      },
    );
    this.worker.on('error', error => this.fail(error as Error));
    this.worker.on('exit', () =>
      this.fail(new Error('the hashing worker stopped')),
    );
  }

  /**
   * Hashes block[0..length). The block must own its whole ArrayBuffer: it is detached until the
   * returned promise gives it back.
   */
  async hashBlock(block: Buffer, length: number): Promise<Buffer> {
    const { buffer } = await this.request(
      { op: 'block', buffer: block.buffer, length },
      [block.buffer as ArrayBuffer],
    );
    return Buffer.from(buffer!);
  }

  /** Hashes the first `length` bytes of a file (a partial download being resumed). */
  async hashFile(path: string, length: number): Promise<void> {
    await this.request({ op: 'file', path, length });
  }

  async reset(): Promise<void> {
    await this.request({ op: 'reset' });
  }

  /** Hex digests in the order of the algorithms. */
  async digest(): Promise<string[]> {
    return (await this.request({ op: 'digest' })).digests!;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private request(
    message: Record<string, unknown>,
    transfer: ArrayBuffer[] = [],
  ): Promise<{ digests?: string[]; buffer?: ArrayBuffer }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.waiting.values()) entry.reject(this.failure);
    this.waiting.clear();
  }
}

import { FileHandle } from 'fs/promises';
import { HashWorker } from './HashWorker';

const BLOCK = 64 * 1024;
const STAGING = 4 * 1024 * 1024;
const SLOTS = 4;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/**
 * Collects the stream into 4 MiB blocks. A full block is written (zero runs skipped), then handed to
 * the hash worker, while the next blocks fill; a block is refilled once it came back from the worker.
 * Writes run one at a time, in order: the file never holds data past a gap that was not written yet,
 * which is what makes its length a safe resume point after a kill. Blocks reach the worker in the same
 * order, so the digest follows the byte order.
 */
export class SparseWriter {
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

import { randomBytes } from 'crypto';
import { open, mkdtemp, rm, writeFile, truncate } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { assertSameDisk } from '../convert/QemuImg';
import { runTool } from '../tools/ToolRunner';
import { CLUSTER, Qcow2StreamLayout } from './Qcow2StreamLayout';

jest.setTimeout(60_000);
const MiB = 1024 * 1024;

describe('Qcow2StreamLayout', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'v2s-q2s-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** Writes the qcow2 strictly in order (as the streamed upload does) from a raw image's data extents. */
  async function writeInOrder(
    raw: string,
    layout: Qcow2StreamLayout,
    out: string,
  ) {
    const input = await open(raw, 'r');
    const output = await open(out, 'w');
    try {
      let position = 0;
      const append = async (chunk: Buffer) => {
        await output.write(chunk, 0, chunk.length, position);
        position += chunk.length;
      };
      for (const chunk of layout.metadata()) await append(chunk);
      expect(position).toBe(layout.dataOffset);
      for (const run of layout.dataRuns(4 * MiB)) {
        const length = Math.ceil(run.length / CLUSTER) * CLUSTER;
        const chunk = Buffer.alloc(length);
        await input.read(chunk, 0, run.length, run.start);
        await append(chunk);
      }
      expect(position).toBe(layout.fileSize);
    } finally {
      await input.close();
      await output.close();
    }
  }

  it('builds a qcow2 that qemu-img checks clean and reads equal to the source (several L2 tables, a partial last cluster)', async () => {
    const raw = join(work, 'disk.raw');
    const size = 1536 * MiB + 512; // the partial last cluster starts a fourth L2 table
    await writeFile(raw, Buffer.alloc(0));
    await truncate(raw, size);
    const handle = await open(raw, 'r+');
    const pieces: Array<[number, number]> = [
      [0, 3 * MiB + 100], // the start, ending mid-cluster
      [10 * MiB + 4096, 8192], // inside one cluster
      [511 * MiB, 2 * MiB], // across the first L2 boundary
      [1100 * MiB, 65536 * 3],
      [size - 700, 700], // the partial last cluster
    ];
    for (const [offset, length] of pieces)
      await handle.write(randomBytes(length), 0, length, offset);
    await handle.close();
    const layout = new Qcow2StreamLayout(
      size,
      pieces.map(([start, length]) => ({ start, length })),
    );
    expect(layout.l2Tables).toEqual([0, 1, 2, 3]);
    const out = join(work, 'disk.qcow2');
    await writeInOrder(raw, layout, out);
    await assertSameDisk(
      { file: raw, format: 'raw' },
      { file: out, format: 'qcow2' },
    );
    const { stdout } = await runTool('qemu-img', [
      'info',
      '--output=json',
      '-f',
      'qcow2',
      out,
    ]);
    const info = JSON.parse(stdout);
    expect(info['virtual-size']).toBe(size);
    expect(info['format-specific'].data['compression-type']).toBe('zlib');
    // only the clusters that hold data are stored
    expect(layout.dataBytes).toBeLessThan(8 * MiB);
  });

  it('handles an empty disk and refcount structures that must grow', async () => {
    const empty = new Qcow2StreamLayout(10 * MiB, []);
    const raw = join(work, 'empty.raw');
    await writeFile(raw, Buffer.alloc(0));
    await truncate(raw, 10 * MiB);
    const out = join(work, 'empty.qcow2');
    await writeInOrder(raw, empty, out);
    await assertSameDisk(
      { file: raw, format: 'raw' },
      { file: out, format: 'qcow2' },
    );
    // 40000 data clusters need two refcount blocks (32768 refcounts each)
    const big = new Qcow2StreamLayout(4 * 1024 * MiB, [
      { start: 0, length: 40000 * CLUSTER },
    ]);
    expect(big.refcountBlocks).toBe(2);
    expect(big.totalClusters).toBeLessThanOrEqual(2 * 32768);
  });
});

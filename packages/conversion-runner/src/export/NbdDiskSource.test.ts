import { createHash, randomBytes } from 'crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { DatastoreHttpServer } from '../testing/DatastoreHttpServer';
import { datastoreNbdSource } from '../testing/DatastoreNbdSource';
import { runTool } from '../tools/ToolRunner';
import { NbdClient } from '../upload/NbdClient';
import type { NbdDiskSource } from './NbdDiskSource';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

/** Command lines of every process on the host (what any local user can read in /proc). */
async function allCommandLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const pid of (await readdir('/proc')).filter(p => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(
      () => '',
    );
    lines.push(cmdline.replace(/\0/g, ' '));
  }
  return lines;
}

describe('NbdDiskSource (nbdkit curl over a datastore /folder URL, qcow2 overlay on top)', () => {
  let work: string;
  let file: string;
  let content: Buffer;
  let server: DatastoreHttpServer;
  let source: NbdDiskSource;
  let served: Awaited<ReturnType<typeof datastoreNbdSource>> | undefined;
  const cookie = 'vmware_soap_session="s3cr3t-cookie-value"';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'v2s-nbd-'));
    // 8 MiB of data, 16 MiB of zeros, 8 MiB of data
    content = Buffer.concat([
      randomBytes(8 * MiB),
      Buffer.alloc(16 * MiB),
      randomBytes(8 * MiB),
    ]);
    file = join(work, 'disk-flat.vmdk');
    await writeFile(file, content);
    served = await datastoreNbdSource({
      file: file,
      cookie,
      dir: join(work, 'sockets'),
      log: () => undefined,
    });
    server = served.server;
    source = served.source;
  });
  afterAll(async () => {
    await served?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('serves the disk on demand: a small read fetches little, a full read equals the source', async () => {
    expect(source.size).toBe(content.length);
    const before = source.bytesFetched;
    const nbd = await NbdClient.connect(source.socket);
    try {
      expect(nbd.size).toBe(content.length);
      const piece = await nbd.read(400 * 65536, 65536);
      expect(piece.equals(content.subarray(400 * 65536, 401 * 65536))).toBe(
        true,
      );
    } finally {
      await nbd.close();
    }
    // one block, not the disk (nbdkit may read a little around it)
    expect(source.bytesFetched - before).toBeGreaterThanOrEqual(65536);
    expect(source.bytesFetched - before).toBeLessThan(4 * MiB);

    const whole = join(work, 'whole.raw');
    await runTool('qemu-img', [
      'convert',
      '-f',
      'raw',
      '-O',
      'raw',
      source.uri,
      whole,
    ]);
    expect((await readFile(whole)).equals(content)).toBe(true);
    // every request carried the cookie, added by the proxy in the runner's process
    expect(server.requests.length).toBeGreaterThan(1);
    for (const request of server.requests) expect(request.cookie).toBe(cookie);
  });

  it('keeps the cookie out of every process command line', async () => {
    const secret = 's3cr3t-cookie-value';
    const lines = await allCommandLines();
    expect(lines.some(l => l.includes('nbdkit'))).toBe(true);
    expect(lines.filter(l => l.includes(secret))).toEqual([]);
  });

  it('a qcow2 overlay takes every write; the source never changes', async () => {
    const overlay = join(work, 'disk-0.qcow2');
    await source.createOverlay(overlay);
    await runTool('qemu-io', [
      '-f',
      'qcow2',
      '-c',
      'write -P 0xab 1M 1M',
      overlay,
    ]);
    const read = join(work, 'overlay.raw');
    await runTool('qemu-img', [
      'convert',
      '-f',
      'qcow2',
      '-O',
      'raw',
      overlay,
      read,
    ]);
    const expected = Buffer.from(content);
    expected.fill(0xab, MiB, 2 * MiB);
    expect((await readFile(read)).equals(expected)).toBe(true);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(file))).toBe(sha(content));
    // the export is read-only: a write straight to it is refused
    await expect(
      runTool('qemu-io', [
        '-f',
        'raw',
        '-c',
        'write -P 0xcd 0 64k',
        source.uri,
      ]),
    ).rejects.toThrow();
    expect(sha(await readFile(file))).toBe(sha(content));
  });
});

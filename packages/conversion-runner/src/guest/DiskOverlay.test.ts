import { createHash } from 'crypto';
import execa from 'execa';
import { existsSync } from 'fs';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { rewriteThroughOverlays } from './DiskOverlay';

describe('rewriteThroughOverlays', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-overlay-'));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  const sha256 = async (file: string) =>
    createHash('sha256')
      .update(await readFile(file))
      .digest('hex');

  /** Grows the overlay by 5 MiB and writes a pattern in the new part, as ensure_uefi does with its ESP. */
  async function growAndWrite(overlay: string) {
    await execa('qemu-img', ['resize', '-q', '-f', 'qcow2', overlay, '+5M']);
    await execa('qemu-io', ['-c', 'write -P 0xab 14M 4k', overlay]);
  }

  it('commits the changes, growth included, only when the work succeeds', async () => {
    const base = join(work, 'disk.qcow2');
    const overlay = join(work, 'disk.job.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', base, '10M']);
    const before = await sha256(base);
    const lines: string[] = [];
    const target = { base, format: 'qcow2' as const, overlay };
    await expect(
      rewriteThroughOverlays(
        [target],
        { log: l => lines.push(l) },
        async ([o]) => {
          await growAndWrite(o);
          throw new Error('the tool failed half-way');
        },
      ),
    ).rejects.toThrow('half-way');
    expect(await sha256(base)).toBe(before);
    expect(existsSync(overlay)).toBe(false);
    expect(lines.join('\n')).toContain('now discarded');

    let busy = false;
    const result = await rewriteThroughOverlays(
      [target],
      { log: l => lines.push(l), beforeCommit: async () => void (busy = true) },
      async ([o]) => {
        await growAndWrite(o);
        return 'done';
      },
    );
    expect([result, busy, existsSync(overlay)]).toEqual(['done', true, false]);
    const { stdout } = await execa('qemu-img', ['info', '--output=json', base]);
    expect(JSON.parse(stdout)['virtual-size']).toBe(15 * 1024 * 1024);
    const { stdout: check } = await execa('qemu-io', [
      '-c',
      'read -P 0xab 14M 4k',
      base,
    ]);
    expect(check).not.toContain('Pattern verification failed');
  });
});

import execa from 'execa';
import { existsSync } from 'fs';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { libguestfsEnv, probeAccel } from '../accel/AccelProbe';
import {
  GuestfishSession,
  parseGuestfishStructs,
  reapStaleGuestfish,
} from './GuestfishSession';

jest.setTimeout(300_000);

describe('GuestfishSession', () => {
  it('parses struct lists', () => {
    expect(
      parseGuestfishStructs(
        '[0] = {\n  part_num: 1\n  part_start: 1048576\n}\n[1] = {\n  part_num: 2\n}\n',
      ),
    ).toEqual([{ part_num: '1', part_start: '1048576' }, { part_num: '2' }]);
  });

  it('drives one appliance command by command; a daemon left by a killed runner is reaped', async () => {
    const work = await mkdtemp(join(tmpdir(), 'vmware2scw-gf-'));
    try {
      const disk = join(work, 'disk.qcow2');
      await execa('qemu-img', ['create', '-f', 'qcow2', disk, '64M']);
      const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
      const pidFile = join(work, 'job-1.guestfish.pid');
      const g = await GuestfishSession.start({
        disks: [{ path: disk, format: 'qcow2' }],
        env: libguestfsEnv(accel.mode),
        pidFile,
      });
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      try {
        await g.run('part-init', '/dev/sda', 'gpt');
        await g.run('part-add', '/dev/sda', 'p', '2048', '100000');
        expect((await g.run('part-get-parttype', '/dev/sda')).trim()).toBe(
          'gpt',
        );
        expect(
          parseGuestfishStructs(await g.run('part-list', '/dev/sda')),
        ).toHaveLength(1);
      } finally {
        // As after a runner killed mid-job: nobody closes the session, the next start reaps the daemon.
        const lines: string[] = [];
        await reapStaleGuestfish(work, line => lines.push(line));
        expect(lines.join('\n')).toContain(`stopping guestfish ${pid}`);
        for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++)
          await new Promise(resolve => setTimeout(resolve, 100));
        expect(existsSync(`/proc/${pid}`)).toBe(false);
        expect(existsSync(pidFile)).toBe(false);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

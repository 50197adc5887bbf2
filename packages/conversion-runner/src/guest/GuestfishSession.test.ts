import execa from 'execa';
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { libguestfsEnv, probeAccel } from '../accel/AccelProbe';
import { GuestfishSession, parseGuestfishStructs } from './GuestfishSession';

jest.setTimeout(300_000);

describe('GuestfishSession', () => {
  it('parses struct lists', () => {
    expect(
      parseGuestfishStructs(
        '[0] = {\n  part_num: 1\n  part_start: 1048576\n}\n[1] = {\n  part_num: 2\n}\n',
      ),
    ).toEqual([{ part_num: '1', part_start: '1048576' }, { part_num: '2' }]);
  });

  it('drives one appliance command by command', async () => {
    const work = await mkdtemp(join(tmpdir(), 'vmware2scw-gf-'));
    try {
      const disk = join(work, 'disk.qcow2');
      await execa('qemu-img', ['create', '-f', 'qcow2', disk, '64M']);
      const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
      const g = await GuestfishSession.start({
        disks: [{ path: disk, format: 'qcow2' }],
        env: libguestfsEnv(accel.mode),
      });
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
        await g.close();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

import execa from 'execa';
import { open, mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { libguestfsEnv, probeAccel } from '../accel/AccelProbe';
import { RunnerError } from '../RunnerError';
import { rewriteAsGpt } from './GptRewrite';
import { GuestfishSession, parseGuestfishStructs } from './GuestfishSession';
import {
  ESP_TYPE_GUID,
  parsePartitionTable,
  planUefi,
  SECTOR,
} from './PartitionTable';

jest.setTimeout(600_000);

const MiB = 1024 * 1024;
const DISK_BYTES = 128 * MiB;
const ESP_BYTES = 8 * MiB;

/**
 * The MBR -> GPT rewrite of ensure_uefi on the layouts VMware guests have, in one appliance: an LVM
 * PV holding an active volume group (what made parted fail), a separate /boot, an extended partition
 * with logical partitions (one of them swap). Every partition keeps its sectors and its filesystem.
 */
describe('rewriteAsGpt', () => {
  let work: string;
  let g: GuestfishSession | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-gpt-'));
    for (const name of ['lvm.raw', 'logical.raw', 'refused.raw'])
      await execa('truncate', ['-s', String(DISK_BYTES), join(work, name)]);
    const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    g = await GuestfishSession.start({
      disks: [
        { path: join(work, 'lvm.raw'), format: 'raw' },
        { path: join(work, 'logical.raw'), format: 'raw' },
        { path: join(work, 'refused.raw'), format: 'raw' },
      ],
      env: libguestfsEnv(accel.mode),
      log: line => log.push(line),
    });
  });
  afterAll(async () => {
    await g?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function planFor(file: string) {
    await g!.run('sync');
    const handle = await open(join(work, file), 'r');
    try {
      const head = Buffer.alloc(34 * SECTOR);
      await handle.read(head, 0, head.length, 0);
      const plan = planUefi(parsePartitionTable(head), DISK_BYTES, ESP_BYTES);
      if (plan.action !== 'convert') throw new Error(JSON.stringify(plan));
      expect(plan.growBytes).toBe(0);
      return plan;
    } finally {
      await handle.close();
    }
  }

  async function partitions(device: string) {
    return parseGuestfishStructs(await g!.run('part-list', device)).map(p => ({
      start: Number(p.part_start),
      end: Number(p.part_end),
    }));
  }

  async function fingerprint(devices: string[]) {
    const out: Record<string, string> = {};
    for (const dev of devices)
      out[dev] = `${(await g!.run('vfs-type', dev)).trim()} ${(
        await g!.run('vfs-uuid', dev)
      ).trim()}`;
    return out;
  }

  async function marker(dev: string, text: string) {
    await g!.run('mount', dev, '/');
    await g!.run('write', '/marker', text);
    await g!.run('umount-all');
  }

  async function readMarker(dev: string) {
    await g!.run('mount', dev, '/');
    const text = await g!.run('cat', '/marker');
    await g!.run('umount-all');
    return text;
  }

  it('keeps /boot and an active LVM root in place and adds the ESP', async () => {
    const s = g!;
    await s.run('part-init', '/dev/sda', 'mbr');
    await s.run('part-add', '/dev/sda', 'p', '2048', '67583');
    await s.run('part-add', '/dev/sda', 'p', '67584', '198655');
    await s.run('part-set-mbr-id', '/dev/sda', '2', '142'); // 0x8e Linux LVM
    await s.run('part-set-bootable', '/dev/sda', '1', 'true');
    await s.run('mkfs', 'ext2', '/dev/sda1');
    await s.run('pvcreate', '/dev/sda2');
    await s.run('vgcreate', 'gvg', '/dev/sda2');
    await s.run('lvcreate', 'root', 'gvg', '40');
    await s.run('mkfs', 'ext4', '/dev/gvg/root');
    await marker('/dev/sda1', 'boot');
    await marker('/dev/gvg/root', 'root');
    const partsBefore = await partitions('/dev/sda');
    const fsBefore = await fingerprint(['/dev/sda1', '/dev/gvg/root']);
    // the volume group is active, as in the appliance of ensure_uefi
    expect(await s.lines('lvs')).toEqual(['/dev/gvg/root']);

    const plan = await planFor('lvm.raw');
    const result = await rewriteAsGpt(s, '/dev/sda', plan);

    expect((await s.run('part-get-parttype', '/dev/sda')).trim()).toBe('gpt');
    const partsAfter = await partitions('/dev/sda');
    expect(partsAfter.slice(0, 2)).toEqual(partsBefore);
    expect(partsAfter[2].start).toBe(plan.espStartSector * SECTOR);
    expect(result).toMatchObject({ renumbered: [], espDevice: '/dev/sda3' });
    expect(
      (await s.run('part-get-gpt-type', '/dev/sda', '2')).trim().toUpperCase(),
    ).toBe('E6D6D379-F507-44C2-A23C-238F2A3DF928'); // Linux LVM
    expect(
      (await s.run('part-get-gpt-type', '/dev/sda', '3')).trim().toUpperCase(),
    ).toBe(ESP_TYPE_GUID);
    expect((await s.run('vfs-type', '/dev/sda3')).trim()).toBe('vfat');
    // the volume group is active again, nothing lost
    expect(await s.lines('lvs')).toEqual(['/dev/gvg/root']);
    expect(await fingerprint(['/dev/sda1', '/dev/gvg/root'])).toEqual(fsBefore);
    expect(await readMarker('/dev/sda1')).toBe('boot');
    expect(await readMarker('/dev/gvg/root')).toBe('root');
  });

  it('turns logical partitions (swap among them) into GPT partitions at the same sectors', async () => {
    const s = g!;
    await s.run('part-init', '/dev/sdb', 'mbr');
    await s.run('part-add', '/dev/sdb', 'p', '2048', '34815');
    await s.run('part-add', '/dev/sdb', 'e', '34816', '198655');
    await s.run('part-add', '/dev/sdb', 'l', '36864', '69631');
    await s.run('part-add', '/dev/sdb', 'l', '71680', '137215');
    await s.run('part-set-mbr-id', '/dev/sdb', '5', '130'); // 0x82 Linux swap
    await s.run('mkfs', 'ext4', '/dev/sdb1');
    await s.run('mkswap', '/dev/sdb5');
    await s.run('mkfs', 'ext4', '/dev/sdb6');
    await marker('/dev/sdb6', 'logical');
    const partsBefore = (await partitions('/dev/sdb')).filter(
      p => p.start !== 34816 * SECTOR, // the extended container
    );
    const fsBefore = await fingerprint(['/dev/sdb1', '/dev/sdb5', '/dev/sdb6']);

    const result = await rewriteAsGpt(
      s,
      '/dev/sdb',
      await planFor('logical.raw'),
    );

    expect(result).toMatchObject({
      renumbered: [
        { from: 5, to: 2 },
        { from: 6, to: 3 },
      ],
      espDevice: '/dev/sdb4',
    });
    expect((await partitions('/dev/sdb')).slice(0, 3)).toEqual(partsBefore);
    const fsAfter = await fingerprint(['/dev/sdb1', '/dev/sdb2', '/dev/sdb3']);
    expect(Object.values(fsAfter)).toEqual(Object.values(fsBefore));
    expect(
      (await s.run('part-get-gpt-type', '/dev/sdb', '2')).trim().toUpperCase(),
    ).toBe('0657FD6D-A4AB-43C4-84E5-0933C84B4F4F');
    expect(await readMarker('/dev/sdb3')).toBe('logical');
    // the log names each step, so a failure can be followed
    expect(log.join('\n')).toContain('guestfish vg-activate-all false');
  });

  // Last: a failed command ends the guestfish daemon (its remote mode exits on error).
  it("without deactivating LVM parted refuses, and its own text reaches the error (the daemon's stderr)", async () => {
    const s = g!;
    await s.run('part-init', '/dev/sdc', 'mbr');
    await s.run('part-add', '/dev/sdc', 'p', '2048', '100000');
    await s.run('pvcreate', '/dev/sdc1');
    await s.run('vgcreate', 'vg0', '/dev/sdc1');
    await s.run('lvcreate', 'lv0', 'vg0', '8');
    const failure = await s.run('part-init', '/dev/sdc', 'gpt').then(
      () => undefined,
      (error: RunnerError) => error,
    );
    expect(failure).toBeInstanceOf(RunnerError);
    expect(failure!.code).toBe('TOOL_FAILED');
    // what the guestfish daemon wrote to its stderr, not "(no output)"
    expect(failure!.message).toMatch(
      /^guestfish part-init \/dev\/sdc gpt failed: libguestfs: error: part_init: parted: .*unable to inform the kernel/,
    );
    expect(failure!.message).not.toContain('(no output)');
    expect(log.join('\n')).toContain('unable to inform the kernel');
  });
});

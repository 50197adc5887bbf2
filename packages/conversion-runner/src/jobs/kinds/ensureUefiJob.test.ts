import { createHash } from 'crypto';
import execa from 'execa';
import { existsSync } from 'fs';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { libguestfsEnv, probeAccel } from '../../accel/AccelProbe';
import { GuestfishSession } from '../../guest/GuestfishSession';
import { ScratchSpace } from '../../scratch/ScratchSpace';
import { VmManifest } from '../../scratch/VmManifest';
import { StartedRunner } from '../../ConversionRunner';
import { startInProcessRunner } from '../../testing/InProcessRunner';
import { RunnerClient } from '../../testing/RunnerClient';

jest.setTimeout(900_000);

const MiB = 1024 * 1024;
const vm = 'vm-uefi';

/**
 * ensure_uefi (and adapt_linux) rewrite the boot disk on an overlay and commits it only on success: a conversion that
 * fails after the partition table was rewritten (here: grub-install cannot run, the guest is a bare
 * Debian-looking root on LVM) leaves the qcow2 byte-identical, and the error carries libguestfs' text.
 */
describe('ensure_uefi job', () => {
  const token = 'uefi-token-0123456789abcdef';
  let work: string;
  let runner: StartedRunner | undefined;
  let client: RunnerClient;
  let manifest: VmManifest;
  let scratch: string;
  const diskFile = (disk: string) => join(scratch, 'vms', vm, `${disk}.qcow2`);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-uefi-'));
    ({ runner, client, scratch } = await startInProcessRunner({
      work,
      token,
      config: { guest: { espSizeMiB: 64 } },
    }));
    const space = new ScratchSpace({ root: scratch, reserveBytes: 0 });
    await space.ensureVmDir(vm);
    manifest = new VmManifest(space, vm);
    // Two BIOS guests on LVM with /boot on its own partition (the RHEL and Ubuntu server default),
    // filling their disks (ensure_uefi grows them): one with GRUB's x86_64-efi modules, one without.
    for (const disk of ['lvm', 'no-grub-efi'])
      await execa('qemu-img', [
        'create',
        '-q',
        '-f',
        'qcow2',
        diskFile(disk),
        String(160 * MiB),
      ]);
    await execa('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      diskFile('gpt-esp'),
      String(160 * MiB),
    ]);
    const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    const g = await GuestfishSession.start({
      disks: ['lvm', 'no-grub-efi', 'gpt-esp'].map(disk => ({
        path: diskFile(disk),
        format: 'qcow2',
      })),
      env: libguestfsEnv(accel.mode),
    });
    try {
      for (const [device, vg, grubEfi] of [
        ['/dev/sda', 'vga', true],
        ['/dev/sdb', 'vgb', false],
      ] as const) {
        await g.run('part-init', device, 'mbr');
        await g.run('part-add', device, 'p', '2048', '67583');
        await g.run('part-add', device, 'p', '67584', '-1');
        await g.run('part-set-mbr-id', device, '2', '142');
        await g.run('mkfs', 'ext2', `${device}1`);
        await g.run('pvcreate', `${device}2`);
        await g.run('vgcreate', vg, `${device}2`);
        await g.run('lvcreate-free', 'root', vg, '100');
        await g.run('mkfs', 'ext4', `/dev/${vg}/root`);
        await g.run('mount', `/dev/${vg}/root`, '/');
        for (const dir of ['/bin', '/boot', '/etc'])
          await g.run('mkdir-p', dir);
        await g.run('mount', `${device}1`, '/boot');
        await g.run(
          'write',
          '/etc/fstab',
          // as in the guest, where this disk is the first one
          `/dev/mapper/${vg}-root / ext4 defaults 0 1\n/dev/sda1 /boot ext2 defaults 0 2\n`,
        );
        await g.run('write', '/etc/os-release', 'ID=debian\nVERSION_ID=12\n');
        await g.run('write', '/etc/debian_version', '12.0\n');
        if (grubEfi) await g.run('mkdir-p', '/usr/lib/grub/x86_64-efi');
        await g.run('umount-all');
      }
      await g.run('part-init', '/dev/sdc', 'gpt');
      await g.run('part-add', '/dev/sdc', 'p', '2048', '133119');
      await g.run(
        'part-set-gpt-type',
        '/dev/sdc',
        '1',
        'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
      );
      await g.run('mkfs', 'vfat', '/dev/sdc1');
      // as Debian installs it on VMware: GRUB in EFI/debian, booted by an NVRAM entry, no EFI/BOOT
      await g.run('mount', '/dev/sdc1', '/');
      await g.run('mkdir-p', '/EFI/debian');
      await g.run('write', '/EFI/debian/grubx64.efi', 'grub x86_64-efi');
      await g.run('umount-all');
      await g.run('sync');
    } finally {
      await g.close();
    }
    for (const disk of ['lvm', 'no-grub-efi', 'gpt-esp'])
      await manifest.update(disk, record => {
        record.qcow2 = {
          file: diskFile(disk),
          virtualSize: 160 * MiB,
          actualSize: 0,
        };
      });
  });
  afterAll(async () => {
    await runner?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function sha256(file: string) {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }

  async function failed(disk: string) {
    const job = await client.submit('ensure_uefi', { vm, disk });
    await expect(
      client.waitFor(job.id, { timeoutMs: 600_000 }),
    ).rejects.toThrow();
    const { body } = await client.call('GET', `/v1/jobs/${job.id}`);
    const { body: logs } = await client.call('GET', `/v1/jobs/${job.id}/logs`);
    return {
      error: body.error,
      log: (logs.lines as Array<{ line: string }>).map(l => l.line).join('\n'),
    };
  }

  it('a conversion failing after the table was rewritten leaves the disk byte-identical, with the tool text', async () => {
    const before = await sha256(diskFile('lvm'));
    const { error, log } = await failed('lvm');
    // the table was rewritten (with the volume group deactivated) and the ESP made before GRUB failed
    expect(log).toContain('guestfish vg-activate-all false');
    expect(log).toContain('guestfish part-init /dev/sda gpt');
    expect(log).toContain('guestfish mkfs vfat');
    expect(error.code).toBe('TOOL_FAILED');
    // libguestfs' own words (written by the guestfish daemon to its stderr), not "(no output)"
    expect(error.message).toMatch(/guestfish sh grub-install .* failed: .*\S/);
    expect(error.message).not.toContain('(no output)');
    expect(error.message).toMatch(/libguestfs: error: sh:/);
    expect(log).toMatch(/overlays, now discarded/);
    expect(await sha256(diskFile('lvm'))).toBe(before);
    expect(existsSync(join(scratch, 'vms', vm, 'lvm.ensure_uefi.qcow2'))).toBe(
      false,
    );
    // not marked busy: the next stage (or a retry) may use the disk
    expect((await manifest.disk('lvm'))?.busy).toBeUndefined();
    await expect(manifest.requireQcow2('lvm', 'upload')).resolves.toBeTruthy();
  });

  it('refuses a BIOS guest without GRUB for x86_64-efi before changing anything', async () => {
    const before = await sha256(diskFile('no-grub-efi'));
    const { error, log } = await failed('no-grub-efi');
    expect(error).toMatchObject({
      code: 'UEFI_BOOTLOADER_MISSING',
      remediation: expect.stringContaining('grub-efi-amd64-bin'),
    });
    expect(log).not.toContain('part-init');
    expect(await sha256(diskFile('no-grub-efi'))).toBe(before);
  });

  it('adapt_linux works on an overlay too: failing in the guest, it leaves the disk byte-identical', async () => {
    const before = await sha256(diskFile('no-grub-efi'));
    const job = await client.submit('adapt_linux', {
      vm,
      disks: ['no-grub-efi'],
    });
    await expect(
      client.waitFor(job.id, { timeoutMs: 600_000 }),
    ).rejects.toThrow();
    const { body } = await client.call('GET', `/v1/jobs/${job.id}`);
    // the guest has no /bin/sh: virt-customize's own words reach the error
    expect(body.error.code).toBe('TOOL_FAILED');
    expect(body.error.message).toMatch(/virt-customize .*failed.*\S/);
    expect(body.error.message).not.toContain('(no output)');
    expect(await sha256(diskFile('no-grub-efi'))).toBe(before);
    expect(
      existsSync(join(scratch, 'vms', vm, 'no-grub-efi.adapt_linux.qcow2')),
    ).toBe(false);
    expect((await manifest.disk('no-grub-efi'))?.busy).toBeUndefined();
  });

  it('gives an already-UEFI disk the fallback loader it lacks, then verifies it as a no-op', async () => {
    const hashes: string[] = [];
    const results: unknown[] = [];
    for (let run = 0; run < 2; run++) {
      const job = await client.run(
        'ensure_uefi',
        { vm, disk: 'gpt-esp' },
        600_000,
      );
      results.push(job.result);
      hashes.push(await sha256(diskFile('gpt-esp')));
    }
    const loader = {
      firmwareBefore: 'uefi',
      fallbackLoader: '/EFI/BOOT/BOOTX64.EFI',
    };
    expect(results[0]).toMatchObject({
      ...loader,
      changed: true,
      fallbackLoaderCopiedFrom: '/EFI/debian/grubx64.efi',
    });
    expect(results[1]).toMatchObject({ ...loader, changed: false });
    // the second run found it and changed nothing
    expect(hashes[1]).toBe(hashes[0]);
    expect((await manifest.disk('gpt-esp'))?.busy).toBeUndefined();
  });
});

import {
  runnerVmDiskParamsSchema,
  type RunnerVmDiskParams,
} from '@internal/plugin-vmware2scw-common';
import { open, rm } from 'fs/promises';
import { join } from 'path';
import { libguestfsEnv } from '../../accel/AccelProbe';
import { qemuImgInfo } from '../../convert/QemuImg';
import {
  GuestfishSession,
  parseGuestfishStructs,
} from '../../guest/GuestfishSession';
import {
  ESP_TYPE_GUID,
  gptTypeForMbr,
  parsePartitionTable,
  planUefi,
  SECTOR,
} from '../../guest/PartitionTable';
import { RunnerError } from '../../RunnerError';
import { VmManifest } from '../../scratch/VmManifest';
import { runTool } from '../../tools/ToolRunner';
import { defineJobKind, JobContext } from '../JobKindDefinition';

/** Guests whose own grub-install can write an x86_64-efi GRUB (their GRUB config is reused as is). */
const GRUB_EFI_DISTROS: Record<string, string> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  linuxmint: 'ubuntu',
  kalilinux: 'kali',
};

export const ensureUefiJob = defineJobKind<RunnerVmDiskParams>({
  kind: 'ensure_uefi',
  description:
    'BIOS/MBR boot disk -> GPT + EFI system partition + GRUB x86_64-efi (incl. EFI/BOOT/BOOTX64.EFI); no-op when already UEFI.',
  paramsSchema: runnerVmDiskParamsSchema,
  vmOf: params => params.vm,
  disksOf: params => [params.disk],
  redact: params => params,
  scratchNeeded: async (_params, services) =>
    services.config.guest.espSizeMiB * 1024 * 1024 + 64 * 1024 * 1024,
  run: async (params, context) => {
    const manifest = new VmManifest(context.scratch, params.vm);
    const qcow2 = await manifest.requireQcow2(params.disk, 'ensure_uefi');
    const head = await readDiskHead(
      qcow2.file,
      context.scratch.diskFile(params.vm, params.disk, 'head.raw'),
    );
    const table = parsePartitionTable(head);
    const espBytes = context.config.guest.espSizeMiB * 1024 * 1024;
    const plan = planUefi(table, qcow2.virtualSize, espBytes);
    context.log(
      `partition table: ${table.kind}; plan: ${JSON.stringify(plan)}`,
    );
    if (plan.action === 'none') {
      return { firmwareBefore: 'uefi', changed: false, reason: plan.reason };
    }
    if (plan.action === 'refuse') {
      throw new RunnerError({
        code: 'UEFI_NOT_CONVERTIBLE',
        httpStatus: 422,
        message: `VM ${params.vm} disk ${params.disk} cannot be converted to UEFI: ${plan.reason}.`,
        remediation: plan.remediation,
      });
    }
    await manifest.markBusy(params.disk, 'qcow2', 'ensure_uefi', context.jobId);
    if (plan.growBytes > 0) {
      context.log(
        `no room after the last partition: growing the disk by ${plan.growBytes} bytes for the ESP and the backup GPT`,
      );
      await runTool(
        'qemu-img',
        ['resize', '-f', 'qcow2', qcow2.file, `+${plan.growBytes}`],
        { signal: context.signal, onLine: context.log },
      );
    }
    context.progress.setPhase('launching appliance');
    const started = Date.now();
    const session = await GuestfishSession.start({
      disks: [{ path: qcow2.file, format: 'qcow2' }],
      env: libguestfsEnv(context.accel.mode),
      signal: context.signal,
      log: context.log,
      pidFile: join(
        context.scratch.jobsDir(),
        `${context.jobId}.guestfish.pid`,
      ),
    });
    let report: Record<string, unknown>;
    try {
      report = await convertInAppliance(session, plan, context);
    } catch (error) {
      // A refusal found before the table was touched leaves the disk valid: do not mark it broken.
      if (error instanceof RunnerError && error.details?.untouched) {
        await manifest.update(params.disk, record => {
          record.busy = undefined;
        });
      }
      throw error;
    } finally {
      await session.close();
    }
    await runTool('qemu-img', ['check', '-f', 'qcow2', qcow2.file], {
      signal: context.signal,
    });
    const info = await qemuImgInfo(qcow2.file, 'qcow2');
    await manifest.update(params.disk, record => {
      record.qcow2 = {
        file: qcow2.file,
        virtualSize: info['virtual-size'],
        actualSize: info['actual-size'] ?? 0,
      };
      record.busy = undefined;
      record.stages.ensure_uefi = { at: new Date().toISOString(), ...report };
    });
    const seconds = (Date.now() - started) / 1000;
    context.log(`ensure_uefi done in ${seconds.toFixed(1)} s`);
    return {
      firmwareBefore: 'bios',
      changed: true,
      grewBytes: plan.growBytes,
      virtualSize: info['virtual-size'],
      ...report,
      seconds,
    };
  },
});

/** The first 34 sectors (MBR, GPT header and entries), read through qemu-img so qcow2 works. */
async function readDiskHead(file: string, out: string): Promise<Buffer> {
  try {
    await runTool('qemu-img', [
      'dd',
      '-f',
      'qcow2',
      '-O',
      'raw',
      `bs=${SECTOR}`,
      'count=34',
      `if=${file}`,
      `of=${out}`,
    ]);
    const handle = await open(out, 'r');
    try {
      const buffer = Buffer.alloc(34 * SECTOR);
      await handle.read(buffer, 0, buffer.length, 0);
      return buffer;
    } finally {
      await handle.close();
    }
  } finally {
    await rm(out, { force: true });
  }
}

async function convertInAppliance(
  g: GuestfishSession,
  plan: Extract<ReturnType<typeof planUefi>, { action: 'convert' }>,
  context: JobContext,
): Promise<Record<string, unknown>> {
  const device = '/dev/sda';
  const roots = await g.lines('inspect-os');
  if (roots.length !== 1) {
    throw untouched(
      'UEFI_GUEST_NOT_FOUND',
      `the appliance found ${roots.length} operating systems on the disk`,
      'ensure_uefi needs exactly one Linux root on the boot disk.',
    );
  }
  const root = roots[0];
  const distro = (await g.run('inspect-get-distro', root)).trim();
  const bootloaderId = GRUB_EFI_DISTROS[distro];
  if (!bootloaderId) {
    throw untouched(
      'UEFI_BOOTLOADER_UNSUPPORTED',
      `the guest is ${distro}; this runner installs an EFI GRUB only on Debian-family guests`,
      'Install grub2-efi-x64 and shim-x64 on the source VM (RHEL family) and set up an ESP there, or convert the guest to UEFI before export.',
    );
  }
  const mountpoints = parseMountpoints(
    await g.run('inspect-get-mountpoints', root),
  );
  for (const [mountpoint, dev] of mountpoints)
    await g.run('mount', dev, mountpoint);
  if ((await g.run('is-dir', '/usr/lib/grub/x86_64-efi')).trim() !== 'true') {
    throw untouched(
      'UEFI_BOOTLOADER_MISSING',
      `the guest has no GRUB for x86_64-efi (/usr/lib/grub/x86_64-efi is missing)`,
      'Run adapt_linux with the appliance network enabled (it installs grub-efi-amd64-bin), or install grub-efi-amd64-bin on the source VM; then run ensure_uefi again.',
    );
  }
  await g.run('umount-all');

  context.progress.setPhase('rewriting partition table');
  const before = parseGuestfishStructs(await g.run('part-list', device)).map(
    p => ({
      num: Number(p.part_num),
      startSector: Number(p.part_start) / SECTOR,
      // part_end is the last byte (inclusive)
      endSector: (Number(p.part_end) + 1) / SECTOR - 1,
    }),
  );
  const renumbered: Array<{ from: number; to: number }> = [];
  if (plan.from === 'mbr') {
    const kept: Array<{
      num: number;
      startSector: number;
      endSector: number;
      type: number;
    }> = [];
    for (const part of before) {
      const type = parseInt(
        (await g.run('part-get-mbr-id', device, String(part.num))).trim(),
        10,
      );
      if (type === 0x05 || type === 0x0f || type === 0x85) continue; // the extended container is not a GPT partition
      kept.push({ ...part, type });
    }
    kept.sort((a, b) => a.startSector - b.startSector);
    await g.run('part-init', device, 'gpt');
    for (const [index, part] of kept.entries()) {
      await g.run(
        'part-add',
        device,
        'p',
        String(part.startSector),
        String(part.endSector),
      );
      await g.run(
        'part-set-gpt-type',
        device,
        String(index + 1),
        gptTypeForMbr(part.type),
      );
      if (part.num !== index + 1)
        renumbered.push({ from: part.num, to: index + 1 });
    }
  }
  await g.run(
    'part-add',
    device,
    'p',
    String(plan.espStartSector),
    String(plan.espStartSector + plan.espSectors - 1),
  );
  const esp = parseGuestfishStructs(await g.run('part-list', device))
    .map(p => ({
      num: Number(p.part_num),
      startSector: Number(p.part_start) / SECTOR,
    }))
    .find(p => p.startSector === plan.espStartSector);
  if (!esp)
    throw new Error(
      'the new EFI system partition is missing from the partition list',
    );
  const espDevice = `${device}${esp.num}`;
  await g.run('part-set-gpt-type', device, String(esp.num), ESP_TYPE_GUID);
  await g.run('part-set-name', device, String(esp.num), 'EFI System Partition');
  await g.run('mkfs', 'vfat', espDevice);
  const espUuid = (await g.run('vfs-uuid', espDevice)).trim();

  context.progress.setPhase('installing GRUB for UEFI');
  // Partitions may have new numbers on GPT (the extended container is gone): mount them by their new names.
  const renamed = (dev: string) => {
    const match = dev.match(/^\/dev\/sda(\d+)$/);
    const moved = match && renumbered.find(r => r.from === Number(match[1]));
    return moved ? `${device}${moved.to}` : dev;
  };
  for (const [mountpoint, dev] of mountpoints)
    await g.run('mount', renamed(dev), mountpoint);
  await g.run('mkdir-p', '/boot/efi');
  await g.run('mount', espDevice, '/boot/efi');
  const fstab = await g.run('cat', '/etc/fstab');
  if (!/^\s*[^#\s]+\s+\/boot\/efi\s/m.test(fstab)) {
    await g.run(
      'write-append',
      '/etc/fstab',
      `${
        fstab.endsWith('\n') || fstab === '' ? '' : '\n'
      }UUID=${espUuid} /boot/efi vfat umask=0077 0 1\n`,
    );
  }
  // Static command lines: the only variable part is the bootloader id, taken from a fixed table.
  await g.run(
    'sh',
    `grub-install --target=x86_64-efi --efi-directory=/boot/efi --bootloader-id=${bootloaderId} --no-nvram --recheck`,
  );
  await g.run(
    'sh',
    'grub-install --target=x86_64-efi --efi-directory=/boot/efi --removable --no-nvram',
  );
  await g.run('sh', 'update-grub');
  const fallback =
    (await g.run('is-file', '/boot/efi/EFI/BOOT/BOOTX64.EFI')).trim() ===
    'true';
  if (!fallback)
    throw new Error('grub-install did not write EFI/BOOT/BOOTX64.EFI');
  await g.run('umount-all');
  await g.run('sync');
  return {
    partitionTable: { before: plan.from, after: 'gpt', renumbered },
    esp: {
      device: espDevice,
      uuid: espUuid,
      sizeBytes: plan.espSectors * SECTOR,
    },
    bootloader: {
      grub: 'x86_64-efi',
      paths: [`EFI/${bootloaderId}/grubx64.efi`, 'EFI/BOOT/BOOTX64.EFI'],
    },
    distro,
  };
}

/** inspect-get-mountpoints output ("/: /dev/sda1") as [mountpoint, device], parents first. */
function parseMountpoints(output: string): Array<[string, string]> {
  return output
    .split('\n')
    .map(line => line.match(/^(\S+): (\S+)$/))
    .filter((m): m is RegExpMatchArray => Boolean(m))
    .map(m => [m[1], m[2]] as [string, string])
    .sort((a, b) => a[0].length - b[0].length);
}

function untouched(
  code: string,
  reason: string,
  remediation: string,
): RunnerError {
  return new RunnerError({
    code,
    httpStatus: 422,
    message: `ensure_uefi: ${reason}.`,
    remediation,
    details: { untouched: true },
  });
}

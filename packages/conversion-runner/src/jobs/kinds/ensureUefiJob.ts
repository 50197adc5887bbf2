import {
  runnerVmDiskParamsSchema,
  type RunnerVmDiskParams,
} from '@internal/plugin-vmware2scw-common';
import { open, rm } from 'fs/promises';
import { join } from 'path';
import { libguestfsEnv } from '../../accel/AccelProbe';
import { qemuImgInfo } from '../../convert/QemuImg';
import { GuestfishSession } from '../../guest/GuestfishSession';
import { rewriteAsGpt, UefiConversionPlan } from '../../guest/GptRewrite';
import {
  parsePartitionTable,
  planUefi,
  SECTOR,
} from '../../guest/PartitionTable';
import { rewriteThroughOverlays } from '../../guest/DiskOverlay';
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
  // the overlay, then as much again when it is committed into the qcow2
  scratchNeeded: async (_params, services) =>
    2 * (services.config.guest.espSizeMiB * 1024 * 1024 + 64 * 1024 * 1024),
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
    if (plan.action === 'refuse') {
      throw new RunnerError({
        code: 'UEFI_NOT_CONVERTIBLE',
        httpStatus: 422,
        message: `VM ${params.vm} disk ${params.disk} cannot be converted to UEFI: ${plan.reason}.`,
        remediation: plan.remediation,
      });
    }
    const started = Date.now();
    // On an overlay, committed only on success (and only when something changed): a failure leaves
    // the qcow2 as it was.
    const inAppliance = <T>(
      overlay: string,
      body: (g: GuestfishSession) => Promise<T>,
    ): Promise<T> =>
      withSession(overlay, context, async g => {
        const result = await body(g);
        await g.close();
        await runTool('qemu-img', ['check', '-f', 'qcow2', overlay], {
          signal: context.signal,
        });
        return result;
      });
    const report: Record<string, unknown> = await rewriteThroughOverlays(
      [
        {
          base: qcow2.file,
          format: 'qcow2',
          overlay: context.scratch.diskFile(
            params.vm,
            params.disk,
            'ensure_uefi.qcow2',
          ),
        },
      ],
      {
        signal: context.signal,
        log: context.log,
        beforeCommit: () =>
          manifest.markBusy(params.disk, 'qcow2', 'ensure_uefi', context.jobId),
        shouldCommit: result => result.changed !== false,
      },
      async ([overlay]): Promise<Record<string, unknown>> => {
        if (plan.action === 'none') {
          return inAppliance(overlay, g =>
            verifyEsp(g, `/dev/sda${plan.espIndex}`, context),
          );
        }
        if (plan.growBytes > 0) {
          context.log(
            `no room after the last partition: growing the disk by ${plan.growBytes} bytes for the ESP and the backup GPT`,
          );
          await runTool(
            'qemu-img',
            ['resize', '-q', '-f', 'qcow2', overlay, `+${plan.growBytes}`],
            { signal: context.signal, onLine: context.log },
          );
        }
        return inAppliance(overlay, g => convertInAppliance(g, plan, context));
      },
    );
    const seconds = (Date.now() - started) / 1000;
    if (plan.action === 'none') {
      context.log(
        `ensure_uefi: already UEFI (${plan.reason}); ${
          report.changed ? 'fallback loader added' : 'verified, unchanged'
        } in ${seconds.toFixed(1)} s`,
      );
      if (!report.changed)
        return {
          firmwareBefore: 'uefi',
          reason: plan.reason,
          ...report,
          seconds,
        };
    }
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
    context.log(`ensure_uefi done in ${seconds.toFixed(1)} s`);
    return {
      firmwareBefore: plan.action === 'none' ? 'uefi' : 'bios',
      changed: true,
      grewBytes: plan.action === 'none' ? 0 : plan.growBytes,
      virtualSize: info['virtual-size'],
      ...report,
      seconds,
    };
  },
});

async function withSession<T>(
  disk: string,
  context: JobContext,
  body: (g: GuestfishSession) => Promise<T>,
): Promise<T> {
  context.progress.setPhase('launching appliance');
  const session = await GuestfishSession.start({
    disks: [{ path: disk, format: 'qcow2' }],
    env: libguestfsEnv(context.accel.mode),
    signal: context.signal,
    log: context.log,
    pidFile: join(context.scratch.jobsDir(), `${context.jobId}.guestfish.pid`),
  });
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

const FALLBACK_LOADER = '/EFI/BOOT/BOOTX64.EFI';

/**
 * An already-UEFI disk: checks that its ESP holds the removable-media loader EFI/BOOT/BOOTX64.EFI,
 * the only one a new instance's firmware (empty NVRAM, unlike the VMware VM's) starts. When it is
 * missing, the guest's own GRUB (EFI/<distro>/grubx64.efi, which finds its config by its built-in
 * prefix) is copied there; an ESP with no GRUB at all is refused.
 */
async function verifyEsp(
  g: GuestfishSession,
  espDevice: string,
  context: JobContext,
): Promise<Record<string, unknown>> {
  context.progress.setPhase('checking the EFI system partition');
  // read-only first: a verified disk must stay byte-identical (a FAT mount sets a dirty flag)
  await g.run('mount-ro', espDevice, '/');
  // vfat looks names up case-insensitively (as the firmware does)
  const present = async (path: string) =>
    (await g.run('is-file', path)).trim() === 'true' ? path : undefined;
  const fallback = await present(FALLBACK_LOADER);
  if (fallback) {
    return {
      changed: false,
      esp: { device: espDevice },
      fallbackLoader: fallback,
    };
  }
  const dirs =
    (await g.run('is-dir', '/EFI')).trim() === 'true'
      ? (await g.lines('ls', '/EFI')).filter(d => d.toUpperCase() !== 'BOOT')
      : [];
  let grub: string | undefined;
  for (const dir of dirs) grub ??= await present(`/EFI/${dir}/grubx64.efi`);
  if (!grub) {
    throw refusal(
      'UEFI_BOOTLOADER_MISSING',
      `the EFI system partition ${espDevice} has neither ${FALLBACK_LOADER} nor a GRUB (EFI/*/grubx64.efi) to start from there (found: ${
        dirs.join(', ') || 'no EFI folder'
      })`,
      'Install the removable-media boot loader on the source VM (Debian: "grub-install --removable" or "dpkg-reconfigure grub-efi-amd64" answering yes to the removable path), then export again.',
    );
  }
  await g.run('umount-all');
  await g.run('mount', espDevice, '/');
  await g.run('mkdir-p', '/EFI/BOOT');
  await g.run('cp', grub, FALLBACK_LOADER);
  await g.run('umount-all');
  await g.run('sync');
  return {
    changed: true,
    esp: { device: espDevice },
    fallbackLoader: FALLBACK_LOADER,
    fallbackLoaderCopiedFrom: grub,
  };
}

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
  plan: UefiConversionPlan,
  context: JobContext,
): Promise<Record<string, unknown>> {
  const device = '/dev/sda';
  const roots = await g.lines('inspect-os');
  if (roots.length !== 1) {
    throw refusal(
      'UEFI_GUEST_NOT_FOUND',
      `the appliance found ${roots.length} operating systems on the disk`,
      'ensure_uefi needs exactly one Linux root on the boot disk.',
    );
  }
  const root = roots[0];
  const distro = (await g.run('inspect-get-distro', root)).trim();
  const bootloaderId = GRUB_EFI_DISTROS[distro];
  if (!bootloaderId) {
    throw refusal(
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
    throw refusal(
      'UEFI_BOOTLOADER_MISSING',
      `the guest has no GRUB for x86_64-efi (/usr/lib/grub/x86_64-efi is missing)`,
      'Run adapt_linux with the appliance network enabled (it installs grub-efi-amd64-bin), or install grub-efi-amd64-bin on the source VM; then run ensure_uefi again.',
    );
  }
  await g.run('umount-all');

  context.progress.setPhase('rewriting partition table');
  const { renumbered, espDevice, espUuid } = await rewriteAsGpt(
    g,
    device,
    plan,
  );

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

function refusal(
  code: string,
  reason: string,
  remediation: string,
): RunnerError {
  return new RunnerError({
    code,
    httpStatus: 422,
    message: `ensure_uefi: ${reason}.`,
    remediation,
  });
}

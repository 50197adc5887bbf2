import execa from 'execa';
import { createHash } from 'crypto';
import { existsSync } from 'fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'fs/promises';
import { join } from 'path';
import { hostDebianMirrorLines } from './AptSources';

/**
 * A small Debian guest as it would exist on VMware: BIOS/MBR, one ext4 root, open-vm-tools, a static
 * address on the VMware NIC name ens192, fstab and GRUB by device name, an initramfs that only knows
 * VMware's disk drivers (pvscsi, mptspi), a fixed machine-id. Built from Debian packages with
 * mmdebstrap (natively, including the initramfs) and one libguestfs launch for grub-install, then
 * stored as a streamOptimized VMDK (what an NFC export delivers). Cached outside the repository,
 * keyed by a hash of this recipe.
 */
export const GUEST_RECIPE = {
  version: 3,
  suite: 'bookworm',
  packages: [
    'linux-image-amd64',
    'systemd-sysv',
    'udev',
    'kmod',
    'initramfs-tools',
    'zstd',
    'e2fsprogs',
    'grub-pc',
    'grub-efi-amd64-bin',
    'open-vm-tools',
    'ifupdown',
    'isc-dhcp-client',
  ],
  diskBytes: 3 * 1024 ** 3,
  rootUuid: '6a3f1c52-0d4e-4a55-9a7c-2f0e5b8d1c11',
  rootPassword: 'vmware',
  hostname: 'vmw-debian',
  machineId: '0123456789abcdef0123456789abcdef',
  files: {
    'etc/fstab': '/dev/sda1 / ext4 errors=remount-ro 0 1\n',
    'etc/hostname': 'vmw-debian\n',
    'etc/machine-id': '0123456789abcdef0123456789abcdef\n',
    'etc/network/interfaces':
      'auto lo\niface lo inet loopback\n\nallow-hotplug ens192\niface ens192 inet static\n  address 192.168.10.20/24\n  gateway 192.168.10.1\n',
    'etc/default/grub':
      'GRUB_DEFAULT=0\nGRUB_TIMEOUT=1\nGRUB_DISTRIBUTOR=Debian\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\nGRUB_DISABLE_LINUX_UUID=true\nGRUB_DISABLE_OS_PROBER=true\n',
    // Like a hostonly initramfs built on VMware: only VMware's storage drivers, no virtio.
    'etc/initramfs-tools/conf.d/vmware.conf': 'MODULES=list\n',
    'etc/initramfs-tools/modules': 'vmw_pvscsi\nmptspi\nsd_mod\next4\n',
  } as Record<string, string>,
};

export type VmwareDebianGuest = {
  dir: string;
  vmdk: string;
  meta: {
    recipeHash: string;
    vmdkBytes: number;
    buildSeconds: Record<string, number>;
    builtAt: string;
  };
  cached: boolean;
};

export function guestCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.VMWARE2SCW_CACHE_DIR ?? '/var/cache/vmware2scw';
}

export function recipeHash(): string {
  return createHash('sha256')
    .update(JSON.stringify(GUEST_RECIPE))
    .digest('hex')
    .slice(0, 16);
}

/** Returns the cached guest, building it first when absent (needs root, mmdebstrap, libguestfs). */
export async function vmwareDebianGuest(options: {
  log?: (line: string) => void;
  libguestfsEnv: NodeJS.ProcessEnv;
  cacheRoot?: string;
}): Promise<VmwareDebianGuest> {
  const log = options.log ?? (() => undefined);
  const hash = recipeHash();
  const dir = join(
    options.cacheRoot ?? guestCacheRoot(),
    `debian-vmware-guest-${hash}`,
  );
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(await readFile(metaPath, 'utf8'));
    log(`using cached VMware-style guest ${dir}`);
    return { dir, vmdk: join(dir, 'guest.vmdk'), meta, cached: true };
  }
  const work = `${dir}.building-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'overlay'), { recursive: true });
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    log(`guest build: ${name}...`);
    const result = await step();
    seconds[name] = (Date.now() - started) / 1000;
    log(`guest build: ${name} took ${seconds[name].toFixed(1)} s`);
    return result;
  };
  try {
    for (const [path, content] of Object.entries(GUEST_RECIPE.files)) {
      await mkdir(join(work, 'overlay', path, '..'), { recursive: true });
      await writeFile(join(work, 'overlay', path), content);
    }
    const root = join(work, 'root');
    await timed('mmdebstrap', () =>
      execa('mmdebstrap', [
        '--variant=minbase',
        '--mode=root',
        '--quiet',
        `--include=${GUEST_RECIPE.packages.join(',')}`,
        `--customize-hook=sync-in ${join(work, 'overlay')} /`,
        `--customize-hook=echo root:${GUEST_RECIPE.rootPassword} | chroot "$1" chpasswd`,
        // Native initramfs build (seconds here, minutes inside a TCG appliance).
        '--customize-hook=chroot "$1" update-initramfs -u -k all',
        GUEST_RECIPE.suite,
        root,
        ...hostDebianMirrorLines(GUEST_RECIPE.suite),
      ]),
    );
    const raw = join(work, 'disk.raw');
    await timed('filesystem', async () => {
      await execa('truncate', ['-s', String(GUEST_RECIPE.diskBytes), raw]);
      await execa('sfdisk', ['--quiet', raw], {
        input: 'label: dos\nstart=2048, type=83, bootable\n',
      });
      const sectors = GUEST_RECIPE.diskBytes / 512 - 2048;
      await execa('mke2fs', [
        '-F',
        '-q',
        '-t',
        'ext4',
        '-U',
        GUEST_RECIPE.rootUuid,
        '-L',
        'root',
        '-d',
        root,
        '-E',
        `offset=${2048 * 512}`,
        raw,
        `${sectors / 2}k`,
      ]);
    });
    await rm(root, { recursive: true, force: true });
    await timed('grub-install (libguestfs)', () =>
      execa(
        'virt-customize',
        [
          '--format',
          'raw',
          '-a',
          raw,
          '--no-network',
          '--run-command',
          'grub-install --target=i386-pc /dev/sda && update-grub',
        ],
        { env: options.libguestfsEnv, extendEnv: true },
      ),
    );
    const vmdk = join(work, 'guest.vmdk');
    await timed('streamOptimized vmdk', () =>
      execa('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vmdk',
        '-o',
        'subformat=streamOptimized',
        raw,
        vmdk,
      ]),
    );
    await rm(raw, { force: true });
    await rm(join(work, 'overlay'), { recursive: true, force: true });
    const { size } = await stat(vmdk);
    const meta = {
      recipeHash: hash,
      vmdkBytes: size,
      buildSeconds: seconds,
      builtAt: new Date().toISOString(),
    };
    await writeFile(
      join(work, 'meta.json'),
      `${JSON.stringify(meta, null, 2)}\n`,
    );
    await rename(work, dir).catch(async error => {
      if (!existsSync(metaPath)) throw error;
      await rm(work, { recursive: true, force: true }); // another process finished first
    });
    return { dir, vmdk: join(dir, 'guest.vmdk'), meta, cached: false };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

import type { OsFamily } from './model';

// vSphere guest ids of Linux distributions (VirtualMachineGuestOsIdentifier).
const LINUX_GUEST_ID =
  /^(rhel|centos|oracleLinux|oraclelinux|debian|ubuntu|sles|suse|opensuse|fedora|asianux|mandrake|mandriva|turbolinux|redhat|other\d*xlinux|other\d*linux|genericlinux|coreos|vmwarephoton|amazonlinux|almalinux|rockylinux|crxpod|crxsys|flatcar|mandrakelinux|nld9|oes|sjds|miraclelinux|pardus|kylinlinux|fusionos|prolinux)/i;

const LINUX_FULL_NAME =
  /\b(linux|red hat|rhel|centos|debian|ubuntu|suse|sles|fedora|photon|alma|rocky|oracle linux|amazon linux|coreos|flatcar)\b/;

/**
 * OS family from what vSphere reports: `config.guestId` first (`windows2019srv_64Guest`, `rhel9_64Guest`),
 * then the full name (`Microsoft Windows Server 2019 (64-bit)`), which RVTools exports show instead.
 */
export function osFamilyOf(guestId?: string, guestFullName?: string): OsFamily {
  const id = (guestId ?? '').toLowerCase();
  if (id) {
    if (/^(win|windows)/.test(id)) return 'windows';
    if (LINUX_GUEST_ID.test(id)) return 'linux';
  }
  const name = (guestFullName ?? '').toLowerCase();
  if (/\bwindows\b/.test(name)) return 'windows';
  if (LINUX_FULL_NAME.test(name)) return 'linux';
  return 'other';
}

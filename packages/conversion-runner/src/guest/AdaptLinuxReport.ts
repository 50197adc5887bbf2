import { join } from 'path';
import { packageRoot } from '../PackageRoot';

export const VIRTIO_MODULES = [
  'virtio_pci',
  'virtio_scsi',
  'virtio_blk',
  'virtio_net',
] as const;

export function adaptLinuxScriptPath(): string {
  return join(packageRoot(), 'guest-scripts', 'adapt-linux.sh');
}

/** The network step's functions, put in the job script before adapt-linux.sh. */
export function adaptNetworkScriptPath(): string {
  return join(packageRoot(), 'guest-scripts', 'adapt-network.sh');
}

export type AdaptLinuxReport = {
  family: string;
  vmwareToolsRemoved: string[];
  fstab: Array<{ device: string; now: string }>;
  /** The network stacks changed (netplan, ifupdown, systemd-networkd, networkmanager, ifcfg), '+'-joined. */
  network: string;
  /** Files with a static address of the VMware network, moved aside (disabled) rather than deleted. */
  networkKeptAside: string[];
  initramfs: string;
  initramfsModules: string[];
  bootloader: string;
  grubEfi?: string;
  qemuGuestAgent: string;
  machineIdReset: boolean;
  /** Seconds since the script started, per step (the appliance cost of each). */
  stepSeconds: Record<string, number>;
  warnings: string[];
  failures: string[];
};

function packageSourceText(source: string | undefined): string {
  switch (source) {
    case 'packages_dir':
      return 'not among the packages of guest.packages.dir';
    case 'apt_source':
      return 'guest.packages.aptSource did not provide it';
    default:
      return 'no package source configured: set guest.packages.dir or guest.packages.aptSource in the runner config';
  }
}

/** Turns the script's "VMWARE2SCW-REPORT <step> <outcome...> t=<s>" lines into the job result. */
export function parseAdaptReport(lines: readonly string[]): AdaptLinuxReport {
  const report: AdaptLinuxReport = {
    family: 'unknown',
    vmwareToolsRemoved: [],
    fstab: [],
    network: 'none',
    networkKeptAside: [],
    initramfs: 'not run',
    initramfsModules: [],
    bootloader: 'not run',
    qemuGuestAgent: 'unknown',
    machineIdReset: false,
    stepSeconds: {},
    warnings: [],
    failures: [],
  };
  for (const raw of lines) {
    const time = raw.match(/ t=(\d+)$/);
    const line = time ? raw.slice(0, time.index) : raw;
    const [step, ...rest] = line.split(' ');
    if (time) report.stepSeconds[step] = Number(time[1]);
    switch (step) {
      case 'family':
        report.family = rest[0];
        break;
      case 'vmware_tools':
        if (rest[0] === 'removed')
          report.vmwareToolsRemoved = rest.slice(1).filter(p => p !== 'none');
        else report.failures.push(`VMware tools: ${rest.join(' ')}`);
        break;
      case 'fstab':
        if (rest[0] === 'unresolved')
          report.warnings.push(
            `fstab entry ${rest[1]} has no UUID (device missing?) and was left as is`,
          );
        else report.fstab.push({ device: rest[0], now: rest[1] });
        break;
      case 'network':
        report.network = rest.join(' ');
        if (report.network === 'none')
          report.warnings.push(
            'no network configuration recognised (ifupdown, netplan, systemd-networkd, NetworkManager, ifcfg); check the guest reaches DHCP on Scaleway',
          );
        if (
          report.network.split('+').includes('ifcfg') &&
          !report.network.split('+').includes('networkmanager')
        )
          report.warnings.push(
            'the guest has no NetworkManager: DHCP ifcfg files were written for the NIC names eth0, ens2, ens3 and enp1s0; check the name the NIC gets on Scaleway',
          );
        break;
      case 'network_static_kept_aside':
        report.networkKeptAside.push(rest[0]);
        report.warnings.push(
          `the static address of the VMware network in ${rest[0]} was disabled (kept there): Scaleway gives addresses by DHCP`,
        );
        break;
      case 'initramfs':
        report.initramfs = rest.join(' ');
        if (rest[0] === 'failed')
          report.failures.push('the initramfs could not be rebuilt');
        break;
      case 'initramfs_modules':
        report.initramfsModules = (rest[0] ?? '').split(',').filter(Boolean);
        break;
      case 'bootloader':
        report.bootloader = rest.join(' ');
        if (rest[0] === 'failed')
          report.failures.push(
            'the GRUB configuration could not be regenerated',
          );
        break;
      case 'grub_efi':
        report.grubEfi = rest.join(' ');
        if (rest[0] === 'absent' || rest[0] === 'not_installed')
          report.warnings.push(
            `GRUB for x86_64-efi is not installed (${packageSourceText(
              rest[1],
            )}): ensure_uefi will refuse this guest until grub-efi-amd64-bin is installed`,
          );
        break;
      case 'qemu_guest_agent':
        report.qemuGuestAgent = rest.join(' ');
        if (rest[0] === 'absent' || rest[0] === 'not_installed')
          report.warnings.push(
            `qemu-guest-agent is not installed (${packageSourceText(
              rest[1],
            )}); install it after the first boot on Scaleway`,
          );
        break;
      case 'machine_id':
        report.machineIdReset = rest[0] === 'reset';
        break;
      default:
        break; // a newer script may report more steps; they are kept in stepSeconds
    }
  }
  const missing = VIRTIO_MODULES.filter(
    m => !report.initramfsModules.includes(m),
  );
  if (report.initramfs !== 'failed' && missing.length > 0) {
    report.failures.push(`the rebuilt initramfs lacks ${missing.join(', ')}`);
  }
  return report;
}

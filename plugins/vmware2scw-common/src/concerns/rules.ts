import { offersWindows, zonesOfferingWindows } from '../offer/windowsZones';
import { formatZoneList } from '../offer/zones';
import { isWindowsServerType } from '../offer/serverTypeFamily';
import { guestReleaseOf } from '../inventory/guestRelease';
import type { Disk, Vm } from '../inventory/model';
import { systemDisk } from '../inventory/systemDisk';
import {
  MAX_VOLUMES_PER_INSTANCE,
  typeFitProblems,
  type TypeMismatch,
  type TypeMismatchCode,
} from '../sizing/typeFit';
import { didYouMean } from '../problems/didYouMean';
import { isRfc1123Label, toRfc1123Label } from './rfc1123';
import type { ConcernContext, ConcernRule, Finding } from './ConcernRule';

/** Bumped whenever a rule is added, removed, or changes what it flags. */
export const CONCERN_RULES_VERSION = 1;

/** Scaleway's import accepts qcow2 images of 1 GB to 1 TB virtual size (decimal units). */
export const IMPORT_MIN_BYTES = 1e9;
export const IMPORT_MAX_BYTES = 1e12;
/** Smallest system volume Scaleway boots from. */
export const SYSTEM_VOLUME_MIN_BYTES = 10e9;

/** Shared "nothing found": most rules find nothing on most VMs, and 10,000 VMs × 40 rules adds up. */
const NONE: Finding[] = [];

const perDisk =
  (when: (d: Disk, vm: Vm) => boolean, say: (d: Disk, vm: Vm) => string) =>
  ({ vm }: { vm: Vm }): Finding[] => {
    let out = NONE;
    for (const d of vm.disks) {
      if (!when(d, vm)) continue;
      if (out === NONE) out = [];
      out.push({ subject: d.label, assessment: say(d, vm) });
    }
    return out;
  };

const once =
  (when: (vm: Vm) => boolean, say: (vm: Vm) => string) =>
  ({ vm }: { vm: Vm }): Finding[] =>
    when(vm) ? [{ assessment: say(vm) }] : NONE;

const gb = (bytes: number) =>
  `${(bytes / 1e9).toFixed(bytes < 10e9 ? 2 : 1)} GB`;

/** `[ds1] web/web.vmdk` names its datastore even when the source left `datastore` empty. */
const hasDatastore = (d: Disk) =>
  Boolean(d.datastore) || /^\[[^\]]+\]/.test(d.fileName ?? '');

/**
 * The rules, in the order they are reported. Ids follow Forklift's vSphere policies where the
 * concern is the same; `scaleway.*` rules are the target's limits: Instances boot UEFI only, Block
 * Storage imports take qcow2 images of 1 GB to 1 TB, an Instance takes at most 16 volumes, Windows runs
 * only on -WIN types, which not every zone offers, and a type must be offered, in stock and able to
 * attach Block volumes in the target zone.
 */
export const CONCERN_RULES: readonly ConcernRule[] = [
  // --- vSphere side --------------------------------------------------------------------------
  {
    id: 'vmware.disk.rdm.physical',
    severity: 'critical',
    category: 'vmware',
    label: 'Physical-mode RDM disk',
    remediation:
      'Move the LUN data onto a virtual disk (Storage vMotion to VMDK, or copy inside the guest), or detach the RDM and move its data separately.',
    scope: 'vm',
    check: perDisk(
      d => d.rdm === 'physical',
      d =>
        `${d.label} is a physical-mode raw device mapping: vSphere cannot snapshot or export it.`,
    ),
  },
  {
    id: 'vmware.disk.rdm.detected',
    severity: 'warning',
    category: 'vmware',
    label: 'Virtual-mode RDM disk',
    remediation:
      'Check the LUN size fits the 1 TB import limit; it arrives as a Block volume, not as a LUN.',
    scope: 'vm',
    check: perDisk(
      d => d.rdm === 'virtual',
      d =>
        `${d.label} is a virtual-mode RDM (${gb(
          d.capacityBytes,
        )}): exported as a plain disk, the whole LUN is copied.`,
    ),
  },
  {
    id: 'vmware.disk_mode.independent',
    severity: 'warning',
    category: 'vmware',
    label: 'Independent disk',
    remediation:
      'Power the VM off before its wave, or switch the disk to dependent mode in vSphere, so that it is copied consistently.',
    scope: 'vm',
    check: perDisk(
      d =>
        d.diskMode === 'independent_persistent' ||
        d.diskMode === 'independent_nonpersistent',
      d =>
        `${d.label} is ${d.diskMode}: VMware snapshots leave it out, so it is read live, not from the migration snapshot.`,
    ),
  },
  {
    id: 'vmware.disk.shared.detected',
    severity: 'critical',
    category: 'vmware',
    label: 'Shared (multi-writer) disk',
    remediation:
      'Scaleway Block volumes attach to one Instance: move the shared data to a shared service (database, file storage) and remove the shared disk first.',
    scope: 'vm',
    check: perDisk(
      d => d.sharing === 'sharingMultiWriter',
      d => `${d.label} is shared between VMs (multi-writer).`,
    ),
  },
  {
    id: 'vmware.passthrough_device.detected',
    severity: 'critical',
    category: 'vmware',
    label: 'PCI passthrough or vGPU device',
    remediation:
      'Remove the device from the VM; for GPU workloads pick a Scaleway GPU Instance by hand and reinstall drivers after migration.',
    scope: 'vm',
    check: ({ vm }) =>
      !vm.specialDevices.length
        ? NONE
        : vm.specialDevices
            .filter(d => d.kind === 'pci_passthrough' || d.kind === 'vgpu')
            .map(d => ({
              subject: d.label,
              assessment: `${d.label} (${d.kind}) is tied to the ESXi host's hardware.`,
            })),
  },
  {
    id: 'vmware.device.sriov.detected',
    severity: 'warning',
    category: 'vmware',
    label: 'SR-IOV network adapter',
    remediation:
      'Check the guest network configuration after migration: the adapter becomes a virtio NIC.',
    scope: 'vm',
    check: ({ vm }) =>
      !vm.specialDevices.length && !vm.nics.some(n => n.type === 'sriov')
        ? NONE
        : [
            ...vm.specialDevices
              .filter(d => d.kind === 'sriov')
              .map(d => ({
                subject: d.label,
                assessment: `${d.label} is an SR-IOV device.`,
              })),
            ...vm.nics
              .filter(n => n.type === 'sriov')
              .map(n => ({
                subject: n.label ?? n.network ?? 'NIC',
                assessment: `${n.label ?? 'A NIC'} on ${
                  n.network ?? 'an unnamed network'
                } is an SR-IOV adapter.`,
              })),
          ],
  },
  {
    id: 'vmware.usb_controller.detected',
    severity: 'warning',
    category: 'vmware',
    label: 'USB controller or device',
    remediation:
      'Remove the dependency on USB devices (licence dongles, tokens) before migrating.',
    scope: 'vm',
    check: ({ vm }) =>
      !vm.specialDevices.length
        ? NONE
        : vm.specialDevices
            .filter(d => d.kind === 'usb_controller' || d.kind === 'usb_device')
            .map(d => ({
              subject: d.label,
              assessment: `${d.label} is not carried over.`,
            })),
  },
  {
    id: 'vmware.tpm.detected',
    severity: 'warning',
    category: 'vmware',
    label: 'Virtual TPM',
    remediation:
      'Back up BitLocker recovery keys and suspend BitLocker (or anything sealed to the TPM) before the wave.',
    scope: 'vm',
    check: once(
      vm => vm.tpm,
      () =>
        'The vTPM contents (BitLocker keys, measured-boot secrets) are not transferred.',
    ),
  },
  {
    id: 'vmware.secure_boot.enabled',
    severity: 'warning',
    category: 'vmware',
    label: 'Secure Boot enabled',
    remediation:
      'Make sure nothing in the guest requires Secure Boot (signed-driver policies, measured boot) before migrating.',
    scope: 'vm',
    check: once(
      vm => vm.secureBoot,
      () =>
        'The VM boots with Secure Boot; its UEFI variables are not carried to the Instance.',
    ),
  },
  {
    id: 'vmware.cpu_memory.hotplug.enabled',
    severity: 'warning',
    category: 'vmware',
    label: 'CPU or memory hot add enabled',
    remediation:
      'Plan resizes as a type change (stop, change type, start) on Scaleway.',
    scope: 'vm',
    check: once(
      vm => vm.cpuHotAdd || vm.memoryHotAdd,
      vm =>
        `${[vm.cpuHotAdd && 'CPU', vm.memoryHotAdd && 'memory']
          .filter(Boolean)
          .join(
            ' and ',
          )} hot add is enabled; Instances cannot be resized while running.`,
    ),
  },
  {
    id: 'vmware.snapshot.detected',
    severity: 'warning',
    category: 'vmware',
    label: 'VM has snapshots',
    remediation:
      'Delete or consolidate the snapshots before the wave; only the current state is migrated.',
    scope: 'vm',
    check: once(
      vm => vm.snapshotCount > 0,
      vm =>
        `${vm.snapshotCount} snapshot(s): the export reads through the chain (slower), and snapshots are not migrated.`,
    ),
  },
  {
    id: 'vmware.consolidation_needed',
    severity: 'warning',
    category: 'vmware',
    label: 'Disk consolidation needed',
    remediation: 'Run "Consolidate" on the VM in vSphere before the wave.',
    scope: 'vm',
    check: once(
      vm => vm.consolidationNeeded,
      () =>
        'vSphere reports that the disks need consolidation; the migration snapshot may fail or be slow.',
    ),
  },
  {
    id: 'vmware.disk.capacity.invalid',
    severity: 'critical',
    category: 'vmware',
    label: 'Invalid disk capacity',
    remediation:
      'Refresh the inventory from vCenter; if the capacity really is 0, repair or remove the disk.',
    scope: 'vm',
    check: perDisk(
      d => d.capacityBytes <= 0,
      d => `${d.label} reports a capacity of ${d.capacityBytes} bytes.`,
    ),
  },
  {
    id: 'vmware.datastore.missing',
    severity: 'critical',
    category: 'vmware',
    label: 'Disk without datastore',
    remediation:
      'Refresh the inventory from vCenter; a disk with no backing datastore cannot be exported.',
    scope: 'vm',
    check: perDisk(
      d => !hasDatastore(d) && d.rdm === 'none',
      d => `${d.label} has no datastore in the inventory.`,
    ),
  },
  {
    id: 'vmware.os.unsupported',
    severity: 'critical',
    category: 'vmware',
    label: 'Unsupported guest OS',
    remediation:
      'Only Linux and Windows guests can be adapted (drivers, bootloader, network); migrate this one by hand, or correct its guest OS in vSphere if it is wrong.',
    scope: 'vm',
    check: once(
      vm => vm.osFamily === 'other',
      vm =>
        `Guest OS "${
          vm.guestFullName ?? vm.guestId ?? 'unknown'
        }" is neither Linux nor Windows.`,
    ),
  },
  {
    id: 'vmware.os.version.unsupported',
    severity: 'warning',
    category: 'vmware',
    label: 'Old or 32-bit guest OS',
    remediation:
      'Test this VM in a canary wave: current virtio drivers and UEFI loaders target 64-bit Linux and Windows 7/2008 R2 or later.',
    scope: 'vm',
    check: once(
      vm => {
        if (vm.osFamily === 'other') return false;
        const r = guestReleaseOf(vm);
        return (
          r.is64Bit === false ||
          r.windowsGeneration === 'pre-vista' ||
          r.windowsGeneration === 'vista-2008'
        );
      },
      vm =>
        `Guest "${vm.guestFullName ?? vm.guestId}" is ${
          guestReleaseOf(vm).is64Bit === false
            ? '32-bit'
            : 'older than Windows 7 / Server 2008 R2'
        }.`,
    ),
  },
  {
    id: 'vmware.vm.name.invalid',
    severity: 'warning',
    category: 'vmware',
    label: 'VM name is not a valid host name (RFC 1123)',
    remediation: 'Rename the VM, or accept the proposed Instance name.',
    scope: 'vm',
    check: once(
      vm => !isRfc1123Label(vm.name),
      vm =>
        `"${
          vm.name
        }" is not an RFC 1123 label; the Instance will be named "${toRfc1123Label(
          vm.name,
        )}".`,
    ),
  },
  {
    id: 'vmware.vm_missing_ip.detected',
    severity: 'warning',
    category: 'vmware',
    label: 'No guest IP address known',
    remediation:
      "Start VMware Tools, or write down the VM's static IP configuration: on Scaleway the NIC gets its address by DHCP.",
    scope: 'vm',
    check: once(
      vm => vm.powerState === 'poweredOn' && vm.ipAddresses.length === 0,
      () =>
        'The VM is running but reports no IP address, so its network settings cannot be checked.',
    ),
  },
  {
    id: 'vmware.tools.not_running',
    severity: 'warning',
    category: 'vmware',
    label: 'VMware Tools not running',
    remediation:
      'Install or start VMware Tools so the migration snapshot is quiesced, or power the VM off for its wave.',
    scope: 'vm',
    check: once(
      vm =>
        vm.powerState === 'poweredOn' &&
        (vm.toolsStatus === 'toolsNotRunning' ||
          vm.toolsStatus === 'toolsNotInstalled'),
      vm =>
        `The VM is running with ${vm.toolsStatus}: its snapshot is crash-consistent only.`,
    ),
  },

  // --- Scaleway's limits ---------------------------------------------------------------------
  {
    id: 'scaleway.disk.too_large',
    severity: 'critical',
    category: 'scaleway',
    label: 'Disk larger than 1 TB',
    remediation:
      'Scaleway imports images of at most 1 TB (10^12 bytes; a 1 TiB disk is 1.1 TB): shrink the disk, or move that data separately (e.g. rsync to a new Block volume).',
    scope: 'vm',
    check: perDisk(
      d => d.capacityBytes > IMPORT_MAX_BYTES,
      d => `${d.label} is ${gb(d.capacityBytes)}, above the 1 TB import limit.`,
    ),
  },
  {
    id: 'scaleway.disk.too_small',
    severity: 'critical',
    category: 'scaleway',
    label: 'Disk smaller than 1 GB',
    remediation:
      'Grow the disk to at least 1 GB in vSphere, or remove it, before migrating.',
    scope: 'vm',
    check: perDisk(
      d => d.capacityBytes > 0 && d.capacityBytes < IMPORT_MIN_BYTES,
      d =>
        `${d.label} is ${gb(d.capacityBytes)}, below the 1 GB import minimum.`,
    ),
  },
  {
    id: 'scaleway.disk.system.too_small',
    severity: 'warning',
    category: 'scaleway',
    label: 'System disk smaller than 10 GB',
    remediation:
      'The root volume is created at 10 GB; grow the root partition inside the guest after migration if needed.',
    scope: 'vm',
    check: ({ vm }) => {
      const d = systemDisk(vm);
      return d &&
        d.capacityBytes >= IMPORT_MIN_BYTES &&
        d.capacityBytes < SYSTEM_VOLUME_MIN_BYTES
        ? [
            {
              subject: d.label,
              assessment: `System disk ${d.label} is ${gb(
                d.capacityBytes,
              )}; Instances boot from 10 GB or more.`,
            },
          ]
        : NONE;
    },
  },
  {
    id: 'scaleway.disk.count.exceeded',
    severity: 'critical',
    category: 'scaleway',
    label: 'More than 16 disks',
    remediation:
      'An Instance takes at most 16 volumes, boot included: merge or drop disks first.',
    scope: 'vm',
    check: once(
      vm => vm.disks.length > MAX_VOLUMES_PER_INSTANCE,
      vm =>
        `${vm.disks.length} disks, the limit is ${MAX_VOLUMES_PER_INSTANCE}.`,
    ),
  },
  {
    id: 'scaleway.firmware.bios',
    severity: 'warning',
    category: 'scaleway',
    label: 'BIOS firmware: converted to UEFI',
    remediation:
      'Nothing to do if the canary passes; ensure_uefi converts MBR to GPT and installs an EFI loader, which needs some free space at the end of the disk.',
    scope: 'vm',
    check: once(
      vm => vm.firmware === 'bios' && vm.osFamily !== 'windows',
      () =>
        'Scaleway boots UEFI only: the system disk is converted from MBR/BIOS to GPT/UEFI during migration.',
    ),
  },
  {
    id: 'scaleway.firmware.bios.windows',
    severity: 'warning',
    category: 'scaleway',
    label: 'Windows on BIOS firmware: MBR to GPT conversion',
    remediation:
      'Run "mbr2gpt /validate /allowFullOS" in the guest and fix what it reports: at most 3 primary partitions, no extended partition, a basic (not dynamic) disk, BitLocker suspended.',
    scope: 'vm',
    check: once(
      vm => {
        const r = guestReleaseOf(vm);
        return (
          vm.firmware === 'bios' &&
          r.family === 'windows' &&
          !biosWindowsCannotBoot(r)
        );
      },
      vm => {
        const r = guestReleaseOf(vm);
        const offline =
          r.windowsGeneration === '10-2016+' ||
          r.windowsGeneration === 'unknown';
        return `Windows on BIOS: the system disk must become GPT with an EFI partition${
          offline
            ? ''
            : '; MBR2GPT does not convert this Windows version offline, so the conversion uses gdisk + bcdboot — try it in the canary wave'
        }.`;
      },
    ),
  },
  {
    id: 'scaleway.firmware.bios.windows.unsupported',
    severity: 'critical',
    category: 'scaleway',
    label: 'Windows version that cannot boot UEFI',
    remediation:
      'Upgrade to a 64-bit Windows (2008 R2 or later) before migrating, or rebuild the server on Scaleway.',
    scope: 'vm',
    check: once(
      vm => vm.firmware === 'bios' && biosWindowsCannotBoot(guestReleaseOf(vm)),
      vm =>
        `"${
          vm.guestFullName ?? vm.guestId
        }" on BIOS cannot boot on UEFI-only Instances (32-bit, or older than Vista/2008).`,
    ),
  },
  {
    id: 'scaleway.windows.zone_without_win_types',
    severity: 'critical',
    category: 'scaleway',
    label: 'No Windows types in the zone',
    remediation: `Windows Instances (-WIN types) exist in ${formatZoneList(
      zonesOfferingWindows(),
    )}: target one of those zones.`,
    scope: 'zone',
    check: ({ vm, catalog }) =>
      vm.osFamily === 'windows' && catalog && !offersWindows(catalog)
        ? [
            {
              assessment: `${catalog.zone} offers no -WIN type, and Windows runs only on those.`,
            },
          ]
        : NONE,
  },
  {
    id: 'scaleway.network.multiple_nics',
    severity: 'warning',
    category: 'scaleway',
    label: 'More than one network adapter',
    remediation:
      'Create a Private Network for each extra port group and attach it to the Instance after migration (addresses by DHCP/IPAM).',
    scope: 'vm',
    check: once(
      vm => vm.nics.length > 1,
      vm =>
        `${vm.nics.length} NICs (${vm.nics
          .map(n => n.network ?? '?')
          .join(
            ', ',
          )}): an Instance has one public interface; the others need Private Networks.`,
    ),
  },

  // --- The target type -----------------------------------------------------------------------
  {
    id: 'scaleway.target.none',
    severity: 'critical',
    category: 'scaleway',
    label: 'No Scaleway type fits',
    remediation:
      'Set a target_type by hand, or change the VM (fewer vCPU/RAM/disks) or the zone.',
    scope: 'vm',
    check: ({ target, sizing }) =>
      !target && sizing && !sizing.targetType
        ? [
            {
              assessment: `Sizing (${sizing.strategy}) found nothing: ${sizing.reason}.`,
            },
          ]
        : NONE,
  },
  {
    id: 'scaleway.target.unknown',
    severity: 'critical',
    category: 'scaleway',
    label: 'Target type not offered in the zone',
    remediation:
      'Use a type listed for the zone (see the catalog), or target another zone.',
    scope: 'target',
    check: ({ target, catalog }) => {
      // Without the zone's catalog there is nothing to look the type up in: no verdict.
      if (!target || target.type || !catalog) return NONE;
      const suggestion = didYouMean(
        target.name,
        catalog.serverTypes.map(t => t.name),
      );
      return [
        {
          assessment: `${target.name} is not offered in ${catalog.zone}${
            suggestion ? `; did you mean ${suggestion}?` : ''
          }.`,
        },
      ];
    },
  },
  {
    id: 'scaleway.windows.target_not_win',
    severity: 'critical',
    category: 'scaleway',
    label: 'Windows guest on a non-Windows type',
    remediation:
      'Use the matching -WIN type (e.g. POP2-4C-16G-WIN): Scaleway licenses Windows only there.',
    scope: 'target',
    check: ({ vm, target }) =>
      target && vm.osFamily === 'windows' && !isWindowsServerType(target.name)
        ? [{ assessment: `${target.name} carries no Windows licence.` }]
        : NONE,
  },
  {
    id: 'scaleway.target.end_of_service',
    severity: 'critical',
    category: 'scaleway',
    label: 'Target type is end-of-service',
    remediation: 'Pick a current type (PRO2, POP2...).',
    scope: 'target',
    check: fitCheck('end_of_service'),
  },
  {
    id: 'scaleway.target.arch',
    severity: 'critical',
    category: 'scaleway',
    label: 'Target type is not x86_64',
    remediation: 'VMware guests are x86_64: pick an x86_64 type.',
    scope: 'target',
    check: fitCheck('arch'),
  },
  {
    id: 'scaleway.target.volume_constraints',
    severity: 'critical',
    category: 'scaleway',
    label: "Target type's volume constraints do not fit the disks",
    remediation:
      'Pick a type that boots from Block (SBS) volumes, such as PLAY2, PRO2 or POP2.',
    scope: 'target',
    check: ctx =>
      both(
        fitCheck('no_block_storage')(ctx),
        fitCheck('local_storage_required')(ctx),
      ),
  },
  {
    id: 'scaleway.target.shortage',
    severity: 'warning',
    category: 'scaleway',
    label: 'Target type in shortage',
    remediation:
      'Pick another type or zone, or expect server creation to fail with out_of_stock until stock returns.',
    scope: 'target',
    check: fitCheck('shortage'),
  },
  {
    id: 'scaleway.target.scarce',
    severity: 'info',
    category: 'scaleway',
    label: 'Target type scarce',
    remediation:
      'Create the Instances early in the wave, or have a second type in mind.',
    scope: 'target',
    check: ({ target }) =>
      target?.type?.availability === 'scarce'
        ? [{ assessment: `${target.name} is scarce in this zone.` }]
        : NONE,
  },
  {
    id: 'scaleway.target.undersized',
    severity: 'warning',
    category: 'scaleway',
    label: 'Target type smaller than the VM',
    remediation: 'Check the workload fits, or pick a larger type.',
    scope: 'target',
    check: ctx => both(fitCheck('vcpus')(ctx), fitCheck('memory')(ctx)),
  },
  {
    id: 'scaleway.target.windows_licence_unused',
    severity: 'info',
    category: 'scaleway',
    label: 'Windows licence on a non-Windows guest',
    remediation:
      'Use the same type without -WIN: it costs about 2.5 times less.',
    scope: 'target',
    check: ({ vm, target }) =>
      target && vm.osFamily !== 'windows' && isWindowsServerType(target.name)
        ? [
            {
              assessment: `${target.name} includes a Windows licence this ${vm.osFamily} guest does not use.`,
            },
          ]
        : NONE,
  },
];

/** Fit problems of a context's target, computed once for the several rules that read them. */
const fitCache = new WeakMap<ConcernContext, TypeMismatch[]>();

/** A target rule that reports one kind of sizing mismatch, so rules and sizing share one judgement. */
function fitCheck(code: TypeMismatchCode) {
  return (ctx: ConcernContext): Finding[] => {
    const type = ctx.target?.type;
    if (!type) return NONE;
    let fit = fitCache.get(ctx);
    if (!fit) fitCache.set(ctx, (fit = typeFitProblems(ctx.vm, type)));
    if (!fit.length) return NONE;
    return fit
      .filter(p => p.code === code)
      .map(p => ({ assessment: `${p.text}.` }));
  };
}

function both(a: Finding[], b: Finding[]): Finding[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...a, ...b];
}

function biosWindowsCannotBoot(r: ReturnType<typeof guestReleaseOf>): boolean {
  return (
    r.family === 'windows' &&
    (r.is64Bit === false || r.windowsGeneration === 'pre-vista')
  );
}

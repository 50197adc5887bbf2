import {
  diskModeSchema,
  type ControllerType,
  type DiskInput,
  type DiskMode,
  type Nic,
  type NicType,
  type SpecialDevice,
} from '@internal/plugin-vmware2scw-common';
import { parseDatastorePath } from './DatastorePath';
import type { XmlValue } from './VimXml';
import {
  arrayItems,
  at,
  bool,
  int,
  list,
  moref,
  text,
  xsiType,
} from './VimValue';

/**
 * Maps `config.hardware.device[]` (each device typed by `xsi:type`) to the inventory model's disks,
 * NICs and host-bound devices. vSphere subtypes are matched by name; unknown subtypes fall back to the
 * family they belong to (an unknown `VirtualEthernetCard*` backing is still a NIC).
 */
export interface NetworkNames {
  /** Name of a standard network / DV port group / opaque network by moref value. */
  byMoref(value: string): string | undefined;
  /** Name of a DV port group by its key (the `portgroupKey` of a DVS port backing). */
  byPortgroupKey(key: string): string | undefined;
  /** Name of an opaque (NSX) network by its id. */
  byOpaqueId(id: string): string | undefined;
}

export interface VmHardware {
  disks: DiskInput[];
  nics: Nic[];
  specialDevices: SpecialDevice[];
  tpm: boolean;
}

const CONTROLLERS: Record<string, ControllerType> = {
  ParaVirtualSCSIController: 'scsi',
  VirtualLsiLogicController: 'scsi',
  VirtualLsiLogicSASController: 'scsi',
  VirtualBusLogicController: 'scsi',
  VirtualSCSIController: 'scsi',
  VirtualAHCIController: 'sata',
  VirtualSATAController: 'sata',
  VirtualIDEController: 'ide',
  VirtualNVMEController: 'nvme',
};

const NIC_TYPES: Record<string, NicType> = {
  VirtualVmxnet3: 'vmxnet3',
  VirtualVmxnet3Vrdma: 'vmxnet3',
  VirtualVmxnet2: 'vmxnet2',
  VirtualVmxnet: 'vmxnet',
  VirtualE1000: 'e1000',
  VirtualE1000e: 'e1000e',
  VirtualPCNet32: 'pcnet32',
  VirtualSriovEthernetCard: 'sriov',
};

const DISK_MODES = new Set<DiskMode>(diskModeSchema.options);

/** Committed bytes per disk key, from `layoutEx` (the files of each disk's chain). */
export function allocatedBytesByDisk(
  layoutEx: XmlValue | undefined,
): Map<number, number> {
  const fileSize = new Map<number, { size: number; type?: string }>();
  for (const f of list(at(layoutEx, 'file'))) {
    const key = int(at(f, 'key'));
    if (key === undefined) continue;
    fileSize.set(key, {
      size: int(at(f, 'size')) ?? 0,
      type: text(at(f, 'type')),
    });
  }
  const out = new Map<number, number>();
  for (const d of list(at(layoutEx, 'disk'))) {
    const key = int(at(d, 'key'));
    if (key === undefined) continue;
    let total = 0;
    let known = false;
    for (const unit of list(at(d, 'chain'))) {
      for (const fk of list(at(unit, 'fileKey'))) {
        const f = fileSize.get(int(fk) ?? -1);
        // Descriptors are a few hundred bytes; the extents hold the data.
        if (f && f.type !== 'diskDescriptor') {
          total += f.size;
          known = true;
        }
      }
    }
    if (known) out.set(key, total);
  }
  return out;
}

export function mapHardware(
  hardware: XmlValue | undefined,
  networks: NetworkNames,
  allocated: Map<number, number> = new Map(),
): VmHardware {
  const devices = list(at(hardware, 'device'));
  const byKey = new Map<number, XmlValue>();
  for (const d of devices) {
    const key = int(at(d, 'key'));
    if (key !== undefined) byKey.set(key, d);
  }

  const disks: DiskInput[] = [];
  const nics: Nic[] = [];
  const specialDevices: SpecialDevice[] = [];
  let tpm = false;

  for (const d of devices) {
    const type = xsiType(d) ?? '';
    const label =
      text(at(d, 'deviceInfo', 'label')) ||
      `${type} ${text(at(d, 'key')) ?? ''}`.trim();
    const backingType = xsiType(at(d, 'backing')) ?? '';

    if (type === 'VirtualDisk') {
      disks.push(mapDisk(d, label, byKey, allocated));
    } else if (
      NIC_TYPES[type] ||
      backingType.startsWith('VirtualEthernetCard')
    ) {
      nics.push(mapNic(d, type, label, networks));
      if (type === 'VirtualSriovEthernetCard')
        specialDevices.push({ kind: 'sriov', label });
    } else if (type === 'VirtualPCIPassthrough') {
      const vgpu = backingType === 'VirtualPCIPassthroughVmiopBackingInfo';
      specialDevices.push({ kind: vgpu ? 'vgpu' : 'pci_passthrough', label });
    } else if (
      type === 'VirtualUSBController' ||
      type === 'VirtualUSBXHCIController'
    ) {
      specialDevices.push({ kind: 'usb_controller', label });
    } else if (type === 'VirtualUSB') {
      specialDevices.push({ kind: 'usb_device', label });
    } else if (type === 'VirtualTPM') {
      tpm = true;
    }
  }
  return { disks, nics, specialDevices, tpm };
}

function mapDisk(
  d: XmlValue,
  label: string,
  byKey: Map<number, XmlValue>,
  allocated: Map<number, number>,
): DiskInput {
  const key = int(at(d, 'key')) ?? 0;
  const backing = at(d, 'backing');
  const backingType = xsiType(backing) ?? '';
  // vcsim 0.24.2 and old hosts send capacityInKB only.
  const bytes =
    int(at(d, 'capacityInBytes')) ?? (int(at(d, 'capacityInKB')) ?? 0) * 1024;
  const fileName = text(at(backing, 'fileName')) || undefined;
  const mode = text(at(backing, 'diskMode')) as DiskMode | undefined;
  const sharing = text(at(backing, 'sharing'));

  let rdm: DiskInput['rdm'] = 'none';
  if (backingType === 'VirtualDiskRawDiskMappingVer1BackingInfo') {
    rdm =
      text(at(backing, 'compatibilityMode')) === 'physicalMode'
        ? 'physical'
        : 'virtual';
  }

  const controllerKey = int(at(d, 'controllerKey'));
  const controllerDevice =
    controllerKey === undefined ? undefined : byKey.get(controllerKey);
  const controllerModel = xsiType(controllerDevice);
  const unitNumber = int(at(d, 'unitNumber'));
  const busNumber = int(at(controllerDevice, 'busNumber'));

  return {
    key,
    label,
    capacityBytes: Math.max(0, bytes),
    thin: bool(at(backing, 'thinProvisioned')),
    datastore: fileName ? parseDatastorePath(fileName)?.datastore : undefined,
    fileName,
    diskMode: mode && DISK_MODES.has(mode) ? mode : 'persistent',
    rdm,
    sharing:
      sharing === 'sharingMultiWriter' ? 'sharingMultiWriter' : 'sharingNone',
    controller: controllerDevice
      ? {
          type: CONTROLLERS[controllerModel ?? ''] ?? 'other',
          model: controllerModel,
          busNumber:
            busNumber !== undefined && busNumber >= 0 ? busNumber : undefined,
          unitNumber:
            unitNumber !== undefined && unitNumber >= 0
              ? unitNumber
              : undefined,
        }
      : undefined,
    changeId: text(at(backing, 'changeId')) || undefined,
    // Snapshot deltas overlap the base: what an export moves never exceeds the capacity.
    allocatedBytes: allocatedOf(allocated.get(key), Math.max(0, bytes)),
  };
}

function allocatedOf(
  sum: number | undefined,
  capacity: number,
): number | undefined {
  if (sum === undefined) return undefined;
  return capacity > 0 ? Math.min(sum, capacity) : sum;
}

function mapNic(
  d: XmlValue,
  type: string,
  label: string,
  networks: NetworkNames,
): Nic {
  const backing = at(d, 'backing');
  const backingType = xsiType(backing) ?? '';
  let network: string | undefined;
  if (backingType === 'VirtualEthernetCardDistributedVirtualPortBackingInfo') {
    const key = text(at(backing, 'port', 'portgroupKey'));
    network = key
      ? networks.byPortgroupKey(key) ?? networks.byMoref(key)
      : undefined;
  } else if (backingType === 'VirtualEthernetCardOpaqueNetworkBackingInfo') {
    const id = text(at(backing, 'opaqueNetworkId'));
    network = id ? networks.byOpaqueId(id) : undefined;
  } else {
    const ref = moref(at(backing, 'network'));
    network =
      (ref && networks.byMoref(ref.value)) ||
      text(at(backing, 'deviceName')) ||
      undefined;
  }
  return {
    label,
    network,
    type: NIC_TYPES[type] ?? 'other',
    macAddress: text(at(d, 'macAddress')) || undefined,
    connected: bool(at(d, 'connectable', 'connected')),
  };
}

/** IP addresses the guest reports, primary first, without duplicates. */
export function guestIpAddresses(
  primary: XmlValue | undefined,
  net: XmlValue | undefined,
): string[] {
  const ips = new Set<string>();
  const first = text(primary);
  if (first) ips.add(first);
  for (const nic of arrayItems(net, 'GuestNicInfo')) {
    for (const ip of list(at(nic, 'ipAddress'))) {
      const t = text(ip);
      if (t) ips.add(t);
    }
  }
  return [...ips];
}

import type {
  DiskController,
  DiskInput,
  Nic,
} from '@internal/plugin-vmware2scw-common';
import { RvtoolsCells } from './RvtoolsCells';
import type { RvtoolsIssue } from './RvtoolsError';
import type { RvtoolsSheetSet } from './RvtoolsSheetSet';
import type { VdiskColumn, VnetworkColumn } from './RvtoolsSheets';
import type { VmLookup } from './RvtoolsVmLookup';
import type { VmDraft } from './RvtoolsVmRows';

const MIB = 1024 * 1024;

const DISK_MODES = {
  persistent: 'persistent',
  nonpersistent: 'nonpersistent',
  undoable: 'undoable',
  independentpersistent: 'independent_persistent',
  independentnonpersistent: 'independent_nonpersistent',
  append: 'append',
} as const;
const RAW_MODES = {
  physicalmode: 'physical',
  physical: 'physical',
  virtualmode: 'virtual',
  virtual: 'virtual',
} as const;
const SHARING_MODES = {
  sharingnone: 'sharingNone',
  nosharing: 'sharingNone',
  none: 'sharingNone',
  sharingmultiwriter: 'sharingMultiWriter',
  multiwriter: 'sharingMultiWriter',
} as const;
const TOOLS_STATUSES = {
  toolsok: 'toolsOk',
  ok: 'toolsOk',
  toolsold: 'toolsOld',
  old: 'toolsOld',
  toolsnotrunning: 'toolsNotRunning',
  notrunning: 'toolsNotRunning',
  toolsnotinstalled: 'toolsNotInstalled',
  notinstalled: 'toolsNotInstalled',
} as const;

/**
 * Adds the rows of vDisk, vNetwork, vSnapshot, vTools and vUSB to the VM each belongs to; a row whose VM
 * cannot be found, or with a bad cell, becomes an issue.
 */
export function joinDetailRows(
  sheets: RvtoolsSheetSet,
  lookup: VmLookup,
  issues: RvtoolsIssue[],
): void {
  const { disk, net, snap, tools, usb } = sheets;
  if (disk) {
    for (const row of disk.table.rows) {
      const c = new RvtoolsCells(disk, row, issues);
      const draft = lookup.find(c);
      if (draft) readDisk(c, draft);
    }
  }
  if (net) {
    for (const row of net.table.rows) {
      const c = new RvtoolsCells(net, row, issues);
      const draft = lookup.find(c);
      if (draft) readNic(c, draft);
    }
  }
  if (snap) {
    for (const row of snap.table.rows) {
      const draft = lookup.find(new RvtoolsCells(snap, row, issues));
      if (draft) draft.vm.snapshotCount = (draft.vm.snapshotCount ?? 0) + 1;
    }
  }
  if (tools) {
    for (const row of tools.table.rows) {
      const c = new RvtoolsCells(tools, row, issues);
      const draft = lookup.find(c);
      const status = c.oneOf('tools', TOOLS_STATUSES, 'a VMware Tools status');
      if (draft && status) {
        draft.vm.toolsStatus = status;
        draft.toolsFromSheet = true;
      }
    }
  }
  if (usb) {
    for (const row of usb.table.rows) {
      const c = new RvtoolsCells(usb, row, issues);
      const draft = lookup.find(c);
      if (draft)
        draft.vm.specialDevices.push({
          kind: 'usb_device',
          label: c.text('deviceType') ?? 'USB device',
        });
    }
  }
}

function readDisk(c: RvtoolsCells<VdiskColumn>, draft: VmDraft): void {
  const label = c.requiredText('disk', 'the disk label, e.g. "Hard disk 1"');
  const capacityMiB = c.number('capacityMiB', {
    required: true,
    what: 'the disk capacity in MiB',
  });
  const key = c.number('diskKey', {
    integer: true,
    what: 'the disk device key, a whole number such as 2000',
  });
  const thin = c.boolean('thin');
  const diskMode = c.oneOf('diskMode', DISK_MODES, 'a disk mode');
  const raw = c.boolean('raw');
  const rawMode = c.oneOf('rawMode', RAW_MODES, 'an RDM compatibility mode');
  const sharing = c.oneOf('sharing', SHARING_MODES, 'a sharing mode');
  const unit = c.number('unit', {
    integer: true,
    min: 0,
    what: 'the unit number on the controller',
  });
  if (!label || capacityMiB === undefined) return;

  const path = c.text('path');
  const fileName =
    c.text('diskPath') ?? (path && /\.vmdk$/i.test(path) ? path : undefined);
  const controllerText = c.text('controller');
  const disk: DiskInput = {
    key: key ?? -1,
    label,
    // Negative or zero capacities come from broken exports; kept as 0 so that a concern names the disk.
    capacityBytes: Math.max(0, Math.round(capacityMiB * MIB)),
    thin,
    datastore: fileName?.match(/^\[([^\]]+)\]/)?.[1],
    fileName,
    diskMode,
    rdm: raw === false ? 'none' : rawMode ?? (raw ? 'physical' : 'none'),
    sharing,
    controller: controllerText ? controllerOf(controllerText, unit) : undefined,
  };
  draft.vm.disks.push(disk);
  if (key === undefined) draft.diskKeysMissing.push(disk);
}

function readNic(c: RvtoolsCells<VnetworkColumn>, draft: VmDraft): void {
  const adapter = c.text('adapter') ?? '';
  const connected = c.boolean('connected');
  const type = nicTypeOf(adapter);
  const label = c.text('label');
  draft.vm.nics.push({
    label,
    network: c.text('network'),
    type,
    macAddress: c.text('mac')?.toLowerCase(),
    connected,
  });
  if (type === 'sriov')
    draft.vm.specialDevices.push({ kind: 'sriov', label: label ?? adapter });
  if (/passthr/i.test(adapter))
    draft.vm.specialDevices.push({
      kind: 'pci_passthrough',
      label: label ?? adapter,
    });
  for (const ip of (c.text('ipv4') ?? '').split(/[\s,;]+/)) {
    if (ip && !draft.vm.ipAddresses.includes(ip)) draft.vm.ipAddresses.push(ip);
  }
}

function controllerOf(
  text: string,
  unitNumber: number | undefined,
): DiskInput['controller'] {
  const t = text.toLowerCase();
  const kinds: Array<[DiskController['type'], string[]]> = [
    ['nvme', ['nvme']],
    ['sata', ['sata', 'ahci']],
    ['ide', ['ide']],
    ['scsi', ['scsi', 'lsi', 'paravirtual', 'buslogic']],
  ];
  const type =
    kinds.find(([, words]) => words.some(w => t.includes(w)))?.[0] ?? 'other';
  const bus = text.match(/(\d+)\s*$/)?.[1];
  return {
    type,
    busNumber: bus === undefined ? undefined : Number(bus),
    unitNumber,
  };
}

function nicTypeOf(adapter: string): Nic['type'] {
  const a = adapter.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (a.includes('vmxnet3')) return 'vmxnet3';
  if (a.includes('vmxnet2')) return 'vmxnet2';
  if (a.includes('vmxnet')) return 'vmxnet';
  if (a.includes('e1000e')) return 'e1000e';
  if (a.includes('e1000')) return 'e1000';
  if (a.includes('pcnet') || a.includes('vlance') || a.includes('flexible'))
    return 'pcnet32';
  if (a.includes('sriov')) return 'sriov';
  return 'other';
}

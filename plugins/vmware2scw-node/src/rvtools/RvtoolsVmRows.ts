import type { VmUsageDraft } from './RvtoolsUsageRows';
import {
  osFamilyOf,
  type DiskInput,
  type Nic,
  type SpecialDevice,
  type VmInput,
} from '@internal/plugin-vmware2scw-common';
import { RvtoolsCells } from './RvtoolsCells';
import type { RvtoolsIssue } from './RvtoolsError';
import {
  VINFO_BUILTIN_HEADERS,
  VINFO_COLUMNS,
  type VinfoColumn,
} from './RvtoolsSheets';
import {
  normalizeHeader,
  type RvtoolsColumn,
  type RvtoolsColumns,
} from './RvtoolsTable';

const POWER_STATES = {
  poweredon: 'poweredOn',
  poweredoff: 'poweredOff',
  suspended: 'suspended',
} as const;
const FIRMWARES = { bios: 'bios', efi: 'efi', uefi: 'efi' } as const;

/** A VM of vInfo while the other sheets add to it: disks, NICs, devices, snapshots, tools. */
export interface VmDraft {
  vm: VmInput & {
    disks: DiskInput[];
    nics: Nic[];
    specialDevices: SpecialDevice[];
    ipAddresses: string[];
  };
  row: number;
  guestState?: string;
  toolsFromSheet: boolean;
  diskKeysMissing: DiskInput[];
  /** Usage quick stats from vCPU, vMemory and vInfo, when the export has them. */
  usage?: VmUsageDraft;
}

/** One draft per vInfo row that names a VM; bad cells become issues, duplicates too. */
export function readVinfoRows(
  info: RvtoolsColumns<VinfoColumn>,
  sourceId: string,
  issues: RvtoolsIssue[],
): VmDraft[] {
  const customAttributeColumns = findCustomAttributeColumns(info);
  const drafts: VmDraft[] = [];
  const seen = new Map<string, number>();
  for (const row of info.table.rows) {
    const c = new RvtoolsCells(info, row, issues);
    const draft = vmDraftOf(c, sourceId, customAttributeColumns);
    // A row with bad values still joins its vDisk/vNetwork rows, so that their own bad cells are reported and
    // not drowned in "no such VM"; the import fails on the recorded issues before any placeholder is used.
    if (!draft) continue;
    const { moref } = draft.vm;
    const first = seen.get(moref);
    if (first !== undefined) {
      c.bad(
        info.has('vmId') ? 'vmId' : 'vm',
        `VM "${moref}" appears twice (rows ${first} and ${row.row}): each VM must have one vInfo row`,
      );
      continue;
    }
    seen.set(moref, row.row);
    drafts.push(draft);
  }
  return drafts;
}

/** The VM of one vInfo row, or `undefined` when the row names none; bad cells become issues. */
function vmDraftOf(
  c: RvtoolsCells<VinfoColumn>,
  sourceId: string,
  customAttributeColumns: Array<{ index: number; name: string }>,
): VmDraft | undefined {
  const rawName = c.requiredText('vm', 'the VM name');
  const powerState = c.oneOf('powerState', POWER_STATES, 'a power state');
  if (c.text('powerState') === undefined)
    c.bad('powerState', 'empty: expected poweredOn, poweredOff or suspended');
  const numCpu = c.number('cpus', {
    integer: true,
    min: 1,
    required: true,
    what: 'a whole number of vCPUs, at least 1',
  });
  const memoryMiB = c.number('memory', {
    min: 0,
    required: true,
    what: 'the memory size in MiB',
  });
  const firmware = c.oneOf('firmware', FIRMWARES, 'a firmware') ?? 'bios';
  const template = c.boolean('template') ?? false;
  const secureBoot = c.boolean('secureBoot') ?? false;
  const cbtEnabled = c.boolean('cbt') ?? false;
  const consolidationNeeded = c.boolean('consolidationNeeded') ?? false;
  if (!rawName) return undefined;

  const name = decodeVmName(rawName);
  const datacenter = c.text('datacenter');
  const guestFullName = c.text('osConfig') ?? c.text('osTools');
  const customAttributes: Record<string, string> = {};
  for (const col of customAttributeColumns) {
    const v = (c.row.cells[col.index] ?? '').trim();
    if (v) customAttributes[col.name] = v;
  }
  return {
    row: c.row.row,
    guestState: c.text('guestState'),
    toolsFromSheet: false,
    diskKeysMissing: [],
    vm: {
      sourceId,
      moref: c.text('vmId') ?? c.text('vmUuid') ?? name,
      instanceUuid: c.text('vmUuid'),
      biosUuid: c.text('biosUuid'),
      name,
      folderPath: folderPathOf(datacenter, c.text('folder')),
      datacenter,
      cluster: c.text('cluster'),
      host: c.text('host'),
      resourcePool: c.text('resourcePool'),
      powerState: powerState ?? 'poweredOff',
      template,
      guestFullName,
      osFamily: osFamilyOf(undefined, guestFullName),
      firmware,
      secureBoot,
      numCpu: numCpu ?? 1,
      memoryMiB: Math.round(memoryMiB ?? 0),
      disks: [],
      nics: [],
      specialDevices: [],
      consolidationNeeded,
      cbtEnabled,
      ipAddresses: [c.text('primaryIp')].filter((v): v is string => !!v),
      guestHostname: c.text('dnsName'),
      customAttributes,
      hardwareVersion: hardwareVersionOf(c.text('hwVersion')),
      annotation: c.text('annotation'),
    },
  };
}

/** Once every sheet was read: disk keys for disks without one, and tools status from the guest state. */
export function finishVm(d: VmDraft): void {
  // Disks without a device key get the next free one from 2000 (vSphere's first disk key), in sheet order.
  const used = new Set(d.vm.disks.map(x => x.key));
  let next = 2000;
  for (const disk of d.diskKeysMissing) {
    while (used.has(next)) next++;
    disk.key = next;
    used.add(next);
  }
  if (!d.toolsFromSheet) {
    // Without a vTools sheet, vInfo's guest state is the best hint: running tools answer for the guest.
    const gs = d.guestState?.toLowerCase();
    if (gs === 'running') d.vm.toolsStatus = 'toolsOk';
    else if (gs === 'notrunning' && d.vm.powerState === 'poweredOn')
      d.vm.toolsStatus = 'toolsNotRunning';
  }
}

/**
 * vCenter custom attributes are the vInfo columns RVTools does not write itself; RVTools puts them between
 * `Annotation` and `Datacenter`, so when both are there only that span is read.
 */
function findCustomAttributeColumns(
  info: RvtoolsColumns<VinfoColumn>,
): Array<{ index: number; name: string }> {
  const known = new Set(VINFO_BUILTIN_HEADERS.map(normalizeHeader));
  for (const col of Object.values(VINFO_COLUMNS)) {
    for (const n of [col.header, ...((col as RvtoolsColumn).aliases ?? [])])
      known.add(normalizeHeader(n));
  }
  const from = info.position('annotation');
  const to = info.position('datacenter');
  const bounded = from !== undefined && to !== undefined && from < to;
  return info.table.header
    .map((name, index) => ({ name: name.trim(), index }))
    .filter(({ name, index }) => {
      const n = normalizeHeader(name);
      if (!n || known.has(n) || n.startsWith('vinfo')) return false;
      return bounded ? index > from! && index < to! : true;
    });
}

/**
 * `/DC1/Production/Web` from the datacenter and RVTools' folder (`Production/Web`), also when the folder
 * is a full inventory path that repeats the datacenter and its hidden `vm` folder (`/DC1/vm/Production/Web`).
 */
export function folderPathOf(
  datacenter: string | undefined,
  folder: string | undefined,
): string {
  const parts = (folder ?? '')
    .split('/')
    .map(p => p.trim())
    .filter(Boolean);
  if (datacenter && parts[0] === datacenter) {
    parts.shift();
    if (parts[0] === 'vm') parts.shift();
  }
  return `/${[datacenter, ...parts].filter(Boolean).join('/')}`;
}

/** vSphere escapes `/`, `\\` and `%` in inventory names; RVTools writes them as it gets them. */
export function decodeVmName(name: string): string {
  return name.replace(/%2f/gi, '/').replace(/%5c/gi, '\\').replace(/%25/g, '%');
}

function hardwareVersionOf(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return /^\d+$/.test(v) ? `vmx-${v}` : v;
}

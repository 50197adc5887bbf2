import {
  Cluster,
  Datastore,
  DiskController,
  DiskInput,
  Host,
  Inventory,
  inventorySchema,
  Network,
  Nic,
  osFamilyOf,
  SpecialDevice,
  VmInput,
} from '@internal/plugin-vmware2scw-common';
import { RvtoolsError, RvtoolsIssue } from './RvtoolsError';
import { RvtoolsCells } from './RvtoolsCells';
import {
  VDISK_COLUMNS,
  VDISK_REQUIRED,
  VINFO_BUILTIN_HEADERS,
  VINFO_COLUMNS,
  VINFO_REQUIRED,
  VMETADATA_COLUMNS,
  VNETWORK_COLUMNS,
  VNETWORK_REQUIRED,
  VSNAPSHOT_COLUMNS,
  VSNAPSHOT_REQUIRED,
  VTOOLS_COLUMNS,
  VTOOLS_REQUIRED,
  VUSB_COLUMNS,
  VUSB_REQUIRED,
} from './RvtoolsSheets';
import {
  normalizeHeader,
  RvtoolsColumn,
  RvtoolsColumns,
  RvtoolsTable,
} from './RvtoolsTable';

export interface RvtoolsParseOptions {
  /** Id of the inventory source: becomes `source.id` and every VM's `sourceId`. */
  sourceId: string;
  /** File or URL of the export, for `source.name`. */
  sourceName?: string;
  /** Collection instant when the export's vMetaData sheet does not say (ISO 8601). */
  collectedAt?: string;
}

export interface RvtoolsImport {
  inventory: Inventory;
  /** What was missing but did not stop the import (an absent optional sheet...). */
  warnings: string[];
}

const MIB = 1024 * 1024;

const POWER_STATES = {
  poweredon: 'poweredOn',
  poweredoff: 'poweredOff',
  suspended: 'suspended',
} as const;
const FIRMWARES = { bios: 'bios', efi: 'efi', uefi: 'efi' } as const;
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

interface VmDraft {
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
}

/** Finds the vInfo VM of a row of another sheet: by VM ID, then VM UUID, then (unique) VM name. */
class VmLookup {
  private readonly byId = new Map<string, VmDraft>();
  private readonly byUuid = new Map<string, VmDraft>();
  private readonly byName = new Map<string, VmDraft[]>();

  constructor(
    drafts: VmDraft[],
    private readonly hasId: boolean,
    private readonly hasUuid: boolean,
  ) {
    for (const d of drafts) {
      if (hasId) this.byId.set(d.vm.moref, d);
      if (d.vm.instanceUuid)
        this.byUuid.set(d.vm.instanceUuid.toLowerCase(), d);
      const n = d.vm.name.toLowerCase();
      this.byName.set(n, [...(this.byName.get(n) ?? []), d]);
    }
  }

  find<K extends string>(
    c: RvtoolsCells<K | 'vm' | 'vmId' | 'vmUuid'>,
  ): VmDraft | undefined {
    const id = c.text('vmId');
    if (id && this.hasId) {
      const d = this.byId.get(id);
      if (!d) c.bad('vmId', `no VM with VM ID "${id}" in vInfo`);
      return d;
    }
    const uuid = c.text('vmUuid');
    if (uuid && this.hasUuid) {
      const d = this.byUuid.get(uuid.toLowerCase());
      if (!d) c.bad('vmUuid', `no VM with VM UUID "${uuid}" in vInfo`);
      return d;
    }
    const name = c.text('vm');
    if (!name) {
      c.bad('vm', 'empty: expected the name of a VM of vInfo');
      return undefined;
    }
    const found = this.byName.get(decodeVmName(name).toLowerCase()) ?? [];
    if (found.length === 1) return found[0];
    c.bad(
      'vm',
      found.length
        ? `${found.length} VMs are named "${name}" in vInfo (rows ${found
            .map(d => d.row)
            .join(', ')}): add the VM ID column to tell them apart`
        : `no VM named "${name}" in vInfo`,
    );
    return undefined;
  }
}

/**
 * Maps the sheets of an RVTools export (vInfo, vDisk, vNetwork; vSnapshot, vTools, vUSB and vMetaData when
 * present) to the inventory model. Columns are found by name in any order; a missing required column or a
 * value that cannot be read stops the import with every such place listed (sheet, row, column).
 */
export function parseRvtoolsTables(
  tables: RvtoolsTable[],
  options: RvtoolsParseOptions,
): RvtoolsImport {
  const bySheet = new Map(tables.map(t => [t.sheet.toLowerCase(), t]));
  const sheet = (name: string) => bySheet.get(name.toLowerCase());
  const files =
    [...new Set(tables.map(t => t.file))].join(', ') || 'the export';
  const warnings: string[] = [];

  const vinfo = sheet('vInfo');
  if (!vinfo) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_NOT_FOUND',
      [
        {
          file: files,
          message: `no vInfo sheet (sheets found: ${
            tables.map(t => t.sheet).join(', ') || 'none'
          })`,
        },
      ],
      'Export again from RVTools with "Export all to Excel" (xlsx) or "Export all to csv" (one RVTools_tab<sheet>.csv per sheet).',
    );
  }

  // Columns first: a missing required column makes every row of its sheet unreadable, so report those alone.
  const columnIssues: RvtoolsIssue[] = [];
  const optional = <K extends string>(
    name: string,
    cols: Record<K, RvtoolsColumn>,
    required: readonly K[],
  ) => {
    const t = sheet(name);
    if (!t) return undefined;
    return new RvtoolsColumns(t, cols, required, columnIssues);
  };
  const info = new RvtoolsColumns(
    vinfo,
    VINFO_COLUMNS,
    VINFO_REQUIRED,
    columnIssues,
  );
  const disk = optional('vDisk', VDISK_COLUMNS, VDISK_REQUIRED);
  const net = optional('vNetwork', VNETWORK_COLUMNS, VNETWORK_REQUIRED);
  const snap = optional('vSnapshot', VSNAPSHOT_COLUMNS, VSNAPSHOT_REQUIRED);
  const tools = optional('vTools', VTOOLS_COLUMNS, VTOOLS_REQUIRED);
  const usb = optional('vUSB', VUSB_COLUMNS, VUSB_REQUIRED);
  const meta = optional<keyof typeof VMETADATA_COLUMNS>(
    'vMetaData',
    VMETADATA_COLUMNS,
    [],
  );
  if (columnIssues.length) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_COLUMN_MISSING',
      columnIssues,
      'Export the sheet again with RVTools 4.x, or rename the column to the name RVTools gives it.',
    );
  }
  if (!disk)
    warnings.push(
      'no vDisk sheet: the VMs are imported without disks, so sizes and disk concerns are unknown',
    );
  if (!net)
    warnings.push(
      'no vNetwork sheet: the VMs are imported without network adapters',
    );

  const issues: RvtoolsIssue[] = [];
  const customAttributeColumns = findCustomAttributeColumns(vinfo, info);
  const drafts = readVinfo(
    info,
    customAttributeColumns,
    options.sourceId,
    issues,
  );
  if (vinfo.rows.length === 0) {
    // An empty export would empty the catalog of this source: most likely the wrong file or a failed export.
    throw RvtoolsError.fromIssues(
      'RVTOOLS_BAD_VALUE',
      [
        {
          file: vinfo.file,
          sheet: vinfo.sheet,
          row: 2,
          message: 'no VM rows under the header',
        },
      ],
      'Export again from RVTools connected to the vCenter (an export of an empty vCenter cannot be imported).',
    );
  }
  const lookup = new VmLookup(drafts, info.has('vmId'), info.has('vmUuid'));

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
  const metadata = meta?.table.rows[0]
    ? readMetadata(new RvtoolsCells(meta, meta.table.rows[0], issues))
    : {};

  if (issues.length) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_BAD_VALUE',
      issues,
      'Correct these cells (or export again from RVTools); vmware2scw imports an export only when every row can be read.',
    );
  }

  for (const d of drafts) finishVm(d);
  const vms = drafts.map(d => d.vm);
  const inventory = inventorySchema.parse({
    source: {
      kind: 'rvtools',
      id: options.sourceId,
      name: options.sourceName,
      collectedAt: metadata.collectedAt ?? options.collectedAt,
      version: metadata.version,
    },
    vms,
    ...infrastructureOf(vms),
  });
  return { inventory, warnings };
}

function readVinfo(
  info: RvtoolsColumns<keyof typeof VINFO_COLUMNS>,
  customAttributeColumns: Array<{ index: number; name: string }>,
  sourceId: string,
  issues: RvtoolsIssue[],
): VmDraft[] {
  const drafts: VmDraft[] = [];
  const seen = new Map<string, number>();
  for (const row of info.table.rows) {
    const c = new RvtoolsCells(info, row, issues);
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
    // A row with bad values still joins its vDisk/vNetwork rows, so that their own bad cells are reported and
    // not drowned in "no such VM"; the import fails on the recorded issues before any placeholder is used.
    if (!rawName) continue;

    const name = decodeVmName(rawName);
    const moref = c.text('vmId') ?? c.text('vmUuid') ?? name;
    const first = seen.get(moref);
    if (first !== undefined) {
      c.bad(
        info.has('vmId') ? 'vmId' : 'vm',
        `VM "${moref}" appears twice (rows ${first} and ${row.row}): each VM must have one vInfo row`,
      );
      continue;
    }
    seen.set(moref, row.row);

    const datacenter = c.text('datacenter');
    const guestFullName = c.text('osConfig') ?? c.text('osTools');
    const customAttributes: Record<string, string> = {};
    for (const col of customAttributeColumns) {
      const v = (row.cells[col.index] ?? '').trim();
      if (v) customAttributes[col.name] = v;
    }
    const ips = [c.text('primaryIp')].filter((v): v is string => !!v);
    drafts.push({
      row: row.row,
      guestState: c.text('guestState'),
      toolsFromSheet: false,
      diskKeysMissing: [],
      vm: {
        sourceId,
        moref,
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
        ipAddresses: ips,
        guestHostname: c.text('dnsName'),
        customAttributes,
        hardwareVersion: hardwareVersionOf(c.text('hwVersion')),
        annotation: c.text('annotation'),
      },
    });
  }
  return drafts;
}

function readDisk(
  c: RvtoolsCells<keyof typeof VDISK_COLUMNS>,
  draft: VmDraft,
): void {
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

function readNic(
  c: RvtoolsCells<keyof typeof VNETWORK_COLUMNS>,
  draft: VmDraft,
): void {
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

function readMetadata(c: RvtoolsCells<keyof typeof VMETADATA_COLUMNS>): {
  version?: string;
  collectedAt?: string;
} {
  // RVTools writes the local time of the machine that ran it, without a zone: read as UTC so that every
  // backend reads the same instant.
  const created = c.text('createdAt');
  const m = created?.match(
    /^(\d{4})[-/](\d\d)[-/](\d\d)[ T](\d\d:\d\d(?::\d\d)?)$/,
  );
  let t = NaN;
  if (m) t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`);
  else if (created) t = Date.parse(created);
  return {
    version: c.text('version'),
    collectedAt: Number.isNaN(t) ? undefined : new Date(t).toISOString(),
  };
}

function finishVm(d: VmDraft): void {
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
  table: RvtoolsTable,
  info: RvtoolsColumns<keyof typeof VINFO_COLUMNS>,
): Array<{ index: number; name: string }> {
  const known = new Set(VINFO_BUILTIN_HEADERS.map(normalizeHeader));
  for (const col of Object.values(VINFO_COLUMNS)) {
    for (const n of [col.header, ...((col as RvtoolsColumn).aliases ?? [])])
      known.add(normalizeHeader(n));
  }
  const from = info.position('annotation');
  const to = info.position('datacenter');
  const bounded = from !== undefined && to !== undefined && from < to;
  return table.header
    .map((name, index) => ({ name: name.trim(), index }))
    .filter(({ name, index }) => {
      const n = normalizeHeader(name);
      if (!n || known.has(n) || n.startsWith('vinfo')) return false;
      return bounded ? index > from! && index < to! : true;
    });
}

function infrastructureOf(vms: VmInput[]): {
  hosts: Host[];
  clusters: Cluster[];
  datastores: Datastore[];
  networks: Network[];
} {
  // RVTools has no managed object ids for these in vInfo/vDisk/vNetwork: names stand in for them.
  const hosts = new Map<string, Host>();
  const clusters = new Map<string, Cluster>();
  const datastores = new Map<string, Datastore>();
  const networks = new Map<string, Network>();
  for (const vm of vms) {
    if (vm.host && !hosts.has(vm.host)) {
      hosts.set(vm.host, {
        moref: `host:${vm.host}`,
        name: vm.host,
        datacenter: vm.datacenter,
        cluster: vm.cluster,
      });
    }
    if (vm.cluster) {
      const key = `${vm.datacenter ?? ''}/${vm.cluster}`;
      const cl = clusters.get(key) ?? {
        moref: `cluster:${key}`,
        name: vm.cluster,
        datacenter: vm.datacenter,
        hosts: [],
      };
      if (vm.host && !cl.hosts.includes(vm.host)) cl.hosts.push(vm.host);
      clusters.set(key, cl);
    }
    for (const d of vm.disks ?? []) {
      if (d.datastore && !datastores.has(d.datastore)) {
        datastores.set(d.datastore, {
          moref: `datastore:${d.datastore}`,
          name: d.datastore,
          datacenter: vm.datacenter,
        });
      }
    }
    for (const n of vm.nics ?? []) {
      if (n.network && !networks.has(n.network)) {
        networks.set(n.network, {
          moref: `network:${n.network}`,
          name: n.network,
          kind: 'standard',
        });
      }
    }
  }
  const byName = <T extends { name: string }>(m: Map<string, T>) =>
    [...m.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    hosts: byName(hosts),
    clusters: byName(clusters),
    datastores: byName(datastores),
    networks: byName(networks),
  };
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

// vSphere escapes `/`, `\` and `%` in inventory names; RVTools writes them as it gets them.
function decodeVmName(name: string): string {
  return name.replace(/%2f/gi, '/').replace(/%5c/gi, '\\').replace(/%25/g, '%');
}

function hardwareVersionOf(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return /^\d+$/.test(v) ? `vmx-${v}` : v;
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

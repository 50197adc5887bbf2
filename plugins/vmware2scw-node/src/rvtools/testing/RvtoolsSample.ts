import { createHash } from 'node:crypto';
import type { RvtoolsSheetData } from './RvtoolsWriter';

/**
 * The sample estate shipped in `examples/inventory/` (written by `examples/inventory/generate-rvtools-sample.ts`):
 * 54 VMs in two datacenters, Linux, Windows and others, BIOS and EFI, small to very large, and a few with
 * what a migration must notice: RDM and shared or independent disks, snapshots, more than 16 disks, disks
 * over 1 TiB, a USB dongle, names that are not DNS-safe, Windows on BIOS, VMware Tools old, stopped or
 * absent, templates. Everything is derived from the table below, so the files are the same at every run.
 */

type ToolsState =
  | 'toolsOk'
  | 'toolsOld'
  | 'toolsNotRunning'
  | 'toolsNotInstalled';

interface SampleDisk {
  gib: number;
  mode?: 'independent_persistent' | 'independent_nonpersistent';
  rdm?: 'physicalMode' | 'virtualMode';
  shared?: boolean;
  thick?: boolean;
}

interface SampleVm {
  name: string;
  place: keyof typeof PLACES;
  os: keyof typeof OS;
  fw: 'bios' | 'efi';
  cpu: number;
  memGiB: number;
  disks: ReadonlyArray<number | SampleDisk>;
  nets?: Array<keyof typeof NETWORKS>;
  adapter?: 'Vmxnet3' | 'E1000E' | 'E1000';
  power?: 'poweredOn' | 'poweredOff' | 'suspended';
  template?: boolean;
  secureBoot?: boolean;
  tools?: ToolsState;
  snapshots?: string[];
  consolidate?: boolean;
  usb?: string[];
  owner?: string;
  app?: string;
  backup?: string;
  notes?: string;
  hw?: number;
  cbt?: boolean;
}

// prettier-ignore
const PLACES = {
  web: { dc: 'DC-PAR', cluster: 'CL-PROD', folder: 'Production/Web', hosts: ['esx-par-01', 'esx-par-02'], ds: 'PAR-VMFS-01', net: 'VLAN110-Web' },
  data: { dc: 'DC-PAR', cluster: 'CL-PROD', folder: 'Production/Data', hosts: ['esx-par-03', 'esx-par-04'], ds: 'PAR-VMFS-02', net: 'VLAN120-Data' },
  erp: { dc: 'DC-PAR', cluster: 'CL-PROD', folder: 'Production/ERP', hosts: ['esx-par-03', 'esx-par-04'], ds: 'PAR-VMFS-02', net: 'VLAN130-ERP' },
  windows: { dc: 'DC-PAR', cluster: 'CL-PROD', folder: 'Production/Windows', hosts: ['esx-par-01', 'esx-par-02'], ds: 'PAR-VMFS-01', net: 'VLAN140-Windows' },
  infra: { dc: 'DC-PAR', cluster: 'CL-PROD', folder: 'Infrastructure', hosts: ['esx-par-01', 'esx-par-04'], ds: 'PAR-VMFS-01', net: 'VLAN100-Infra' },
  lab: { dc: 'DC-PAR', cluster: 'CL-DEV', folder: 'Lab', hosts: ['esx-par-05', 'esx-par-06'], ds: 'PAR-NFS-LAB', net: 'VLAN300-Lab' },
  dr: { dc: 'DC-AMS', cluster: 'CL-AMS', folder: 'DR', hosts: ['esx-ams-01', 'esx-ams-02'], ds: 'AMS-VSAN', net: 'dvPG-AMS-DR' },
} as const;

const NETWORKS = {
  dmz: 'VLAN200-DMZ',
  web: 'VLAN110-Web',
  infra: 'VLAN100-Infra',
  backup: 'VLAN150-Backup',
} as const;

const OS = {
  debian12: 'Debian GNU/Linux 12 (64-bit)',
  ubuntu: 'Ubuntu Linux (64-bit)',
  rhel9: 'Red Hat Enterprise Linux 9 (64-bit)',
  rhel8: 'Red Hat Enterprise Linux 8 (64-bit)',
  rhel7: 'Red Hat Enterprise Linux 7 (64-bit)',
  centos7: 'CentOS 7 (64-bit)',
  sles15: 'SUSE Linux Enterprise 15 (64-bit)',
  rocky: 'Rocky Linux (64-bit)',
  otherLinux: 'Other 5.x or later Linux (64-bit)',
  win2022: 'Microsoft Windows Server 2022 (64-bit)',
  win2019: 'Microsoft Windows Server 2019 (64-bit)',
  win2016: 'Microsoft Windows Server 2016 or later (64-bit)',
  win2012: 'Microsoft Windows Server 2012 (64-bit)',
  win2008r2: 'Microsoft Windows Server 2008 R2 (64-bit)',
  freebsd13: 'FreeBSD 13 (64-bit)',
} as const;

const web4 = {
  place: 'web',
  fw: 'efi',
  cpu: 4,
  memGiB: 8,
  disks: [40, 100],
  app: 'web-shop',
  backup: 'silver',
} as const;
const kafka = {
  place: 'data',
  os: 'debian12',
  fw: 'bios',
  cpu: 8,
  memGiB: 32,
  disks: [50, 1000],
  app: 'data-platform',
  backup: 'silver',
} as const;
const es = {
  place: 'data',
  os: 'ubuntu',
  fw: 'efi',
  cpu: 8,
  memGiB: 64,
  disks: [50, 800],
  app: 'data-platform',
  backup: 'silver',
} as const;
const sapApp = {
  place: 'erp',
  os: 'sles15',
  fw: 'efi',
  cpu: 8,
  memGiB: 64,
  disks: [100, 500],
  app: 'sap-erp',
  backup: 'gold',
} as const;
const wsfcNode = {
  place: 'data',
  os: 'win2019',
  fw: 'efi',
  cpu: 8,
  memGiB: 64,
  app: 'sql-cluster',
  backup: 'gold',
  disks: [
    100,
    { gib: 500, shared: true, mode: 'independent_persistent', thick: true },
  ],
  notes:
    'WSFC node; quorum and data disks shared (multi-writer) with the other node',
} as const;
const rds = {
  place: 'windows',
  os: 'win2022',
  fw: 'efi',
  cpu: 4,
  memGiB: 32,
  disks: [120],
  app: 'remote-desktop',
} as const;
const k8sWorker = {
  place: 'infra',
  os: 'otherLinux',
  fw: 'efi',
  cpu: 8,
  memGiB: 32,
  disks: [50, 200],
  app: 'kubernetes',
} as const;

// prettier-ignore
const VMS: SampleVm[] = [
  { name: 'web-prod-01', os: 'debian12', ...web4 },
  { name: 'web-prod-02', os: 'debian12', ...web4 },
  { name: 'web-prod-03', os: 'ubuntu', ...web4 },
  { name: 'web-prod-04', os: 'ubuntu', ...web4 },
  { name: 'lb-prod-01', place: 'web', os: 'rhel9', fw: 'efi', cpu: 2, memGiB: 4, disks: [20], nets: ['dmz'], app: 'web-shop' },
  { name: 'lb-prod-02', place: 'web', os: 'rhel9', fw: 'efi', cpu: 2, memGiB: 4, disks: [20], nets: ['dmz'], app: 'web-shop' },
  { name: 'web-cache-01', place: 'web', os: 'debian12', fw: 'bios', cpu: 2, memGiB: 16, disks: [30], snapshots: ['before-upgrade-2025-11'], app: 'web-shop' },
  { name: 'Web Front (old)', place: 'web', os: 'centos7', fw: 'bios', cpu: 2, memGiB: 4, disks: [50], power: 'poweredOff', notes: 'Legacy front end, replaced by web-prod-*. Keep until the 2026 audit.', hw: 10 },
  { name: 'web-staging-01', place: 'web', os: 'ubuntu', fw: 'bios', cpu: 2, memGiB: 4, disks: [40], app: 'web-shop', backup: 'none' },
  { name: 'api-reporting-01', place: 'web', os: 'debian12', fw: 'efi', cpu: 2, memGiB: 8, disks: [60], owner: 'team-data', app: 'reporting' },

  { name: 'db-prod-01', place: 'data', os: 'rhel8', fw: 'efi', cpu: 16, memGiB: 128, disks: [100, 2048, 500], app: 'data-platform', backup: 'gold', cbt: true },
  { name: 'db-prod-02', place: 'data', os: 'rhel8', fw: 'efi', cpu: 16, memGiB: 128, app: 'data-platform', backup: 'gold', disks: [100, { gib: 500, rdm: 'physicalMode' }], notes: 'Data on a SAN LUN (physical RDM)' },
  { name: 'db-replica-01', place: 'data', os: 'rhel8', fw: 'efi', cpu: 8, memGiB: 64, disks: [100, 1024], app: 'data-platform', backup: 'silver', cbt: true },
  { name: 'pg-analytics-01', place: 'data', os: 'rocky', fw: 'efi', cpu: 8, memGiB: 32, disks: [50, ...Array<number>(17).fill(100)], app: 'data-platform' },
  { name: 'kafka-01', ...kafka },
  { name: 'kafka-02', ...kafka },
  { name: 'kafka-03', ...kafka },
  { name: 'es-node-01', ...es },
  { name: 'es-node-02', ...es },
  { name: 'mongo-01', place: 'data', os: 'ubuntu', fw: 'bios', cpu: 4, memGiB: 16, disks: [50, 300], app: 'data-platform', snapshots: ['veeam-2025-12-01', 'veeam-2025-12-02', 'manual-before-patch'], consolidate: true },
  { name: 'hadoop-01', place: 'data', os: 'centos7', fw: 'bios', cpu: 8, memGiB: 32, app: 'data-platform', backup: 'none', disks: [50, { gib: 2000, mode: 'independent_persistent' }], hw: 13 },
  { name: 'DB_Cluster_Node-A', ...wsfcNode },
  { name: 'DB_Cluster_Node-B', ...wsfcNode },

  { name: 'sap-app-01', ...sapApp },
  { name: 'sap-app-02', ...sapApp },
  { name: 'sap-hana-01', place: 'erp', os: 'sles15', fw: 'efi', cpu: 32, memGiB: 512, disks: [200, 1500, 1500], app: 'sap-erp', backup: 'gold' },
  { name: 'erp-batch-01', place: 'erp', os: 'rhel7', fw: 'bios', cpu: 4, memGiB: 16, disks: [80], app: 'sap-erp', hw: 13 },
  { name: 'erp-test-01', place: 'erp', os: 'rhel7', fw: 'bios', cpu: 4, memGiB: 16, disks: [80], power: 'poweredOff', app: 'sap-erp', backup: 'none' },

  { name: 'ad-dc-01', place: 'windows', os: 'win2019', fw: 'bios', cpu: 2, memGiB: 8, disks: [80], app: 'active-directory', backup: 'gold' },
  { name: 'ad-dc-02', place: 'windows', os: 'win2019', fw: 'bios', cpu: 2, memGiB: 8, disks: [80], app: 'active-directory', backup: 'gold' },
  { name: 'exch-01', place: 'windows', os: 'win2016', fw: 'bios', cpu: 8, memGiB: 32, disks: [100, 600], adapter: 'E1000E', app: 'mail', backup: 'gold' },
  { name: 'fs-01', place: 'windows', os: 'win2022', fw: 'efi', cpu: 4, memGiB: 16, disks: [100, 4096], app: 'file-shares', backup: 'gold' },
  { name: 'sql-prod-01', place: 'windows', os: 'win2019', fw: 'efi', secureBoot: true, cpu: 8, memGiB: 64, disks: [100, 500, 200], app: 'sql', backup: 'gold' },
  { name: 'rds-01', ...rds },
  { name: 'rds-02', ...rds },
  { name: 'win-legacy-01', place: 'windows', os: 'win2008r2', fw: 'bios', cpu: 2, memGiB: 4, disks: [60], adapter: 'E1000', tools: 'toolsNotInstalled', hw: 8, notes: 'Unsupported OS; vendor application, no installer left' },
  { name: 'print-01', place: 'windows', os: 'win2012', fw: 'bios', cpu: 2, memGiB: 4, disks: [60], tools: 'toolsNotRunning', usb: ['USB license dongle (Aladdin HASP HL)'], app: 'printing' },
  { name: 'citrix-01', place: 'windows', os: 'win2016', fw: 'efi', cpu: 4, memGiB: 16, disks: [100], tools: 'toolsOld', app: 'remote-desktop' },

  { name: 'monitoring-01', place: 'infra', os: 'debian12', fw: 'efi', cpu: 4, memGiB: 8, disks: [50, 200], app: 'monitoring' },
  { name: 'backup-proxy-01', place: 'infra', os: 'ubuntu', fw: 'bios', cpu: 4, memGiB: 8, disks: [40], nets: ['backup'], app: 'backup' },
  { name: 'jump-01', place: 'infra', os: 'debian12', fw: 'efi', cpu: 1, memGiB: 2, disks: [20], nets: ['dmz'] },
  { name: 'dns-01', place: 'infra', os: 'debian12', fw: 'bios', cpu: 1, memGiB: 2, disks: [16], app: 'dns' },
  { name: 'dns-02', place: 'infra', os: 'debian12', fw: 'bios', cpu: 1, memGiB: 2, disks: [16], app: 'dns' },
  { name: 'gitlab-01', place: 'infra', os: 'ubuntu', fw: 'efi', cpu: 8, memGiB: 32, disks: [50, 500], app: 'gitlab', backup: 'gold' },
  { name: 'k8s-master-01', place: 'infra', os: 'otherLinux', fw: 'efi', cpu: 4, memGiB: 8, disks: [50], app: 'kubernetes' },
  { name: 'k8s-worker-01', ...k8sWorker },
  { name: 'k8s-worker-02', ...k8sWorker },
  { name: 'fw-edge-01', place: 'infra', os: 'freebsd13', fw: 'bios', cpu: 2, memGiB: 2, disks: [16], nets: ['dmz', 'web'], adapter: 'E1000', app: 'firewall' },
  { name: 'template-debian12', place: 'infra', os: 'debian12', fw: 'efi', cpu: 2, memGiB: 2, disks: [20], power: 'poweredOff', template: true },
  { name: 'template-win2022', place: 'infra', os: 'win2022', fw: 'efi', cpu: 2, memGiB: 4, disks: [60], power: 'poweredOff', template: true },

  { name: 'lab-sandbox-01', place: 'lab', os: 'ubuntu', fw: 'bios', cpu: 2, memGiB: 4, disks: [40], power: 'suspended', backup: 'none' },
  { name: 'lab-ml-01', place: 'lab', os: 'ubuntu', fw: 'efi', cpu: 8, memGiB: 32, disks: [100, 500], owner: 'team-data', backup: 'none' },

  { name: 'dr-web-01', place: 'dr', os: 'debian12', fw: 'efi', cpu: 2, memGiB: 4, disks: [40], owner: 'team-web', app: 'web-shop' },
  { name: 'dr-db-01', place: 'dr', os: 'rhel8', fw: 'efi', cpu: 8, memGiB: 64, disks: [100, 1000], power: 'poweredOff', owner: 'team-data', app: 'data-platform' },
];

const VCENTER = {
  PAR: 'vcenter-par.lab.example',
  AMS: 'vcenter-ams.lab.example',
};
const DOMAIN = 'lab.example';

// prettier-ignore
const VINFO_HEADER = [
  'VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Config status', 'DNS Name', 'Connection state',
  'Guest state', 'Heartbeat', 'Consolidation Needed', 'PowerOn', 'Creation date', 'CPUs', 'Memory', 'NICs',
  'Disks', 'Total disk capacity MiB', 'EnableUUID', 'CBT', 'Primary IP Address', 'Network #1', 'Network #2',
  'Network #3', 'Network #4', 'Resource pool', 'Folder', 'vApp', 'Provisioned MiB', 'In Use MiB',
  'Unshared MiB', 'EFI Secure boot', 'Firmware', 'HW version', 'HW upgrade status', 'Path', 'Annotation',
  'Owner', 'Application', 'Backup Policy', 'Datacenter', 'Cluster', 'Host',
  'OS according to the configuration file', 'OS according to the VMware Tools', 'VM ID', 'SMBIOS UUID',
  'VM UUID', 'VI SDK Server type', 'VI SDK API Version', 'VI SDK Server', 'VI SDK UUID',
];
// prettier-ignore
const TAIL_HEADER = [
  'Annotation', 'Datacenter', 'Cluster', 'Host', 'Folder', 'OS according to the configuration file',
  'OS according to the VMware Tools', 'VM ID', 'VM UUID', 'VI SDK Server', 'VI SDK UUID',
];
// prettier-ignore
const VDISK_HEADER = [
  'VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Disk', 'Disk Key', 'Disk UUID', 'Disk Path',
  'Capacity MiB', 'Raw', 'Disk Mode', 'Sharing mode', 'Thin', 'Eagerly Scrub', 'Split', 'Write Through',
  'Controller', 'Label', 'SCSI Unit #', 'Unit #', 'Shared Bus', 'Path', 'Raw LUN ID', 'Raw Com. Mode',
  'Internal Sort Column', ...TAIL_HEADER,
];
// prettier-ignore
const VNETWORK_HEADER = [
  'VM', 'Powerstate', 'Template', 'SRM Placeholder', 'NIC label', 'Adapter', 'Network', 'Switch', 'Connected',
  'Starts Connected', 'Mac Address', 'Type', 'IPv4 Address', 'IPv6 Address', 'Direct Path IO',
  'Internal Sort Column', ...TAIL_HEADER,
];
// prettier-ignore
const VSNAPSHOT_HEADER = [
  'VM', 'Powerstate', 'Name', 'Description', 'Date / time', 'Filename', 'Size MiB (vmsn)', 'Size MiB (total)',
  'Quiesced', 'State', ...TAIL_HEADER,
];
// prettier-ignore
const VTOOLS_HEADER = [
  'VM', 'Powerstate', 'Template', 'SRM Placeholder', 'VM Version', 'Tools', 'Tools Version',
  'Required Version', 'Upgradeable', 'Upgrade Policy', 'Sync time', 'App status', 'Heartbeat status',
  'Kernel Crash state', 'Operation Ready', 'State change support', 'Interactive Guest Ops Ready',
  ...TAIL_HEADER,
];
// prettier-ignore
const VUSB_HEADER = [
  'VM', 'Powerstate', 'Template', 'SRM Placeholder', 'Device Type', 'Connected', 'Family', 'Speed',
  'EHCI enabled', 'Auto connect', 'Bus number', 'Unit number', ...TAIL_HEADER,
];
const VMETADATA_HEADER = [
  'RVTools major version',
  'RVTools version',
  'xlsx creation datetime',
  'Server',
];

const GIB_IN_MIB = 1024;
const TOOLS_VERSION: Record<ToolsState, string> = {
  toolsOk: '12352',
  toolsNotRunning: '12352',
  toolsOld: '11269',
  toolsNotInstalled: '0',
};

/** The sample's sheets, ready for `writeRvtoolsXlsx` / `writeRvtoolsCsv`. */
export function rvtoolsSampleSheets(): RvtoolsSheetData[] {
  const vinfo: RvtoolsSheetData = {
    sheet: 'vInfo',
    header: VINFO_HEADER,
    rows: [],
  };
  const vdisk: RvtoolsSheetData = {
    sheet: 'vDisk',
    header: VDISK_HEADER,
    rows: [],
  };
  const vnetwork: RvtoolsSheetData = {
    sheet: 'vNetwork',
    header: VNETWORK_HEADER,
    rows: [],
  };
  const vsnapshot: RvtoolsSheetData = {
    sheet: 'vSnapshot',
    header: VSNAPSHOT_HEADER,
    rows: [],
  };
  const vtools: RvtoolsSheetData = {
    sheet: 'vTools',
    header: VTOOLS_HEADER,
    rows: [],
  };
  const vusb: RvtoolsSheetData = {
    sheet: 'vUSB',
    header: VUSB_HEADER,
    rows: [],
  };

  VMS.forEach((spec, i) => {
    const place = PLACES[spec.place];
    const power = spec.power ?? 'poweredOn';
    const on = power === 'poweredOn';
    const tools: ToolsState =
      spec.tools ?? (on ? 'toolsOk' : 'toolsNotRunning');
    const guestRunning = on && (tools === 'toolsOk' || tools === 'toolsOld');
    const host = `${place.hosts[i % place.hosts.length]}.${DOMAIN}`;
    const vmId = `vm-${1001 + i}`;
    const vmUuid = uuidOf(`instance:${spec.name}`);
    const dirName = spec.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const vcenter = place.dc === 'DC-AMS' ? VCENTER.AMS : VCENTER.PAR;
    const os = OS[spec.os];
    const nets = [place.net, ...(spec.nets ?? []).map(n => NETWORKS[n])];
    const ips = nets.map(
      (_, n) =>
        `10.${place.dc === 'DC-AMS' ? 20 : 10}.${
          nets.length > 1 ? 100 + n : 0
        }.${10 + i}`,
    );
    const disks = spec.disks.map(d => (typeof d === 'number' ? { gib: d } : d));
    const totalMiB = disks.reduce((s, d) => s + d.gib * GIB_IN_MIB, 0);
    const memMiB = spec.memGiB * GIB_IN_MIB;
    const hostName = /^[a-z0-9-]+$/.test(spec.name)
      ? `${spec.name}.${DOMAIN}`
      : '';
    const tail = (extra: { annotation?: boolean } = {}) => [
      extra.annotation === false ? '' : spec.notes ?? '',
      place.dc,
      place.cluster,
      host,
      place.folder,
      os,
      guestRunning ? os : '',
      vmId,
      vmUuid,
      vcenter,
      uuidOf(`vcenter:${vcenter}`),
    ];
    const common = [spec.name, power, spec.template ?? false, false];

    vinfo.rows.push([
      spec.name,
      power,
      spec.template ?? false,
      false,
      'green',
      guestRunning ? hostName : '',
      'connected',
      guestRunning ? 'running' : 'notRunning',
      guestRunning ? 'green' : 'gray',
      spec.consolidate ?? false,
      on ? '2025/12/20 04:12:00' : '',
      '2021/03/15 10:00:00',
      spec.cpu,
      memMiB,
      nets.length,
      disks.length,
      totalMiB,
      true,
      spec.cbt ?? false,
      guestRunning ? ips[0] : '',
      nets[0],
      nets[1],
      nets[2],
      nets[3],
      `/${place.dc}/${place.cluster}/Resources`,
      place.folder,
      '',
      totalMiB + memMiB,
      Math.round(totalMiB * 0.45) + (on ? memMiB : 0),
      Math.round(totalMiB * 0.45),
      spec.secureBoot ?? false,
      spec.fw,
      `vmx-${spec.hw ?? 19}`,
      'none',
      `[${place.ds}] ${dirName}/${dirName}.vmx`,
      spec.notes ?? '',
      spec.owner ?? '',
      spec.app ?? '',
      spec.backup ?? 'bronze',
      place.dc,
      place.cluster,
      host,
      os,
      guestRunning ? os : '',
      vmId,
      uuidOf(`bios:${spec.name}`),
      vmUuid,
      'VMware vCenter Server 8.0.2 build-22617221',
      '8.0.2.0',
      vcenter,
      uuidOf(`vcenter:${vcenter}`),
    ]);

    disks.forEach((d, n) => {
      const controller = Math.floor(n / 15) + (d.shared ? 1 : 0);
      const slot = n % 15;
      const unit = slot >= 7 ? slot + 1 : slot; // unit 7 is the SCSI controller's own
      const file = n === 0 ? `${dirName}.vmdk` : `${dirName}_${n}.vmdk`;
      vdisk.rows.push([
        ...common,
        `Hard disk ${n + 1}`,
        2000 + controller * 16 + unit,
        uuidOf(`disk:${spec.name}:${n}`),
        `[${place.ds}] ${dirName}/${file}`,
        d.gib * GIB_IN_MIB,
        d.rdm !== undefined,
        d.mode ?? 'persistent',
        d.shared ? 'sharingMultiWriter' : 'sharingNone',
        !d.thick && !d.rdm && !d.shared,
        d.shared ?? false,
        false,
        false,
        `SCSI controller ${controller}`,
        `SCSI controller ${controller}`,
        `${controller}:${unit}`,
        unit,
        d.shared ? 'physicalSharing' : 'noSharing',
        `[${place.ds}] ${dirName}/${dirName}.vmx`,
        d.rdm ? '600a0980383136324f3f4b4f6a6d3b70' : '',
        d.rdm ?? '',
        `${spec.name}-${n}`,
        ...tail({ annotation: false }),
      ]);
    });

    nets.forEach((net, n) => {
      vnetwork.rows.push([
        ...common,
        `Network adapter ${n + 1}`,
        spec.adapter ?? 'Vmxnet3',
        net,
        net.startsWith('dvPG') ? 'dvSwitch-AMS' : 'vSwitch0',
        on,
        true,
        macOf(`${spec.name}:${n}`),
        'assigned',
        guestRunning ? ips[n] : '',
        '',
        false,
        `${spec.name}-${n}`,
        ...tail({ annotation: false }),
      ]);
    });

    (spec.snapshots ?? []).forEach((snap, n) => {
      vsnapshot.rows.push([
        spec.name,
        power,
        snap,
        n === 0 ? 'Taken by the backup job' : '',
        `2025/12/0${n + 1} 22:00:00`,
        `[${place.ds}] ${dirName}/${dirName}-Snapshot${n + 1}.vmsn`,
        1,
        2048 * (n + 1),
        false,
        power,
        ...tail({ annotation: false }),
      ]);
    });

    vtools.rows.push([
      ...common,
      `vmx-${spec.hw ?? 19}`,
      tools,
      TOOLS_VERSION[tools],
      '12352',
      tools === 'toolsOld',
      'manual',
      false,
      guestRunning ? 'green' : 'gray',
      guestRunning ? 'green' : 'gray',
      '',
      guestRunning,
      guestRunning,
      guestRunning,
      ...tail({ annotation: false }),
    ]);

    (spec.usb ?? []).forEach((device, n) => {
      vusb.rows.push([
        ...common,
        device,
        true,
        'vendorSpecific',
        'full',
        false,
        true,
        0,
        n + 1,
        ...tail({ annotation: false }),
      ]);
    });
  });

  const vmetadata: RvtoolsSheetData = {
    sheet: 'vMetaData',
    header: VMETADATA_HEADER,
    rows: [[4, '4.7.1.4', '2026/01/15 09:30:00', VCENTER.PAR]],
  };
  return [vinfo, vdisk, vnetwork, vsnapshot, vtools, vusb, vmetadata];
}

function hex(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

function uuidOf(seed: string): string {
  const h = hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

function macOf(seed: string): string {
  const h = hex(seed);
  return `00:50:56:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`.replace(
    /^00:50:56:([89a-f])/,
    '00:50:56:3',
  );
}

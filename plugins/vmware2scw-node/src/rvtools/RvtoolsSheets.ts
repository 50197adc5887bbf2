import { RvtoolsColumn } from './RvtoolsTable';

/**
 * The sheets and columns of an RVTools 4.x export that vmware2scw reads. `header` is the name in the xlsx
 * export; aliases cover other RVTools versions and the CSV export (`RVTools_tabvInfo.csv`, whose headers
 * are internal names such as `vInfoVMName`, matched after the sheet prefix is dropped).
 */

export const RVTOOLS_SHEETS = [
  'vInfo',
  'vDisk',
  'vNetwork',
  'vSnapshot',
  'vTools',
  'vUSB',
  'vCPU',
  'vMemory',
  'vMetaData',
] as const;
export type RvtoolsSheetName = (typeof RVTOOLS_SHEETS)[number];

/** Columns present on every per-VM sheet, used to join a row to its VM in vInfo. */
const vmIdentity = {
  vm: { header: 'VM', aliases: ['VM Name', 'VMName'] },
  vmId: { header: 'VM ID', aliases: ['Object ID', 'VMID', 'MoRef'] },
  vmUuid: { header: 'VM UUID', aliases: ['Instance UUID', 'UUID'] },
} satisfies Record<string, RvtoolsColumn>;

export const VINFO_COLUMNS = {
  ...vmIdentity,
  powerState: { header: 'Powerstate', aliases: ['Power State'] },
  template: { header: 'Template' },
  dnsName: { header: 'DNS Name', aliases: ['GuestHostName'] },
  guestState: { header: 'Guest state' },
  consolidationNeeded: { header: 'Consolidation Needed' },
  cpus: { header: 'CPUs', aliases: ['Num CPU', 'NumCPU'] },
  memory: { header: 'Memory', aliases: ['Memory MiB', 'MemoryMiB'] },
  nics: { header: 'NICs', aliases: ['NumNICs'] },
  disks: { header: 'Disks', aliases: ['NumVirtualDisks'] },
  cbt: { header: 'CBT', aliases: ['ChangeTrackingEnabled'] },
  primaryIp: { header: 'Primary IP Address', aliases: ['PrimaryIPAddress'] },
  resourcePool: { header: 'Resource pool' },
  folder: { header: 'Folder' },
  provisionedMiB: { header: 'Provisioned MiB', aliases: ['Provisioned'] },
  inUseMiB: { header: 'In Use MiB', aliases: ['InUse'] },
  /** Active guest memory in MiB (quick stats), when this RVTools version writes it in vInfo. */
  activeMemoryMiB: { header: 'Active Memory', aliases: ['ActiveMemory'] },
  secureBoot: {
    header: 'EFI Secure boot',
    aliases: ['Secure Boot', 'EFISecureBoot'],
  },
  firmware: { header: 'Firmware' },
  hwVersion: {
    header: 'HW version',
    aliases: ['Version', 'HWVersion', 'VM Version'],
  },
  annotation: { header: 'Annotation', aliases: ['Notes'] },
  datacenter: { header: 'Datacenter', aliases: ['DataCenter'] },
  cluster: { header: 'Cluster' },
  host: { header: 'Host' },
  osConfig: {
    header: 'OS according to the configuration file',
    aliases: ['OS'],
  },
  osTools: { header: 'OS according to the VMware Tools', aliases: ['OSTools'] },
  biosUuid: { header: 'SMBIOS UUID', aliases: ['BIOS UUID', 'SMBIOSUUID'] },
  sdkServer: { header: 'VI SDK Server', aliases: ['VISDKServer'] },
  sdkApiVersion: { header: 'VI SDK API Version', aliases: ['VISDKAPIVersion'] },
} satisfies Record<string, RvtoolsColumn>;
export type VinfoColumn = keyof typeof VINFO_COLUMNS;
export const VINFO_REQUIRED: readonly VinfoColumn[] = [
  'vm',
  'powerState',
  'cpus',
  'memory',
];

/**
 * Every vInfo column RVTools 4.x writes itself. Other columns between `Annotation` and `Datacenter` are the
 * vCenter's custom attributes, which owner and system rules read.
 */
export const VINFO_BUILTIN_HEADERS = [
  'VM',
  'Powerstate',
  'Template',
  'SRM Placeholder',
  'Config status',
  'DNS Name',
  'Connection state',
  'Guest state',
  'Heartbeat',
  'Consolidation Needed',
  'PowerOn',
  'Suspended To Memory',
  'Suspend time',
  'Suspend Interval',
  'Creation date',
  'Change Version',
  'CPUs',
  'Overall Cpu Readiness',
  'Memory',
  'Active Memory',
  'NICs',
  'Disks',
  'Total disk capacity MiB',
  'Fixed Passthru HotPlug',
  'min Required EVC Mode Key',
  'Latency Sensitivity',
  'Op Notification Timeout',
  'EnableUUID',
  'CBT',
  'Primary IP Address',
  'Network #1',
  'Network #2',
  'Network #3',
  'Network #4',
  'Network #5',
  'Network #6',
  'Network #7',
  'Network #8',
  'Num Monitors',
  'Video Ram KiB',
  'Resource pool',
  'Folder ID',
  'Folder',
  'vApp',
  'DAS protection',
  'FT State',
  'FT Role',
  'FT Latency',
  'FT Bandwidth',
  'FT Sec. Latency',
  'Vm Failover In Progress',
  'Provisioned MiB',
  'In Use MiB',
  'Unshared MiB',
  'HA Restart Priority',
  'HA Isolation Response',
  'HA VM Monitoring',
  'Cluster rule(s)',
  'Cluster rule name(s)',
  'Boot Required',
  'Boot delay',
  'Boot retry delay',
  'Boot retry enabled',
  'Boot BIOS setup',
  'Reboot PowerOff',
  'EFI Secure boot',
  'Firmware',
  'HW version',
  'HW upgrade status',
  'HW upgrade policy',
  'HW target',
  'Path',
  'Log directory',
  'Snapshot directory',
  'Suspend directory',
  'Annotation',
  'Datacenter',
  'Cluster',
  'Host',
  'OS according to the configuration file',
  'OS according to the VMware Tools',
  'Customization Info',
  'Guest Detailed Data',
  'VM ID',
  'SMBIOS UUID',
  'VM UUID',
  'VI SDK Server type',
  'VI SDK API Version',
  'VI SDK Server',
  'VI SDK UUID',
];

export const VDISK_COLUMNS = {
  ...vmIdentity,
  disk: { header: 'Disk', aliases: ['Name', 'Label'] },
  diskKey: { header: 'Disk Key', aliases: ['Key'] },
  capacityMiB: { header: 'Capacity MiB', aliases: ['CapacityMiB', 'Capacity'] },
  thin: { header: 'Thin' },
  diskMode: { header: 'Disk Mode', aliases: ['Mode', 'DiskMode'] },
  raw: { header: 'Raw' },
  rawMode: {
    header: 'Raw Com. Mode',
    aliases: [
      'Raw Comp. Mode',
      'Raw Compatibility Mode',
      'RawCompMode',
      'RawComMode',
      'CompatibilityMode',
    ],
  },
  sharing: { header: 'Sharing mode', aliases: ['Sharing', 'SharingMode'] },
  controller: { header: 'Controller' },
  unit: { header: 'Unit #', aliases: ['Unit', 'Unit Number', 'UnitNumber'] },
  diskPath: { header: 'Disk Path', aliases: ['DiskPath', 'FileName'] },
  path: { header: 'Path' },
} satisfies Record<string, RvtoolsColumn>;
export type VdiskColumn = keyof typeof VDISK_COLUMNS;
export const VDISK_REQUIRED: readonly VdiskColumn[] = [
  'vm',
  'disk',
  'capacityMiB',
];

export const VNETWORK_COLUMNS = {
  ...vmIdentity,
  label: { header: 'NIC label', aliases: ['Label', 'NICLabel'] },
  adapter: { header: 'Adapter', aliases: ['Adapter Type', 'AdapterType'] },
  network: { header: 'Network', aliases: ['Name', 'Port Group', 'Portgroup'] },
  connected: { header: 'Connected' },
  mac: { header: 'Mac Address', aliases: ['MAC', 'MacAddress'] },
  ipv4: {
    header: 'IPv4 Address',
    aliases: ['IP Address', 'IPv4Address', 'IP4Address', 'IPAddress'],
  },
  directPath: { header: 'Direct Path IO', aliases: ['DirectPathIO'] },
} satisfies Record<string, RvtoolsColumn>;
export type VnetworkColumn = keyof typeof VNETWORK_COLUMNS;
export const VNETWORK_REQUIRED: readonly VnetworkColumn[] = ['vm', 'adapter'];

export const VSNAPSHOT_COLUMNS = {
  ...vmIdentity,
  name: { header: 'Name', aliases: ['Snapshot', 'SnapshotName'] },
} satisfies Record<string, RvtoolsColumn>;
export type VsnapshotColumn = keyof typeof VSNAPSHOT_COLUMNS;
export const VSNAPSHOT_REQUIRED: readonly VsnapshotColumn[] = ['vm'];

export const VTOOLS_COLUMNS = {
  ...vmIdentity,
  tools: {
    header: 'Tools',
    aliases: ['Tools Status', 'ToolsStatus', 'Status'],
  },
} satisfies Record<string, RvtoolsColumn>;
export type VtoolsColumn = keyof typeof VTOOLS_COLUMNS;
export const VTOOLS_REQUIRED: readonly VtoolsColumn[] = ['vm', 'tools'];

export const VUSB_COLUMNS = {
  ...vmIdentity,
  deviceType: {
    header: 'Device Type',
    aliases: ['DeviceType', 'Device', 'Family'],
  },
  connected: { header: 'Connected' },
} satisfies Record<string, RvtoolsColumn>;
export type VusbColumn = keyof typeof VUSB_COLUMNS;
export const VUSB_REQUIRED: readonly VusbColumn[] = ['vm'];

/** vCPU: the CPU usage quick stats (`Overall` MHz out of `Max` MHz). */
export const VCPU_COLUMNS = {
  ...vmIdentity,
  maxMhz: { header: 'Max', aliases: ['MaxCpu'] },
  overallMhz: { header: 'Overall', aliases: ['OverallCpuUsage'] },
} satisfies Record<string, RvtoolsColumn>;
export type VcpuColumn = keyof typeof VCPU_COLUMNS;
export const VCPU_REQUIRED: readonly VcpuColumn[] = ['vm'];

/** vMemory: memory quick stats in MiB (`Active`, `Consumed` out of `Size MiB`). */
export const VMEMORY_COLUMNS = {
  ...vmIdentity,
  sizeMiB: { header: 'Size MiB', aliases: ['SizeMiB', 'Size'] },
  consumedMiB: { header: 'Consumed', aliases: ['ConsumedMiB'] },
  activeMiB: { header: 'Active', aliases: ['ActiveMiB'] },
} satisfies Record<string, RvtoolsColumn>;
export type VmemoryColumn = keyof typeof VMEMORY_COLUMNS;
export const VMEMORY_REQUIRED: readonly VmemoryColumn[] = ['vm'];

export const VMETADATA_COLUMNS = {
  version: {
    header: 'RVTools version',
    aliases: ['RVToolsVersion', 'Version'],
  },
  createdAt: {
    header: 'xlsx creation datetime',
    aliases: ['csv creation datetime', 'Creation datetime', 'CreationDatetime'],
  },
  server: { header: 'Server' },
} satisfies Record<string, RvtoolsColumn>;
export type VmetadataColumn = keyof typeof VMETADATA_COLUMNS;

import { z } from 'zod';

/**
 * The inventory model: what vmware2scw knows about a vSphere estate, whatever the source (a live vCenter
 * or an RVTools export). Planning, sizing, estimates and concern rules read only this model.
 *
 * Units follow vSphere: memory in MiB (`config.hardware.memoryMB`), disk capacities and datastore sizes in bytes.
 */

export const osFamilySchema = z.enum(['linux', 'windows', 'other']);
export type OsFamily = z.infer<typeof osFamilySchema>;

export const powerStateSchema = z.enum([
  'poweredOn',
  'poweredOff',
  'suspended',
]);
export type PowerState = z.infer<typeof powerStateSchema>;

export const firmwareSchema = z.enum(['bios', 'efi']);
export type Firmware = z.infer<typeof firmwareSchema>;

/** `VirtualDiskMode` of vSphere; `independent_*` disks are left out of snapshots. */
export const diskModeSchema = z.enum([
  'persistent',
  'nonpersistent',
  'undoable',
  'independent_persistent',
  'independent_nonpersistent',
  'append',
]);
export type DiskMode = z.infer<typeof diskModeSchema>;

/** Raw Device Mapping compatibility mode, `none` for a VMDK-backed disk. */
export const rdmKindSchema = z.enum(['none', 'physical', 'virtual']);
export type RdmKind = z.infer<typeof rdmKindSchema>;

export const diskSharingSchema = z.enum(['sharingNone', 'sharingMultiWriter']);
export type DiskSharing = z.infer<typeof diskSharingSchema>;

export const controllerTypeSchema = z.enum([
  'scsi',
  'sata',
  'ide',
  'nvme',
  'other',
]);
export type ControllerType = z.infer<typeof controllerTypeSchema>;

export const diskControllerSchema = z.object({
  type: controllerTypeSchema,
  /** vSphere device type of the controller, e.g. `ParaVirtualSCSIController`, `VirtualLsiLogicController`. */
  model: z.string().optional(),
  busNumber: z.number().int().nonnegative().optional(),
  /** The disk's unit number on that bus. */
  unitNumber: z.number().int().nonnegative().optional(),
});
export type DiskController = z.infer<typeof diskControllerSchema>;

export const diskSchema = z.object({
  /** Device key in the VM (`2000`, `2001`, ...), stable across reads: the disk's identity in a migration. */
  key: z.number().int(),
  label: z.string(),
  /** Capacity in bytes; 0 or negative values from a source are kept as 0 and raise a concern. */
  capacityBytes: z.number().int().nonnegative(),
  thin: z.boolean().optional(),
  /** Datastore name (the `[name]` of the backing file), absent when the source did not say. */
  datastore: z.string().optional(),
  /** Backing file as vSphere writes it: `[datastore1] web-01/web-01.vmdk`. */
  fileName: z.string().optional(),
  diskMode: diskModeSchema.default('persistent'),
  rdm: rdmKindSchema.default('none'),
  sharing: diskSharingSchema.default('sharingNone'),
  controller: diskControllerSchema.optional(),
  /** CBT change id of the backing, when changed block tracking is on. */
  changeId: z.string().optional(),
  /**
   * Bytes actually allocated on the datastore (a thin disk's committed size), when the source knows it.
   * Exports move only allocated blocks, so estimates use this and fall back to `capacityBytes`.
   */
  allocatedBytes: z.number().int().nonnegative().optional(),
});
export type Disk = z.infer<typeof diskSchema>;
export type DiskInput = z.input<typeof diskSchema>;

export const nicTypeSchema = z.enum([
  'vmxnet3',
  'vmxnet2',
  'vmxnet',
  'e1000',
  'e1000e',
  'pcnet32',
  'sriov',
  'other',
]);
export type NicType = z.infer<typeof nicTypeSchema>;

export const nicSchema = z.object({
  label: z.string().optional(),
  /** Port group or distributed port group name. */
  network: z.string().optional(),
  type: nicTypeSchema,
  macAddress: z.string().optional(),
  connected: z.boolean().optional(),
});
export type Nic = z.infer<typeof nicSchema>;

/** Devices that tie a VM to its host and cannot move to a KVM instance as they are. */
export const specialDeviceKindSchema = z.enum([
  'pci_passthrough',
  'vgpu',
  'sriov',
  'usb_controller',
  'usb_device',
]);
export type SpecialDeviceKind = z.infer<typeof specialDeviceKindSchema>;

export const specialDeviceSchema = z.object({
  kind: specialDeviceKindSchema,
  label: z.string(),
});
export type SpecialDevice = z.infer<typeof specialDeviceSchema>;

export const toolsStatusSchema = z.enum([
  'toolsOk',
  'toolsOld',
  'toolsNotRunning',
  'toolsNotInstalled',
  'unknown',
]);
export type ToolsStatus = z.infer<typeof toolsStatusSchema>;

export const vmTagSchema = z.object({
  category: z.string().optional(),
  name: z.string(),
});
export type VmTag = z.infer<typeof vmTagSchema>;

/** Percentiles of the samples, as stored: the ones sizing may be asked for (Azure Migrate offers the same). */
export const UTILISATION_PERCENTILES = [
  'p50',
  'p90',
  'p95',
  'p99',
  'max',
] as const;
export type UtilisationPercentile = (typeof UTILISATION_PERCENTILES)[number];

const percentSchema = z.number().min(0).max(100);
/** Percentiles of a usage in percent of what the VM is allocated (0–100). */
export const percentPercentilesSchema = z.object({
  p50: percentSchema,
  p90: percentSchema,
  p95: percentSchema,
  p99: percentSchema,
  max: percentSchema,
});
export type PercentPercentiles = z.infer<typeof percentPercentilesSchema>;

const rateSchema = z.number().nonnegative();
/** Percentiles of a throughput in bytes per second. */
export const ratePercentilesSchema = z.object({
  p50: rateSchema,
  p90: rateSchema,
  p95: rateSchema,
  p99: rateSchema,
  max: rateSchema,
});
export type RatePercentiles = z.infer<typeof ratePercentilesSchema>;

/**
 * Measured demand, when the source has it: percentiles over an observation window. CPU and memory are
 * in percent of what the VM is allocated (CPU of its vCPUs' capacity, memory of its configured RAM);
 * throughputs in bytes per second. `optimize` right-sizes from `cpu` and `memoryActive`.
 *
 * - vCenter: `PerformanceManager` statistics over the longest historical interval kept (up to 30 days),
 *   `samples` points `intervalSeconds` apart.
 * - RVTools: one point in time (the quick stats of the export: `samples: 1`, `windowSeconds: 0`).
 */
export const vmUtilizationSchema = z.object({
  source: z.enum(['vcenter', 'rvtools']),
  /** ISO 8601 instants of the first and last sample, when known. */
  from: z.string().optional(),
  to: z.string().optional(),
  /** Span the samples cover, in seconds (samples × interval for statistics, 0 for a snapshot). */
  windowSeconds: z.number().nonnegative(),
  /** Seconds between samples (vCenter historical interval: 300, 1800, 7200, 86400; 20 for real time). */
  intervalSeconds: z.number().int().positive().optional(),
  samples: z.number().int().nonnegative(),
  cpu: percentPercentilesSchema.optional(),
  /** Active memory (what the guest touched recently): the demand sizing uses. */
  memoryActive: percentPercentilesSchema.optional(),
  /** Consumed memory (host memory backing the VM, guest caches included): shown, not sized on. */
  memoryConsumed: percentPercentilesSchema.optional(),
  diskBytesPerSec: ratePercentilesSchema.optional(),
  networkBytesPerSec: ratePercentilesSchema.optional(),
});
export type VmUtilization = z.infer<typeof vmUtilizationSchema>;

/**
 * Percentiles of `values` (nearest rank), or undefined for no value. `clamp` bounds each figure (a
 * percentage source may report slightly above 100 %).
 */
export function percentilesOf(
  values: readonly number[],
  clamp: (v: number) => number = v => v,
): PercentPercentiles | undefined {
  const finite = values.filter(v => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const sorted = Float64Array.from(finite).sort();
  const at = (q: number) =>
    clamp(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p95: at(0.95),
    p99: at(0.99),
    max: clamp(sorted[sorted.length - 1]),
  };
}

/** `8640` → `8,640` (what `toLocaleString('en-US')` gives, without its cost in a 10,000-VM loop). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The window of a measurement: `over 30 d, 8,640 samples`, `at one point in time, 1 sample`. */
export function utilizationSpan(
  u: Pick<VmUtilization, 'windowSeconds' | 'samples'>,
): string {
  const days = u.windowSeconds / 86_400;
  let span = `over ${Math.round(u.windowSeconds / 3600)} h`;
  if (u.windowSeconds === 0) span = 'at one point in time';
  else if (days >= 1) span = `over ${Math.round(days)} d`;
  return `${span}, ${thousands(u.samples)} sample${u.samples === 1 ? '' : 's'}`;
}

/** Measured utilisation in one line, for annotations and cards. */
export function formatUtilization(u: VmUtilization): string {
  const parts = [
    ...(u.cpu ? [`cpu ${Math.round(u.cpu.p95)}%`] : []),
    ...(u.memoryActive ? [`mem ${Math.round(u.memoryActive.p95)}%`] : []),
  ];
  return `P95 ${parts.join(' ') || 'n/a'} ${utilizationSpan(u)} (${u.source})`;
}

/** A percentage bounded to 0–100 and rounded to 0.1. */
export const clampPercent = (v: number) =>
  Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;

export const vmSchema = z.object({
  /** Id of the inventory source: a configured vCenter id, or the RVTools source id. */
  sourceId: z.string().min(1),
  /** Managed object id (`vm-123`); for RVTools, the export's VM id column. */
  moref: z.string().min(1),
  instanceUuid: z.string().optional(),
  biosUuid: z.string().optional(),
  name: z.string().min(1),
  /** VM folder path from the datacenter: `/DC1/Production/Web`. */
  folderPath: z.string().default('/'),
  datacenter: z.string().optional(),
  cluster: z.string().optional(),
  /** ESXi host name. */
  host: z.string().optional(),
  resourcePool: z.string().optional(),
  powerState: powerStateSchema,
  template: z.boolean().default(false),
  /** `config.guestId`, e.g. `debian12_64Guest`, `windows2019srv_64Guest`. */
  guestId: z.string().optional(),
  guestFullName: z.string().optional(),
  osFamily: osFamilySchema,
  firmware: firmwareSchema,
  secureBoot: z.boolean().default(false),
  tpm: z.boolean().default(false),
  numCpu: z.number().int().positive(),
  coresPerSocket: z.number().int().positive().optional(),
  memoryMiB: z.number().int().nonnegative(),
  disks: z.array(diskSchema).default([]),
  nics: z.array(nicSchema).default([]),
  specialDevices: z.array(specialDeviceSchema).default([]),
  snapshotCount: z.number().int().nonnegative().default(0),
  consolidationNeeded: z.boolean().default(false),
  toolsStatus: toolsStatusSchema.default('unknown'),
  cbtEnabled: z.boolean().default(false),
  cpuHotAdd: z.boolean().default(false),
  memoryHotAdd: z.boolean().default(false),
  ipAddresses: z.array(z.string()).default([]),
  guestHostname: z.string().optional(),
  tags: z.array(vmTagSchema).default([]),
  customAttributes: z.record(z.string()).default({}),
  /** vSphere hardware version, e.g. `vmx-19`. */
  hardwareVersion: z.string().optional(),
  annotation: z.string().optional(),
  utilization: vmUtilizationSchema.optional(),
});
export type Vm = z.infer<typeof vmSchema>;
export type VmInput = z.input<typeof vmSchema>;

export const hostSchema = z.object({
  moref: z.string().min(1),
  name: z.string().min(1),
  datacenter: z.string().optional(),
  cluster: z.string().optional(),
  cpuModel: z.string().optional(),
  numCpuCores: z.number().int().nonnegative().optional(),
  memoryBytes: z.number().int().nonnegative().optional(),
  /** ESXi version, e.g. `8.0.2`. */
  version: z.string().optional(),
  connectionState: z
    .enum(['connected', 'disconnected', 'notResponding'])
    .optional(),
  inMaintenanceMode: z.boolean().optional(),
});
export type Host = z.infer<typeof hostSchema>;

export const clusterSchema = z.object({
  moref: z.string().min(1),
  name: z.string().min(1),
  datacenter: z.string().optional(),
  /** Host names in the cluster. */
  hosts: z.array(z.string()).default([]),
  drsEnabled: z.boolean().optional(),
  haEnabled: z.boolean().optional(),
});
export type Cluster = z.infer<typeof clusterSchema>;

export const datastoreSchema = z.object({
  moref: z.string().min(1),
  name: z.string().min(1),
  datacenter: z.string().optional(),
  /** `VMFS`, `NFS`, `NFS41`, `vsan`, `VVOL`. */
  type: z.string().optional(),
  capacityBytes: z.number().int().nonnegative().optional(),
  freeBytes: z.number().int().nonnegative().optional(),
  url: z.string().optional(),
});
export type Datastore = z.infer<typeof datastoreSchema>;

export const networkSchema = z.object({
  moref: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['standard', 'distributed', 'opaque']).default('standard'),
  vlanId: z.number().int().optional(),
});
export type Network = z.infer<typeof networkSchema>;

export const inventorySourceSchema = z.object({
  kind: z.enum(['vcenter', 'rvtools']),
  /** The vCenter id from configuration, or the RVTools provider id. */
  id: z.string().min(1),
  /** Host name of the vCenter, or the file/URL of the RVTools export. */
  name: z.string().optional(),
  /** ISO 8601 instant of collection (the caller supplies it: the model has no clock). */
  collectedAt: z.string().optional(),
  /** vCenter `about.apiVersion` / RVTools version. */
  version: z.string().optional(),
});
export type InventorySource = z.infer<typeof inventorySourceSchema>;

export const inventorySchema = z.object({
  source: inventorySourceSchema,
  vms: z.array(vmSchema),
  hosts: z.array(hostSchema).default([]),
  clusters: z.array(clusterSchema).default([]),
  datastores: z.array(datastoreSchema).default([]),
  networks: z.array(networkSchema).default([]),
});
export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryInput = z.input<typeof inventorySchema>;

/** Sum of the VM's disk capacities, in bytes. */
export function vmTotalDiskBytes(vm: Pick<Vm, 'disks'>): number {
  return vm.disks.reduce((sum, d) => sum + d.capacityBytes, 0);
}

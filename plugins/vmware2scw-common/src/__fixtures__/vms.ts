import { vmSchema, type Vm, type VmInput } from '../inventory/model';

const GB = 1e9;
const GIB = 2 ** 30;

/** A clean, migratable Linux VM (no concern at all) with `overrides` applied. */
export function makeVm(overrides: Partial<VmInput> = {}): Vm {
  return vmSchema.parse({
    sourceId: 'vc1',
    moref: `vm-${overrides.name ?? 'app-01'}`,
    name: 'app-01',
    folderPath: '/DC1/Production/Web',
    datacenter: 'DC1',
    cluster: 'prod-cluster-a',
    host: 'esxi-01.local',
    powerState: 'poweredOn',
    guestId: 'debian12_64Guest',
    guestFullName: 'Debian GNU/Linux 12 (64-bit)',
    osFamily: 'linux',
    firmware: 'efi',
    numCpu: 2,
    memoryMiB: 4096,
    disks: [
      {
        key: 2000,
        label: 'Hard disk 1',
        capacityBytes: 40 * GIB,
        datastore: 'ds-ssd-01',
        fileName: '[ds-ssd-01] app-01/app-01.vmdk',
        controller: { type: 'scsi', busNumber: 0, unitNumber: 0 },
      },
    ],
    nics: [
      { label: 'Network adapter 1', network: 'VLAN-100', type: 'vmxnet3' },
    ],
    toolsStatus: 'toolsOk',
    ipAddresses: ['10.0.0.10'],
    ...overrides,
  });
}

/** A disk of `gb` decimal gigabytes. */
export function disk(
  key: number,
  gb: number,
  extra: Record<string, unknown> = {},
) {
  return {
    key,
    label: `Hard disk ${key - 1999}`,
    capacityBytes: Math.round(gb * GB),
    datastore: 'ds-ssd-01',
    controller: { type: 'scsi' as const, busNumber: 0, unitNumber: key - 2000 },
    ...extra,
  };
}

/**
 * The estate the README plan was written for: the VMs its names and patterns expect, plus the
 * ones its `exclude` and wave patterns are there for.
 */
export function readmeInventoryVms(): Vm[] {
  return [
    makeVm({
      name: 'web-dev-01',
      folderPath: '/DC1/Dev',
      numCpu: 4,
      memoryMiB: 8192,
    }),
    makeVm({ name: 'dev-01', folderPath: '/DC1/Dev', host: 'esxi-02.local' }),
    makeVm({ name: 'dev-02', folderPath: '/DC1/Dev', host: 'esxi-02.local' }),
    makeVm({
      name: 'dev-03',
      folderPath: '/DC1/Dev',
      host: 'esxi-02.local',
      firmware: 'bios',
      disks: [disk(2000, 20), disk(2001, 50)],
    }),
    makeVm({
      name: 'web-prod-01',
      numCpu: 4,
      memoryMiB: 16384,
      disks: [
        disk(2000, 80, { allocatedBytes: 30e9 }),
        disk(2001, 200, { allocatedBytes: 120e9 }),
      ],
    }),
    makeVm({ name: 'web-prod-02', numCpu: 4, memoryMiB: 16384 }),
    makeVm({
      name: 'db-01',
      numCpu: 8,
      memoryMiB: 65536,
      folderPath: '/DC1/Production/DB',
    }),
    makeVm({
      name: 'template-debian12',
      template: true,
      powerState: 'poweredOff',
      ipAddresses: [],
    }),
    makeVm({ name: 'legacy-do-not-touch', folderPath: '/DC1/Legacy' }),
  ];
}

/**
 * Utilisation as a vCenter gives it: flat percentiles (every percentile = the figure, `max` a little
 * above), `days` of samples every `intervalSeconds`.
 */
export function measured(
  cpu: number | undefined,
  mem: number | undefined,
  days = 30,
  intervalSeconds = 7200,
): NonNullable<Vm['utilization']> {
  const flat = (v: number) => ({
    p50: v / 2,
    p90: v,
    p95: v,
    p99: v,
    max: Math.min(100, v + 10),
  });
  const samples = Math.round((days * 86400) / intervalSeconds);
  return {
    source: 'vcenter',
    windowSeconds: samples * intervalSeconds,
    intervalSeconds,
    samples,
    ...(cpu !== undefined ? { cpu: flat(cpu) } : {}),
    ...(mem !== undefined ? { memoryActive: flat(mem) } : {}),
  };
}

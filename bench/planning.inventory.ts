import {
  vmSchema,
  type Inventory,
  type Vm,
} from '@internal/plugin-vmware2scw-common';

/**
 * Measured utilisation as the vCenter statistics give it, for half the VMs: mostly 30 days every two
 * hours (high confidence), a tenth with two days only (low confidence: sized on allocation).
 */
function utilisationOf(rand: () => number): Vm['utilization'] {
  if (rand() >= 0.5) return undefined;
  const spread = (p95: number) => {
    const v = Math.min(100, p95);
    return {
      p50: Math.round(v * 0.5 * 10) / 10,
      p90: Math.round(v * 0.9 * 10) / 10,
      p95: v,
      p99: Math.min(100, Math.round(v * 1.1 * 10) / 10),
      max: Math.min(100, Math.round(v * 1.3 * 10) / 10),
    };
  };
  const days = rand() < 0.1 ? 2 : 30;
  const samples = (days * 86_400) / 7_200;
  return {
    source: 'vcenter',
    windowSeconds: days * 86_400,
    intervalSeconds: 7_200,
    samples,
    cpu: spread(Math.round(rand() * 1000) / 10),
    memoryActive: spread(Math.round(rand() * 1000) / 10),
  };
}

/**
 * A synthetic vSphere estate for the planning benchmark: `count` VMs spread over 5 clusters and 50
 * ESXi hosts, with the mix an estate really has (mostly Linux, a quarter Windows, a few others;
 * 1-4 disks, some thin; a few VMs with snapshots, RDMs, several NICs or BIOS firmware). Seeded, so
 * every run sizes and estimates the same VMs.
 */
export function syntheticInventory(count: number, seed = 42): Inventory {
  let state = seed >>> 0;
  const rand = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const GIB = 2 ** 30;
  const vms: Vm[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const osFamily = r < 0.7 ? 'linux' : r < 0.95 ? 'windows' : 'other';
    const guestId =
      osFamily === 'linux'
        ? pick([
            'rhel9_64Guest',
            'debian12_64Guest',
            'ubuntu64Guest',
            'rhel7_64Guest',
          ])
        : osFamily === 'windows'
        ? pick([
            'windows2019srv_64Guest',
            'windows2019srvNext_64Guest',
            'windows9Server64Guest',
            'windows8Server64Guest',
          ])
        : 'freebsd13_64Guest';
    const numCpu = pick([1, 2, 2, 4, 4, 4, 8, 8, 16, 32]);
    const memoryMiB = numCpu * pick([1024, 2048, 4096, 4096, 8192]);
    const diskCount = 1 + Math.floor(rand() * 4);
    const host = `esxi-${String(Math.floor(rand() * 50)).padStart(
      2,
      '0',
    )}.dc1.local`;
    const cluster = `cluster-${Math.floor(rand() * 5)}`;
    const name = `vm-${String(i).padStart(5, '0')}`;
    vms.push(
      vmSchema.parse({
        sourceId: 'vc1',
        moref: `vm-${1000 + i}`,
        name,
        folderPath: `/DC1/${pick(['Production', 'Staging', 'Dev'])}/${pick([
          'Web',
          'DB',
          'Apps',
        ])}`,
        datacenter: 'DC1',
        cluster,
        host,
        powerState: rand() < 0.85 ? 'poweredOn' : 'poweredOff',
        guestId,
        osFamily,
        firmware: rand() < 0.4 ? 'bios' : 'efi',
        numCpu,
        memoryMiB,
        disks: Array.from({ length: diskCount }, (_, d) => {
          const capacityBytes = Math.round(
            pick([16, 40, 60, 100, 200, 500]) * GIB,
          );
          return {
            key: 2000 + d,
            label: `Hard disk ${d + 1}`,
            capacityBytes,
            thin: rand() < 0.5,
            allocatedBytes: Math.round(capacityBytes * (0.2 + rand() * 0.7)),
            datastore: `ds-${Math.floor(rand() * 10)}`,
            fileName: `[ds] ${name}/${name}_${d}.vmdk`,
            rdm: rand() < 0.005 ? 'physical' : 'none',
            controller: { type: 'scsi', busNumber: 0, unitNumber: d },
          };
        }),
        nics: Array.from({ length: rand() < 0.1 ? 2 : 1 }, (_, n) => ({
          network: `VLAN-${100 + n}`,
          type: 'vmxnet3',
        })),
        snapshotCount: rand() < 0.05 ? 1 : 0,
        toolsStatus: rand() < 0.9 ? 'toolsOk' : 'toolsNotRunning',
        ipAddresses: [`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`],
        utilization: utilisationOf(rand),
      }),
    );
  }
  return {
    source: { kind: 'vcenter', id: 'vc1', name: 'vcenter.bench.local' },
    vms,
    hosts: [],
    clusters: [],
    datastores: [],
    networks: [],
  };
}

/**
 * bench:inventory: full inventory of a 2,000-VM vcsim through the vCenter SOAP client, then entity
 * emission with the catalog module's own mapping (`inventoryEntities`: names, owner rules, annotations,
 * as the vCenter entity provider applies them), with the time, SOAP round trips and peak memory. The last
 * line is machine-readable:
 *
 *   RESULT vms=... total_ms=... soap_calls=... peak_mb=...
 *
 * Knobs (environment): BENCH_VMS (default 2000), BENCH_PAGE_SIZE (default 500).
 * Run: yarn bench:inventory  (needs golang-go and golang-github-vmware-govmomi-dev for vcsim)
 */
import {
  entityOptions,
  inventoryEntities,
} from '../plugins/catalog-backend-module-vmware2scw/src/vmEntity';
import { VcenterClient } from '../plugins/vmware2scw-node/src/vcenter';
import { Vcsim } from '../plugins/vmware2scw-node/src/vcenter/testing/Vcsim';

const TARGET_VMS = Number(process.env.BENCH_VMS ?? 2000);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 500);

// 2 datacenters x (1 standalone host + 4 clusters of 4 hosts): VMs are created per standalone host
// and per cluster resource pool, so 10 placements share the VMs.
const DATACENTERS = 2;
const CLUSTERS = 4;
const PLACEMENTS = DATACENTERS * (CLUSTERS + 1);

/** BENCH_DEBUG=1 prints each SOAP call with its duration. */
function consoleLogger(): never {
  const log = (level: string) => (msg: string) =>
    console.log(`${(performance.now() / 1000).toFixed(3)}s ${level} ${msg}`);
  const logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger as never;
}

async function main() {
  const vmsPerPlacement = Math.ceil(TARGET_VMS / PLACEMENTS);
  const startedSim = Date.now();
  const vcsim = await Vcsim.start({
    datacenters: DATACENTERS,
    clustersPerDatacenter: CLUSTERS,
    hostsPerCluster: 4,
    standaloneHostsPerDatacenter: 1,
    vmsPerHost: vmsPerPlacement,
    startTimeoutMs: 300_000,
  });
  const simMs = Date.now() - startedSim;
  console.log(
    `vcsim: ${vcsim.info.vms} VMs ready in ${simMs} ms at ${vcsim.url}`,
  );

  const client = VcenterClient.create({
    url: vcsim.url,
    username: 'bench',
    password: 'bench',
    insecure: true,
    thumbprintSha256: vcsim.info.thumbprintSha256,
    logger: process.env.BENCH_DEBUG ? consoleLogger() : undefined,
  });
  let heapPeak = 0;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 20);
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { inventory, warnings, skippedVms } = await client.readInventory({
      vcenterId: 'bench',
      pageSize: PAGE_SIZE,
    });
    const t1 = performance.now();
    const entities = inventoryEntities(
      inventory,
      entityOptions(`url:${new URL(vcsim.url).origin}/ui/`, {
        entityNamePrefix: 'bench',
        includeTemplates: false,
        owner: {
          customAttribute: 'owner',
          folders: [{ prefix: '/DC0', value: 'team-dc0' }],
          default: 'platform-team',
        },
        system: { folders: [] },
      }),
    );
    const emittedBytes = entities.reduce(
      (n, e) => n + JSON.stringify(e).length,
      0,
    );
    const t2 = performance.now();
    clearInterval(sampler);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);

    const totalMs = Math.round(t2 - t0);
    const cpu = process.cpuUsage(cpu0);
    const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const names = new Set(entities.map(e => e.metadata.name));
    console.log(
      `inventory: ${inventory.vms.length} VMs, ${
        inventory.hosts.length
      } hosts, ${inventory.clusters.length} clusters, ${
        inventory.datastores.length
      } datastores, ${inventory.networks.length} networks in ${Math.round(
        t1 - t0,
      )} ms`,
    );
    console.log(
      `emission: ${entities.length} entities (${
        names.size
      } unique names, ${Math.round(
        emittedBytes / 1024,
      )} KiB JSON) in ${Math.round(t2 - t1)} ms`,
    );
    // Wall time includes vcsim serializing its answer on the same (possibly shared) cores.
    console.log(
      `client CPU: ${Math.round(
        (cpu.user + cpu.system) / 1000,
      )} ms (user ${Math.round(cpu.user / 1000)}, system ${Math.round(
        cpu.system / 1000,
      )})`,
    );
    console.log(
      `round trips: ${client.soapCallCount} SOAP, ${client.restCallCount} vAPI REST (tags)`,
    );
    console.log(
      `memory: peak RSS ${peakMb} MiB, peak heap ${Math.round(
        heapPeak / 2 ** 20,
      )} MiB`,
    );
    if (warnings.length || skippedVms.length)
      console.log(`warnings: ${warnings.join(' | ')}`);
    if (inventory.vms.length !== vcsim.info.vms) {
      throw new Error(
        `expected ${vcsim.info.vms} VMs, read ${inventory.vms.length}`,
      );
    }
    if (
      entities.length !== inventory.vms.length ||
      names.size !== entities.length
    ) {
      throw new Error(
        `expected ${inventory.vms.length} entities with unique names, got ${entities.length} (${names.size} names)`,
      );
    }
    console.log(
      `RESULT vms=${inventory.vms.length} total_ms=${totalMs} soap_calls=${client.soapCallCount} peak_mb=${peakMb}`,
    );
  } finally {
    clearInterval(sampler);
    await client.close().catch(() => undefined);
    await vcsim.stop();
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});

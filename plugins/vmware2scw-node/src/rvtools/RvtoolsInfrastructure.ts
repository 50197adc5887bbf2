import type {
  Cluster,
  Datastore,
  Host,
  Network,
  VmInput,
} from '@internal/plugin-vmware2scw-common';

/**
 * Hosts, clusters, datastores and networks named by the VM rows. RVTools has no managed object ids for
 * them in vInfo/vDisk/vNetwork: names stand in for them.
 */
export function infrastructureOf(vms: VmInput[]): {
  hosts: Host[];
  clusters: Cluster[];
  datastores: Datastore[];
  networks: Network[];
} {
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

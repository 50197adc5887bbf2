import {
  osFamilyOf,
  type Cluster,
  type Datastore,
  type Host,
  type Network,
  type PowerState,
  type ToolsStatus,
  type VmInput,
} from '@internal/plugin-vmware2scw-common';
import type { ObjectContent } from './PropertyCollector';
import { flattenSnapshots } from './SnapshotTree';
import type { MoRef, XmlValue } from './VimXml';
import {
  arrayItems,
  at,
  bool,
  int,
  morefList,
  moref,
  text,
  xsiType,
} from './VimValue';
import {
  allocatedBytesByDisk,
  guestIpAddresses,
  mapHardware,
  type NetworkNames,
} from './VmHardwareMapper';

/**
 * Properties read for every VM. Narrow paths rather than whole `config`/`summary` objects: on a
 * 2,000-VM estate the difference is tens of megabytes of XML per inventory.
 */
export const VM_PROPERTIES = [
  'name',
  'parent',
  'resourcePool',
  'parentVApp',
  'config.template',
  'config.guestId',
  'config.guestFullName',
  'config.uuid',
  'config.instanceUuid',
  'config.firmware',
  'config.bootOptions',
  'config.hardware',
  'config.changeTrackingEnabled',
  'config.cpuHotAddEnabled',
  'config.memoryHotAddEnabled',
  'config.version',
  'config.annotation',
  'layoutEx',
  'runtime.powerState',
  'runtime.host',
  'runtime.consolidationNeeded',
  'snapshot',
  'guest.toolsStatus',
  'guest.guestId',
  'guest.guestFullName',
  'guest.ipAddress',
  'guest.hostName',
  'guest.net',
  'customValue',
];

/** Properties of the objects that give VMs their place: the parent graph, hosts, storage, networks. */
export const GRAPH_PROPERTIES: Record<string, string[]> = {
  Folder: ['name', 'parent'],
  Datacenter: ['name', 'parent'],
  ComputeResource: ['name', 'parent'],
  ClusterComputeResource: [
    'name',
    'parent',
    'host',
    'configuration.drsConfig.enabled',
    'configuration.dasConfig.enabled',
  ],
  HostSystem: [
    'name',
    'parent',
    'summary.hardware.cpuModel',
    'summary.hardware.numCpuCores',
    'summary.hardware.memorySize',
    'summary.config.product.version',
    'runtime.connectionState',
    'runtime.inMaintenanceMode',
  ],
  ResourcePool: ['name', 'parent'],
  VirtualApp: ['name', 'parent', 'parentFolder'],
  Datastore: [
    'name',
    'parent',
    'summary.type',
    'summary.capacity',
    'summary.freeSpace',
    'summary.url',
  ],
  Network: ['name', 'parent'],
  DistributedVirtualPortgroup: [
    'name',
    'parent',
    'key',
    'config.defaultPortConfig',
  ],
  OpaqueNetwork: ['name', 'parent', 'summary'],
};

/** Types of the second container view; subtypes (clusters, vApps, port groups) come with their base. */
export const GRAPH_VIEW_TYPES = [
  'Folder',
  'Datacenter',
  'ComputeResource',
  'HostSystem',
  'ResourcePool',
  'Datastore',
  'Network',
];

interface Entity {
  ref: MoRef;
  name: string;
  parent?: MoRef;
  props: Record<string, XmlValue>;
}

export interface MapperOptions {
  vcenterId: string;
  /** Custom attribute names by field key (`CustomFieldsManager.field`). */
  customFieldNames?: Map<number, string>;
}

/**
 * Pure mapping from PropertyCollector results to the inventory model. Built once from the parent
 * graph, then fed VM pages one at a time.
 */
export class InventoryMapper {
  private readonly entities = new Map<string, Entity>();
  private readonly networkNames: NetworkNames;

  constructor(graph: ObjectContent[], private readonly opts: MapperOptions) {
    for (const o of graph) {
      this.entities.set(o.obj.value, {
        ref: o.obj,
        name: text(o.props.name) ?? o.obj.value,
        parent: moref(o.props.parent),
        props: o.props,
      });
    }
    const byPortgroupKey = new Map<string, string>();
    const byOpaqueId = new Map<string, string>();
    for (const e of this.entities.values()) {
      if (e.ref.type === 'DistributedVirtualPortgroup') {
        byPortgroupKey.set(text(e.props.key) ?? e.ref.value, e.name);
      }
      if (e.ref.type === 'OpaqueNetwork') {
        const id = text(at(e.props.summary, 'opaqueNetworkId'));
        if (id) byOpaqueId.set(id, e.name);
      }
    }
    this.networkNames = {
      byMoref: v => this.entities.get(v)?.name,
      byPortgroupKey: k => byPortgroupKey.get(k),
      byOpaqueId: id => byOpaqueId.get(id),
    };
  }

  /**
   * Maps one VM, or returns the reason it cannot be mapped (an inaccessible or orphaned VM has no
   * `config`, hence no CPU or memory to plan with).
   */
  mapVm(o: ObjectContent): { vm: VmInput } | { skipped: string } {
    const p = o.props;
    const name = decodeEntityName(text(p.name) ?? o.obj.value);
    const hardware = p['config.hardware'];
    const numCpu = int(at(hardware, 'numCPU'));
    if (hardware === undefined || !numCpu) {
      return {
        skipped: `VM ${name} (${o.obj.value}) has no readable configuration`,
      };
    }

    const dc = this.datacenterOf(
      moref(p.parent) ?? moref(p.resourcePool) ?? moref(p.parentVApp),
    );
    const hostRef = moref(p['runtime.host']);
    const host = hostRef ? this.entities.get(hostRef.value) : undefined;
    const computeResource = host?.parent
      ? this.entities.get(host.parent.value)
      : undefined;
    const pool = moref(p.resourcePool) ?? moref(p.parentVApp);

    const guestId =
      text(p['config.guestId']) || text(p['guest.guestId']) || undefined;
    const guestFullName =
      text(p['config.guestFullName']) ||
      text(p['guest.guestFullName']) ||
      undefined;
    const hw = mapHardware(
      hardware,
      this.networkNames,
      allocatedBytesByDisk(p.layoutEx),
    );

    const customAttributes: Record<string, string> = {};
    for (const cv of arrayItems(p.customValue, 'CustomFieldValue')) {
      const key = int(at(cv, 'key'));
      const value = text(at(cv, 'value'));
      if (key === undefined || value === undefined) continue;
      customAttributes[this.opts.customFieldNames?.get(key) ?? `field-${key}`] =
        value;
    }

    const annotation = text(p['config.annotation']);
    return {
      vm: {
        sourceId: this.opts.vcenterId,
        moref: o.obj.value,
        instanceUuid: text(p['config.instanceUuid']) || undefined,
        biosUuid: text(p['config.uuid']) || undefined,
        name,
        folderPath: this.folderPath(moref(p.parent), dc),
        datacenter: dc?.name,
        cluster:
          computeResource?.ref.type === 'ClusterComputeResource'
            ? computeResource.name
            : undefined,
        host: host?.name,
        resourcePool: pool ? this.entities.get(pool.value)?.name : undefined,
        powerState: powerState(text(p['runtime.powerState'])),
        template: bool(p['config.template']) ?? false,
        guestId,
        guestFullName,
        osFamily: osFamilyOf(guestId, guestFullName),
        firmware: text(p['config.firmware']) === 'efi' ? 'efi' : 'bios',
        secureBoot:
          bool(at(p['config.bootOptions'], 'efiSecureBootEnabled')) ?? false,
        tpm: hw.tpm,
        numCpu,
        coresPerSocket: positive(int(at(hardware, 'numCoresPerSocket'))),
        memoryMiB: Math.max(0, int(at(hardware, 'memoryMB')) ?? 0),
        disks: hw.disks,
        nics: hw.nics,
        specialDevices: hw.specialDevices,
        snapshotCount: flattenSnapshots(p.snapshot).length,
        consolidationNeeded: bool(p['runtime.consolidationNeeded']) ?? false,
        toolsStatus: toolsStatus(text(p['guest.toolsStatus'])),
        cbtEnabled: bool(p['config.changeTrackingEnabled']) ?? false,
        cpuHotAdd: bool(p['config.cpuHotAddEnabled']) ?? false,
        memoryHotAdd: bool(p['config.memoryHotAddEnabled']) ?? false,
        ipAddresses: guestIpAddresses(p['guest.ipAddress'], p['guest.net']),
        guestHostname: text(p['guest.hostName']) || undefined,
        customAttributes,
        hardwareVersion: text(p['config.version']) || undefined,
        annotation: annotation ? annotation : undefined,
      },
    };
  }

  hosts(): Host[] {
    return this.ofType('HostSystem').map(h => {
      const parent = h.parent ? this.entities.get(h.parent.value) : undefined;
      const connectionState = text(h.props['runtime.connectionState']);
      return {
        moref: h.ref.value,
        name: h.name,
        datacenter: this.datacenterOf(h.ref)?.name,
        cluster:
          parent?.ref.type === 'ClusterComputeResource'
            ? parent.name
            : undefined,
        cpuModel: text(h.props['summary.hardware.cpuModel']) || undefined,
        numCpuCores: int(h.props['summary.hardware.numCpuCores']),
        memoryBytes: int(h.props['summary.hardware.memorySize']),
        version: text(h.props['summary.config.product.version']) || undefined,
        connectionState:
          connectionState === 'connected' ||
          connectionState === 'disconnected' ||
          connectionState === 'notResponding'
            ? connectionState
            : undefined,
        inMaintenanceMode: bool(h.props['runtime.inMaintenanceMode']),
      };
    });
  }

  clusters(): Cluster[] {
    return this.ofType('ClusterComputeResource').map(c => ({
      moref: c.ref.value,
      name: c.name,
      datacenter: this.datacenterOf(c.ref)?.name,
      hosts: morefList(c.props.host)
        .map(h => this.entities.get(h.value)?.name)
        .filter((n): n is string => n !== undefined),
      drsEnabled: bool(c.props['configuration.drsConfig.enabled']),
      haEnabled: bool(c.props['configuration.dasConfig.enabled']),
    }));
  }

  datastores(): Datastore[] {
    return this.ofType('Datastore').map(d => ({
      moref: d.ref.value,
      name: d.name,
      datacenter: this.datacenterOf(d.ref)?.name,
      type: text(d.props['summary.type']) || undefined,
      capacityBytes: nonNegative(int(d.props['summary.capacity'])),
      freeBytes: nonNegative(int(d.props['summary.freeSpace'])),
      url: text(d.props['summary.url']) || undefined,
    }));
  }

  networks(): Network[] {
    const kinds: Record<string, Network['kind']> = {
      Network: 'standard',
      DistributedVirtualPortgroup: 'distributed',
      OpaqueNetwork: 'opaque',
    };
    return [...this.entities.values()]
      .filter(e => kinds[e.ref.type])
      .map(n => ({
        moref: n.ref.value,
        name: n.name,
        kind: kinds[n.ref.type],
        vlanId: vlanIdOf(n.props['config.defaultPortConfig']),
      }));
  }

  /** Datacenter inventory path with parent folders (`Europe/DC1`), as `/folder` URLs want it. */
  datacenterPath(ref: MoRef | undefined): string | undefined {
    const dc = this.datacenterOf(ref);
    if (!dc) return undefined;
    const names = [dc.name];
    for (let cur = this.parentOf(dc); cur; cur = this.parentOf(cur)) {
      if (!cur.parent) break; // the root folder has no name in paths
      names.unshift(cur.name);
    }
    return names.join('/');
  }

  private ofType(type: string): Entity[] {
    return [...this.entities.values()].filter(e => e.ref.type === type);
  }

  private parentOf(e: Entity): Entity | undefined {
    return e.parent ? this.entities.get(e.parent.value) : undefined;
  }

  private datacenterOf(ref: MoRef | undefined): Entity | undefined {
    let cur = ref ? this.entities.get(ref.value) : undefined;
    for (let guard = 0; cur && guard < 64; guard++) {
      if (cur.ref.type === 'Datacenter') return cur;
      cur = this.parentOf(cur);
    }
    return undefined;
  }

  /**
   * `/DC1/Production/Web`: the datacenter, then the folders below its hidden `vm` folder. A VM
   * directly in a vApp (no `parent`) sits at the datacenter level.
   */
  private folderPath(
    parent: MoRef | undefined,
    dc: Entity | undefined,
  ): string {
    const names: string[] = [];
    let cur = parent ? this.entities.get(parent.value) : undefined;
    for (let guard = 0; cur && guard < 64; guard++) {
      if (cur.ref.type !== 'Folder') break;
      const up = this.parentOf(cur);
      // The datacenter's own vm/host/network/datastore folders do not show in paths.
      if (!up || up.ref.type === 'Datacenter') break;
      names.unshift(cur.name);
      cur = up;
    }
    return `/${[dc?.name, ...names].filter(Boolean).join('/')}`;
  }
}

/**
 * vSphere escapes `/`, `\` and `%` in entity names (`a%2fb` for `a/b`). VM names are shown as people typed
 * them (and as the RVTools import decodes them); folder and datacenter names stay escaped, because the
 * folder path and the `/folder` dcPath use `/` as their separator.
 */
const NAME_ESCAPES: Record<string, string> = {
  '%2f': '/',
  '%5c': '\\',
  '%25': '%',
};

export function decodeEntityName(name: string): string {
  return name.replace(/%(2f|5c|25)/gi, m => NAME_ESCAPES[m.toLowerCase()]);
}

function powerState(value: string | undefined): PowerState {
  return value === 'poweredOn' || value === 'suspended' ? value : 'poweredOff';
}

function toolsStatus(value: string | undefined): ToolsStatus {
  switch (value) {
    case 'toolsOk':
    case 'toolsOld':
    case 'toolsNotRunning':
    case 'toolsNotInstalled':
      return value;
    default:
      return 'unknown';
  }
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}

/** VLAN id of a DV port group (`VmwareDistributedVirtualSwitchVlanIdSpec`); trunks and PVLANs have none. */
function vlanIdOf(defaultPortConfig: XmlValue | undefined): number | undefined {
  const vlan = at(defaultPortConfig, 'vlan');
  if (xsiType(vlan) !== 'VmwareDistributedVirtualSwitchVlanIdSpec')
    return undefined;
  return int(at(vlan, 'vlanId'));
}

/**
 * Annotations and labels that vmware2scw puts on VM entities (`kind: Resource`, `spec.type: virtual-machine`).
 * The catalog module writes them; the frontend and the backend read them to find the VM behind an entity.
 * A contract: add keys, never rename one.
 */
export const VM_ENTITY_TYPE = 'virtual-machine';

const prefix = 'vmware2scw.io';

export const VM_ANNOTATIONS = {
  /** Id of the inventory source: a vCenter id from config, or an RVTools source id (`vm.sourceId`). */
  sourceId: `${prefix}/source-id`,
  /** Kind of inventory source: `vcenter` or `rvtools`. */
  sourceKind: `${prefix}/source`,
  /** Managed object id, e.g. `vm-123`. */
  moref: `${prefix}/moref`,
  instanceUuid: `${prefix}/instance-uuid`,
  guestOs: `${prefix}/guest-os`,
  /** vSphere guest id, e.g. `debian12_64Guest`. */
  guestId: `${prefix}/guest-id`,
  firmware: `${prefix}/firmware`,
  datacenter: `${prefix}/datacenter`,
  cluster: `${prefix}/cluster`,
  host: `${prefix}/host`,
  folder: `${prefix}/folder`,
  vcpu: `${prefix}/vcpu`,
  memoryMiB: `${prefix}/memory-mib`,
  diskTotalBytes: `${prefix}/disk-total-bytes`,
  diskCount: `${prefix}/disk-count`,
  nicCount: `${prefix}/nic-count`,
  ipAddresses: `${prefix}/ip-addresses`,
  snapshotCount: `${prefix}/snapshot-count`,
  toolsStatus: `${prefix}/tools-status`,
  /** Which ownership rule gave `spec.owner` (`folder:/DC1/Web`, `custom-attribute:Owner`, `default`). */
  ownerRule: `${prefix}/owner-rule`,
  /** Which rule gave `spec.system`. */
  systemRule: `${prefix}/system-rule`,
  /**
   * Measured utilisation in one line (`P95 cpu 38% mem 52% over 30 d, 8,640 samples (vcenter)`); the
   * figures themselves are in `spec.inventory.utilization`.
   */
  utilisation: `${prefix}/utilisation`,
} as const;

export const VM_LABELS = {
  osFamily: `${prefix}/os-family`,
  powerState: `${prefix}/power-state`,
  firmware: `${prefix}/firmware`,
} as const;

/**
 * Keys written by earlier versions and still read: entities ingested before the rename keep them until
 * their provider runs again.
 */
export const LEGACY_VM_ANNOTATIONS = {
  /** Held the source id (an RVTools source id too, despite its name); now {@link VM_ANNOTATIONS}.sourceId. */
  sourceId: `${prefix}/vcenter`,
} as const;

/** The inventory source id of a VM entity, from its annotations (the current key, else the legacy one). */
export function vmSourceIdOf(
  annotations: Record<string, string> | undefined,
): string | undefined {
  return (
    annotations?.[VM_ANNOTATIONS.sourceId] ??
    annotations?.[LEGACY_VM_ANNOTATIONS.sourceId]
  );
}

/**
 * Key under a VM entity's `spec` holding the VM as the inventory model (`vmSchema`): disks, NICs,
 * devices, placement. The backend plans, assesses and validates from it without reading the source again.
 */
export const VM_SPEC_INVENTORY_KEY = 'inventory';

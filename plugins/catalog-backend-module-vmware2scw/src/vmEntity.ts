import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  Inventory,
  Vm,
  VM_ANNOTATIONS as ANNOTATION,
  VM_ENTITY_TYPE,
  VM_LABELS as LABEL,
  VM_SPEC_INVENTORY_KEY,
  formatUtilization,
  vmTotalDiskBytes,
} from '@internal/plugin-vmware2scw-common';
import { entityNames } from './entityName';
import { resolveValue, ValueRules } from './OwnershipRules';

export interface VmEntityOptions {
  /** `backstage.io/managed-by-location` of every entity: `url:https://vcenter...` or `file:/.../rvtools.xlsx`. */
  location: string;
  entityNamePrefix: string;
  includeTemplates: boolean;
  owner: ValueRules;
  system: ValueRules;
}

/** The entity options of a configured source. */
export function entityOptions(
  location: string,
  s: Pick<
    VmEntityOptions,
    'entityNamePrefix' | 'includeTemplates' | 'owner' | 'system'
  >,
): VmEntityOptions {
  return {
    location,
    entityNamePrefix: s.entityNamePrefix,
    includeTemplates: s.includeTemplates,
    owner: s.owner,
    system: s.system,
  };
}

/** Owner of VMs that no rule gives one; `spec.owner` is required on a Resource. */
export const FALLBACK_OWNER = 'unknown';

/** One `Resource` of type `virtual-machine` per VM of the inventory (templates only when asked for). */
export function inventoryEntities(
  inventory: Inventory,
  options: VmEntityOptions,
): Entity[] {
  const vms = inventory.vms.filter(
    vm => options.includeTemplates || !vm.template,
  );
  const names = entityNames(vms, options.entityNamePrefix);
  return vms.map(vm =>
    vmEntity(vm, names.get(vm.moref)!, inventory.source.kind, options),
  );
}

export function vmEntity(
  vm: Vm,
  name: string,
  sourceKind: Inventory['source']['kind'],
  options: VmEntityOptions,
): Entity {
  const owner = resolveValue(vm, options.owner);
  const system = resolveValue(vm, options.system);
  const diskBytes = vmTotalDiskBytes(vm);
  const annotations: Record<string, string | undefined> = {
    [ANNOTATION_LOCATION]: options.location,
    [ANNOTATION_ORIGIN_LOCATION]: options.location,
    [ANNOTATION.sourceKind]: sourceKind,
    [ANNOTATION.sourceId]: vm.sourceId,
    [ANNOTATION.moref]: vm.moref,
    [ANNOTATION.instanceUuid]: vm.instanceUuid,
    [ANNOTATION.guestOs]: vm.guestFullName,
    [ANNOTATION.guestId]: vm.guestId,
    [ANNOTATION.firmware]: vm.firmware,
    [ANNOTATION.datacenter]: vm.datacenter,
    [ANNOTATION.cluster]: vm.cluster,
    [ANNOTATION.host]: vm.host,
    [ANNOTATION.folder]: vm.folderPath,
    [ANNOTATION.vcpu]: String(vm.numCpu),
    [ANNOTATION.memoryMiB]: String(vm.memoryMiB),
    [ANNOTATION.diskTotalBytes]: String(diskBytes),
    [ANNOTATION.diskCount]: String(vm.disks.length),
    [ANNOTATION.nicCount]: String(vm.nics.length),
    [ANNOTATION.snapshotCount]: String(vm.snapshotCount),
    [ANNOTATION.toolsStatus]: vm.toolsStatus,
    [ANNOTATION.ipAddresses]: vm.ipAddresses.length
      ? vm.ipAddresses.join(', ')
      : undefined,
    [ANNOTATION.ownerRule]: owner?.rule ?? 'none',
    [ANNOTATION.systemRule]: system?.rule,
    [ANNOTATION.utilisation]: vm.utilization
      ? formatUtilization(vm.utilization)
      : undefined,
  };
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      title: vm.name,
      description: describe(vm, diskBytes),
      annotations: Object.fromEntries(
        Object.entries(annotations).filter(
          (e): e is [string, string] => e[1] !== undefined && e[1] !== '',
        ),
      ),
      labels: {
        [LABEL.osFamily]: vm.osFamily,
        [LABEL.powerState]: vm.powerState,
        [LABEL.firmware]: vm.firmware,
      },
    },
    spec: {
      type: VM_ENTITY_TYPE,
      owner: owner?.value ?? FALLBACK_OWNER,
      ...(system ? { system: system.value } : {}),
      [VM_SPEC_INVENTORY_KEY]: vm,
    },
  };
}

const OS_LABEL = {
  linux: 'Linux',
  windows: 'Windows',
  other: 'Other OS',
} as const;
const POWER_LABEL = {
  poweredOn: 'powered on',
  poweredOff: 'powered off',
  suspended: 'suspended',
} as const;

/** The line the catalog list shows: what the VM is and where it runs, then the VM's own notes. */
function describe(vm: Vm, diskBytes: number): string {
  const gib = (bytes: number) =>
    `${Math.round((bytes / 2 ** 30) * 10) / 10} GiB`;
  const parts = [
    `${OS_LABEL[vm.osFamily]} ${vm.template ? 'template' : 'VM'}`,
    `${vm.numCpu} vCPU`,
    `${gib(vm.memoryMiB * 2 ** 20)} memory`,
    `${vm.disks.length} disk${vm.disks.length === 1 ? '' : 's'} (${gib(
      diskBytes,
    )})`,
    POWER_LABEL[vm.powerState],
    `in ${vm.folderPath}`,
  ];
  const notes = vm.annotation?.replace(/\s+/g, ' ').trim();
  const text = `${parts.join(', ')}.`;
  return notes
    ? `${text} ${notes.length > 200 ? `${notes.slice(0, 199)}…` : notes}`
    : text;
}

import type { Entity } from '@backstage/catalog-model';
import {
  VM_ANNOTATIONS,
  VM_LABELS,
  vmSourceIdOf,
} from '@internal/plugin-vmware2scw-common';

/** The VM facts the catalog module put on a VM entity, as the card shows them. */
export interface VmFacts {
  name: string;
  source?: string;
  moref?: string;
  guestOs?: string;
  osFamily?: string;
  powerState?: string;
  firmware?: string;
  vcpu?: number;
  memoryMiB?: number;
  diskTotalBytes?: number;
  diskCount?: number;
  nicCount?: number;
  location: string[];
}

export function vmFactsOf(entity: Entity): VmFacts {
  const a = entity.metadata.annotations ?? {};
  const l = entity.metadata.labels ?? {};
  const num = (key: string) => {
    const v = a[key];
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    name: entity.metadata.title ?? entity.metadata.name,
    source: vmSourceIdOf(a),
    moref: a[VM_ANNOTATIONS.moref],
    guestOs: a[VM_ANNOTATIONS.guestOs],
    osFamily: l[VM_LABELS.osFamily],
    powerState: l[VM_LABELS.powerState],
    firmware: a[VM_ANNOTATIONS.firmware],
    vcpu: num(VM_ANNOTATIONS.vcpu),
    memoryMiB: num(VM_ANNOTATIONS.memoryMiB),
    diskTotalBytes: num(VM_ANNOTATIONS.diskTotalBytes),
    diskCount: num(VM_ANNOTATIONS.diskCount),
    nicCount: num(VM_ANNOTATIONS.nicCount),
    location: [
      a[VM_ANNOTATIONS.datacenter],
      a[VM_ANNOTATIONS.cluster],
      a[VM_ANNOTATIONS.host],
    ].filter((x): x is string => Boolean(x)),
  };
}

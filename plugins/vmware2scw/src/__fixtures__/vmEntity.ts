import type { Entity } from '@backstage/catalog-model';
import { VM_ANNOTATIONS, VM_LABELS } from '@internal/plugin-vmware2scw-common';

/** The catalog entity of web-prod-01 as the catalog module writes it (entity ref `VM_REF`). */
export const vmEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'web-prod-01',
    namespace: 'default',
    title: 'web-prod-01',
    annotations: {
      [VM_ANNOTATIONS.sourceId]: 'vc-paris',
      [VM_ANNOTATIONS.moref]: 'vm-1042',
      [VM_ANNOTATIONS.guestOs]: 'Debian GNU/Linux 12 (64-bit)',
      [VM_ANNOTATIONS.firmware]: 'bios',
      [VM_ANNOTATIONS.vcpu]: '4',
      [VM_ANNOTATIONS.memoryMiB]: '16384',
      [VM_ANNOTATIONS.diskTotalBytes]: String(120 * 2 ** 30),
      [VM_ANNOTATIONS.diskCount]: '2',
      [VM_ANNOTATIONS.datacenter]: 'DC1',
      [VM_ANNOTATIONS.cluster]: 'prod-cluster',
    },
    labels: {
      [VM_LABELS.powerState]: 'poweredOn',
      [VM_LABELS.osFamily]: 'linux',
    },
  },
  spec: { type: 'virtual-machine', owner: 'group:default/team-web' },
};

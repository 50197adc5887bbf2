import {
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { inventorySchema } from '@internal/plugin-vmware2scw-common';
import { inventoryEntities, vmEntity, VmEntityOptions } from './vmEntity';

const inventory = inventorySchema.parse({
  source: { kind: 'vcenter', id: 'vc-paris' },
  vms: [
    {
      sourceId: 'vc-paris',
      moref: 'vm-42',
      instanceUuid: '5003a1b2-0000-0000-0000-000000000042',
      name: 'Web Front (old)',
      folderPath: '/DC1/Production/Web',
      datacenter: 'DC1',
      cluster: 'CL1',
      host: 'esx-01.example.test',
      powerState: 'poweredOn',
      guestId: 'debian12_64Guest',
      guestFullName: 'Debian GNU/Linux 12 (64-bit)',
      osFamily: 'linux',
      firmware: 'bios',
      numCpu: 4,
      memoryMiB: 8192,
      disks: [
        { key: 2000, label: 'Hard disk 1', capacityBytes: 40 * 2 ** 30 },
        { key: 2001, label: 'Hard disk 2', capacityBytes: 100 * 2 ** 30 },
      ],
      nics: [{ type: 'vmxnet3', network: 'VLAN10' }],
      ipAddresses: ['10.0.0.5'],
      customAttributes: { Application: 'web-shop' },
      annotation: 'Legacy front end.\nKeep until 2026.',
    },
    {
      sourceId: 'vc-paris',
      moref: 'vm-43',
      name: 'template-debian',
      powerState: 'poweredOff',
      template: true,
      osFamily: 'linux',
      firmware: 'efi',
      numCpu: 1,
      memoryMiB: 1024,
    },
  ],
});

const options: VmEntityOptions = {
  location: 'url:https://vc.example.test/ui/',
  entityNamePrefix: 'vc-paris',
  includeTemplates: false,
  owner: {
    folders: [{ prefix: '/DC1/Production/Web', value: 'team-web' }],
    default: 'platform-team',
  },
  system: { customAttribute: 'Application', folders: [] },
};

describe('inventoryEntities', () => {
  it('makes a virtual-machine Resource with the facts the VM page shows', () => {
    const [entity, ...rest] = inventoryEntities(inventory, options);
    expect(rest).toEqual([]);
    expect(entity).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'vc-paris-web-front-old',
        title: 'Web Front (old)',
        description:
          'Linux VM, 4 vCPU, 8 GiB memory, 2 disks (140 GiB), powered on, in /DC1/Production/Web. Legacy front end. Keep until 2026.',
        annotations: {
          'backstage.io/managed-by-location': 'url:https://vc.example.test/ui/',
          'backstage.io/managed-by-origin-location':
            'url:https://vc.example.test/ui/',
          'vmware2scw.io/source': 'vcenter',
          'vmware2scw.io/source-id': 'vc-paris',
          'vmware2scw.io/moref': 'vm-42',
          'vmware2scw.io/instance-uuid': '5003a1b2-0000-0000-0000-000000000042',
          'vmware2scw.io/guest-os': 'Debian GNU/Linux 12 (64-bit)',
          'vmware2scw.io/guest-id': 'debian12_64Guest',
          'vmware2scw.io/firmware': 'bios',
          'vmware2scw.io/datacenter': 'DC1',
          'vmware2scw.io/cluster': 'CL1',
          'vmware2scw.io/host': 'esx-01.example.test',
          'vmware2scw.io/folder': '/DC1/Production/Web',
          'vmware2scw.io/vcpu': '4',
          'vmware2scw.io/memory-mib': '8192',
          'vmware2scw.io/disk-total-bytes': String(140 * 2 ** 30),
          'vmware2scw.io/disk-count': '2',
          'vmware2scw.io/nic-count': '1',
          'vmware2scw.io/snapshot-count': '0',
          'vmware2scw.io/tools-status': 'unknown',
          'vmware2scw.io/ip-addresses': '10.0.0.5',
          'vmware2scw.io/owner-rule': 'folder:/DC1/Production/Web',
          'vmware2scw.io/system-rule': 'custom-attribute:Application',
        },
        labels: {
          'vmware2scw.io/os-family': 'linux',
          'vmware2scw.io/power-state': 'poweredOn',
          'vmware2scw.io/firmware': 'bios',
        },
      },
      spec: {
        type: 'virtual-machine',
        owner: 'team-web',
        system: 'web-shop',
        inventory: inventory.vms[0],
      },
    });
  });

  it('shows measured utilisation in an annotation, the figures in spec.inventory', () => {
    const vm = {
      ...inventory.vms[0],
      utilization: {
        source: 'vcenter' as const,
        windowSeconds: 30 * 86400,
        intervalSeconds: 300,
        samples: 8640,
        cpu: { p50: 20, p90: 35, p95: 38, p99: 60, max: 90 },
        memoryActive: { p50: 40, p90: 50, p95: 52, p99: 55, max: 70 },
      },
    };
    const entity = vmEntity(vm, 'vc-paris-web-01', 'vcenter', options);
    expect(entity.metadata.annotations!['vmware2scw.io/utilisation']).toBe(
      'P95 cpu 38% mem 52% over 30 d, 8,640 samples (vcenter)',
    );
    expect((entity.spec as any).inventory.utilization).toEqual(vm.utilization);
    expect(
      vmEntity(inventory.vms[0], 'x', 'vcenter', options).metadata.annotations,
    ).not.toHaveProperty('vmware2scw.io/utilisation');
  });

  it('passes the catalog validation of names, annotations, labels and Resource specs', async () => {
    const policy = EntityPolicies.allOf([
      new FieldFormatEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    for (const entity of inventoryEntities(inventory, {
      ...options,
      includeTemplates: true,
    })) {
      await expect(policy.enforce(entity)).resolves.toBe(entity);
      await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
        true,
      );
    }
  });

  it('includes templates only when asked, and owns unmatched VMs by "unknown" without rules', () => {
    const entities = inventoryEntities(inventory, {
      ...options,
      includeTemplates: true,
      owner: { folders: [] },
    });
    expect(entities.map(e => e.spec?.owner)).toEqual(['unknown', 'unknown']);
    expect(entities[1].metadata.description).toMatch(/^Linux template, /);
    expect(entities[1].spec).not.toHaveProperty('system');
  });
});

import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import { VM_ANNOTATIONS, VM_LABELS } from '@internal/plugin-vmware2scw-common';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { vmMigrationCard } from '../../plugin';

// The card's filter, as the catalog evaluates it.
const EntityCardBlueprintFilter = EntityCardBlueprint.dataRefs.filterFunction;

const vm: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'web-prod-01',
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

describe('VM migration card', () => {
  it('shows the VM as the migration will see it', async () => {
    await renderInTestApp(
      <EntityProvider entity={vm}>
        {createExtensionTester(vmMigrationCard).reactElement()}
      </EntityProvider>,
    );
    expect(
      await screen.findByText('Migration to Scaleway: web-prod-01'),
    ).toBeInTheDocument();
    expect(screen.getByText('vc-paris / vm-1042')).toBeInTheDocument();
    expect(
      screen.getByText('Debian GNU/Linux 12 (64-bit)'),
    ).toBeInTheDocument();
    expect(screen.getByText('BIOS')).toBeInTheDocument();
    expect(screen.getByText('16.0 GiB')).toBeInTheDocument();
    expect(screen.getByText('120 GiB in 2 disks')).toBeInTheDocument();
    expect(screen.getByText('DC1 / prod-cluster')).toBeInTheDocument();
  });

  it('is offered only for virtual-machine resources', () => {
    const tester = createExtensionTester(vmMigrationCard);
    const filter = tester.get(EntityCardBlueprintFilter);
    expect(filter?.(vm)).toBe(true);
    expect(filter?.({ ...vm, spec: { type: 'database' } })).toBe(false);
    expect(filter?.({ ...vm, kind: 'Component' })).toBe(false);
  });
});

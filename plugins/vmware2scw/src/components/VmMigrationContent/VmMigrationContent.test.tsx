import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../api';
import {
  entityStatus,
  events,
  failedMigration,
  runningMigration,
  succeededMigration,
} from '../../__fixtures__/apiModels';
import { fakeVmware2scwApi, never } from '../../__fixtures__/fakeApi';
import { vmEntity } from '../../__fixtures__/vmEntity';
import { vmMigrationContent } from '../../plugin';

function renderTab(calls: Partial<Vmware2scwClientApi>) {
  return renderInTestApp(
    <EntityProvider entity={vmEntity}>
      {createExtensionTester(vmMigrationContent).reactElement()}
    </EntityProvider>,
    { apis: [[vmware2scwApiRef, fakeVmware2scwApi(calls)]] },
  );
}

const rowOf = (stageTitle: string) =>
  screen
    .getByRole('rowheader', { name: new RegExp(`^${stageTitle}`) })
    .closest('[role="row"]') as HTMLElement;

describe('VM migration tab', () => {
  it('is a "Migration" tab of virtual-machine resources only', () => {
    const tester = createExtensionTester(vmMigrationContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Migration');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(vmEntity)).toBe(true);
    expect(filter?.({ ...vmEntity, spec: { type: 'database' } })).toBe(false);
  });

  it('shows a placeholder while loading, and the error when the API fails', async () => {
    const { unmount } = await renderTab({ getVmMigrationStatus: never });
    expect(
      screen.queryByRole('region', { name: 'Stages' }),
    ).not.toBeInTheDocument();
    unmount();
    await renderTab({
      getVmMigrationStatus: async () => {
        throw new Error('permission denied: vmware2scw.plan.read');
      },
    });
    expect(
      await screen.findByText('Error: permission denied: vmware2scw.plan.read'),
    ).toBeInTheDocument();
  });

  it('offers the template when the VM was never migrated', async () => {
    await renderTab({ getVmMigrationStatus: async () => entityStatus() });
    expect(
      await screen.findByText('Not migrated yet: this VM is in no batch.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Migrate this VM with the template' }),
    ).toBeInTheDocument();
  });

  it('lays out every stage of the pipeline with its state, duration, runner and attempts', async () => {
    await renderTab({
      getVmMigrationStatus: async () => entityStatus(runningMigration),
      listMigrationEvents: async () => ({ items: events }),
    });
    const stages = await screen.findByRole('region', { name: 'Stages' });
    expect(within(stages).getAllByRole('row')).toHaveLength(11); // header + 10 Linux stages
    expect(rowOf('Snapshot')).toHaveTextContent('succeeded');
    expect(rowOf('Snapshot')).toHaveTextContent('8 s');
    expect(rowOf('Export')).toHaveTextContent('running');
    expect(rowOf('Export')).toHaveTextContent('runner-1');
    expect(rowOf('Convert')).toHaveTextContent('pending');
    expect(
      screen.getByRole('progressbar', { name: 'Export Hard disk 2' }),
    ).toHaveAttribute('aria-valuenow', '25');
  });

  it('lists who approved and retried, with the audit trail', async () => {
    await renderTab({
      getVmMigrationStatus: async () => entityStatus(runningMigration),
      listMigrationEvents: async () => ({ items: events }),
    });
    const section = await screen.findByRole('region', { name: 'Events' });
    expect(
      within(section).getByText(
        'Wave wave-1 approved by user:default/guest on 2026-11-20 09:59 UTC: “go for the web tier”',
      ),
    ).toBeInTheDocument();
    expect(
      await within(section).findByText('migration.retried'),
    ).toBeInTheDocument();
    expect(within(section).getByText('user:default/jane')).toBeInTheDocument();
    expect(
      within(section).getByText('web-prod-01 retried from convert'),
    ).toBeInTheDocument();
  });

  it('shows a failed stage with its attempts, error and remediation', async () => {
    await renderTab({
      getVmMigrationStatus: async () => entityStatus(failedMigration),
      listMigrationEvents: async () => ({ items: [] }),
    });
    await screen.findByRole('region', { name: 'Stages' });
    expect(rowOf('Convert')).toHaveTextContent('failed');
    expect(rowOf('Convert')).toHaveTextContent('2');
    expect(
      screen.getByText(
        'Convert: runner-1 has 3 GiB free, the qcow2 of Hard disk 1 needs 80 GiB (RUNNER_SCRATCH_FULL)',
      ),
    ).toBeInTheDocument();
    expect(rowOf('Export')).toHaveTextContent('120 GiB');
  });

  it('links what was created on Scaleway once done', async () => {
    await renderTab({
      getVmMigrationStatus: async () => entityStatus(succeededMigration),
      listMigrationEvents: async () => ({ items: events }),
    });
    const section = await screen.findByRole('region', { name: 'On Scaleway' });
    expect(section).toHaveTextContent(
      'snapshot 11111111-1111-4111-8111-111111111111 (fr-par-1)',
    );
    expect(section).toHaveTextContent(
      'image 22222222-2222-4222-8222-222222222222 (fr-par-1)',
    );
    const links = within(section).getAllByRole('link', {
      name: 'open in the Scaleway console',
    });
    expect(links.map(l => l.getAttribute('href'))).toEqual([
      'https://console.scaleway.com/block-storage/volumes',
      'https://console.scaleway.com/instance/images',
      'https://console.scaleway.com/instance/servers/fr-par-1/33333333-3333-4333-8333-333333333333/overview',
    ]);
  });
});

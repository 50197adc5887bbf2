import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../api';
import {
  batch,
  batchStatus,
  estimate,
  plans,
} from '../../__fixtures__/apiModels';
import { fakeVmware2scwApi, never } from '../../__fixtures__/fakeApi';
import { MigrationPage } from './MigrationPage';

const health = async () => ({
  status: 'ok' as const,
  version: '0.1.0',
  vcenters: 2,
  runners: 1,
  scaleway: { configured: false },
});

function renderPage(
  calls: Partial<Vmware2scwClientApi>,
  initialRouteEntries = ['/vmware2scw'],
) {
  return renderInTestApp(<MigrationPage />, {
    apis: [
      [
        vmware2scwApiRef,
        fakeVmware2scwApi({
          getHealth: health,
          queryVms: async () => ({ total: 54, vms: [], problems: [] }),
          ...calls,
        }),
      ],
      mockApis.permission(),
    ],
    initialRouteEntries,
  });
}

describe('MigrationPage', () => {
  it('says what the backend is connected to and lists the plans', async () => {
    await renderPage({ listPlans: async () => ({ items: plans }) });
    expect(
      await screen.findByText(
        /vmware2scw 0\.1\.0 · 2 vCenter\(s\) · 1 conversion runner\(s\) · Scaleway not configured/,
      ),
    ).toBeInTheDocument();
    const table = await screen.findByRole('region', { name: 'Plans' });
    expect(
      await within(table).findByRole('rowheader', { name: /^web-tier/ }),
    ).toBeInTheDocument();
    expect(table).toHaveTextContent('3 VMs in 2 wave(s)');
  });

  it('tells when there is no plan yet, and when plans cannot be read', async () => {
    const { unmount } = await renderPage({
      listPlans: async () => ({ items: [] }),
    });
    expect(
      await screen.findByText(
        'No plan yet: create one from filters or a YAML file.',
      ),
    ).toBeInTheDocument();
    unmount();
    await renderPage({
      listPlans: async () => {
        throw new Error('backend unreachable');
      },
    });
    expect(
      await screen.findByText('Error: backend unreachable'),
    ).toBeInTheDocument();
  });

  it('goes from a plan to its estimate', async () => {
    const estimatePlan = jest.fn(async () => estimate);
    await renderPage({
      listPlans: async () => ({ items: plans }),
      estimatePlan,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Estimate web-tier' }),
    );
    expect(await screen.findByText('Estimate of web-tier')).toBeInTheDocument();
    expect(estimatePlan).toHaveBeenCalledWith({ planId: 'plan-1' }, {});
    expect(
      await screen.findByRole('figure', { name: 'Monthly cost per wave' }),
    ).toBeInTheDocument();
  });

  it('starts a batch from a plan and opens it live', async () => {
    const startBatch = jest.fn(async () => batchStatus);
    await renderPage({
      listPlans: async () => ({ items: plans }),
      startBatch,
      listBatches: async () => ({ items: [batch] }),
      getBatchStatus: async () => batchStatus,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Start a batch of web-tier' }),
    );
    expect(startBatch).toHaveBeenCalledWith({
      planId: 'plan-1',
      dryRun: false,
    });
    expect(await screen.findByText('Batch of web-tier')).toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'Approve wave-2' }),
    ).toBeInTheDocument();
  });

  it('opens on the batch named in the URL', async () => {
    await renderPage(
      {
        listPlans: never,
        listBatches: async () => ({ items: [batch] }),
        getBatchStatus: async () => batchStatus,
      },
      ['/vmware2scw?tab=batches&batch=batch-1'],
    );
    expect(await screen.findByText('Batch of web-tier')).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Batches', selected: true }),
    ).toBeInTheDocument();
  });
});

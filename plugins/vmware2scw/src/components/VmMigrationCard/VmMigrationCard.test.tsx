import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, screen, within } from '@testing-library/react';
import {
  entitySignalChannel,
  STAGES,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../api';
import {
  assessment,
  entityStatus,
  failedMigration,
  runningMigration,
  succeededMigration,
  VM_REF,
} from '../../__fixtures__/apiModels';
import { fakeVmware2scwApi, never } from '../../__fixtures__/fakeApi';
import { FakeSignals } from '../../__fixtures__/fakeSignals';
import { vmEntity } from '../../__fixtures__/vmEntity';
import { POLL_WITHOUT_SIGNALS_MS } from '../../hooks/useLiveQuery';
import { vmMigrationCard } from '../../plugin';

function renderCard(
  calls: Partial<Vmware2scwClientApi>,
  signals?: FakeSignals,
) {
  const api = fakeVmware2scwApi(calls);
  const card = (
    <EntityProvider entity={vmEntity}>
      {createExtensionTester(vmMigrationCard).reactElement()}
    </EntityProvider>
  );
  return signals
    ? renderInTestApp(card, {
        apis: [
          [vmware2scwApiRef, api],
          [signalApiRef, signals],
        ],
      })
    : renderInTestApp(card, { apis: [[vmware2scwApiRef, api]] });
}

const section = (name: string) => screen.findByRole('region', { name });

describe('VM migration card', () => {
  it('shows the source facts at once, and placeholders while the API answers', async () => {
    await renderCard({ getVmAssessment: never, getVmMigrationStatus: never });
    expect(
      await screen.findByText('Migration to Scaleway: web-prod-01'),
    ).toBeInTheDocument();
    expect(screen.getByText('vc-paris / vm-1042')).toBeInTheDocument();
    expect(screen.getByText('BIOS')).toBeInTheDocument();
    expect(screen.getByText('120 GiB in 2 disks')).toBeInTheDocument();
    expect(screen.getByText('DC1 / prod-cluster')).toBeInTheDocument();
    expect(
      within(await section('Migration')).queryByText(/Not migrated yet/),
    ).not.toBeInTheDocument();
  });

  it('proposes a Scaleway type with its cost, reason and price date, and lists the concerns', async () => {
    await renderCard({
      getVmAssessment: async () => assessment,
      getVmMigrationStatus: async () => entityStatus(),
    });
    const proposal = await screen.findByRole('region', {
      name: 'Proposed on Scaleway',
    });
    await within(proposal).findByText('POP2-4C-16G');
    expect(proposal).toHaveTextContent('4 vCPU, 16 GiB · €119.84/month');
    expect(proposal).toHaveTextContent(
      'Sizing (exact, from allocated): Smallest type with at least 4 vCPU and 16 GiB.',
    );
    expect(proposal).toHaveTextContent(
      'offline price list of 2026-11-01 00:00 UTC, zone fr-par-1 (Scaleway credentials not configured)',
    );
    expect(proposal).toHaveTextContent('web-tier (wave wave-1) as POP2-4C-16G');

    const concerns = await section('Concerns (2)');
    expect(
      within(concerns).getByLabelText('warning: BIOS firmware'),
    ).toHaveTextContent(
      'Remediation: Nothing to do: ensure_uefi adds an EFI system partition.',
    );
    expect(
      within(concerns).getByLabelText('info: VMware Tools installed'),
    ).toBeInTheDocument();
  });

  it('offers the "Migrate a VM" template pre-filled with this VM when it was never migrated', async () => {
    await renderCard({
      getVmAssessment: async () => assessment,
      getVmMigrationStatus: async () => entityStatus(),
    });
    expect(
      await screen.findByText('Not migrated yet: this VM is in no batch.'),
    ).toBeInTheDocument();
    const link = screen.getByRole('link', {
      name: 'Migrate this VM with the template',
    });
    const href = new URL(link.getAttribute('href')!, 'http://app');
    expect(href.pathname).toBe(
      '/create/templates/default/migrate-vm-to-scaleway',
    );
    expect(JSON.parse(href.searchParams.get('formData')!)).toEqual({
      vm: VM_REF,
    });
  });

  it('says what failed when the API refuses', async () => {
    await renderCard({
      getVmAssessment: async () => {
        throw new Error('VM has no inventory in the catalog');
      },
      getVmMigrationStatus: async () => {
        throw new Error('backend unreachable');
      },
    });
    expect(
      await screen.findByText('Error: VM has no inventory in the catalog'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Error: backend unreachable'),
    ).toBeInTheDocument();
  });

  it('shows the running stage with a bar per disk, its rate and ETA', async () => {
    await renderCard({
      getVmAssessment: async () => assessment,
      getVmMigrationStatus: async () => entityStatus(runningMigration),
    });
    const migration = await section('Migration');
    expect(
      await within(migration).findByText('Stage 3 of 10: Export'),
    ).toBeInTheDocument();
    expect(migration).toHaveTextContent(
      'Batch web-tier, wave wave-1 (running) → POP2-4C-16G in fr-par-1',
    );
    const disk1 = within(migration).getByRole('progressbar', {
      name: 'Export Hard disk 1',
    });
    expect(disk1).toHaveAttribute('aria-valuenow', '38');
    expect(migration).toHaveTextContent('30.0 GiB of 80.0 GiB (37%)');
    expect(migration).toHaveTextContent('10.0 GiB of 40.0 GiB (25%)');
    expect(migration).toHaveTextContent(
      'NFC download · 100 MiB/s · ETA 13 min 40 s',
    );
  });

  it('moves the bars from signals without refetching, and refetches when the state changes', async () => {
    const signals = new FakeSignals();
    const getVmMigrationStatus = jest
      .fn<Promise<ApiModel.EntityMigrationStatus>, []>()
      .mockResolvedValue(entityStatus(runningMigration));
    await renderCard(
      { getVmAssessment: async () => assessment, getVmMigrationStatus },
      signals,
    );
    const migration = await section('Migration');
    await within(migration).findByText('Stage 3 of 10: Export');
    const channel = entitySignalChannel(VM_REF);
    expect(signals.subscriberCount(channel)).toBe(1);

    act(() =>
      signals.emit(channel, {
        kind: 'migration',
        batchId: 'batch-1',
        migrationId: 'mig-1',
        entityRef: VM_REF,
        state: 'running',
        stage: STAGES.export.id,
        progress: {
          disks: [
            {
              disk: 'Hard disk 1',
              bytesDone: 60 * 2 ** 30,
              bytesTotal: 80 * 2 ** 30,
            },
            {
              disk: 'Hard disk 2',
              bytesDone: 40 * 2 ** 30,
              bytesTotal: 40 * 2 ** 30,
            },
          ],
          updatedAt: '2026-11-20T10:06:00Z',
        },
      }),
    );
    expect(
      within(migration).getByRole('progressbar', {
        name: 'Export Hard disk 1',
      }),
    ).toHaveAttribute('aria-valuenow', '75');
    expect(getVmMigrationStatus).toHaveBeenCalledTimes(1);

    getVmMigrationStatus.mockResolvedValue(entityStatus(failedMigration));
    act(() =>
      signals.emit(channel, {
        kind: 'migration',
        batchId: 'batch-1',
        migrationId: 'mig-1',
        entityRef: VM_REF,
        state: 'failed',
      }),
    );
    expect(await within(migration).findByText('failed')).toBeInTheDocument();
    expect(getVmMigrationStatus).toHaveBeenCalledTimes(2);
  });

  it('polls while the migration runs when signals are not installed', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const getVmMigrationStatus = jest
        .fn<Promise<ApiModel.EntityMigrationStatus>, []>()
        .mockResolvedValueOnce(entityStatus(runningMigration))
        .mockResolvedValue(entityStatus(succeededMigration));
      await renderCard({
        getVmAssessment: async () => assessment,
        getVmMigrationStatus,
      });
      const migration = await section('Migration');
      await within(migration).findByText('Stage 3 of 10: Export');
      await act(async () => {
        jest.advanceTimersByTime(POLL_WITHOUT_SIGNALS_MS);
      });
      expect(
        await within(migration).findByText('succeeded'),
      ).toBeInTheDocument();
      // Done: nothing can change any more, polling stops.
      await act(async () => {
        jest.advanceTimersByTime(POLL_WITHOUT_SIGNALS_MS * 3);
      });
      expect(getVmMigrationStatus).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows the last error with its remediation when the migration failed', async () => {
    await renderCard({
      getVmAssessment: async () => assessment,
      getVmMigrationStatus: async () => entityStatus(failedMigration),
    });
    const migration = await section('Migration');
    expect(
      await within(migration).findByText(
        'Last error: runner-1 has 3 GiB free, the qcow2 of Hard disk 1 needs 80 GiB (RUNNER_SCRATCH_FULL)',
      ),
    ).toBeInTheDocument();
    expect(migration).toHaveTextContent(
      'Remediation: Free scratch space on runner-1 or add a runner, then retry the VM.',
    );
    expect(
      within(migration).queryByRole('progressbar'),
    ).not.toBeInTheDocument();
  });

  it('links the Scaleway server once the migration is done', async () => {
    await renderCard({
      getVmAssessment: async () => assessment,
      getVmMigrationStatus: async () => entityStatus(succeededMigration),
    });
    const link = await screen.findByRole('link', {
      name: 'server 33333333-3333-4333-8333-333333333333 in the Scaleway console',
    });
    expect(link).toHaveAttribute(
      'href',
      'https://console.scaleway.com/instance/servers/fr-par-1/33333333-3333-4333-8333-333333333333/overview',
    );
    expect(await section('Migration')).toHaveTextContent(
      'Migrated on 2026-11-20 11:30 UTC',
    );
  });

  it('is offered only for virtual-machine resources', () => {
    const tester = createExtensionTester(vmMigrationCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(vmEntity)).toBe(true);
    expect(filter?.({ ...vmEntity, spec: { type: 'database' } })).toBe(false);
    expect(filter?.({ ...vmEntity, kind: 'Component' })).toBe(false);
  });
});

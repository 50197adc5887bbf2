import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  batchSignalChannel,
  STAGES,
  waveApprovePermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../../api';
import {
  awaitingWave,
  batch,
  batchStatus,
  runningMigration,
  runningWave,
} from '../../../__fixtures__/apiModels';
import { fakeVmware2scwApi, never } from '../../../__fixtures__/fakeApi';
import { FakeSignals } from '../../../__fixtures__/fakeSignals';
import { BatchView } from './BatchView';
import { withFreshPermissionCache } from '../../../__testUtils__/freshPermissionCache';

function renderBatch(
  calls: Partial<Vmware2scwClientApi>,
  options: { approve?: boolean; signals?: FakeSignals } = {},
) {
  const permission = mockApis.permission({
    authorize: req =>
      req.permission.name === waveApprovePermission.name &&
      options.approve === false
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
  });
  return renderInTestApp(
    withFreshPermissionCache(<BatchView batchId="batch-1" />),
    {
      apis: [
        [vmware2scwApiRef, fakeVmware2scwApi(calls)],
        permission,
        [signalApiRef, options.signals ?? new FakeSignals()],
      ],
    },
  );
}

const waveSection = (name: string) => screen.findByRole('region', { name });

describe('BatchView', () => {
  it('shows nothing but a placeholder while loading, and the error when the batch cannot be read', async () => {
    const { unmount } = await renderBatch({ getBatchStatus: never });
    expect(screen.queryByText(/Batch of/)).not.toBeInTheDocument();
    unmount();
    await renderBatch({
      getBatchStatus: async () => {
        throw new Error('batch batch-1 not found');
      },
    });
    expect(
      await screen.findByText('Error: batch batch-1 not found'),
    ).toBeInTheDocument();
  });

  it('counts VMs per state and lists each wave’s VMs with stage and progress', async () => {
    await renderBatch({ getBatchStatus: async () => batchStatus });
    expect(await screen.findByText('Batch of web-tier')).toBeInTheDocument();
    expect(
      screen.getByRole('status', { name: 'Counts of the batch' }),
    ).toHaveTextContent('3 VMs: 1 queued, 1 running, 1 failed');
    const wave1 = await waveSection('Wave 1: wave-1');
    expect(wave1).toHaveTextContent(
      'approved by user:default/guest on 2026-11-20 09:59 UTC: “go for the web tier”',
    );
    const row = within(wave1)
      .getByRole('rowheader', { name: /^web-prod-01/ })
      .closest('[role="row"]') as HTMLElement;
    expect(row).toHaveTextContent('Stage 3 of 10: Export');
    // Export is stage 3 of 10 and its disks are 40 of 120 GiB done: (2 + 1/3) / 10.
    expect(
      within(row).getByRole('progressbar', { name: 'web-prod-01 progress' }),
    ).toHaveAttribute('aria-valuenow', '23');
    const failedRow = within(wave1)
      .getByRole('rowheader', { name: /^web-prod-02/ })
      .closest('[role="row"]') as HTMLElement;
    expect(failedRow).toHaveTextContent('failed');
    expect(failedRow).toHaveTextContent('needs 80 GiB');
  });

  it('approves an awaiting wave with a comment, then shows it again from the API', async () => {
    const approveWave = jest.fn(async () => ({
      ...awaitingWave,
      state: 'running' as const,
    }));
    const getBatchStatus = jest
      .fn<Promise<ApiModel.BatchStatus>, []>()
      .mockResolvedValueOnce(batchStatus)
      .mockResolvedValue({
        ...batchStatus,
        waves: [runningWave, { ...awaitingWave, state: 'running' }],
      });
    await renderBatch({ getBatchStatus, approveWave });
    const wave2 = await waveSection('Wave 2: wave-2');
    await userEvent.type(within(wave2).getByLabelText('Comment'), 'ok');
    await userEvent.click(
      within(wave2).getByRole('button', { name: 'Approve wave-2' }),
    );
    expect(approveWave).toHaveBeenCalledWith(
      { waveId: 'wave-2' },
      { comment: 'ok' },
    );
    await waitFor(() =>
      expect(
        within(wave2).queryByRole('button', { name: 'Approve wave-2' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      within(wave2).getByRole('button', { name: 'Pause wave-2' }),
    ).toBeEnabled();
    expect(getBatchStatus).toHaveBeenCalledTimes(2);
  });

  it('shows approve and reject disabled to someone without vmware2scw.wave.approve on the wave', async () => {
    await renderBatch(
      { getBatchStatus: async () => batchStatus },
      { approve: false },
    );
    const wave2 = await waveSection('Wave 2: wave-2');
    await waitFor(() =>
      expect(
        within(wave2).getByRole('button', { name: 'Approve wave-2' }),
      ).toBeDisabled(),
    );
    expect(
      within(wave2).getByRole('button', { name: 'Reject wave-2' }),
    ).toBeDisabled();
    expect(wave2).toHaveTextContent(
      'Approving this wave needs vmware2scw.wave.approve on it',
    );
    // Pausing the running wave is vmware2scw.batch.run, which this user has.
    const wave1 = await waveSection('Wave 1: wave-1');
    expect(
      within(wave1).getByRole('button', { name: 'Pause wave-1' }),
    ).toBeEnabled();
  });

  it('retries a failed VM and cancels a queued one', async () => {
    const retryMigration = jest.fn(async () => runningMigration);
    const cancelMigration = jest.fn(async () => runningMigration);
    await renderBatch({
      getBatchStatus: async () => batchStatus,
      retryMigration,
      cancelMigration,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Retry web-prod-02' }),
    );
    expect(retryMigration).toHaveBeenCalledWith({ migrationId: 'mig-2' });
    await userEvent.click(
      screen.getByRole('button', { name: 'Cancel web-prod-03' }),
    );
    expect(cancelMigration).toHaveBeenCalledWith({ migrationId: 'mig-3' });
    expect(
      screen.queryByRole('button', { name: 'Retry web-prod-01' }),
    ).not.toBeInTheDocument();
  });

  it('says why an action failed, with the remediation the backend gave', async () => {
    await renderBatch({
      getBatchStatus: async () => batchStatus,
      pauseWave: async () => {
        throw Object.assign(new Error('Conflict'), {
          body: {
            error: {
              name: 'ConflictError',
              message: 'wave wave-1 is completed',
              code: 'WAVE_NOT_RUNNING',
              remediation: 'Only a running wave can be paused.',
            },
            response: { statusCode: 409 },
          },
        });
      },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Pause wave-1' }),
    );
    expect(
      await screen.findByText(
        'pause wave-1 failed: wave wave-1 is completed (WAVE_NOT_RUNNING)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Remediation: Only a running wave can be paused.'),
    ).toBeInTheDocument();
  });

  it('moves a VM’s bar from signals and refetches when a VM changes state', async () => {
    const signals = new FakeSignals();
    const getBatchStatus = jest
      .fn<Promise<ApiModel.BatchStatus>, []>()
      .mockResolvedValue(batchStatus);
    await renderBatch({ getBatchStatus }, { signals });
    const bar = await screen.findByRole('progressbar', {
      name: 'web-prod-01 progress',
    });
    act(() =>
      signals.emit(batchSignalChannel('batch-1'), {
        kind: 'migration',
        batchId: 'batch-1',
        migrationId: 'mig-1',
        state: 'running',
        stage: STAGES.export.id,
        progress: {
          disks: [
            {
              disk: 'Hard disk 1',
              bytesDone: 80 * 2 ** 30,
              bytesTotal: 80 * 2 ** 30,
            },
            {
              disk: 'Hard disk 2',
              bytesDone: 40 * 2 ** 30,
              bytesTotal: 40 * 2 ** 30,
            },
          ],
        },
      }),
    );
    expect(bar).toHaveAttribute('aria-valuenow', '30');
    expect(getBatchStatus).toHaveBeenCalledTimes(1);
    act(() =>
      signals.emit(batchSignalChannel('batch-1'), {
        kind: 'migration',
        batchId: 'batch-1',
        migrationId: 'mig-3',
        state: 'running',
      }),
    );
    await waitFor(() => expect(getBatchStatus).toHaveBeenCalledTimes(2));
  });

  it('downloads the report and shows dry-run results', async () => {
    const createObjectURL = jest.fn(() => 'blob:report');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const getBatchReport = jest.fn(async () => '# Batch web-tier\n');
    await renderBatch({
      getBatchReport,
      getBatchStatus: async () => ({
        batch: { ...batch, dryRun: true, state: 'succeeded' },
        waves: [],
        migrations: [],
        dryRun: {
          ok: false,
          checkedAt: '2026-11-20T09:00:00Z',
          services: [
            {
              check: 'vcenter:vc-paris',
              ok: true,
              message: 'reachable, 7.0.3',
            },
            {
              check: 'runner:runner-1',
              ok: false,
              message: 'connection refused',
              remediation: 'Start the conversion runner on runner-1.',
            },
          ],
          vms: [
            {
              vmName: 'web-prod-01',
              entityRef: 'resource:default/web-prod-01',
              ok: true,
              targetType: 'POP2-4C-16G',
              checks: [
                { check: 'concerns', ok: true, message: 'no critical concern' },
              ],
              stages: [STAGES.validate.id, STAGES.snapshot.id],
            },
          ],
        },
      }),
    });
    expect(await screen.findByText('Dry run of web-tier')).toBeInTheDocument();
    const dry = screen.getByRole('region', { name: 'Dry run' });
    expect(dry).toHaveTextContent('Some checks failed');
    expect(dry).toHaveTextContent(
      'Remediation: Start the conversion runner on runner-1.',
    );
    expect(
      within(dry).getByRole('group', { name: 'Dry run of web-prod-01' }),
    ).toHaveTextContent('Would run: Validate → Snapshot');
    await userEvent.click(
      screen.getByRole('button', { name: 'Download report' }),
    );
    expect(getBatchReport).toHaveBeenCalledWith({ batchId: 'batch-1' });
    expect(createObjectURL).toHaveBeenCalledTimes(1);
  });
});

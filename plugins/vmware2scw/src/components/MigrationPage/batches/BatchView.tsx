import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { Button, Flex, Skeleton, Text } from '@backstage/ui';
import {
  batchRunPermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef } from '../../../api';
import { formatTimestamp } from '../../../format/quantities';
import { useApiAction } from '../../../hooks/useApiAction';
import { useBatchStatus } from '../../../hooks/useBatchStatus';
import { downloadText } from '../../../links/downloadText';
import { ActionError } from '../../shared/ActionError';
import { StateLabel } from '../../shared/StateLabel';
import { DryRunResults } from './DryRunResults';
import { StateCounts } from './StateCounts';
import { WaveMigrationTable } from './WaveMigrationTable';
import { WaveSection, type WaveDecision } from './WaveSection';

/**
 * One batch, live: its state and counts, each wave with its approvals and controls, the table of VMs with
 * stage and progress, retry/cancel per VM, resume/cancel of the batch, the report, dry-run results.
 */
export function BatchView(props: { batchId: string }) {
  const api = useApi(vmware2scwApiRef);
  const status = useBatchStatus(props.batchId);
  const action = useApiAction(status.refresh);
  const run = usePermission({ permission: batchRunPermission });

  if (status.loading) return <Skeleton width="100%" height={240} />;
  if (!status.value)
    return status.error ? <ResponseErrorPanel error={status.error} /> : null;

  const { batch, waves, migrations } = status.value;
  const busy = action.pending !== undefined;
  const decide = (wave: ApiModel.Wave, d: WaveDecision, comment?: string) =>
    action.run(`${d} ${wave.name}`, () => {
      const path = { waveId: wave.id };
      switch (d) {
        case 'approve':
          return api.approveWave(path, { comment });
        case 'reject':
          return api.rejectWave(path, { comment });
        case 'pause':
          return api.pauseWave(path);
        default:
          return api.resumeWave(path);
      }
    });
  const report = () =>
    action.run('Download report', async () =>
      downloadText(
        `${batch.planName}-${batch.id}.md`,
        await api.getBatchReport({ batchId: batch.id }),
        'text/markdown',
      ),
    );
  const inWave = (waveId: string) =>
    migrations.filter(m => m.waveId === waveId);
  const unwaved = migrations.filter(
    m => !m.waveId || !waves.some(w => w.id === m.waveId),
  );
  const table = (ms: ApiModel.Migration[]) => (
    <WaveMigrationTable
      migrations={ms}
      signalled={status.signalled}
      busy={busy}
      onRetry={m =>
        action.run(`Retry ${m.vmName}`, () =>
          api.retryMigration({ migrationId: m.id }),
        )
      }
      onCancel={m =>
        action.run(`Cancel ${m.vmName}`, () =>
          api.cancelMigration({ migrationId: m.id }),
        )
      }
    />
  );

  return (
    <Flex direction="column" gap="3">
      {status.error && <ResponseErrorPanel error={status.error} />}
      <Flex gap="3" align="center" style={{ flexWrap: 'wrap' }}>
        <Text as="h3" variant="title-small">
          {batch.dryRun ? 'Dry run' : 'Batch'} of {batch.planName}
        </Text>
        <StateLabel state={batch.state} />
        <StateCounts counts={batch.counts} label="Counts of the batch" />
      </Flex>
      <Text variant="body-small" color="secondary">
        {batch.id} · started by {batch.createdBy} on{' '}
        {formatTimestamp(batch.createdAt)}
        {batch.finishedAt && ` · finished ${formatTimestamp(batch.finishedAt)}`}
        {!status.signalsAvailable && ' · live updates by polling'}
      </Text>
      <Flex gap="2">
        {(batch.state === 'failed' || batch.state === 'cancelled') && (
          <Button
            variant="primary"
            isDisabled={busy || !run.allowed}
            onPress={() =>
              action.run('Resume batch', () =>
                api.resumeBatch({ batchId: batch.id }),
              )
            }
          >
            Resume batch
          </Button>
        )}
        {batch.state === 'running' && !batch.dryRun && (
          <Button
            variant="secondary"
            destructive
            isDisabled={busy || !run.allowed}
            onPress={() =>
              action.run('Cancel batch', () =>
                api.cancelBatch({ batchId: batch.id }),
              )
            }
          >
            Cancel batch
          </Button>
        )}
        <Button variant="secondary" isDisabled={busy} onPress={report}>
          Download report
        </Button>
      </Flex>
      <ActionError error={action.error} />
      {status.value.dryRun && <DryRunResults report={status.value.dryRun} />}
      {waves.map(w => (
        <WaveSection
          key={w.id}
          wave={w}
          busy={busy}
          onDecision={(d, comment) => decide(w, d, comment)}
        >
          {table(inWave(w.id))}
        </WaveSection>
      ))}
      {unwaved.length > 0 && table(unwaved)}
    </Flex>
  );
}

import { Flex, Link, Text } from '@backstage/ui';
import {
  STAGES,
  type ApiModel,
  type Vmware2scwSignal,
} from '@internal/plugin-vmware2scw-common';
import { formatTimestamp } from '../../format/quantities';
import { scalewayResourcesOf } from '../../links/scalewayConsole';
import { DiskProgress, fresherProgress } from '../shared/DiskProgress';
import { ErrorWithRemediation } from '../shared/ErrorWithRemediation';
import { currentStageRun, stagePositionText } from '../shared/StagePosition';
import { StateLabel } from '../shared/StateLabel';

/**
 * The VM's latest migration in a few lines: state, batch and wave, the current stage with a bar per disk
 * (moved by signals between fetches), the last error with its remediation, the Scaleway server once made.
 */
export function MigrationSummary(props: {
  status: ApiModel.EntityMigrationStatus;
  lastSignal?: Vmware2scwSignal;
  batchLink?: (batchId: string) => string;
}) {
  const { status, lastSignal, batchLink } = props;
  const m = status.migration;
  if (!m) {
    return (
      <Text color="secondary">Not migrated yet: this VM is in no batch.</Text>
    );
  }
  const run = currentStageRun(m);
  const signalled =
    lastSignal?.migrationId === m.id && lastSignal.stage === m.currentStage
      ? lastSignal.progress
      : undefined;
  const progress =
    run?.state === 'running'
      ? fresherProgress(run.progress, signalled)
      : undefined;
  const server = scalewayResourcesOf(m).find(r => r.kind === 'server');
  const batchName = status.batch?.planName ?? m.batchId;
  return (
    <Flex direction="column" gap="2">
      <Flex gap="3" align="center">
        <StateLabel state={m.state} />
        <Text>{stagePositionText(m)}</Text>
      </Flex>
      <Text variant="body-small">
        Batch{' '}
        {batchLink ? (
          <Link href={batchLink(m.batchId)}>{batchName}</Link>
        ) : (
          batchName
        )}
        {m.waveName && `, wave ${m.waveName}`}
        {status.wave && ` (${status.wave.state.replace(/_/g, ' ')})`}
        {m.targetType && ` → ${m.targetType} in ${m.zone}`}
      </Text>
      {progress && m.currentStage && (
        <DiskProgress
          progress={progress}
          stageTitle={STAGES[m.currentStage]?.title ?? m.currentStage}
        />
      )}
      {m.lastError && m.state !== 'succeeded' && (
        <ErrorWithRemediation error={m.lastError} />
      )}
      {m.state === 'succeeded' && (
        <Text variant="body-small">
          Migrated
          {m.finishedAt && ` on ${formatTimestamp(m.finishedAt)}`}
          {server && (
            <>
              {': '}
              <Link href={server.url} target="_blank" rel="noopener">
                server {server.id} in the Scaleway console
              </Link>
            </>
          )}
        </Text>
      )}
    </Flex>
  );
}

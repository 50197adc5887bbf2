import { Box, Flex, Text } from '@backstage/ui';
import LinearProgress from '@material-ui/core/LinearProgress';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import {
  formatBytes,
  formatDuration,
  formatRate,
} from '../../format/quantities';

function percentOf(disk: ApiModel.DiskProgress): number | undefined {
  if (!disk.bytesTotal) return undefined;
  return Math.min(100, (disk.bytesDone / disk.bytesTotal) * 100);
}

/** The running stage's progress: one bar per disk (bytes done of total), the rate and the ETA. */
export function DiskProgress(props: {
  progress: ApiModel.StageProgress;
  stageTitle: string;
}) {
  const { progress, stageTitle } = props;
  const facts = [
    progress.phase,
    progress.bytesPerSecond !== undefined
      ? formatRate(progress.bytesPerSecond)
      : undefined,
    progress.etaSeconds !== undefined
      ? `ETA ${formatDuration(progress.etaSeconds)}`
      : undefined,
  ].filter(Boolean);
  return (
    <Flex direction="column" gap="2">
      {progress.disks.map(disk => {
        const percent = percentOf(disk);
        const label = `${stageTitle} ${disk.disk}`;
        return (
          <Box key={disk.disk}>
            <Flex justify="between">
              <Text variant="body-small">{disk.disk}</Text>
              <Text variant="body-small">
                {formatBytes(disk.bytesDone)}
                {disk.bytesTotal !== undefined &&
                  ` of ${formatBytes(disk.bytesTotal)}`}
                {percent !== undefined && ` (${Math.floor(percent)}%)`}
              </Text>
            </Flex>
            <LinearProgress
              aria-label={label}
              variant={percent === undefined ? 'indeterminate' : 'determinate'}
              value={percent}
            />
          </Box>
        );
      })}
      {facts.length > 0 && (
        <Text variant="body-small" color="secondary">
          {facts.join(' · ')}
        </Text>
      )}
    </Flex>
  );
}

/**
 * The newer of two progress reports of the same stage: a signal can carry progress fresher than the last
 * fetch, or older (delivered late); `updatedAt` decides, the signal wins when it has no date.
 */
export function fresherProgress(
  fetched: ApiModel.StageProgress | undefined,
  signalled: ApiModel.StageProgress | undefined,
): ApiModel.StageProgress | undefined {
  if (!signalled) return fetched;
  if (!fetched) return signalled;
  if (signalled.updatedAt && fetched.updatedAt)
    return signalled.updatedAt >= fetched.updatedAt ? signalled : fetched;
  return signalled;
}

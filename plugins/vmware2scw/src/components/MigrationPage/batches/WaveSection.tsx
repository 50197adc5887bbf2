import { useState } from 'react';
import { usePermission } from '@backstage/plugin-permission-react';
import { Button, Flex, Text, TextField } from '@backstage/ui';
import {
  batchRunPermission,
  waveApprovePermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { formatTimestamp } from '../../../format/quantities';
import { Section } from '../../shared/Section';
import { StateLabel } from '../../shared/StateLabel';
import { StateCounts } from './StateCounts';

export type WaveDecision = 'approve' | 'reject' | 'pause' | 'resume';

/**
 * One wave: its state and approvals; approve/reject while it awaits approval (enabled by
 * vmware2scw.wave.approve on this wave), pause/resume while it runs or is paused (vmware2scw.batch.run).
 */
export function WaveSection(props: {
  wave: ApiModel.Wave;
  busy: boolean;
  onDecision: (decision: WaveDecision, comment?: string) => void;
  children: React.ReactNode;
}) {
  const { wave } = props;
  const [comment, setComment] = useState('');
  const approve = usePermission({
    permission: waveApprovePermission,
    resourceRef: wave.id,
  });
  const run = usePermission({ permission: batchRunPermission });
  const awaiting = wave.state === 'awaiting_approval';
  return (
    <Section title={`Wave ${wave.position + 1}: ${wave.name}`}>
      <Flex direction="column" gap="2">
        <Flex gap="3" align="center">
          <StateLabel state={wave.state} />
          {wave.pausedReason && (
            <Text variant="body-small">({wave.pausedReason})</Text>
          )}
          <StateCounts counts={wave.counts} label={`Counts of ${wave.name}`} />
          <Text variant="body-small" color="secondary">
            after it: {wave.pauseAfter.replace(/_/g, ' ')}
          </Text>
        </Flex>
        {wave.approvals.map(a => (
          <Text key={`${a.by}:${a.at}`} variant="body-small">
            {a.decision} by {a.by} on {formatTimestamp(a.at)}
            {a.comment && `: “${a.comment}”`}
          </Text>
        ))}
        {awaiting && (
          <Flex gap="2" align="end">
            <TextField
              label="Comment"
              value={comment}
              onChange={setComment}
              isDisabled={!approve.allowed}
            />
            <Button
              variant="primary"
              isDisabled={props.busy || !approve.allowed}
              onPress={() => props.onDecision('approve', comment || undefined)}
            >
              Approve {wave.name}
            </Button>
            <Button
              variant="secondary"
              destructive
              isDisabled={props.busy || !approve.allowed}
              onPress={() => props.onDecision('reject', comment || undefined)}
            >
              Reject {wave.name}
            </Button>
          </Flex>
        )}
        {awaiting && !approve.loading && !approve.allowed && (
          <Text variant="body-small" color="secondary">
            Approving this wave needs vmware2scw.wave.approve on it (the
            platform team).
          </Text>
        )}
        {wave.state === 'running' && (
          <Flex>
            <Button
              variant="secondary"
              isDisabled={props.busy || !run.allowed}
              onPress={() => props.onDecision('pause')}
            >
              Pause {wave.name}
            </Button>
          </Flex>
        )}
        {wave.state === 'paused' && (
          <Flex>
            <Button
              variant="primary"
              isDisabled={props.busy || !run.allowed}
              onPress={() => props.onDecision('resume')}
            >
              Resume {wave.name}
            </Button>
          </Flex>
        )}
        {props.children}
      </Flex>
    </Section>
  );
}

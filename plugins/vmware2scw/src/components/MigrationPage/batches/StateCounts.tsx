import { Flex, Text } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

const ORDER: (keyof Omit<ApiModel.MigrationCounts, 'total'>)[] = [
  'pending',
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
];

/** "3 VMs: 1 running, 1 queued, 1 failed" (states with no VM left out). */
export function countsText(c: ApiModel.MigrationCounts): string {
  const parts = ORDER.filter(s => c[s] > 0).map(s => `${c[s]} ${s}`);
  return `${c.total} VM${c.total === 1 ? '' : 's'}${
    parts.length ? `: ${parts.join(', ')}` : ''
  }`;
}

export function StateCounts(props: {
  counts: ApiModel.MigrationCounts;
  label: string;
}) {
  return (
    <Flex aria-label={props.label} role="status">
      <Text>{countsText(props.counts)}</Text>
    </Flex>
  );
}

import { Flex, Text, TextAreaField } from '@backstage/ui';
import { VM_FILTER_KINDS } from '@internal/plugin-vmware2scw-common';
import { ProblemList } from './ProblemList';
import type { useVmMatches } from '../../hooks/useVmMatches';

function countText(loading: boolean, count: number | undefined): string {
  if (loading) return 'Counting matching VMs…';
  if (count === undefined) return 'Fix the filters to count matching VMs';
  return `${count} VM${count === 1 ? '' : 's'} match`;
}

/**
 * The old tool's filters, one `kind:value` per line (ANDed), with the live count of matching VMs and
 * each problem where it is.
 */
export function VmFilterInput(props: {
  text: string;
  onChange: (text: string) => void;
  matches: ReturnType<typeof useVmMatches>;
  label?: string;
}) {
  const { matches } = props;
  const count = matches.result?.total;
  return (
    <Flex direction="column" gap="2">
      <TextAreaField
        label={props.label ?? 'VM filters'}
        description={`One per line, all must match: ${VM_FILTER_KINDS.map(
          k => `${k}:`,
        ).join(' ')} (e.g. os:linux, name:web-*). None: every VM.`}
        value={props.text}
        onChange={props.onChange}
        rows={4}
      />
      <Text aria-live="polite" weight="bold">
        {countText(matches.loading, count)}
      </Text>
      {matches.error && (
        <Text color="danger">Count failed: {matches.error.message}</Text>
      )}
      <ProblemList problems={matches.problems} />
    </Flex>
  );
}

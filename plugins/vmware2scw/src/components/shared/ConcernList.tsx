import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { Flex, Text } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

const SEVERITY_ORDER: Record<ApiModel.Concern['severity'], number> = {
  critical: 0,
  warning: 1,
  info: 2,
};

const LIST_STYLE = {
  display: 'flex',
  flexDirection: 'column',
  gap: 'var(--bui-space-2)',
  paddingLeft: 0,
  margin: 0,
  listStyle: 'none',
} as const;

function SeverityLabel(props: { severity: ApiModel.Concern['severity'] }) {
  if (props.severity === 'critical') return <StatusError>critical</StatusError>;
  if (props.severity === 'warning')
    return <StatusWarning>warning</StatusWarning>;
  return <StatusOK>info</StatusOK>;
}

/** Concerns of a VM, most severe first, each with what it means and what to do. */
export function ConcernList(props: { concerns: ApiModel.Concern[] }) {
  if (props.concerns.length === 0)
    return (
      <Text color="secondary">
        No concerns: nothing blocks or risks this migration.
      </Text>
    );
  const sorted = [...props.concerns].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  return (
    <ul aria-label="Concerns" style={LIST_STYLE}>
      {sorted.map(c => (
        <li
          key={`${c.ruleId}:${c.subject ?? ''}`}
          aria-label={`${c.severity}: ${c.label}`}
        >
          <Flex gap="2" align="center">
            <SeverityLabel severity={c.severity} />
            <Text weight="bold">
              {c.label}
              {c.subject && ` (${c.subject})`}
            </Text>
          </Flex>
          <Text as="p" variant="body-small">
            {c.assessment}
          </Text>
          <Text as="p" variant="body-small" color="secondary">
            Remediation: {c.remediation}
          </Text>
        </li>
      ))}
    </ul>
  );
}

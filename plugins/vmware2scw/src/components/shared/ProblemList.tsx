import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { Text } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

/** Where a problem is: `line 12, column 5 (waves[0].vms[3])`. */
export function problemLocation(p: ApiModel.Problem): string {
  const at = [
    p.line !== undefined ? `line ${p.line}` : undefined,
    p.column !== undefined ? `column ${p.column}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return [at, p.field ? `(${p.field})` : undefined].filter(Boolean).join(' ');
}

function SeverityIcon(props: { severity: ApiModel.Problem['severity'] }) {
  if (props.severity === 'error') return <StatusError>error</StatusError>;
  if (props.severity === 'warning')
    return <StatusWarning>warning</StatusWarning>;
  return <StatusOK>info</StatusOK>;
}

/** Problems of user input (a plan, filters), each with where it is and what to do. */
export function ProblemList(props: { problems: ApiModel.Problem[] }) {
  if (props.problems.length === 0) return null;
  return (
    <ul aria-label="Problems" style={{ paddingLeft: 0, listStyle: 'none' }}>
      {props.problems.map((p, i) => (
        <li key={`${p.code}:${p.line ?? ''}:${p.column ?? ''}:${i}`}>
          <SeverityIcon severity={p.severity} />{' '}
          <Text weight="bold">{problemLocation(p) || p.code}</Text>{' '}
          <Text>{p.message}</Text>
          {p.suggestion && <Text> Did you mean {p.suggestion}?</Text>}
          <Text as="p" variant="body-small" color="secondary">
            Remediation: {p.remediation}
          </Text>
        </li>
      ))}
    </ul>
  );
}

import { Alert } from '@backstage/ui';
import type { ApiErrorView } from '../../format/apiError';
import { ProblemList } from './ProblemList';

/** The error of an action the user just took, with the backend's remediation. */
export function ActionError(props: {
  error?: ApiErrorView & { action?: string };
}) {
  const { error } = props;
  if (!error) return null;
  return (
    <Alert
      status="danger"
      icon
      title={`${error.action ? `${error.action} failed: ` : ''}${
        error.message
      }${error.code ? ` (${error.code})` : ''}`}
      description={
        <>
          {error.remediation && `Remediation: ${error.remediation}`}
          <ProblemList problems={error.problems} />
        </>
      }
    />
  );
}

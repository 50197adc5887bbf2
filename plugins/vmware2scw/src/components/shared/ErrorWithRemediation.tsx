import { Alert } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

/** A stored failure (stage run or migration): what went wrong and what to do about it. */
export function ErrorWithRemediation(props: {
  error: ApiModel.ErrorBody;
  title?: string;
}) {
  const { error } = props;
  return (
    <Alert
      status="danger"
      icon
      title={`${props.title ?? 'Last error'}: ${error.message} (${error.code})`}
      description={`Remediation: ${error.remediation}`}
    />
  );
}

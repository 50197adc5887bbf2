import { useApi } from '@backstage/frontend-plugin-api';
import { Text } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { vmware2scwApiRef } from '../../api';

/** One line on what the backend is connected to: vCenters, runners, Scaleway or the offline prices. */
export function BackendSummary() {
  const api = useApi(vmware2scwApiRef);
  const { value, error } = useAsync(() => api.getHealth(), [api]);
  if (error)
    return (
      <Text color="danger">
        vmware2scw backend unreachable: {error.message}
      </Text>
    );
  if (!value) return null;
  return (
    <Text variant="body-small" color="secondary" aria-label="Backend">
      vmware2scw {value.version} · {value.vcenters} vCenter(s) · {value.runners}{' '}
      conversion runner(s) · Scaleway{' '}
      {value.scaleway.configured
        ? `zone ${value.scaleway.defaultZone}`
        : 'not configured (planning uses the offline price list)'}
    </Text>
  );
}

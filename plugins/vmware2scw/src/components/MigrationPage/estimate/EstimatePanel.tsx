import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Button, Flex, Skeleton, Text } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import useAsync from 'react-use/esm/useAsync';
import { vmware2scwApiRef } from '../../../api';
import { EstimateView } from './EstimateView';

/** The estimate of a stored plan, picked from the plan list (or the `plan` query parameter). */
export function EstimatePanel(props: {
  planId?: string;
  plans?: ApiModel.PlanSummary[];
  onPick: (planId: string) => void;
}) {
  const api = useApi(vmware2scwApiRef);
  const { planId } = props;
  const estimate = useAsync(
    async () => (planId ? api.estimatePlan({ planId }, {}) : undefined),
    [api, planId],
  );
  const plan = props.plans?.find(p => p.id === planId);
  return (
    <Flex direction="column" gap="3">
      <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
        <Text>Plan:</Text>
        {(props.plans ?? []).map(p => (
          <Button
            key={p.id}
            size="small"
            variant={p.id === planId ? 'primary' : 'secondary'}
            onPress={() => props.onPick(p.id)}
          >
            {p.name}
          </Button>
        ))}
        {props.plans?.length === 0 && (
          <Text color="secondary">No plan yet.</Text>
        )}
      </Flex>
      {!planId && <Text color="secondary">Pick a plan to estimate.</Text>}
      {planId && (
        <Text as="h3" variant="title-small">
          Estimate of {plan?.name ?? planId}
        </Text>
      )}
      {estimate.loading && <Skeleton width="100%" height={200} />}
      {estimate.error && <ResponseErrorPanel error={estimate.error} />}
      {estimate.value && <EstimateView estimate={estimate.value} />}
    </Flex>
  );
}

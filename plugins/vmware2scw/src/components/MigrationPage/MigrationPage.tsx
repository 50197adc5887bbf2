import { useApi } from '@backstage/frontend-plugin-api';
import {
  Container,
  Flex,
  Tab,
  TabList,
  TabPanel,
  Tabs,
  Text,
} from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { vmware2scwApiRef } from '../../api';
import { usePageParams } from '../../hooks/usePageParams';
import type { PageTab } from '../../links/migrationPageLinks';
import { BackendSummary } from './BackendSummary';
import { BatchList } from './batches/BatchList';
import { BatchView } from './batches/BatchView';
import { EstimatePanel } from './estimate/EstimatePanel';
import { FilterPlanBuilder } from './plans/FilterPlanBuilder';
import { PlanList } from './plans/PlanList';
import { PlanUpload } from './plans/PlanUpload';

/**
 * The platform team's page: plans (from filters or a YAML file), their estimates, and batches with their
 * waves, live. The tab, plan and batch are in the URL.
 */
export const MigrationPage = () => {
  const api = useApi(vmware2scwApiRef);
  const { tab, planId, batchId, go } = usePageParams();
  const plans = useAsyncRetry(async () => (await api.listPlans()).items, [api]);
  const onCreated = (plan: ApiModel.PlanSummary) => {
    plans.retry();
    go('estimate', { plan: plan.id });
  };
  return (
    <Container>
      <Flex direction="column" gap="4" py="4">
        <Flex direction="column" gap="1">
          <Text as="h1" variant="title-medium">
            VMware to Scaleway migration
          </Text>
          <BackendSummary />
        </Flex>
        <Tabs selectedKey={tab} onSelectionChange={key => go(key as PageTab)}>
          <TabList aria-label="Migration">
            <Tab id="plans">Plans</Tab>
            <Tab id="estimate">Estimate</Tab>
            <Tab id="batches">Batches</Tab>
          </TabList>
          <TabPanel id="plans">
            <Flex direction="column" gap="4">
              <PlanList
                plans={plans.value}
                error={plans.error}
                onEstimate={id => go('estimate', { plan: id })}
                onBatch={id => go('batches', { batch: id })}
              />
              <FilterPlanBuilder onCreated={onCreated} />
              <PlanUpload onCreated={onCreated} />
            </Flex>
          </TabPanel>
          <TabPanel id="estimate">
            <EstimatePanel
              planId={planId}
              plans={plans.value}
              onPick={id => go('estimate', { plan: id })}
            />
          </TabPanel>
          <TabPanel id="batches">
            <Flex direction="column" gap="4">
              <BatchList
                selected={batchId}
                onOpen={id => go('batches', { batch: id })}
              />
              {batchId && <BatchView key={batchId} batchId={batchId} />}
            </Flex>
          </TabPanel>
        </Tabs>
      </Flex>
    </Container>
  );
};

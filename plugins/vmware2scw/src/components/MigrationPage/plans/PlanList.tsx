import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResponseErrorPanel } from '@backstage/core-components';
import {
  Button,
  Cell,
  CellText,
  Flex,
  Table,
  type ColumnConfig,
} from '@backstage/ui';
import {
  batchRunPermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef } from '../../../api';
import { formatTimestamp } from '../../../format/quantities';
import { useApiAction } from '../../../hooks/useApiAction';
import { downloadText } from '../../../links/downloadText';
import { ActionError } from '../../shared/ActionError';
import { Section } from '../../shared/Section';

/**
 * Stored plans, newest first, with what can be done with each: download the YAML, estimate it, check it
 * with a dry run, start it as a batch (the two last need vmware2scw.batch.run).
 */
export function PlanList(props: {
  plans?: ApiModel.PlanSummary[];
  error?: Error;
  onEstimate: (planId: string) => void;
  onBatch: (batchId: string) => void;
}) {
  const api = useApi(vmware2scwApiRef);
  const canRun = usePermission({ permission: batchRunPermission });
  const action = useApiAction();

  const start = async (plan: ApiModel.PlanSummary, dryRun: boolean) => {
    const status = await action.run(
      dryRun ? `Dry run of ${plan.name}` : `Start ${plan.name}`,
      () => api.startBatch({ planId: plan.id, dryRun }),
    );
    if (status) props.onBatch(status.batch.id);
  };
  const download = (plan: ApiModel.PlanSummary) =>
    action.run(`Download ${plan.name}`, async () =>
      downloadText(
        `${plan.name}.yaml`,
        await api.getPlanYaml({ planId: plan.id }),
        'application/yaml',
      ),
    );

  const columns: ColumnConfig<ApiModel.PlanSummary>[] = [
    {
      id: 'name',
      label: 'Plan',
      isRowHeader: true,
      cell: p => <CellText title={p.name} description={p.description} />,
    },
    {
      id: 'size',
      label: 'VMs / waves',
      cell: p => (
        <CellText title={`${p.vmCount} VMs in ${p.waveCount} wave(s)`} />
      ),
    },
    { id: 'zone', label: 'Zone', cell: p => <CellText title={p.zone} /> },
    {
      id: 'created',
      label: 'Created',
      cell: p => (
        <CellText
          title={formatTimestamp(p.createdAt)}
          description={p.createdBy}
        />
      ),
    },
    {
      id: 'actions',
      label: 'Actions',
      cell: p => (
        <Cell>
          <Flex gap="1">
            <Button
              size="small"
              variant="tertiary"
              aria-label={`Download the YAML of ${p.name}`}
              onPress={() => download(p)}
            >
              YAML
            </Button>
            <Button
              size="small"
              variant="tertiary"
              aria-label={`Estimate ${p.name}`}
              onPress={() => props.onEstimate(p.id)}
            >
              Estimate
            </Button>
            <Button
              size="small"
              variant="secondary"
              isDisabled={!canRun.allowed || action.pending !== undefined}
              aria-label={`Dry run of ${p.name}`}
              onPress={() => start(p, true)}
            >
              Dry run
            </Button>
            <Button
              size="small"
              variant="primary"
              isDisabled={!canRun.allowed || action.pending !== undefined}
              aria-label={`Start a batch of ${p.name}`}
              onPress={() => start(p, false)}
            >
              Start batch
            </Button>
          </Flex>
        </Cell>
      ),
    },
  ];

  return (
    <Section title="Plans">
      {props.error && <ResponseErrorPanel error={props.error} />}
      <ActionError error={action.error} />
      <Table
        columnConfig={columns}
        data={props.plans}
        isPending={!props.plans && !props.error}
        pagination={{ type: 'none' }}
        emptyState="No plan yet: create one from filters or a YAML file."
      />
    </Section>
  );
}

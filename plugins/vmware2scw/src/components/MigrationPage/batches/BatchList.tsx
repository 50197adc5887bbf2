import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  Button,
  Cell,
  CellText,
  Table,
  type ColumnConfig,
} from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { vmware2scwApiRef } from '../../../api';
import { formatTimestamp } from '../../../format/quantities';
import { Section } from '../../shared/Section';
import { StateLabel } from '../../shared/StateLabel';
import { countsText } from './StateCounts';

/** Batches, newest first; opening one shows it live. */
export function BatchList(props: {
  selected?: string;
  onOpen: (batchId: string) => void;
}) {
  const api = useApi(vmware2scwApiRef);
  const batches = useAsyncRetry(
    async () => (await api.listBatches({ limit: 50 })).items,
    [api, props.selected],
  );
  const columns: ColumnConfig<ApiModel.Batch>[] = [
    {
      id: 'plan',
      label: 'Batch',
      isRowHeader: true,
      cell: b => (
        <CellText
          title={`${b.dryRun ? 'Dry run of ' : ''}${b.planName}`}
          description={b.id}
        />
      ),
    },
    {
      id: 'state',
      label: 'State',
      cell: b => (
        <Cell>
          <StateLabel state={b.state} />
        </Cell>
      ),
    },
    {
      id: 'counts',
      label: 'VMs',
      cell: b => <CellText title={countsText(b.counts)} />,
    },
    {
      id: 'started',
      label: 'Started',
      cell: b => (
        <CellText
          title={formatTimestamp(b.createdAt)}
          description={b.createdBy}
        />
      ),
    },
    {
      id: 'open',
      label: '',
      cell: b => (
        <Cell>
          <Button
            size="small"
            variant={b.id === props.selected ? 'primary' : 'secondary'}
            aria-label={`Open batch ${b.id}`}
            onPress={() => props.onOpen(b.id)}
          >
            Open
          </Button>
        </Cell>
      ),
    },
  ];
  return (
    <Section title="Batches">
      {batches.error && <ResponseErrorPanel error={batches.error} />}
      <Table
        columnConfig={columns}
        data={batches.value}
        isPending={batches.loading && !batches.value}
        pagination={{ type: 'none' }}
        emptyState="No batch yet: start one from a plan."
      />
    </Section>
  );
}

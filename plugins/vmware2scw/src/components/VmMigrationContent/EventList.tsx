import { CellText, Table, type ColumnConfig } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatTimestamp } from '../../format/quantities';

const columns: ColumnConfig<ApiModel.Event>[] = [
  {
    id: 'at',
    label: 'When',
    cell: e => <CellText title={formatTimestamp(e.at)} />,
  },
  {
    id: 'actor',
    label: 'Who',
    isRowHeader: true,
    cell: e => <CellText title={e.actor} />,
  },
  { id: 'type', label: 'Event', cell: e => <CellText title={e.type} /> },
  { id: 'message', label: 'What', cell: e => <CellText title={e.message} /> },
];

/** The audit trail: who started, approved, retried or cancelled what, and when; oldest first. */
export function EventList(props: { events: ApiModel.Event[] }) {
  return (
    <Table
      columnConfig={columns}
      data={props.events}
      pagination={{ type: 'none' }}
      emptyState="No events yet."
    />
  );
}

import { CellText, Table, Text, type ColumnConfig } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatBytes } from '../../format/quantities';

type Row = ApiModel.VmSummary & { id: string };

const concernText = (c: ApiModel.VmSummary['concernCounts']) =>
  [
    c.critical ? `${c.critical} critical` : undefined,
    c.warning ? `${c.warning} warning${c.warning > 1 ? 's' : ''}` : undefined,
    c.info ? `${c.info} info` : undefined,
  ]
    .filter(Boolean)
    .join(', ') || 'none';

const columns: ColumnConfig<Row>[] = [
  {
    id: 'name',
    label: 'VM',
    isRowHeader: true,
    cell: vm => (
      <CellText title={vm.name} description={vm.folderPath ?? vm.sourceId} />
    ),
  },
  {
    id: 'os',
    label: 'OS',
    cell: vm => <CellText title={vm.osFamily} description={vm.guestFullName} />,
  },
  {
    id: 'size',
    label: 'Size',
    cell: vm => (
      <CellText
        title={`${vm.numCpu} vCPU, ${formatBytes(vm.memoryMiB * 2 ** 20)}`}
        description={`${formatBytes(vm.diskBytes)} in ${vm.diskCount} disk${
          vm.diskCount === 1 ? '' : 's'
        }`}
      />
    ),
  },
  {
    id: 'concerns',
    label: 'Concerns',
    cell: vm => (
      <CellText
        title={concernText(vm.concernCounts)}
        description={
          vm.concernCounts.critical
            ? 'blocked: fix the critical concerns'
            : undefined
        }
      />
    ),
  },
];

/** The VMs that match filters (the first `vms.length` of `total`), with their concern counts. */
export function VmMatchTable(props: { result: ApiModel.VmQueryResult }) {
  const { result } = props;
  const rows = result.vms.map(vm => ({ ...vm, id: vm.entityRef }));
  return (
    <>
      <Table
        columnConfig={columns}
        data={rows}
        pagination={{ type: 'none' }}
        emptyState="No VM matches these filters."
      />
      {result.total > rows.length && (
        <Text variant="body-small" color="secondary">
          First {rows.length} of {result.total} shown.
        </Text>
      )}
    </>
  );
}

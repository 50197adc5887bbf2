import { StructuredMetadataTable } from '@backstage/core-components';
import {
  Alert,
  CellText,
  Flex,
  Table,
  Text,
  type ColumnConfig,
} from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import {
  formatBytes,
  formatDuration,
  formatMonthlyEur,
} from '../../../format/quantities';
import { ProblemList } from '../../shared/ProblemList';
import { Section } from '../../shared/Section';
import { pricingNote } from '../../VmMigrationCard/TargetProposal';
import { EstimateCharts } from './EstimateCharts';

type WaveRow = ApiModel.PlanEstimate['waves'][number] & { id: string };

const waveColumns: ColumnConfig<WaveRow>[] = [
  {
    id: 'name',
    label: 'Wave',
    isRowHeader: true,
    cell: w => (
      <CellText
        title={w.name}
        description={
          w.pauseAfter ? `after: ${w.pauseAfter.replace(/_/g, ' ')}` : undefined
        }
      />
    ),
  },
  {
    id: 'vms',
    label: 'VMs',
    cell: w => <CellText title={String(w.vmCount)} />,
  },
  {
    id: 'disk',
    label: 'Disk to move',
    cell: w => <CellText title={formatBytes(w.bytesToMove)} />,
  },
  {
    id: 'duration',
    label: 'Duration',
    cell: w => <CellText title={formatDuration(w.durationSeconds)} />,
  },
  {
    id: 'scratch',
    label: 'Peak scratch',
    cell: w => <CellText title={formatBytes(w.peakScratchBytes)} />,
  },
  {
    id: 'cost',
    label: 'Monthly cost',
    cell: w => <CellText title={formatMonthlyEur(w.monthlyCostEur)} />,
  },
];

/** The old `batch estimate`: totals, per wave (table and charts), and every warning. */
export function EstimateView(props: { estimate: ApiModel.PlanEstimate }) {
  const { estimate } = props;
  const t = estimate.totals;
  const tally = estimate.concernTally;
  return (
    <Flex direction="column" gap="3">
      <Section title="Totals">
        <StructuredMetadataTable
          options={{ titleFormat: k => k }}
          metadata={{
            VMs: `${t.vmCount} (${t.migratableCount} migratable)`,
            'Disk to move': formatBytes(t.bytesToMove),
            Duration: formatDuration(t.durationSeconds),
            'Peak scratch': `${formatBytes(t.peakScratchBytes)}${
              t.availableDiskBytes !== undefined
                ? ` of ${formatBytes(t.availableDiskBytes)} available`
                : ''
            }`,
            'Monthly cost': formatMonthlyEur(t.monthlyCostEur),
            Prices: pricingNote(estimate.pricing),
          }}
        />
      </Section>
      <Section title="Waves">
        <Table
          columnConfig={waveColumns}
          data={estimate.waves.map(w => ({ ...w, id: w.name }))}
          pagination={{ type: 'none' }}
        />
        <EstimateCharts estimate={estimate} />
      </Section>
      <Section title="Warnings">
        {estimate.containsCritical && (
          <Alert
            status="danger"
            icon
            title="Some VMs have critical concerns: they will not migrate as planned."
          />
        )}
        {t.scratchFits === false && (
          <Alert
            status="warning"
            icon
            title="The runners' scratch space is too small for the peak of this plan."
            description="Add runners or scratch space, or cut the waves smaller."
          />
        )}
        <ProblemList problems={estimate.problems} />
        {tally.length > 0 && (
          <ul aria-label="Concerns in this plan">
            {tally.map(c => (
              <li key={c.ruleId}>
                <Text weight="bold">
                  {c.label} ({c.severity}, {c.vmCount} VM
                  {c.vmCount === 1 ? '' : 's'})
                </Text>{' '}
                <Text variant="body-small">{c.vms.join(', ')}</Text>
                <Text as="p" variant="body-small" color="secondary">
                  Remediation: {c.remediation}
                </Text>
              </li>
            ))}
          </ul>
        )}
        {!estimate.containsCritical &&
          t.scratchFits !== false &&
          estimate.problems.length === 0 &&
          tally.length === 0 && <Text color="secondary">None.</Text>}
      </Section>
    </Flex>
  );
}

import { Cell, CellText, Table, type ColumnConfig } from '@backstage/ui';
import LinearProgress from '@material-ui/core/LinearProgress';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { fresherProgress } from '../../shared/DiskProgress';
import {
  currentStageRun,
  overallPercent,
  stagePositionText,
} from '../../shared/StagePosition';
import { StateLabel } from '../../shared/StateLabel';
import { MigrationRowActions } from './MigrationRowActions';

/** The VMs of one wave: state, stage, overall progress, target, runner, and retry/cancel. */
export function WaveMigrationTable(props: {
  migrations: ApiModel.Migration[];
  /** Progress carried by signals since the last fetch, by migration id. */
  signalled: Record<string, ApiModel.StageProgress | undefined>;
  busy: boolean;
  onRetry: (m: ApiModel.Migration) => void;
  onCancel: (m: ApiModel.Migration) => void;
}) {
  const progressOf = (m: ApiModel.Migration) => {
    const run = currentStageRun(m);
    return run?.state === 'running'
      ? fresherProgress(run.progress, props.signalled[m.id])
      : run?.progress;
  };
  const columns: ColumnConfig<ApiModel.Migration>[] = [
    {
      id: 'vm',
      label: 'VM',
      isRowHeader: true,
      cell: m => <CellText title={m.vmName} description={m.entityRef} />,
    },
    {
      id: 'state',
      label: 'State',
      cell: m => (
        <Cell>
          <StateLabel state={m.state} />
        </Cell>
      ),
    },
    {
      id: 'stage',
      label: 'Stage',
      cell: m => (
        <CellText
          title={stagePositionText(m)}
          description={m.lastError?.message}
        />
      ),
    },
    {
      id: 'progress',
      label: 'Progress',
      cell: m => {
        const percent = overallPercent(m, progressOf(m));
        return (
          <Cell>
            <LinearProgress
              aria-label={`${m.vmName} progress`}
              variant="determinate"
              value={percent}
            />
          </Cell>
        );
      },
    },
    {
      id: 'target',
      label: 'Target',
      cell: m => (
        <CellText title={m.targetType ?? '—'} description={m.runnerId} />
      ),
    },
    {
      id: 'actions',
      label: 'Actions',
      cell: m => (
        <Cell>
          <MigrationRowActions
            migration={m}
            busy={props.busy}
            onRetry={() => props.onRetry(m)}
            onCancel={() => props.onCancel(m)}
          />
        </Cell>
      ),
    },
  ];
  return (
    <Table
      columnConfig={columns}
      data={props.migrations}
      pagination={{ type: 'none' }}
      emptyState="No VM in this wave."
    />
  );
}

import { Cell, CellText, Table, type ColumnConfig } from '@backstage/ui';
import { STAGES, type ApiModel } from '@internal/plugin-vmware2scw-common';
import {
  formatBytes,
  formatDuration,
  formatTimestamp,
} from '../../format/quantities';
import { ErrorWithRemediation } from '../shared/ErrorWithRemediation';
import { StateLabel } from '../shared/StateLabel';

interface StageRow {
  id: string;
  stage: ApiModel.StageId;
  run?: ApiModel.StageRun;
}

/** One row per stage of the pipeline, with the latest run of that stage (none yet: pending). */
export function stageRows(m: ApiModel.Migration): StageRow[] {
  return m.pipeline.map(stage => {
    const runs = m.stages.filter(s => s.stage === stage);
    return { id: stage, stage, run: runs[runs.length - 1] };
  });
}

const columns: ColumnConfig<StageRow>[] = [
  {
    id: 'stage',
    label: 'Stage',
    isRowHeader: true,
    cell: r => (
      <CellText
        title={STAGES[r.stage]?.title ?? r.stage}
        description={STAGES[r.stage]?.description}
      />
    ),
  },
  {
    id: 'state',
    label: 'State',
    cell: r => (
      <Cell>
        <StateLabel state={r.run?.state ?? 'pending'} />
        {r.run?.skippedReason && ` (${r.run.skippedReason})`}
      </Cell>
    ),
  },
  {
    id: 'started',
    label: 'Started',
    cell: r => (
      <CellText
        title={r.run?.startedAt ? formatTimestamp(r.run.startedAt) : '—'}
      />
    ),
  },
  {
    id: 'duration',
    label: 'Duration',
    cell: r => (
      <CellText
        title={
          r.run?.durationSeconds !== undefined
            ? formatDuration(r.run.durationSeconds)
            : '—'
        }
      />
    ),
  },
  {
    id: 'size',
    label: 'Size',
    cell: r => (
      <CellText
        title={r.run?.bytes !== undefined ? formatBytes(r.run.bytes) : '—'}
      />
    ),
  },
  {
    id: 'runner',
    label: 'Runner',
    cell: r => <CellText title={r.run?.runnerId ?? '—'} />,
  },
  {
    id: 'attempt',
    label: 'Attempts',
    cell: r => <CellText title={r.run ? String(r.run.attempt) : '0'} />,
  },
];

/** The migration's stages in pipeline order: state, start, duration, size, runner, attempts; then errors. */
export function StageTimeline(props: { migration: ApiModel.Migration }) {
  const rows = stageRows(props.migration);
  const failed = rows.filter(r => r.run?.error);
  return (
    <>
      <Table columnConfig={columns} data={rows} pagination={{ type: 'none' }} />
      {failed.map(r => (
        <ErrorWithRemediation
          key={r.id}
          title={STAGES[r.stage]?.title ?? r.stage}
          error={r.run!.error!}
        />
      ))}
    </>
  );
}

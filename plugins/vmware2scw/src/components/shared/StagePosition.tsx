import { Text } from '@backstage/ui';
import { STAGES, type ApiModel } from '@internal/plugin-vmware2scw-common';

/** "Stage 4 of 10: Convert" for a migration's current stage; "—" before any stage started. */
export function stagePositionText(m: ApiModel.Migration): string {
  if (!m.currentStage) return '—';
  const index = m.pipeline.indexOf(m.currentStage);
  const title = STAGES[m.currentStage]?.title ?? m.currentStage;
  return index < 0
    ? title
    : `Stage ${index + 1} of ${m.pipeline.length}: ${title}`;
}

export function StagePosition(props: { migration: ApiModel.Migration }) {
  return <Text>{stagePositionText(props.migration)}</Text>;
}

/** The stage run of the migration's current stage (the one whose progress is shown). */
export function currentStageRun(
  m: ApiModel.Migration,
): ApiModel.StageRun | undefined {
  if (!m.currentStage) return undefined;
  const runs = m.stages.filter(s => s.stage === m.currentStage);
  return runs[runs.length - 1];
}

/** How far a stage is, in percent: its own `percent`, else bytes done over bytes known. */
export function stagePercent(
  progress: ApiModel.StageProgress | undefined,
): number {
  if (!progress) return 0;
  if (progress.percent !== undefined) return progress.percent;
  const total = progress.disks.reduce((s, d) => s + (d.bytesTotal ?? 0), 0);
  const done = progress.disks.reduce((s, d) => s + d.bytesDone, 0);
  return total > 0 ? Math.min(100, (done / total) * 100) : 0;
}

/** How far a migration is through its pipeline, in percent (each stage counts the same). */
export function overallPercent(
  m: ApiModel.Migration,
  progress: ApiModel.StageProgress | undefined,
): number {
  if (m.state === 'succeeded') return 100;
  if (!m.currentStage || m.pipeline.length === 0) return 0;
  const index = m.pipeline.indexOf(m.currentStage);
  if (index < 0) return 0;
  const run = currentStageRun(m);
  const within = run?.state === 'succeeded' ? 100 : stagePercent(progress);
  return ((index + within / 100) / m.pipeline.length) * 100;
}

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

import {
  STAGES,
  type ApiModel,
  type ErrorBody,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import { ActionFailure } from '../api/ActionFailure';

const unexplained: ErrorBody = {
  code: 'STAGE_FAILED',
  message: 'the engine reports a failure without an error',
  remediation:
    "Read the migration's events on the VM's page (vmware2scw tab), fix the cause, then retry the task.",
};

/** A stage run of a migration, if the migration's pipeline has that stage. */
export function stageRunOf(
  m: ApiModel.Migration,
  stage: StageId,
): ApiModel.StageRun | undefined {
  return m.stages.find(s => s.stage === stage);
}

/**
 * Whether following `stage` of `m` is over: true once the stage succeeded or was skipped; throws an
 * ActionFailure carrying the engine's error when the stage (or the migration before reaching it) failed
 * or was cancelled.
 */
export function stageIsOver(m: ApiModel.Migration, stage: StageId): boolean {
  const run = stageRunOf(m, stage);
  const doing = `${STAGES[stage].title} of ${m.vmName} (migration ${m.id})`;
  if (!run) return !m.pipeline.includes(stage);
  switch (run.state) {
    case 'succeeded':
    case 'skipped':
      return true;
    case 'failed':
      throw new ActionFailure(doing, run.error ?? m.lastError ?? unexplained);
    case 'cancelled':
      throw cancelledFailure(doing);
    case 'running':
      return false;
    default:
  }
  // Still pending: the migration may have stopped before reaching it.
  if (m.state === 'failed')
    throw new ActionFailure(doing, m.lastError ?? unexplained);
  if (m.state === 'cancelled') throw cancelledFailure(doing);
  if (
    m.state === 'waiting' &&
    m.runUntil !== undefined &&
    m.pipeline.indexOf(m.runUntil) < m.pipeline.indexOf(stage)
  )
    throw new ActionFailure(doing, {
      code: 'STAGE_NOT_REQUESTED',
      message: `the engine stopped after ${
        STAGES[m.runUntil].title
      } and was not asked to run this stage`,
      remediation:
        'Retry the task: the step asks for its stage again. If it stops again, report it with the migration events.',
    });
  return false;
}

/** Whether the whole migration is over: true when it succeeded; throws when it failed or was cancelled. */
export function migrationIsOver(m: ApiModel.Migration): boolean {
  const doing = `Migration of ${m.vmName} (migration ${m.id})`;
  if (m.state === 'succeeded') return true;
  if (m.state === 'failed') {
    const failed = m.stages.find(s => s.state === 'failed');
    throw new ActionFailure(
      failed ? `${STAGES[failed.stage].title} of ${m.vmName}` : doing,
      failed?.error ?? m.lastError ?? unexplained,
    );
  }
  if (m.state === 'cancelled') throw cancelledFailure(doing);
  return false;
}

/** Sum of the attempts of every stage: it grows with each retry, so it names one try of a migration. */
export function attemptsOf(m: ApiModel.Migration): number {
  return m.stages.reduce((sum, s) => sum + s.attempt, 0);
}

function cancelledFailure(doing: string): ActionFailure {
  return new ActionFailure(doing, {
    code: 'MIGRATION_CANCELLED',
    message: 'the migration was cancelled',
    remediation:
      "The VM stays resumable: retry the task, or retry the migration from the VM's page.",
  });
}

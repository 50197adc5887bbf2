import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import type {
  ApprovalRecord,
  BatchRecord,
  EventRecord,
  MigrationCounts,
  MigrationRecord,
  PlanRecord,
  StageRunRecord,
  WaveRecord,
} from '../database/MigrationStore';

/** Store records as the API shows them (the generated `ApiModel` types). */

const seconds = (from?: string, to?: string) =>
  from && to
    ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000)
    : undefined;

export function planSummaryView(p: PlanRecord): ApiModel.PlanSummary {
  return {
    id: p.id,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    createdBy: p.createdBy,
    createdAt: p.createdAt,
    zone: p.zone,
    vmCount: p.vmCount,
    waveCount: p.waveCount,
  };
}

export function planView(p: PlanRecord): ApiModel.Plan {
  return {
    ...planSummaryView(p),
    yaml: p.yaml,
    plan: p.parsed as unknown as Record<string, unknown>,
    problems: p.problems,
  };
}

export function batchView(
  b: BatchRecord,
  counts: MigrationCounts,
): ApiModel.Batch {
  return {
    id: b.id,
    kind: b.kind,
    ...(b.planId ? { planId: b.planId } : {}),
    planName: b.planName,
    dryRun: b.dryRun,
    state: b.state,
    createdBy: b.createdBy,
    createdAt: b.createdAt,
    ...(b.finishedAt ? { finishedAt: b.finishedAt } : {}),
    counts,
  };
}

export function waveView(
  w: WaveRecord,
  approvals: readonly ApprovalRecord[],
  counts: MigrationCounts,
): ApiModel.Wave {
  return {
    id: w.id,
    batchId: w.batchId,
    name: w.name,
    position: w.position,
    state: w.state,
    pauseAfter: w.pauseAfter,
    ...(w.pausedReason ? { pausedReason: w.pausedReason } : {}),
    ...(w.startedAt ? { startedAt: w.startedAt } : {}),
    ...(w.finishedAt ? { finishedAt: w.finishedAt } : {}),
    approvals: approvals
      .filter(a => a.waveId === w.id)
      .map(a => ({
        decision: a.decision,
        by: a.actor,
        at: a.at,
        ...(a.comment ? { comment: a.comment } : {}),
      })),
    counts,
  };
}

export function stageRunView(r: StageRunRecord): ApiModel.StageRun {
  const duration = seconds(r.startedAt, r.finishedAt);
  const bytes = r.outputs?.bytes;
  return {
    stage: r.stage,
    position: r.position,
    state: r.state,
    attempt: r.attempt,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(r.runnerId ? { runnerId: r.runnerId } : {}),
    ...(typeof bytes === 'number' ? { bytes } : {}),
    ...(r.progress ? { progress: r.progress } : {}),
    ...(r.outputs ? { outputs: r.outputs } : {}),
    ...(r.skippedReason ? { skippedReason: r.skippedReason } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

export function migrationView(
  m: MigrationRecord,
  runs: readonly StageRunRecord[],
  waveName?: string,
): ApiModel.Migration {
  const runUntil =
    m.runUntilPosition !== undefined && m.runUntilPosition >= 0
      ? m.pipeline[m.runUntilPosition]
      : undefined;
  return {
    id: m.id,
    batchId: m.batchId,
    ...(m.waveId ? { waveId: m.waveId } : {}),
    ...(waveName ? { waveName } : {}),
    entityRef: m.entityRef,
    vmName: m.vmName,
    sourceId: m.sourceId,
    moref: m.moref,
    osFamily: m.osFamily,
    ...(m.targetType ? { targetType: m.targetType } : {}),
    zone: m.zone,
    priority: m.priority,
    ...(m.runnerId ? { runnerId: m.runnerId } : {}),
    state: m.state,
    ...(m.currentStage && m.state !== 'succeeded'
      ? { currentStage: m.currentStage }
      : {}),
    ...(runUntil ? { runUntil } : {}),
    stepwise: m.stepwise,
    ...(m.scaffolderTaskId ? { scaffolderTaskId: m.scaffolderTaskId } : {}),
    pipeline: m.pipeline,
    stages: runs
      .filter(r => r.migrationId === m.id)
      .sort((a, b) => a.position - b.position)
      .map(stageRunView),
    ...(m.lastError ? { lastError: m.lastError } : {}),
    createdAt: m.createdAt,
    ...(m.startedAt ? { startedAt: m.startedAt } : {}),
    ...(m.finishedAt ? { finishedAt: m.finishedAt } : {}),
    leftovers: m.leftovers,
  };
}

export function eventView(e: EventRecord): ApiModel.Event {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    type: e.type,
    ...(e.batchId ? { batchId: e.batchId } : {}),
    ...(e.waveId ? { waveId: e.waveId } : {}),
    ...(e.migrationId ? { migrationId: e.migrationId } : {}),
    ...(e.entityRef ? { entityRef: e.entityRef } : {}),
    ...(e.stage ? { stage: e.stage } : {}),
    message: e.message,
    ...(e.details ? { details: e.details } : {}),
  };
}

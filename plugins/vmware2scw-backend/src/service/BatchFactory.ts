import { randomUUID } from 'node:crypto';
import {
  createSizer,
  hasErrors,
  makeProblem,
  pipelineFor,
  PlanningError,
  resolvePlan,
  STAGES,
  type ScalewayOffer,
  type Plan,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type {
  BatchRecord,
  BatchSettings,
  MigrationRecord,
  PlanRecord,
  StageRunRecord,
  WaveRecord,
} from '../database/MigrationStore';
import type { CatalogVm } from '../inventory/CatalogInventory';

export interface NewBatch {
  batch: BatchRecord;
  waves: WaveRecord[];
  migrations: MigrationRecord[];
  stageRuns: StageRunRecord[];
}

/** The concurrency, post-migration and tags of a plan, as the batch keeps them. */
export function settingsOf(
  plan: Plan,
  approveFirstWave: boolean,
): BatchSettings {
  return {
    concurrency: { ...plan.concurrency },
    postMigration: { ...plan.post_migration },
    tags: [...plan.defaults.tags],
    approveFirstWave,
  };
}

function newMigration(
  base: {
    batchId: string;
    waveId: string;
    vm: CatalogVm;
    targetType?: string;
    zone: string;
    priority: number;
    stepwise: boolean;
    requestId?: string;
    scaffolderTaskId?: string;
    now: string;
  },
  stageRuns: StageRunRecord[],
): MigrationRecord {
  const { vm } = base.vm;
  const pipeline: StageId[] = [...pipelineFor(vm.osFamily)];
  const migration: MigrationRecord = {
    id: randomUUID(),
    batchId: base.batchId,
    waveId: base.waveId,
    entityRef: base.vm.entityRef,
    vmName: vm.name,
    sourceId: vm.sourceId,
    moref: vm.moref,
    osFamily: vm.osFamily,
    ...(vm.host ? { esxiHost: vm.host } : {}),
    ...(base.targetType ? { targetType: base.targetType } : {}),
    zone: base.zone,
    priority: base.priority,
    state: 'pending',
    currentStage: pipeline[0],
    nextPosition: 0,
    ...(base.stepwise ? { runUntilPosition: -1 } : {}),
    stepwise: base.stepwise,
    ...(base.requestId ? { requestId: base.requestId } : {}),
    ...(base.scaffolderTaskId
      ? { scaffolderTaskId: base.scaffolderTaskId }
      : {}),
    pipeline,
    vm,
    leftovers: [],
    createdAt: base.now,
  };
  pipeline.forEach((stage, position) =>
    stageRuns.push({
      id: randomUUID(),
      migrationId: migration.id,
      stage,
      position,
      state: 'pending',
      attempt: 0,
      resource: STAGES[stage].resource,
      ...(vm.host ? { esxiHost: vm.host } : {}),
      diskCount: STAGES[stage].resource === 'export' ? vm.disks.length : 0,
      cancelRequested: false,
    }),
  );
  return migration;
}

/**
 * A stored plan applied to the catalog's VMs, as the records of a batch: one wave per plan wave (or
 * one `default` wave when the plan has none), one migration per selected VM with its target type (the
 * plan's, else the plan's sizing strategy on the zone's catalog), one stage run per pipeline stage.
 * Refuses, with every problem at its line, a plan that does not resolve (unknown VMs, VMs without a
 * wave, types not offered).
 */
export function batchFromPlan(input: {
  plan: PlanRecord;
  vms: readonly CatalogVm[];
  catalog: ScalewayOffer;
  createdBy: string;
  dryRun: boolean;
  approveFirstWave: boolean;
  now: string;
}): NewBatch {
  const { plan, vms, catalog, now } = input;
  const resolved = resolvePlan({
    plan: plan.parsed,
    vms: vms.map(v => v.vm),
    catalog,
    file: `${plan.name}.yaml`,
  });
  const problems = [...resolved.problems];
  if (resolved.vmsWithoutWave.length && plan.parsed.waves.length) {
    problems.push(
      makeProblem({
        code: 'PLAN_VMS_WITHOUT_WAVE',
        file: `${plan.name}.yaml`,
        field: 'waves',
        text: `${
          resolved.vmsWithoutWave.length
        } VM(s) are in no wave: ${resolved.vmsWithoutWave
          .slice(0, 10)
          .join(', ')}${resolved.vmsWithoutWave.length > 10 ? ', …' : ''}`,
        remediation:
          "Give each migrations entry a wave, or add the VMs to a wave's vms patterns.",
      }),
    );
  }
  if (!resolved.migrations.length) {
    problems.push(
      makeProblem({
        code: 'PLAN_SELECTS_NO_VM',
        file: `${plan.name}.yaml`,
        field: 'migrations',
        text: 'the plan selects no VM of the catalog',
        remediation:
          'Check the vm_name and vm_pattern entries against the VM names in the catalog.',
      }),
    );
  }
  if (hasErrors(problems))
    throw PlanningError.fromProblems(
      problems.filter(p => p.severity === 'error'),
    );

  const byKey = new Map(vms.map(v => [`${v.vm.sourceId}/${v.vm.moref}`, v]));
  const batchId = randomUUID();
  const waves: WaveRecord[] = [];
  const waveIdByName = new Map<string, string>();
  const waveDefs = resolved.waves.length
    ? resolved.waves.map(w => ({ name: w.name, pauseAfter: w.pauseAfter }))
    : [{ name: 'default', pauseAfter: 'none' as const }];
  waveDefs.forEach((w, position) => {
    const id = randomUUID();
    waveIdByName.set(w.name, id);
    waves.push({
      id,
      batchId,
      name: w.name,
      position,
      state: 'pending',
      pauseAfter: w.pauseAfter,
    });
  });
  const sizer = createSizer(catalog, { strategy: resolved.sizingStrategy });
  const stageRuns: StageRunRecord[] = [];
  const migrations = resolved.migrations.map(m => {
    const vm = byKey.get(`${m.sourceId}/${m.moref}`)!;
    const targetType = m.targetType ?? sizer(vm.vm).targetType;
    return newMigration(
      {
        batchId,
        waveId: waveIdByName.get(m.wave ?? '') ?? waves[0].id,
        vm,
        ...(targetType ? { targetType } : {}),
        zone: m.zone,
        priority: m.priority,
        stepwise: false,
        now,
      },
      stageRuns,
    );
  });
  return {
    batch: {
      id: batchId,
      planId: plan.id,
      planName: plan.name,
      kind: 'plan',
      dryRun: input.dryRun,
      state: 'running',
      settings: settingsOf(plan.parsed, input.approveFirstWave),
      createdBy: input.createdBy,
      createdAt: now,
    },
    waves,
    migrations,
    stageRuns,
  };
}

/** The old `migrate`: one VM as a one-VM batch (its wave waits for approval when named). */
export function batchForVm(input: {
  vm: CatalogVm;
  targetType?: string;
  zone: string;
  wave?: string;
  stepwise: boolean;
  dryRun: boolean;
  requestId?: string;
  scaffolderTaskId?: string;
  createdBy: string;
  now: string;
  defaults: Plan;
}): NewBatch {
  const batchId = randomUUID();
  const wave: WaveRecord = {
    id: randomUUID(),
    batchId,
    name: input.wave ?? 'now',
    position: 0,
    state: 'pending',
    pauseAfter: 'none',
  };
  const stageRuns: StageRunRecord[] = [];
  const migration = newMigration(
    {
      batchId,
      waveId: wave.id,
      vm: input.vm,
      ...(input.targetType ? { targetType: input.targetType } : {}),
      zone: input.zone,
      priority: 100,
      stepwise: input.stepwise,
      ...(input.requestId ? { requestId: input.requestId } : {}),
      ...(input.scaffolderTaskId
        ? { scaffolderTaskId: input.scaffolderTaskId }
        : {}),
      now: input.now,
    },
    stageRuns,
  );
  return {
    batch: {
      id: batchId,
      planName: `migrate ${input.vm.vm.name}`,
      kind: 'single',
      dryRun: input.dryRun,
      state: 'running',
      settings: settingsOf(input.defaults, !input.wave),
      createdBy: input.createdBy,
      createdAt: input.now,
    },
    waves: [wave],
    migrations: [migration],
    stageRuns,
  };
}

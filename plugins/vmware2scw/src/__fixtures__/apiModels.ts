import {
  LINUX_PIPELINE,
  STAGES,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';

/**
 * API answers as the backend's contract (openapi.yaml) shapes them, for component tests. Values follow
 * the sample inventory (examples/inventory) and the offline price list.
 */

export const VM_REF = 'resource:default/web-prod-01';
const GIB = 2 ** 30;

export const vmSummary: ApiModel.VmSummary = {
  entityRef: VM_REF,
  name: 'web-prod-01',
  sourceId: 'vc-paris',
  moref: 'vm-1042',
  osFamily: 'linux',
  guestFullName: 'Debian GNU/Linux 12 (64-bit)',
  powerState: 'poweredOn',
  firmware: 'bios',
  numCpu: 4,
  memoryMiB: 16384,
  diskBytes: 120 * GIB,
  diskCount: 2,
  host: 'esxi-01.local',
  folderPath: '/DC-PAR/Production/Web',
  concernCounts: { critical: 0, warning: 1, info: 1 },
};

export const assessment: ApiModel.VmAssessment = {
  vm: vmSummary,
  zone: 'fr-par-1',
  pricing: {
    source: 'snapshot',
    pricedAt: '2026-11-01T00:00:00Z',
    zone: 'fr-par-1',
    currency: 'EUR',
    fallbackReason: 'Scaleway credentials not configured',
  },
  rulesVersion: 1,
  concerns: [
    {
      ruleId: 'vmware.firmware.bios',
      severity: 'warning',
      category: 'scaleway',
      label: 'BIOS firmware',
      assessment: 'Scaleway boots UEFI only; the migration converts the disk.',
      remediation: 'Nothing to do: ensure_uefi adds an EFI system partition.',
    },
    {
      ruleId: 'vmware.tools.installed',
      severity: 'info',
      category: 'vmware',
      label: 'VMware Tools installed',
      assessment: 'open-vm-tools is removed during the migration.',
      remediation: 'None.',
    },
  ],
  migratable: true,
  recommended: 'POP2-4C-16G',
  recommendations: [
    {
      strategy: 'exact',
      targetType: 'POP2-4C-16G',
      vcpus: 4,
      memoryGiB: 16,
      monthlyInstanceEur: 108.04,
      monthlyTotalEur: 119.84,
      basis: 'allocated',
      reason: 'Smallest type with at least 4 vCPU and 16 GiB.',
      alternatives: [
        { type: 'PRO2-S', vcpus: 8, memoryGiB: 32, monthlyPriceEur: 160.6 },
        {
          type: 'POP2-HM-2C-16G',
          vcpus: 2,
          memoryGiB: 16,
          monthlyPriceEur: 79.5,
        },
      ],
    },
    {
      strategy: 'cost',
      targetType: 'POP2-HM-2C-16G',
      vcpus: 2,
      memoryGiB: 16,
      monthlyTotalEur: 91.3,
      basis: 'allocated',
      reason: 'Cheapest type with 16 GiB.',
    },
  ],
  pipeline: [...LINUX_PIPELINE],
  plans: [
    {
      planId: 'plan-1',
      planName: 'web-tier',
      wave: 'wave-1',
      targetType: 'POP2-4C-16G',
    },
  ],
};

const stageRun = (
  stage: ApiModel.StageId,
  rest: Partial<ApiModel.StageRun> = {},
): ApiModel.StageRun => ({
  stage,
  position: LINUX_PIPELINE.indexOf(stage),
  state: 'succeeded',
  attempt: 1,
  startedAt: '2026-11-20T10:00:00Z',
  finishedAt: '2026-11-20T10:01:00Z',
  durationSeconds: 60,
  ...rest,
});

const baseMigration: ApiModel.Migration = {
  id: 'mig-1',
  batchId: 'batch-1',
  waveId: 'wave-1',
  waveName: 'wave-1',
  entityRef: VM_REF,
  vmName: 'web-prod-01',
  sourceId: 'vc-paris',
  moref: 'vm-1042',
  osFamily: 'linux',
  targetType: 'POP2-4C-16G',
  zone: 'fr-par-1',
  priority: 0,
  runnerId: 'runner-1',
  state: 'running',
  currentStage: STAGES.export.id,
  pipeline: [...LINUX_PIPELINE],
  stages: [],
  createdAt: '2026-11-20T09:59:00Z',
  startedAt: '2026-11-20T10:00:00Z',
};

/** Exporting its two disks: 30 of 80 GiB and 10 of 40 GiB, at 100 MiB/s. */
export const runningMigration: ApiModel.Migration = {
  ...baseMigration,
  stages: [
    stageRun(STAGES.validate.id, { durationSeconds: 2 }),
    stageRun(STAGES.snapshot.id, { durationSeconds: 8 }),
    stageRun(STAGES.export.id, {
      state: 'running',
      finishedAt: undefined,
      durationSeconds: undefined,
      runnerId: 'runner-1',
      progress: {
        phase: 'NFC download',
        disks: [
          { disk: 'Hard disk 1', bytesDone: 30 * GIB, bytesTotal: 80 * GIB },
          { disk: 'Hard disk 2', bytesDone: 10 * GIB, bytesTotal: 40 * GIB },
        ],
        bytesPerSecond: 100 * 2 ** 20,
        etaSeconds: 820,
        updatedAt: '2026-11-20T10:05:00Z',
      },
    }),
  ],
};

export const failedMigration: ApiModel.Migration = {
  ...baseMigration,
  state: 'failed',
  currentStage: STAGES.convert.id,
  stages: [
    stageRun(STAGES.validate.id),
    stageRun(STAGES.snapshot.id),
    stageRun(STAGES.export.id, { bytes: 120 * GIB, runnerId: 'runner-1' }),
    stageRun(STAGES.convert.id, {
      state: 'failed',
      attempt: 2,
      runnerId: 'runner-1',
      error: {
        code: 'RUNNER_SCRATCH_FULL',
        message:
          'runner-1 has 3 GiB free, the qcow2 of Hard disk 1 needs 80 GiB',
        remediation:
          'Free scratch space on runner-1 or add a runner, then retry the VM.',
      },
    }),
  ],
  lastError: {
    code: 'RUNNER_SCRATCH_FULL',
    message: 'runner-1 has 3 GiB free, the qcow2 of Hard disk 1 needs 80 GiB',
    remediation:
      'Free scratch space on runner-1 or add a runner, then retry the VM.',
  },
};

// What the import, verify and upload stages record on a successful run.
const DONE_OUTPUTS: Partial<
  Record<ApiModel.StageId, Partial<ApiModel.StageRun>>
> = {
  [STAGES.import_scw.id]: {
    outputs: {
      snapshots: ['11111111-1111-4111-8111-111111111111'],
      imageId: '22222222-2222-4222-8222-222222222222',
    },
  },
  [STAGES.verify.id]: {
    outputs: { serverId: '33333333-3333-4333-8333-333333333333' },
  },
  [STAGES.upload_s3.id]: { bytes: 41 * GIB, runnerId: 'runner-1' },
};

export const succeededMigration: ApiModel.Migration = {
  ...baseMigration,
  state: 'succeeded',
  currentStage: STAGES.cleanup.id,
  finishedAt: '2026-11-20T11:30:00Z',
  stages: LINUX_PIPELINE.map(stage => stageRun(stage, DONE_OUTPUTS[stage])),
};

export const batch: ApiModel.Batch = {
  id: 'batch-1',
  kind: 'plan',
  planId: 'plan-1',
  planName: 'web-tier',
  dryRun: false,
  state: 'running',
  createdBy: 'user:default/guest',
  createdAt: '2026-11-20T09:58:00Z',
  counts: {
    total: 3,
    pending: 0,
    queued: 1,
    running: 1,
    waiting: 0,
    succeeded: 0,
    failed: 1,
    cancelled: 0,
  },
};

export const runningWave: ApiModel.Wave = {
  id: 'wave-1',
  batchId: 'batch-1',
  name: 'wave-1',
  position: 0,
  state: 'running',
  pauseAfter: 'pause',
  startedAt: '2026-11-20T09:59:00Z',
  approvals: [
    {
      decision: 'approved',
      by: 'user:default/guest',
      at: '2026-11-20T09:59:00Z',
      comment: 'go for the web tier',
    },
  ],
  counts: batch.counts,
};

export const awaitingWave: ApiModel.Wave = {
  id: 'wave-2',
  batchId: 'batch-1',
  name: 'wave-2',
  position: 1,
  state: 'awaiting_approval',
  pauseAfter: 'pause_on_failure',
  approvals: [],
  counts: { ...batch.counts, total: 0, queued: 0, running: 0, failed: 0 },
};

export const entityStatus = (
  migration?: ApiModel.Migration,
): ApiModel.EntityMigrationStatus =>
  migration
    ? {
        entityRef: VM_REF,
        migration,
        batch,
        wave: runningWave,
        history: [],
      }
    : { entityRef: VM_REF };

export const events: ApiModel.Event[] = [
  {
    id: 1,
    at: '2026-11-20T09:58:00Z',
    actor: 'user:default/guest',
    type: 'batch.started',
    batchId: 'batch-1',
    message: 'Batch of plan web-tier started',
  },
  {
    id: 2,
    at: '2026-11-20T09:59:00Z',
    actor: 'user:default/guest',
    type: 'wave.approved',
    batchId: 'batch-1',
    waveId: 'wave-1',
    message: 'Wave wave-1 approved: go for the web tier',
  },
  {
    id: 3,
    at: '2026-11-20T10:20:00Z',
    actor: 'user:default/jane',
    type: 'migration.retried',
    batchId: 'batch-1',
    migrationId: 'mig-1',
    message: 'web-prod-01 retried from convert',
  },
];

export const batchStatus: ApiModel.BatchStatus = {
  batch,
  waves: [runningWave, awaitingWave],
  migrations: [
    runningMigration,
    {
      ...failedMigration,
      id: 'mig-2',
      vmName: 'web-prod-02',
      entityRef: 'resource:default/web-prod-02',
    },
    {
      ...baseMigration,
      id: 'mig-3',
      vmName: 'web-prod-03',
      entityRef: 'resource:default/web-prod-03',
      state: 'queued',
      currentStage: undefined,
      runnerId: undefined,
    },
  ],
};

export const plans: ApiModel.PlanSummary[] = [
  {
    id: 'plan-1',
    name: 'web-tier',
    createdBy: 'user:default/guest',
    createdAt: '2026-11-19T08:00:00Z',
    zone: 'fr-par-1',
    vmCount: 3,
    waveCount: 2,
  },
];

export const estimate: ApiModel.PlanEstimate = {
  rulesVersion: 1,
  pricing: assessment.pricing,
  vms: [
    {
      vmName: 'web-prod-01',
      wave: 'wave-1',
      targetType: 'POP2-4C-16G',
      targetSource: 'plan',
      bytesToMove: 60 * GIB,
      migratable: true,
    },
  ],
  waves: [
    {
      name: 'wave-1',
      pauseAfter: 'pause',
      vmCount: 2,
      bytesToMove: 100 * GIB,
      startSeconds: 0,
      durationSeconds: 5400,
      peakScratchBytes: 160 * GIB,
      monthlyCostEur: 239.68,
    },
    {
      name: 'wave-2',
      pauseAfter: 'none',
      vmCount: 1,
      bytesToMove: 40 * GIB,
      startSeconds: 5400,
      durationSeconds: 2700,
      peakScratchBytes: 80 * GIB,
      monthlyCostEur: 91.3,
    },
  ],
  totals: {
    vmCount: 3,
    migratableCount: 3,
    bytesToMove: 140 * GIB,
    durationSeconds: 8100,
    peakScratchBytes: 160 * GIB,
    availableDiskBytes: 500 * GIB,
    scratchFits: true,
    monthlyCostEur: 330.98,
  },
  containsCritical: false,
  concernTally: [
    {
      ruleId: 'vmware.firmware.bios',
      severity: 'warning',
      label: 'BIOS firmware',
      remediation: 'Nothing to do: ensure_uefi adds an EFI system partition.',
      vmCount: 2,
      vms: ['web-prod-01', 'web-prod-02'],
    },
  ],
  problems: [
    {
      code: 'PRICE_SNAPSHOT',
      severity: 'warning',
      message: 'Prices come from the offline snapshot of 2026-11-01.',
      remediation: 'Configure Scaleway credentials for live prices.',
    },
  ],
};

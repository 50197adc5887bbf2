import { randomUUID } from 'node:crypto';
import {
  pipelineFor,
  STAGES,
  vmSchema,
  type StageId,
  type Vm,
} from '@internal/plugin-vmware2scw-common';
import type {
  BatchRecord,
  BatchSettings,
  MigrationRecord,
  StageRunRecord,
  WaveRecord,
} from './MigrationStore';

/** Records for store and engine tests: a batch of VMs in waves, as the engine would write it. */
export const DEFAULT_SETTINGS: BatchSettings = {
  concurrency: {
    max_exports_per_host: 4,
    max_concurrent_conversions: 3,
    max_concurrent_uploads: 6,
    max_total_workers: 10,
  },
  postMigration: {
    power_off_source: false,
    delete_vmware_snapshot: true,
    delete_s3_transit: true,
  },
  tags: [],
  approveFirstWave: true,
};

export function testVm(name: string, overrides: Partial<Vm> = {}): Vm {
  return vmSchema.parse({
    sourceId: 'vc-test',
    moref: `vm-${name}`,
    name,
    powerState: 'poweredOn',
    osFamily: 'linux',
    firmware: 'bios',
    numCpu: 2,
    memoryMiB: 4096,
    host: 'esxi-01',
    disks: [
      {
        key: 2000,
        label: 'Hard disk 1',
        capacityBytes: 10 * 2 ** 30,
        fileName: `[ds1] ${name}/${name}.vmdk`,
      },
    ],
    ...overrides,
  });
}

export interface TestBatch {
  batch: BatchRecord;
  waves: WaveRecord[];
  migrations: MigrationRecord[];
  stageRuns: StageRunRecord[];
}

/** A batch with `waves[i]` VMs in wave i, every stage run pending; override what the test needs. */
export function testBatch(
  options: {
    waves?: number[];
    settings?: Partial<BatchSettings>;
    pipeline?: StageId[];
    now?: string;
    vm?: (name: string) => Vm;
    waveState?: WaveRecord['state'];
    migrationState?: MigrationRecord['state'];
  } = {},
): TestBatch {
  const now = options.now ?? '2026-12-03T10:00:00.000Z';
  const batchId = randomUUID();
  const batch: BatchRecord = {
    id: batchId,
    planName: 'test-plan',
    kind: 'plan',
    dryRun: false,
    state: 'running',
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    createdBy: 'user:default/tester',
    createdAt: now,
  };
  const waves: WaveRecord[] = [];
  const migrations: MigrationRecord[] = [];
  const stageRuns: StageRunRecord[] = [];
  (options.waves ?? [2]).forEach((count, w) => {
    const wave: WaveRecord = {
      id: randomUUID(),
      batchId,
      name: `wave-${w + 1}`,
      position: w,
      state: options.waveState ?? (w === 0 ? 'running' : 'pending'),
      pauseAfter: 'none',
    };
    waves.push(wave);
    for (let i = 0; i < count; i++) {
      const name = `w${w + 1}-vm${i + 1}`;
      const vm = options.vm ? options.vm(name) : testVm(name);
      const pipeline = options.pipeline ?? [...pipelineFor(vm.osFamily)];
      const migration: MigrationRecord = {
        id: randomUUID(),
        batchId,
        waveId: wave.id,
        entityRef: `resource:default/${name}`,
        vmName: name,
        sourceId: vm.sourceId,
        moref: vm.moref,
        osFamily: vm.osFamily,
        esxiHost: vm.host,
        targetType: 'POP2-2C-8G',
        zone: 'fr-par-1',
        priority: 100,
        state:
          options.migrationState ??
          (wave.state === 'running' ? 'queued' : 'pending'),
        nextPosition: 0,
        currentStage: pipeline[0],
        stepwise: false,
        pipeline,
        vm,
        leftovers: [],
        createdAt: now,
      };
      migrations.push(migration);
      pipeline.forEach((stage, position) =>
        stageRuns.push({
          id: randomUUID(),
          migrationId: migration.id,
          stage,
          position,
          state: 'pending',
          attempt: 0,
          resource: STAGES[stage].resource,
          esxiHost: vm.host,
          diskCount: STAGES[stage].resource === 'export' ? vm.disks.length : 0,
          cancelRequested: false,
        }),
      );
    }
  });
  return { batch, waves, migrations, stageRuns };
}

import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { recordingLogger, virtualClock } from '../__testUtils__/stepContext';
import { ProgressLog } from './ProgressLog';

const GiB = 1024 ** 3;

function migration(
  stages: ApiModel.StageRun[],
  extra: Partial<ApiModel.Migration> = {},
): ApiModel.Migration {
  return {
    id: 'mig-1',
    batchId: 'b-1',
    entityRef: 'resource:default/web-01',
    vmName: 'web-01',
    sourceId: 'vc',
    moref: 'vm-1',
    osFamily: 'linux',
    zone: 'fr-par-1',
    priority: 0,
    state: 'running',
    pipeline: stages.map(s => s.stage),
    stages,
    createdAt: '2026-12-01T00:00:00Z',
    ...extra,
  };
}

const converting = (bytesDone: number, phase?: string): ApiModel.StageRun => ({
  stage: 'convert',
  position: 3,
  state: 'running',
  attempt: 1,
  progress: {
    phase,
    disks: [{ disk: 'disk-0', bytesDone, bytesTotal: 10 * GiB }],
    bytesPerSecond: 200 * 1024 ** 2,
    etaSeconds: (10 * GiB - bytesDone) / (200 * 1024 ** 2),
  },
});

function setup() {
  const logger = recordingLogger();
  const clock = virtualClock();
  const log = new ProgressLog(logger, clock, {
    progressIntervalMs: 15_000,
    progressPercentStep: 10,
  });
  return { logger, clock, log };
}

describe('ProgressLog', () => {
  it('says where a stage already running is at the first read, then a line per 10 % or 15 s', async () => {
    const { logger, clock, log } = setup();
    log.observe(migration([converting(GiB, 'trim')]));
    for (let i = 1; i <= 20; i++) {
      await clock.sleep(1_000);
      log.observe(migration([converting(GiB + i * 0.1 * GiB, 'trim')]));
    }

    expect(logger.lines.map(l => l.message)).toEqual([
      'Convert (trim): 10% | disk-0 1.0 GiB / 10.0 GiB | 200.0 MiB/s, ETA 46s',
      'Convert (trim): 20% | disk-0 2.0 GiB / 10.0 GiB | 200.0 MiB/s, ETA 41s',
      'Convert (trim): 30% | disk-0 3.0 GiB / 10.0 GiB | 200.0 MiB/s, ETA 36s',
    ]);
  });

  it('writes a line when the phase changes, whatever the rate', () => {
    const { logger, log } = setup();
    log.observe(migration([converting(GiB, 'trim')]));
    log.observe(migration([converting(GiB, 'convert')]));

    expect(logger.lines.map(l => l.message)).toEqual([
      'Convert (trim): 10% | disk-0 1.0 GiB / 10.0 GiB | 200.0 MiB/s, ETA 46s',
      'Convert (convert): 10% | disk-0 1.0 GiB / 10.0 GiB | 200.0 MiB/s, ETA 46s',
    ]);
  });

  it('keeps a stage with nothing to measure quiet: a line a minute', async () => {
    const { logger, clock, log } = setup();
    const verifying: ApiModel.StageRun = {
      stage: 'verify',
      position: 8,
      state: 'running',
      attempt: 1,
    };
    log.observe(migration([verifying]));
    for (let i = 0; i < 40; i++) {
      await clock.sleep(3_000);
      log.observe(migration([verifying]));
    }
    expect(logger.lines.map(l => l.message)).toEqual([
      'Verify started (attempt 1)',
      'Verify: still running (1m 00s)',
      'Verify: still running (2m 00s)',
    ]);
  });

  it('tells when the migration waits for its wave’s approval, and when it succeeds', () => {
    const { logger, log } = setup();
    const pending: ApiModel.StageRun = {
      stage: 'cleanup',
      position: 9,
      state: 'pending',
      attempt: 0,
    };
    log.observe(migration([pending], { state: 'queued' }));
    log.observe(
      migration([pending], { state: 'pending', waveName: 'weekend' }),
    );
    log.observe(
      migration(
        [{ ...pending, state: 'succeeded', attempt: 1, durationSeconds: 42 }],
        { state: 'succeeded' },
      ),
    );
    expect(logger.lines.map(l => l.message)).toEqual([
      'Migration of web-01 waits for wave weekend to be approved',
      'Clean up succeeded in 42s',
      'Migration of web-01 succeeded',
    ]);
  });
});

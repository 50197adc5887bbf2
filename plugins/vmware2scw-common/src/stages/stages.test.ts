import {
  LINUX_PIPELINE,
  pipelineFor,
  runnerJobKey,
  RUNNER_AVAILABLE_JOB_KINDS,
  STAGE_IDS,
  STAGES,
  stageActionId,
  unavailableRunnerJobs,
  WINDOWS_PIPELINE,
} from './stages';

describe('stages', () => {
  it('has the old tool’s Linux (10) and Windows (12) pipelines, sharing their ends', () => {
    expect(LINUX_PIPELINE).toHaveLength(10);
    expect(WINDOWS_PIPELINE).toHaveLength(12);
    for (const p of [LINUX_PIPELINE, WINDOWS_PIPELINE]) {
      expect(p.slice(0, 4)).toEqual([
        'validate',
        'snapshot',
        'export',
        'convert',
      ]);
      expect(p.slice(-5)).toEqual([
        'ensure_uefi',
        'upload_s3',
        'import_scw',
        'verify',
        'cleanup',
      ]);
    }
    expect(pipelineFor('windows')).toBe(WINDOWS_PIPELINE);
    expect(pipelineFor('other')).toBe(LINUX_PIPELINE);
  });

  it('defines every stage once, keyed by its id', () => {
    for (const id of STAGE_IDS) expect(STAGES[id].id).toBe(id);
    expect(new Set([...LINUX_PIPELINE, ...WINDOWS_PIPELINE])).toEqual(
      new Set(STAGE_IDS),
    );
  });

  it('maps stages to runner job kinds (adapt_guest → adapt_linux, upload_s3 → upload, trim in convert)', () => {
    expect(STAGES.adapt_guest.runnerJobs).toEqual(['adapt_linux']);
    expect(STAGES.upload_s3.runnerJobs).toEqual(['upload']);
    expect(STAGES.convert.runnerJobs).toEqual(['trim', 'convert']);
    expect(STAGES.validate.runnerJobs).toEqual([]);
    const runnerStagesWithoutJobs = STAGE_IDS.filter(
      id =>
        STAGES[id].runsOn === 'runner' && STAGES[id].runnerJobs.length === 0,
    );
    expect(runnerStagesWithoutJobs).toEqual([]);
  });

  it('knows which pipeline a runner cannot serve yet', () => {
    expect(unavailableRunnerJobs(LINUX_PIPELINE)).toEqual([]);
    expect(unavailableRunnerJobs(WINDOWS_PIPELINE)).toEqual([
      'clean_tools',
      'inject_virtio',
      'fix_bootloader',
    ]);
    expect(RUNNER_AVAILABLE_JOB_KINDS).not.toContain('clean_tools');
  });

  it('derives action ids and idempotency keys from stage ids', () => {
    expect(stageActionId('adapt_guest')).toBe('vmware2scw:adapt-guest');
    expect(stageActionId('upload_s3')).toBe('vmware2scw:upload-s3');
    expect(runnerJobKey('m1', 'export', 'export', 'disk-0')).toBe(
      'm1:export:disk-0',
    );
    expect(runnerJobKey('m1', 'convert', 'trim', 'disk-0')).toBe(
      'm1:convert.trim:disk-0',
    );
    expect(runnerJobKey('m1', 'adapt_guest', 'adapt_linux')).toBe(
      'm1:adapt_guest:vm',
    );
  });
});

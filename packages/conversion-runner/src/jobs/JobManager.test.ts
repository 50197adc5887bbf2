import { existsSync } from 'fs';
import { mkdtemp, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { z } from 'zod';
import { resolveRunnerConfig } from '../config/RunnerConfig';
import { AllowedHosts } from '../export/AllowedHosts';
import { ScratchSpace } from '../scratch/ScratchSpace';
import { defineJobKind, JobServices } from './JobKindDefinition';
import { JobManager } from './JobManager';

/** A kind whose runs wait for the test to let them finish, recording what ran at the same time. */
function gatedKinds() {
  const running: string[] = [];
  const overlaps: string[][] = [];
  const gates = new Map<string, () => void>();
  const run = async (label: string) => {
    running.push(label);
    overlaps.push([...running].sort());
    await new Promise<void>(resolve => gates.set(label, resolve));
    running.splice(running.indexOf(label), 1);
    return { label };
  };
  const schema = z
    .object({
      vm: z.string(),
      disk: z.string().optional(),
      secret: z.string().optional(),
    })
    .strict();
  const base = {
    description: 'test',
    paramsSchema: schema,
    vmOf: (p: z.infer<typeof schema>) => p.vm,
    redact: (p: z.infer<typeof schema>) => ({
      ...p,
      secret: p.secret && '***',
    }),
    identity: (p: z.infer<typeof schema>) => ({ ...p, secret: undefined }),
    scratchNeeded: async () => 0,
  };
  const kinds = [
    defineJobKind({
      ...base,
      kind: 'disk_job',
      disksOf: p => [p.disk!],
      run: p => run(`${p.vm}/${p.disk}`),
    }),
    defineJobKind({ ...base, kind: 'vm_job', run: p => run(`${p.vm}/*`) }),
  ];
  const release = async (label: string) => {
    for (let i = 0; i < 2000 && !gates.has(label); i++)
      await new Promise(resolve => setTimeout(resolve, 5));
    gates.get(label)!();
    gates.delete(label);
  };
  /** Waits until each of `labels` is running (its gate is set). */
  const started = async (labels: string[]) => {
    for (let i = 0; i < 2000 && !labels.every(l => gates.has(l)); i++)
      await new Promise(resolve => setTimeout(resolve, 5));
  };
  return { kinds, overlaps, release, started };
}

describe('JobManager', () => {
  let root: string;
  let services: JobServices;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vmware2scw-jobs-'));
    const scratch = new ScratchSpace({ root, reserveBytes: 0 });
    await scratch.init();
    services = {
      scratch,
      config: resolveRunnerConfig(
        {},
        { VMWARE2SCW_RUNNER_TOKEN: 'x'.repeat(16) },
      ),
      accel: { mode: 'tcg', reason: 'test', probedAt: '', probeMs: 0 },
      allowedHosts: new AllowedHosts([]),
    };
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('never runs two jobs on the same disk, nor a VM-wide job beside any job of that VM', async () => {
    const { kinds, overlaps, release, started } = gatedKinds();
    const jobs = new JobManager({
      kinds,
      services,
      concurrency: 4,
      logLines: 100,
    });
    jobs.submit({
      idempotencyKey: 'a',
      kind: 'disk_job',
      params: { vm: 'vm-1', disk: 'disk-0' },
    });
    jobs.submit({
      idempotencyKey: 'b',
      kind: 'disk_job',
      params: { vm: 'vm-1', disk: 'disk-1' },
    });
    jobs.submit({
      idempotencyKey: 'c',
      kind: 'disk_job',
      params: { vm: 'vm-1', disk: 'disk-0' },
    });
    jobs.submit({
      idempotencyKey: 'd',
      kind: 'vm_job',
      params: { vm: 'vm-1' },
    });
    jobs.submit({
      idempotencyKey: 'e',
      kind: 'disk_job',
      params: { vm: 'vm-2', disk: 'disk-0' },
    });
    // record writes are fsynced: let the three jobs that may run together all start first
    await started(['vm-1/disk-0', 'vm-1/disk-1', 'vm-2/disk-0']);
    await release('vm-2/disk-0');
    await release('vm-1/disk-0');
    await release('vm-1/disk-1');
    await release('vm-1/disk-0'); // the second job on disk-0
    await release('vm-1/*');
    await jobs.whenIdle();
    const clashes = overlaps
      .map(set => set.filter(label => label.startsWith('vm-1/')))
      .filter(
        vm1 =>
          new Set(vm1).size !== vm1.length || // a disk twice
          (vm1.includes('vm-1/*') && vm1.length > 1), // a VM-wide job beside another
      );
    expect(clashes).toEqual([]);
    // different disks of one VM (and other VMs) did run side by side
    expect(overlaps).toContainEqual([
      'vm-1/disk-0',
      'vm-1/disk-1',
      'vm-2/disk-0',
    ]);
    expect(jobs.list().map(job => job.state)).toEqual(
      Array(5).fill('succeeded'),
    );
  });

  it('treats a refreshed secret as the same job, and keeps its hash out of the record', async () => {
    const { kinds, release } = gatedKinds();
    const jobs = new JobManager({
      kinds,
      services,
      concurrency: 1,
      logLines: 100,
    });
    const first = jobs.submit({
      idempotencyKey: 'k',
      kind: 'disk_job',
      params: { vm: 'vm-3', disk: 'disk-0', secret: 'cookie-1' },
    });
    const second = jobs.submit({
      idempotencyKey: 'k',
      kind: 'disk_job',
      params: { vm: 'vm-3', disk: 'disk-0', secret: 'cookie-2' },
    });
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(JSON.stringify(second.job)).not.toContain('cookie-');
    expect(() =>
      jobs.submit({
        idempotencyKey: 'k',
        kind: 'disk_job',
        params: { vm: 'vm-3', disk: 'disk-1', secret: 'cookie-1' },
      }),
    ).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' }));
    await release('vm-3/disk-0');
    await jobs.whenIdle();
  });

  it('writes the final state last: the record on disk is the finished job, never an older progress write', async () => {
    // a kind that logs (and so persists progress) in a tight loop, then returns
    const chatty = defineJobKind({
      kind: 'chatty',
      description: 'test',
      paramsSchema: z.object({ vm: z.string() }).strict(),
      vmOf: p => p.vm,
      redact: p => p,
      scratchNeeded: async () => 0,
      run: async (p, context) => {
        for (let i = 0; i < 200; i++) context.log(`line ${i} of ${p.vm}`);
        return { done: true };
      },
    });
    const jobs = new JobManager({
      kinds: [chatty],
      services,
      concurrency: 8,
      logLines: 100,
    });
    const ids = Array.from(
      { length: 40 },
      (_, i) =>
        jobs.submit({
          idempotencyKey: `chatty-${i}`,
          kind: 'chatty',
          params: { vm: `vm-c${i}` },
        }).job.id,
    );
    await jobs.whenIdle();
    for (const id of ids) {
      const onDisk = JSON.parse(
        await readFile(join(services.scratch.jobsDir(), `${id}.json`), 'utf8'),
      );
      expect(onDisk).toMatchObject({
        state: 'succeeded',
        result: { done: true },
      });
    }
  });

  it('reports a job record cut by a host crash with what to do, and sets it aside', async () => {
    const dir = services.scratch.jobsDir();
    const id = '0b6f6c1e-5f1a-4c55-9b7e-1d2c3b4a5f60';
    await writeFile(
      join(dir, `${id}.json`),
      '{"id":"0b6f6c1e-5f1a-4c55-9b7e-1d2c3b4a5f60","idempotencyKey":"mig-9:exp',
    );
    const lines: string[] = [];
    const jobs = new JobManager({
      kinds: gatedKinds().kinds,
      services,
      concurrency: 1,
      logLines: 100,
      log: line => lines.push(line),
    });
    await jobs.init();
    expect(lines.join('\n')).toMatch(
      new RegExp(
        `job record .*${id}\\.json is unreadable .*moved to .*corrupt.*Submit that job again`,
      ),
    );
    expect(existsSync(join(dir, `${id}.json`))).toBe(false);
    expect(existsSync(join(dir, `${id}.json.corrupt`))).toBe(true);
  });

  it('caps a job log file, and prunes finished jobs after the retention (never queued or running ones)', async () => {
    const chatty = defineJobKind({
      kind: 'chatty',
      description: 'test',
      paramsSchema: z.object({ vm: z.string() }).strict(),
      vmOf: p => p.vm,
      redact: p => p,
      scratchNeeded: async () => 0,
      run: async (p, context) => {
        for (let i = 0; i < 5000; i++)
          context.log(`line ${i} of ${p.vm} ${'x'.repeat(80)}`);
        return {};
      },
    });
    const jobs = new JobManager({
      kinds: [chatty],
      services,
      concurrency: 2,
      logLines: 100,
      logFileMaxBytes: 64 * 1024,
      retentionDays: 1,
    });
    await jobs.init();
    const { job } = jobs.submit({
      idempotencyKey: 'capped',
      kind: 'chatty',
      params: { vm: 'vm-cap' },
    });
    await jobs.whenIdle();
    await new Promise(resolve => setTimeout(resolve, 200)); // appends land
    const logFile = join(services.scratch.jobsDir(), `${job.id}.log`);
    const text = await readFile(logFile, 'utf8');
    expect(text.length).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(text).toContain('log file capped at 65536 bytes');
    // the last lines stay readable through the API
    expect(jobs.logs(job.id).pop()?.line).toBe('job succeeded');

    expect(await jobs.prune(Date.now() + 12 * 3600 * 1000)).toBe(0);
    expect(
      await jobs.prune(Date.now() + 25 * 3600 * 1000),
    ).toBeGreaterThanOrEqual(1);
    expect(() => jobs.get(job.id)).toThrow(
      expect.objectContaining({ code: 'JOB_NOT_FOUND' }),
    );
    expect(existsSync(logFile)).toBe(false);
    expect(existsSync(join(services.scratch.jobsDir(), `${job.id}.json`))).toBe(
      false,
    );
    // the key is free again
    expect(
      jobs.submit({
        idempotencyKey: 'capped',
        kind: 'chatty',
        params: { vm: 'vm-cap2' },
      }).created,
    ).toBe(true);
    await jobs.whenIdle();
  });
});

import { createHash, randomBytes } from 'crypto';
import execa from 'execa';
import { existsSync } from 'fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import type { RunnerJob } from '@internal/plugin-vmware2scw-common';
import { DatastoreHttpServer } from './testing/DatastoreHttpServer';
import { RunnerClient } from './testing/RunnerClient';
import { RunnerProcess } from './testing/RunnerProcess';

jest.setTimeout(240_000);

async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** Processes whose command line mentions `needle` (an orphaned tool still writing a file). */
async function processesMentioning(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(
      () => '',
    );
    if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

describe('runner CLI killed with SIGKILL in the middle of a job', () => {
  const token = 'cli-test-token-0123456789';
  const cookie = 'vmware_soap_session="kill-test"';
  const vm = 'vm-kill';
  const MiB = 1024 * 1024;
  let work: string;
  let config: string;
  let scratch: string;
  let source: Buffer;
  let datastore: DatastoreHttpServer;
  let runner: RunnerProcess | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-cli-'));
    scratch = join(work, 'scratch');
    // Random data, so the compressed convert takes seconds and every block is written.
    source = randomBytes(128 * MiB);
    await writeFile(join(work, 'disk-flat.vmdk'), source);
    datastore = await DatastoreHttpServer.start({
      files: { 'vm/disk-flat.vmdk': join(work, 'disk-flat.vmdk') },
      cookie,
      stallFirstResponseAfterBytes: 48 * MiB,
    });
    config = join(work, 'runner.yaml');
    await writeFile(
      config,
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `scratch: { dir: ${scratch}, reserveBytes: 0 }`,
        'allowedHosts: [127.0.0.1]',
        'accel: { mode: tcg }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await runner?.stop();
    await datastore?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const diskFile = (name: string) => join(scratch, 'vms', vm, name);
  const manifest = async () =>
    JSON.parse(
      await readFile(diskFile('manifest.json'), 'utf8').catch(() => '{}'),
    );
  const getJob = async (client: RunnerClient, id: string) =>
    (await client.call('GET', `/v1/jobs/${id}`)).body as RunnerJob;

  const exportParams = {
    vm,
    disk: 'disk-0',
    source: {
      kind: 'datastore',
      url: '',
      auth: { cookie },
    },
  };

  it('export: leaves only a .partial, and the same idempotency key resumes it after the restart', async () => {
    exportParams.source.url = datastore.folderUrl('vm/disk-flat.vmdk');
    runner = await RunnerProcess.start(config, token);
    let client = new RunnerClient(runner.url, token);
    const job = await client.submit(
      'export',
      exportParams,
      'mig-1:export:disk-0:1',
    );
    await datastore.stalled();
    // the runner received 48 MiB and wrote what it had staged: a partial file exists
    await waitUntil('a partial download on scratch', async () => {
      const partial = await stat(diskFile('disk-0.raw.partial')).catch(
        () => undefined,
      );
      return (partial?.size ?? 0) >= 32 * MiB;
    });
    expect((await getJob(client, job.id)).state).toBe('running');
    await runner.kill9();

    // Nothing a later job could take for a finished export.
    expect(existsSync(diskFile('disk-0.raw'))).toBe(false);
    const partialBytes = (await stat(diskFile('disk-0.raw.partial'))).size;
    expect(partialBytes).toBeGreaterThanOrEqual(32 * MiB);
    expect(partialBytes).toBeLessThanOrEqual(48 * MiB);
    expect((await manifest()).disks?.['disk-0']?.source).toBeUndefined();

    runner = await RunnerProcess.start(config, token);
    client = new RunnerClient(runner.url, token);
    const interrupted = await getJob(client, job.id);
    expect(interrupted).toMatchObject({
      state: 'failed',
      error: {
        code: 'RUNNER_RESTARTED',
        message: expect.stringContaining('was running'),
      },
    });
    const oldLogs = await client.call('GET', `/v1/jobs/${job.id}/logs`);
    expect(JSON.stringify(oldLogs.body)).toContain('export http://127.0.0.1');
    const convert = await client.submit('convert', { vm, disk: 'disk-0' });
    await expect(
      client.waitFor(convert.id, { timeoutMs: 30_000 }),
    ).rejects.toThrow(/STAGE_INPUT_MISSING/);

    // Same key, same params: the same job runs again and continues the partial file with Range.
    const again = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'mig-1:export:disk-0:1',
      kind: 'export',
      params: exportParams,
    });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: job.id, restarts: 1 });
    const done = await client.waitFor(job.id, { timeoutMs: 120_000 });
    expect(done.result).toMatchObject({
      bytes: source.length,
      sha256: createHash('sha256').update(source).digest('hex'),
      resumes: 1,
    });
    expect(
      datastore.requests.some(r => r.range === `bytes=${partialBytes}-`),
    ).toBe(true);
    expect((await readFile(diskFile('disk-0.raw'))).equals(source)).toBe(true);
    expect(existsSync(diskFile('disk-0.raw.partial'))).toBe(false);
    // once more with the same key: the finished job, not a third run
    const repeat = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'mig-1:export:disk-0:1',
      kind: 'export',
      params: exportParams,
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body.state).toBe('succeeded');
  });

  it('convert: leaves no qcow2 a later stage would use, kills its qemu-img, and the same key redoes it', async () => {
    let client = new RunnerClient(runner!.url, token);
    const params = { vm, disk: 'disk-0', compress: true };
    const job = await client.submit(
      'convert',
      params,
      'mig-1:convert:disk-0:1',
    );
    await waitUntil('qemu-img writing the qcow2', async () => {
      const current = await getJob(client, job.id);
      if (current.state !== 'running' && current.state !== 'queued')
        throw new Error(`convert ended before the kill: ${current.state}`);
      return (
        (current.progress.percent ?? 0) >= 2 &&
        existsSync(diskFile('disk-0.qcow2.partial'))
      );
    });
    await runner!.kill9();

    expect(existsSync(diskFile('disk-0.qcow2'))).toBe(false);
    expect((await manifest()).disks['disk-0'].qcow2).toBeUndefined();
    // the tool died with the runner (parent-death signal, or SIGPIPE on its progress output): nothing
    // keeps writing the partial file
    await waitUntil(
      'qemu-img to exit',
      async () =>
        (await processesMentioning(diskFile('disk-0.qcow2.partial'))).length ===
        0,
      10_000,
    );

    runner = await RunnerProcess.start(config, token);
    client = new RunnerClient(runner.url, token);
    expect((await getJob(client, job.id)).error?.code).toBe('RUNNER_RESTARTED');
    const uefi = await client.submit('ensure_uefi', { vm, disk: 'disk-0' });
    await expect(
      client.waitFor(uefi.id, { timeoutMs: 30_000 }),
    ).rejects.toThrow(/STAGE_INPUT_MISSING/);

    const again = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'mig-1:convert:disk-0:1',
      kind: 'convert',
      params,
    });
    expect(again.status).toBe(202);
    const done = await client.waitFor(job.id, { timeoutMs: 180_000 });
    expect(done.result).toMatchObject({
      virtualSize: source.length,
      compressed: true,
    });
    expect(existsSync(diskFile('disk-0.qcow2.partial'))).toBe(false);
    await execa('qemu-img', ['check', '-f', 'qcow2', diskFile('disk-0.qcow2')]);
    await execa('qemu-img', [
      'compare',
      '-f',
      'raw',
      '-F',
      'qcow2',
      diskFile('disk-0.raw'),
      diskFile('disk-0.qcow2'),
    ]);
  });
});

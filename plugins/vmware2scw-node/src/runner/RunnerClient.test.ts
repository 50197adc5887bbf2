import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  RunnerApiError,
  RunnerClient,
  RunnerJobFailedError,
} from './RunnerClient';
import { RunnerProcess } from './testing/RunnerProcess';

jest.setTimeout(180_000);

const TOKEN = 'runner-client-test-token-0123456789';
const MiB = 1024 * 1024;

/** A datastore-like /folder server: one file, Range support, optionally slow. */
async function startSource(data: Buffer, bytesPerSecond?: number) {
  const server = http.createServer((req, res) => {
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, {
      'content-length': String(data.length - start),
      'accept-ranges': 'bytes',
      ...(range
        ? {
            'content-range': `bytes ${start}-${data.length - 1}/${data.length}`,
          }
        : {}),
    });
    if (!bytesPerSecond) {
      res.end(data.subarray(start));
      return;
    }
    let at = start;
    const step = Math.max(1, Math.floor(bytesPerSecond / 10));
    const timer = setInterval(() => {
      if (res.destroyed) {
        clearInterval(timer);
        return;
      }
      const end = Math.min(data.length, at + step);
      res.write(data.subarray(at, end));
      at = end;
      if (at >= data.length) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: (path: string) =>
      `http://127.0.0.1:${port}/folder/${path}?dcPath=DC0&dsName=ds1`,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('RunnerClient against the runner started as its CLI', () => {
  let runner: RunnerProcess;
  let client: RunnerClient;
  let fast: Awaited<ReturnType<typeof startSource>>;
  let slow: Awaited<ReturnType<typeof startSource>>;
  const data = randomBytes(4 * MiB);

  beforeAll(async () => {
    fast = await startSource(data);
    slow = await startSource(randomBytes(64 * MiB), 2 * MiB);
    runner = await RunnerProcess.start({
      token: TOKEN,
      allowedHosts: ['127.0.0.1'],
    });
    client = new RunnerClient({ id: 'r1', url: runner.url, token: TOKEN });
  });

  afterAll(async () => {
    await runner?.stop();
    await fast?.stop();
    await slow?.stop();
  });

  it('reads the runner health: TCG, scratch, job kinds', async () => {
    const health = await client.health();
    expect(health.accel.mode).toBe('tcg');
    expect(health.scratch.freeBytes).toBeGreaterThan(0);
    expect(health.kinds).toEqual(
      expect.arrayContaining(['export', 'convert', 'upload']),
    );
  });

  it('runs a job to its end, and the same key finds the same job', async () => {
    const request = {
      idempotencyKey: 'm1:export:disk-0',
      kind: 'export' as const,
      params: {
        vm: 'vm-1',
        disk: 'disk-0',
        source: { kind: 'datastore', url: fast.url('vm-1/disk-flat.vmdk') },
      },
    };
    const progress: number[] = [];
    const job = await client.run(request, {
      pollMs: 100,
      onProgress: j => progress.push(j.progress.disks[0]?.bytesDone ?? 0),
    });
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ bytes: data.length });
    expect(progress.length).toBeGreaterThan(0);
    const again = await client.submit(request);
    expect(again.id).toBe(job.id);
  });

  it('turns refusals into errors with the runner’s code and remediation', async () => {
    const err = await client
      .submit({
        idempotencyKey: 'm1:export:foreign',
        kind: 'export',
        params: {
          vm: 'vm-1',
          disk: 'disk-1',
          source: {
            kind: 'datastore',
            url: 'https://elsewhere.example/folder/x-flat.vmdk',
          },
        },
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(RunnerApiError);
    expect(err.code).toBe('HOST_NOT_ALLOWED');
    expect(err.remediation).toMatch(/\S/);

    const bad = new RunnerClient({
      id: 'r1',
      url: runner.url,
      token: 'wrong-token-0123456789',
    });
    await expect(bad.health()).rejects.toMatchObject({
      code: 'RUNNER_UNAUTHORIZED',
    });
    expect(String(await bad.health().catch(e => e.message))).not.toContain(
      'wrong-token',
    );

    const gone = new RunnerClient({
      id: 'gone',
      url: 'http://127.0.0.1:9',
      token: TOKEN,
    });
    await expect(gone.health()).rejects.toMatchObject({
      code: 'RUNNER_UNREACHABLE',
    });
  });

  it('cancels the job on the runner when the wait is aborted', async () => {
    const controller = new AbortController();
    const submitted = await client.submit({
      idempotencyKey: 'm2:export:disk-0',
      kind: 'export',
      params: {
        vm: 'vm-2',
        disk: 'disk-0',
        source: { kind: 'datastore', url: slow.url('vm-2/disk-flat.vmdk') },
      },
    });
    const waiting = client.wait(submitted.id, {
      signal: controller.signal,
      pollMs: 100,
    });
    setTimeout(() => controller.abort(new Error('cancelled by a person')), 500);
    await expect(waiting).rejects.toThrow('cancelled by a person');
    let job = await client.get(submitted.id);
    for (let i = 0; i < 50 && job.state === 'running'; i++) {
      await new Promise(r => setTimeout(r, 100));
      job = await client.get(submitted.id);
    }
    expect(job.state).toBe('cancelled');
    await expect(client.wait(submitted.id)).rejects.toBeInstanceOf(
      RunnerJobFailedError,
    );
  });
});

import { existsSync } from 'fs';
import { mkdtemp, rm, writeFile, mkdir } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { resolveRunnerConfig } from '../config/RunnerConfig';
import { startConversionRunner, StartedRunner } from '../ConversionRunner';
import { RunnerClient } from '../testing/RunnerClient';

describe('runner HTTP API', () => {
  const token = 'api-test-token-0123456789';
  let work: string;
  let runner: StartedRunner;
  let client: RunnerClient;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-api-'));
    const config = resolveRunnerConfig(
      {
        listen: { port: 0 },
        scratch: { dir: work, reserveBytes: 0 },
        allowedHosts: ['esxi-01.lab', '*.vsphere.lab'],
      },
      { VMWARE2SCW_RUNNER_TOKEN: token },
    );
    runner = await startConversionRunner(config, {
      accel: {
        mode: 'tcg',
        reason: 'test',
        probedAt: new Date().toISOString(),
        probeMs: 0,
      },
    });
    client = new RunnerClient(runner.url, token);
  });

  afterAll(async () => {
    await runner.close();
    await rm(work, { recursive: true, force: true });
  });

  const exportParams = (
    overrides: Record<string, unknown> = {},
    source: Record<string, unknown> = {},
  ) => ({
    vm: 'vm-42',
    disk: 'disk-0',
    ...overrides,
    source: {
      kind: 'nfc',
      url: 'https://esxi-01.lab/nfc/52a1/disk-0.vmdk',
      auth: { cookie: 'vmware_soap_session="secret-cookie"' },
      ...source,
    },
  });

  it('refuses calls without the bearer token, or with a wrong one', async () => {
    for (const anonymous of [
      new RunnerClient(runner.url, undefined),
      new RunnerClient(runner.url, 'wrong-token-0123456789'),
    ]) {
      const health = await anonymous.call('GET', '/v1/health');
      expect(health.status).toBe(401);
      expect(health.body.error).toMatchObject({
        code: 'UNAUTHENTICATED',
        remediation: expect.stringContaining('token'),
      });
      const submit = await anonymous.call('POST', '/v1/jobs', {
        idempotencyKey: 'x',
        kind: 'cleanup',
        params: { vm: 'vm-1' },
      });
      expect(submit.status).toBe(401);
    }
    expect(runner.jobs.list()).toHaveLength(0);
  });

  it('reports health: accelerator, tool versions, scratch space', async () => {
    const { status, body } = await client.call('GET', '/v1/health');
    expect(status).toBe(200);
    expect(body.accel.mode).toBe('tcg');
    expect(body.tools['qemu-img']).toMatch(/qemu-img version/);
    expect(body.scratch.freeBytes).toBeGreaterThan(0);
    expect(body.kinds).toEqual(
      expect.arrayContaining([
        'export',
        'convert',
        'adapt_linux',
        'ensure_uefi',
        'upload',
        'cleanup',
      ]),
    );
  });

  it.each([
    ['../../etc'],
    ['vm/../../x'],
    ['..'],
    ['.hidden'],
    ['a\u0000b'],
    [''],
  ])('refuses the path-traversing VM name %j', async vm => {
    const { status, body } = await client.call('POST', '/v1/jobs', {
      idempotencyKey: `trav-${vm}`,
      kind: 'cleanup',
      params: { vm },
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('UNSAFE_NAME');
    expect(body.error.message).toContain('vm');
  });

  it('refuses a path-traversing disk name', async () => {
    const { status, body } = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'trav-disk',
      kind: 'export',
      params: exportParams({ disk: '../../../root/.ssh/authorized_keys' }),
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('UNSAFE_NAME');
  });

  it('refuses to fetch from a host outside the allow-list', async () => {
    const { status, body } = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'evil-host',
      kind: 'export',
      params: exportParams(
        {},
        { url: 'https://attacker.example.com/folder/disk-flat.vmdk?dsName=x' },
      ),
    });
    expect(status).toBe(403);
    expect(body.error).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      message: expect.stringContaining('attacker.example.com'),
      remediation: expect.stringContaining('allowedHosts'),
    });
    expect(
      runner.jobs.list().some(job => job.idempotencyKey === 'evil-host'),
    ).toBe(false);
  });

  it('accepts allow-listed hosts, never returns the cookie, and is idempotent per key', async () => {
    const first = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'exp-1',
      kind: 'export',
      params: exportParams(
        {},
        { url: 'https://esxi-02.vsphere.lab/nfc/1/disk-0.vmdk' },
      ),
    });
    expect(first.status).toBe(202);
    expect(JSON.stringify(first.body)).not.toContain('secret-cookie');
    const again = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'exp-1',
      kind: 'export',
      params: exportParams(
        {},
        { url: 'https://esxi-02.vsphere.lab/nfc/1/disk-0.vmdk' },
      ),
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    // a refreshed session cookie is still the same job (secrets are not part of its identity)
    const refreshed = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'exp-1',
      kind: 'export',
      params: exportParams(
        {},
        {
          url: 'https://esxi-02.vsphere.lab/nfc/1/disk-0.vmdk',
          auth: { cookie: 'vmware_soap_session="refreshed-cookie"' },
        },
      ),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.id).toBe(first.body.id);
    const conflict = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'exp-1',
      kind: 'export',
      params: exportParams({ disk: 'disk-1' }),
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    await client.call('POST', `/v1/jobs/${first.body.id}/cancel`);
    await runner.jobs.whenIdle();
  });

  it.each([
    [
      'a thumbprint of the wrong length',
      'https',
      'AB:CD:EF',
      'INVALID_THUMBPRINT',
    ],
    ['a pin on a plain-http URL', 'http', 'ab'.repeat(20), 'INVALID_PARAMS'],
  ])('refuses %s at submission', async (_label, scheme, pin, code) => {
    const { status, body } = await client.call('POST', '/v1/jobs', {
      idempotencyKey: `pin-${code}`,
      kind: 'export',
      params: exportParams(
        {},
        {
          url: `${scheme}://esxi-01.lab/folder/x-flat.vmdk?dsName=ds`,
          tlsThumbprint: pin,
        },
      ),
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
  });

  it('refuses a cookie over plain http to a host that is not this machine', async () => {
    const { status, body } = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'plain-http-cookie',
      kind: 'export',
      params: exportParams(
        {},
        { url: 'http://esxi-01.lab/folder/x-flat.vmdk?dsName=ds' },
      ),
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'INSECURE_TRANSPORT',
      message: expect.stringContaining('esxi-01.lab'),
    });
    expect(JSON.stringify(body)).not.toContain('secret-cookie');
  });

  it('pages the job list', async () => {
    for (let i = 0; i < 5; i++)
      await client.submit('cleanup', { vm: `vm-page-${i}` }, `page-${i}`);
    await runner.jobs.whenIdle();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const { status, body } = await client.call(
        'GET',
        `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      expect(body.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...body.jobs.map((job: { id: string }) => job.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(runner.jobs.list().map(job => job.id));
    expect(new Set(seen).size).toBe(seen.length);
    for (const query of ['limit=0', 'limit=501', 'limit=x', 'cursor=nope']) {
      const { status, body } = await client.call('GET', `/v1/jobs?${query}`);
      expect([query, status, body.error.code]).toEqual([
        query,
        400,
        'INVALID_REQUEST',
      ]);
    }
  });

  it('names the unknown kind and lists the known ones', async () => {
    const { status, body } = await client.call('POST', '/v1/jobs', {
      idempotencyKey: 'k',
      kind: 'inject_virtio',
      params: {},
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('UNKNOWN_JOB_KIND');
    expect(body.error.remediation).toContain('adapt_linux');
  });

  it('runs cleanup, with logs and a final state', async () => {
    await mkdir(join(work, 'vms', 'vm-7'), { recursive: true });
    await writeFile(join(work, 'vms', 'vm-7', 'disk-0.qcow2'), 'x');
    const job = await client.run('cleanup', { vm: 'vm-7' }, 30_000);
    expect(job.state).toBe('succeeded');
    expect(existsSync(join(work, 'vms', 'vm-7'))).toBe(false);
    const logs = await client.call('GET', `/v1/jobs/${job.id}/logs`);
    expect(
      logs.body.lines.map((l: { line: string }) => l.line).join('\n'),
    ).toContain('removed');
  });

  it('fails a stage whose input is missing with a remediation', async () => {
    const job = await client.submit('convert', { vm: 'vm-8', disk: 'disk-0' });
    await runner.jobs.whenIdle();
    const { body } = await client.call('GET', `/v1/jobs/${job.id}`);
    expect(body.state).toBe('failed');
    expect(body.error).toMatchObject({
      code: 'STAGE_INPUT_MISSING',
      remediation: expect.stringContaining('export'),
    });
  });
});

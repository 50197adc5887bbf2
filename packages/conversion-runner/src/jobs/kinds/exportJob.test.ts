import { createHash, randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { StartedRunner } from '../../ConversionRunner';
import { DatastoreHttpServer } from '../../testing/DatastoreHttpServer';
import { startInProcessRunner } from '../../testing/InProcessRunner';
import { RunnerClient } from '../../testing/RunnerClient';

jest.setTimeout(120_000);

describe('export job: two disks under the same VM/disk name', () => {
  const token = 'export-test-token-0123456789';
  const cookie = 'vmware_soap_session="two-disks"';
  const MiB = 1024 * 1024;
  let work: string;
  let runner: StartedRunner;
  let client: RunnerClient;
  let datastore: DatastoreHttpServer;
  let first: Buffer;
  let second: Buffer;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-export-'));
    // same size, other bytes: a spliced file would have the right length and the wrong content
    first = randomBytes(32 * MiB);
    second = randomBytes(32 * MiB);
    await writeFile(join(work, 'a-flat.vmdk'), first);
    await writeFile(join(work, 'b-flat.vmdk'), second);
    datastore = await DatastoreHttpServer.start({
      files: {
        'a/disk-flat.vmdk': join(work, 'a-flat.vmdk'),
        'b/disk-flat.vmdk': join(work, 'b-flat.vmdk'),
      },
      cookie,
      stallFirstResponseAfterBytes: 16 * MiB,
    });
    ({ runner, client } = await startInProcessRunner({ work, token }));
  });

  afterAll(async () => {
    await runner?.close();
    await datastore?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const exportOf = (path: string) => ({
    vm: 'vm-1',
    disk: 'disk-0',
    source: {
      kind: 'datastore',
      url: datastore.folderUrl(path),
      auth: { cookie },
    },
  });

  it('the second export (another key, another source) equals the second disk byte for byte, although the first was cut half-way', async () => {
    const partial = join(work, 'scratch', 'vms', 'vm-1', 'disk-0.raw.partial');
    const cut = await client.submit(
      'export',
      exportOf('a/disk-flat.vmdk'),
      'mig-a:export:disk-0',
    );
    await datastore.stalled();
    await client.call('POST', `/v1/jobs/${cut.id}/cancel`);
    await runner.jobs.whenIdle();
    expect((await client.call('GET', `/v1/jobs/${cut.id}`)).body.state).toBe(
      'cancelled',
    );
    expect((await stat(partial)).size).toBeGreaterThan(0);

    const job = await client.submit(
      'export',
      exportOf('b/disk-flat.vmdk'),
      'mig-b:export:disk-0',
    );
    const done = await client.waitFor(job.id, { timeoutMs: 60_000 });
    expect(done.result).toMatchObject({
      bytes: second.length,
      sha256: createHash('sha256').update(second).digest('hex'),
      resumes: 0,
    });
    const exported = await readFile(
      join(work, 'scratch', 'vms', 'vm-1', 'disk-0.raw'),
    );
    expect(exported.equals(second)).toBe(true);
    expect(existsSync(partial)).toBe(false);
    expect(
      datastore.requests
        .filter(r => r.path.startsWith('/folder/b/'))
        .map(r => r.range),
    ).toEqual([undefined]);
    const logs = await client.call('GET', `/v1/jobs/${job.id}/logs`);
    expect(JSON.stringify(logs.body)).toContain('not resuming');
  });
});

import { randomBytes } from 'crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { StartedRunner } from '../ConversionRunner';
import { DatastoreHttpServer } from '../testing/DatastoreHttpServer';
import { startInProcessRunner } from '../testing/InProcessRunner';
import { RunnerClient } from '../testing/RunnerClient';

jest.setTimeout(120_000);

/** Every path under `dir` with its permission bits. */
async function modesUnder(dir: string): Promise<Array<[string, string]>> {
  const found: Array<[string, string]> = [
    [dir, ((await stat(dir)).mode & 0o777).toString(8)],
  ];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await modesUnder(path)));
    else found.push([path, ((await stat(path)).mode & 0o777).toString(8)]);
  }
  return found;
}

describe('scratch is private', () => {
  const token = 'private-test-token-0123456789';
  const cookie = 'vmware_soap_session="private"';
  let work: string;
  let runner: StartedRunner;
  let client: RunnerClient;
  let scratch: string;
  let datastore: DatastoreHttpServer;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-private-'));
    await writeFile(join(work, 'disk-flat.vmdk'), randomBytes(4 << 20));
    // a scratch folder an older runner left world-readable
    await mkdir(join(work, 'scratch', 'vms', 'vm-old'), {
      recursive: true,
      mode: 0o755,
    });
    datastore = await DatastoreHttpServer.start({
      files: { 'vm/disk-flat.vmdk': join(work, 'disk-flat.vmdk') },
      cookie,
    });
    ({ runner, client, scratch } = await startInProcessRunner({ work, token }));
  });
  afterAll(async () => {
    await runner?.close();
    await datastore?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('keeps folders 0700 and files 0600, tools’ outputs included', async () => {
    const vm = 'vm-private';
    await client.run(
      'export',
      {
        vm,
        disk: 'disk-0',
        source: {
          kind: 'datastore',
          url: datastore.folderUrl('vm/disk-flat.vmdk'),
          auth: { cookie },
        },
      },
      60_000,
    );
    await client.run('convert', { vm, disk: 'disk-0' }, 60_000);
    await runner.jobs.whenIdle();
    const modes = await modesUnder(scratch);
    expect(modes.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        join(scratch, 'vms', vm, 'disk-0.qcow2'),
        join(scratch, 'vms', vm, 'manifest.json'),
      ]),
    );
    for (const [path, mode] of modes) {
      const isDir = (await stat(path)).isDirectory();
      expect([path, mode]).toEqual([path, isDir ? '700' : '600']);
    }
  });
});

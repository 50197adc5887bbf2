import execa from 'execa';
import { existsSync } from 'fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { StartedRunner } from '../ConversionRunner';
import { DatastoreHttpServer } from '../testing/DatastoreHttpServer';
import { startInProcessRunner } from '../testing/InProcessRunner';
import { RunnerClient } from '../testing/RunnerClient';
import { inspectSourceImage } from './SourceImage';

jest.setTimeout(120_000);

const MARKER = 'HOST-SECRET-MARKER-7f3a';

/** A VMDK descriptor (text) whose only extent is `extent`: what a crafted "disk" looks like. */
function descriptorPointingAt(extent: string, createType = 'monolithicFlat') {
  return [
    '# Disk DescriptorFile',
    'version=1',
    'CID=fffffffe',
    'parentCID=ffffffff',
    `createType="${createType}"`,
    '',
    `RW 2048 FLAT "${extent}" 0`,
    '',
    'ddb.virtualHWVersion = "4"',
    '',
  ].join('\n');
}

describe('source image inspection (real qemu-img)', () => {
  let work: string;
  let hostFile: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-srcimg-'));
    hostFile = join(work, 'host-secret');
    await writeFile(
      hostFile,
      Buffer.concat([Buffer.from(MARKER), Buffer.alloc(1 << 20)]),
    );
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it('accepts streamOptimized and monolithicSparse VMDKs, and raw', async () => {
    const raw = join(work, 'plain.raw');
    await writeFile(raw, Buffer.alloc(4 << 20, 1));
    for (const subformat of ['streamOptimized', 'monolithicSparse']) {
      const vmdk = join(work, `${subformat}.vmdk`);
      await execa('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vmdk',
        '-o',
        `subformat=${subformat}`,
        raw,
        vmdk,
      ]);
      const info = await inspectSourceImage(vmdk, 'vmdk', subformat);
      expect(info['virtual-size']).toBe(4 << 20);
    }
    // a raw export that happens to contain a descriptor is only bytes when read as raw
    const rawDescriptor = join(work, 'descriptor-as-raw');
    await writeFile(rawDescriptor, descriptorPointingAt(hostFile));
    await expect(
      inspectSourceImage(rawDescriptor, 'raw', 'raw'),
    ).resolves.toMatchObject({ format: 'raw' });
  });

  it.each([
    ['a descriptor naming a host file', () => descriptorPointingAt(hostFile)],
    ['a descriptor naming a device', () => descriptorPointingAt('/dev/zero')],
    [
      'a descriptor claiming streamOptimized',
      () => descriptorPointingAt(hostFile, 'streamOptimized'),
    ],
  ])('refuses %s', async (_label, text) => {
    const path = join(work, 'crafted.vmdk');
    await writeFile(path, text());
    await expect(
      inspectSourceImage(path, 'vmdk', 'VM vm-1 disk disk-0'),
    ).rejects.toMatchObject({
      code: 'SOURCE_IMAGE_REFUSED',
      message: expect.stringMatching(
        /VM vm-1 disk disk-0.*descriptor-only VMDK/,
      ),
      remediation: expect.stringContaining('raw'),
    });
  });

  it('refuses a sparse VMDK with a backing file, and a qcow2 sent as vmdk', async () => {
    const base = join(work, 'base.vmdk');
    const child = join(work, 'child.vmdk');
    await execa('qemu-img', [
      'create',
      '-q',
      '-f',
      'vmdk',
      '-o',
      'subformat=monolithicSparse',
      base,
      '4M',
    ]);
    await execa('qemu-img', [
      'create',
      '-q',
      '-f',
      'vmdk',
      '-b',
      base,
      '-F',
      'vmdk',
      child,
    ]);
    await expect(
      inspectSourceImage(child, 'vmdk', 'child'),
    ).rejects.toMatchObject({
      code: 'SOURCE_IMAGE_REFUSED',
      message: expect.stringContaining('backing file'),
    });
    const qcow2 = join(work, 'disk.qcow2');
    await execa('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-o',
      `data_file=${hostFile},data_file_raw=on`,
      qcow2,
      '1M',
    ]);
    await expect(
      inspectSourceImage(qcow2, 'vmdk', 'qcow2'),
    ).rejects.toMatchObject({ code: 'SOURCE_IMAGE_REFUSED' });
  });

  describe('through the runner: export of a crafted descriptor, then convert', () => {
    const token = 'srcimg-test-token-0123456789';
    const cookie = 'vmware_soap_session="crafted"';
    let runner: StartedRunner;
    let client: RunnerClient;
    let scratch: string;
    let datastore: DatastoreHttpServer;

    beforeAll(async () => {
      await writeFile(join(work, 'evil.vmdk'), descriptorPointingAt(hostFile));
      datastore = await DatastoreHttpServer.start({
        files: { 'vm/evil.vmdk': join(work, 'evil.vmdk') },
        cookie,
      });
      ({ runner, client, scratch } = await startInProcessRunner({
        work,
        token,
      }));
    });
    afterAll(async () => {
      await runner?.close();
      await datastore?.stop();
    });

    it('refuses to convert it, and nothing of the host file reaches a qcow2', async () => {
      await client.run(
        'export',
        {
          vm: 'vm-evil',
          disk: 'disk-0',
          source: {
            kind: 'datastore',
            format: 'vmdk',
            url: datastore.folderUrl('vm/evil.vmdk'),
            auth: { cookie },
          },
        },
        60_000,
      );
      const convert = await client.submit('convert', {
        vm: 'vm-evil',
        disk: 'disk-0',
      });
      await runner.jobs.whenIdle();
      const { body } = await client.call('GET', `/v1/jobs/${convert.id}`);
      expect(body).toMatchObject({
        state: 'failed',
        error: { code: 'SOURCE_IMAGE_REFUSED' },
      });
      const folder = join(scratch, 'vms', 'vm-evil');
      expect(existsSync(join(folder, 'disk-0.qcow2'))).toBe(false);
      for (const name of await readdir(folder)) {
        expect((await readFile(join(folder, name))).includes(MARKER)).toBe(
          false,
        );
      }
    });
  });
});

import { existsSync } from 'fs';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { currentBootId } from './Durability';
import { ScratchSpace } from './ScratchSpace';
import { VmManifest } from './VmManifest';

describe('VmManifest', () => {
  let root: string;
  let scratch: ScratchSpace;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vmware2scw-manifest-'));
    scratch = new ScratchSpace({ root, reserveBytes: 0 });
    await scratch.init();
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  const withArtifacts = async (vm: string) => {
    const manifest = new VmManifest(scratch, vm);
    await manifest.update('disk-0', record => {
      record.source = {
        file: scratch.diskFile(vm, 'disk-0', 'raw'),
        format: 'raw',
        bytes: 1,
        sha256: 'x',
        jobId: 'j1',
        bootId: currentBootId(),
      };
      record.qcow2 = {
        file: scratch.diskFile(vm, 'disk-0', 'qcow2'),
        virtualSize: 1,
        actualSize: 1,
        jobId: 'j2',
        bootId: currentBootId(),
      };
    });
    return manifest;
  };

  it('a killed qcow2 rewrite blocks the later stages but not convert, which is its remedy', async () => {
    const manifest = await withArtifacts('vm-a');
    await manifest.markBusy('disk-0', 'qcow2', 'adapt_linux', 'j3');
    await expect(
      manifest.requireQcow2('disk-0', 'upload'),
    ).rejects.toMatchObject({
      code: 'DISK_LEFT_INCOMPLETE',
      remediation: expect.stringContaining('Run convert again'),
    });
    await expect(
      manifest.requireSource('disk-0', 'convert'),
    ).resolves.toMatchObject({ jobId: 'j1' });
  });

  it('a killed trim blocks convert, and only trim may run again on that disk', async () => {
    const manifest = await withArtifacts('vm-b');
    await manifest.markBusy('disk-0', 'source', 'trim', 'j4');
    await expect(
      manifest.requireSource('disk-0', 'convert'),
    ).rejects.toMatchObject({ code: 'DISK_LEFT_INCOMPLETE' });
    await expect(
      manifest.requireSource('disk-0', 'trim', { allowBusyBy: 'trim' }),
    ).resolves.toBeDefined();
  });

  it('after a host restart, trusts only artifacts that were flushed to disk', async () => {
    const manifest = await withArtifacts('vm-c');
    await manifest.update('disk-0', record => {
      record.source!.bootId = 'an-earlier-boot';
      record.qcow2!.bootId = 'an-earlier-boot';
    });
    await expect(
      manifest.requireSource('disk-0', 'convert'),
    ).rejects.toMatchObject({
      code: 'DISK_LEFT_INCOMPLETE',
      message: expect.stringContaining('before the host restarted'),
    });
    await expect(
      manifest.requireQcow2('disk-0', 'upload'),
    ).rejects.toMatchObject({ code: 'DISK_LEFT_INCOMPLETE' });

    // the background flush marks the artifact durable once fdatasync returned
    const qcow2 = (await manifest.disk('disk-0'))!.qcow2!;
    await writeFile(qcow2.file, 'qcow2 bytes');
    manifest.flushInBackground('disk-0', 'qcow2', 'j2', qcow2.file);
    await scratch.settled();
    await expect(
      manifest.requireQcow2('disk-0', 'upload'),
    ).resolves.toMatchObject({ durable: true });
  });

  it('a flush finishing after cleanup does not bring the VM folder back', async () => {
    const manifest = await withArtifacts('vm-d');
    const source = (await manifest.disk('disk-0'))!.source!;
    await writeFile(source.file, 'raw bytes');
    manifest.flushInBackground('disk-0', 'source', 'j1', source.file);
    await manifest.removeVm();
    await scratch.settled();
    expect(existsSync(scratch.vmDir('vm-d'))).toBe(false);
  });

  it('reports a manifest cut by a host crash with what to do, not a JSON parse error', async () => {
    const manifest = new VmManifest(scratch, 'vm-cut');
    await scratch.ensureVmDir('vm-cut');
    await writeFile(
      join(scratch.vmDir('vm-cut'), 'manifest.json'),
      '{"version":1,"disks":{"disk-0":{"sou',
    );
    await expect(
      manifest.requireSource('disk-0', 'convert'),
    ).rejects.toMatchObject({
      code: 'MANIFEST_CORRUPT',
      message: expect.stringContaining('vm-cut'),
      remediation: expect.stringContaining('cleanup'),
    });
  });
});

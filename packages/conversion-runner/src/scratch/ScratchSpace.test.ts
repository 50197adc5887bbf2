import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { ScratchSpace } from './ScratchSpace';

describe('ScratchSpace', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vmware2scw-scratch-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('keeps every VM and disk file inside the scratch folder', () => {
    const scratch = new ScratchSpace({ root, reserveBytes: 0 });
    expect(scratch.diskFile('vm-1', 'disk-0', 'qcow2')).toBe(
      join(root, 'vms', 'vm-1', 'disk-0.qcow2'),
    );
    expect(() => scratch.vmDir('../../etc')).toThrow(/not a safe name/);
    expect(() => scratch.diskFile('vm-1', '../vm-2/disk-0', 'qcow2')).toThrow(
      /not a safe name/,
    );
  });

  it('refuses a job that needs more than the free space minus the reserve, with both numbers', async () => {
    const scratch = new ScratchSpace({ root, reserveBytes: 0 });
    const { freeBytes } = await scratch.usage();
    await expect(
      scratch.assertRoomFor(freeBytes * 2, 'export for VM vm-1'),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_SCRATCH_SPACE',
      message: expect.stringMatching(
        /export for VM vm-1 needs .* but .* has .* available/,
      ),
    });
    await expect(
      new ScratchSpace({ root, reserveBytes: freeBytes }).assertRoomFor(1, 'x'),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_SCRATCH_SPACE' });
    await expect(scratch.assertRoomFor(1024, 'x')).resolves.toBeUndefined();
  });

  it('counts the space promised to running jobs', async () => {
    const scratch = new ScratchSpace({ root, reserveBytes: 0 });
    const { freeBytes } = await scratch.usage();
    const release = scratch.reserve(freeBytes - 1024 * 1024);
    await expect(
      scratch.assertRoomFor(64 * 1024 * 1024, 'export for VM vm-2'),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_SCRATCH_SPACE',
      message: expect.stringContaining('promised to running jobs'),
    });
    release();
    await expect(
      scratch.assertRoomFor(64 * 1024 * 1024, 'x'),
    ).resolves.toBeUndefined();
  });
});

import execa from 'execa';
import { randomBytes } from 'crypto';
import { mkdtemp, open, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  assertImportableQcow2,
  parseQemuImgProgress,
  qemuImgConvert,
  qemuImgInfo,
} from './QemuImg';

describe('qemu-img', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-qemu-img-'));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it('parses qemu-img progress output', () => {
    expect(parseQemuImgProgress('    (42.17/100%)')).toBeCloseTo(42.17);
    expect(parseQemuImgProgress('something else')).toBeUndefined();
  });

  it('converts to qcow2 skipping zeros, reports progress, and passes the import pre-flight', async () => {
    const raw = join(work, 'disk.raw');
    const handle = await open(raw, 'w');
    await handle.truncate(256 * 1024 * 1024);
    await handle.write(
      randomBytes(4 * 1024 * 1024),
      0,
      4 * 1024 * 1024,
      64 * 1024 * 1024,
    );
    await handle.write(
      Buffer.alloc(32 * 1024 * 1024),
      0,
      32 * 1024 * 1024,
      128 * 1024 * 1024,
    ); // written zeros
    await handle.close();
    const percents: number[] = [];
    const target = join(work, 'disk.qcow2');
    await qemuImgConvert({
      source: raw,
      sourceFormat: 'raw',
      target,
      compress: false,
      onPercent: p => percents.push(p),
    });
    const info = await qemuImgInfo(target, 'qcow2');
    expect(info['virtual-size']).toBe(256 * 1024 * 1024);
    expect(info['actual-size']).toBeLessThan(8 * 1024 * 1024);
    expect(percents[percents.length - 1]).toBe(100);
    expect(() => assertImportableQcow2(target, info)).not.toThrow();
  });

  it('refuses a zstd-compressed or backed qcow2 (Scaleway rejects them)', async () => {
    const zstd = join(work, 'zstd.qcow2');
    await execa('qemu-img', [
      'create',
      '-f',
      'qcow2',
      '-o',
      'compression_type=zstd',
      zstd,
      '64M',
    ]);
    const zstdInfo = await qemuImgInfo(zstd, 'qcow2');
    expect(() => assertImportableQcow2(zstd, zstdInfo)).toThrow(
      /compression type is zstd/,
    );
    const overlay = join(work, 'overlay.qcow2');
    await execa('qemu-img', [
      'create',
      '-f',
      'qcow2',
      '-b',
      zstd,
      '-F',
      'qcow2',
      overlay,
    ]);
    const overlayInfo = await qemuImgInfo(overlay, 'qcow2');
    expect(() => assertImportableQcow2(overlay, overlayInfo)).toThrow(
      /backing file/,
    );
  });
});

import { readFile } from 'node:fs/promises';
import { makeQcow2Images, type Qcow2Images } from '../__fixtures__/qcow2Images';
import { parseQcow2Header, QCOW2_HEADER_READ_BYTES } from './Qcow2Header';

describe('parseQcow2Header on images made by qemu-img', () => {
  let images: Qcow2Images;
  beforeAll(async () => {
    images = await makeQcow2Images();
  });
  afterAll(() => images.remove());

  const header = async (file: string) =>
    parseQcow2Header(
      (await readFile(file)).subarray(0, QCOW2_HEADER_READ_BYTES),
    );

  it('reads a plain image: version 3, zlib, no backing file, no encryption, its virtual size', async () => {
    expect(await header(images.good)).toEqual({
      header: {
        version: 3,
        backingFileOffset: 0n,
        virtualSizeBytes: 2 * 2 ** 30,
        cryptMethod: 0,
        compressionType: 'zlib',
        clusterBits: 16,
      },
    });
    expect(await header(images.v2)).toMatchObject({
      header: { version: 2, compressionType: 'zlib' },
    });
  });

  it('sees what Scaleway refuses: zstd, a backing file, encryption, a small size', async () => {
    expect(await header(images.zstd)).toMatchObject({
      header: { compressionType: 'zstd' },
    });
    const backing = await header(images.backing);
    expect('header' in backing && backing.header.backingFileOffset).not.toBe(
      0n,
    );
    expect(await header(images.encrypted)).toMatchObject({
      header: { cryptMethod: 1 },
    });
    expect(await header(images.tiny)).toMatchObject({
      header: { virtualSizeBytes: 512 * 2 ** 20 },
    });
  });

  it('says why bytes are not a qcow2', async () => {
    expect(await header(images.raw)).toEqual({ invalid: 'no qcow2 magic' });
    expect(parseQcow2Header(new Uint8Array(10))).toEqual({
      invalid: 'shorter than a qcow2 header',
    });
    const bad = (await readFile(images.good)).subarray(0, 112);
    bad.writeUInt32BE(7, 4);
    expect(parseQcow2Header(bad)).toEqual({
      invalid: 'unsupported qcow2 version 7',
    });
  });
});

import { execFile } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SwiftS3Server } from '../../s3/testing/SwiftS3Server';

const run = promisify(execFile);

/** The images Scaleway's import accepts or refuses, made by the real qemu-img (a few hundred KB each). */
export interface Qcow2Images {
  dir: string;
  /** 2 GiB, zlib (qemu-img's default): accepted. */
  good: string;
  /** 3 GiB, accepted: a data disk. */
  data: string;
  /** compression_type=zstd. */
  zstd: string;
  /** A qcow2 whose backing file is `good`. */
  backing: string;
  /** Encrypted (qcow2's AES method). */
  encrypted: string;
  /** 512 MiB virtual size: below Scaleway's 1 GB. */
  tiny: string;
  /** Version 2 (compat=0.10): accepted. */
  v2: string;
  /** Not a qcow2 at all. */
  raw: string;
  remove(): Promise<void>;
}

export async function makeQcow2Images(): Promise<Qcow2Images> {
  const dir = await mkdtemp(join(tmpdir(), 'vmware2scw-qcow2-'));
  const path = (name: string) => join(dir, name);
  const create = (name: string, size: string, ...opts: string[]) =>
    run('qemu-img', ['create', '-q', '-f', 'qcow2', ...opts, path(name), size]);
  try {
    await create('good.qcow2', '2G');
    await create('data.qcow2', '3G');
    await create('zstd.qcow2', '2G', '-o', 'compression_type=zstd');
    await run('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      path('good.qcow2'),
      '-F',
      'qcow2',
      path('backing.qcow2'),
    ]);
    await create(
      'encrypted.qcow2',
      '2G',
      '--object',
      'secret,id=sec0,data=test-only-passphrase',
      '-o',
      // Legacy AES: LUKS benchmarks its key derivation at creation, which fails now and then on a
      // loaded machine ("Unable to get accurate CPU usage").
      'encrypt.format=aes,encrypt.key-secret=sec0',
    );
    await create('tiny.qcow2', '512M');
    await create('v2.qcow2', '2G', '-o', 'compat=0.10');
    await writeFile(path('raw.img'), Buffer.alloc(64 * 1024, 0xab));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    good: path('good.qcow2'),
    data: path('data.qcow2'),
    zstd: path('zstd.qcow2'),
    backing: path('backing.qcow2'),
    encrypted: path('encrypted.qcow2'),
    tiny: path('tiny.qcow2'),
    v2: path('v2.qcow2'),
    raw: path('raw.img'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Creates the bucket and uploads each file under its key. */
export async function uploadFiles(
  s3: SwiftS3Server,
  bucket: string,
  files: Record<string, string>,
): Promise<void> {
  await s3.createBucket(bucket);
  const client = s3.client();
  try {
    for (const [key, file] of Object.entries(files))
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await readFile(file),
        }),
      );
  } finally {
    client.destroy();
  }
}

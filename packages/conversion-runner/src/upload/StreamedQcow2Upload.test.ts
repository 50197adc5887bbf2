import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'crypto';
import { createWriteStream } from 'fs';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { SwiftS3Server } from '@internal/plugin-vmware2scw-node/testUtils';
import { libguestfsEnv, probeAccel } from '../accel/AccelProbe';
import { assertSameDisk } from '../convert/QemuImg';
import type { NbdDiskSource } from '../export/NbdDiskSource';
import { sparsifyInPlace } from '../jobs/kinds/trimJob';
import { datastoreNbdSource } from '../testing/DatastoreNbdSource';
import { startInProcessRunner } from '../testing/InProcessRunner';
import { runTool } from '../tools/ToolRunner';
import { dataExtents, streamQcow2Upload } from './StreamedQcow2Upload';

jest.setTimeout(15 * 60_000);
const MiB = 1024 * 1024;

/**
 * The new data path end to end, without a guest OS: a thin disk whose filesystem holds a kept file and
 * a deleted one is served like a datastore /folder URL, read through nbdkit under a qcow2 overlay,
 * trimmed in the overlay, and streamed as a qcow2 into S3 with nothing but the overlay on scratch.
 */
describe('streamQcow2Upload of a trimmed overlay over a datastore source', () => {
  let work: string;
  let source: NbdDiskSource;
  let served: Awaited<ReturnType<typeof datastoreNbdSource>> | undefined;
  let s3: SwiftS3Server;
  let client: S3Client;
  const cookie = 'vmware_soap_session="stream-test"';
  const log: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'v2s-stream-'));
    const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    const env = libguestfsEnv(accel.mode);
    // 256 MiB disk, ext4; 96 MiB written then deleted, 16 MiB kept
    await writeFile(join(work, 'deleted.bin'), randomBytes(96 * MiB));
    await writeFile(join(work, 'kept.bin'), randomBytes(16 * MiB));
    const disk = join(work, 'disk-flat.vmdk');
    await runTool(
      'guestfish',
      [
        '-N',
        `${disk}=fs:ext4:256M`,
        'mount',
        '/dev/sda1',
        '/',
        ':',
        'upload',
        join(work, 'deleted.bin'),
        '/deleted.bin',
        ':',
        'upload',
        join(work, 'kept.bin'),
        '/kept.bin',
        ':',
        'rm',
        '/deleted.bin',
        ':',
        'sync',
      ],
      { env },
    );
    // the source is fully allocated, as a thick -flat.vmdk read over HTTP is
    await runTool('qemu-img', [
      'convert',
      '-S',
      '0',
      '-f',
      'raw',
      '-O',
      'raw',
      disk,
      `${disk}.full`,
    ]);
    await rm(disk);
    await runTool('mv', [`${disk}.full`, disk]);
    served = await datastoreNbdSource({
      file: disk,
      cookie,
      dir: join(work, 's'),
      log: line => log.push(line),
    });
    source = served.source;
    await source.createOverlay(join(work, 'disk-0.qcow2'));
    await sparsifyInPlace(join(work, 'disk-0.qcow2'), 'qcow2', {
      accel,
      log: line => log.push(line),
    });
    s3 = await SwiftS3Server.start();
    client = s3.client();
    await client.send(new CreateBucketCommand({ Bucket: 'transit' }));
  });
  afterAll(async () => {
    await served?.stop();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('uploads a qcow2 that checks clean and equals the overlay, fetching and sending only what is in use', async () => {
    const overlay = join(work, 'disk-0.qcow2');
    const { extents } = await dataExtents(overlay, 'qcow2');
    const inUse = extents.reduce((sum, e) => sum + e.length, 0);
    // the deleted file's blocks read as zero after the trim
    expect(inUse).toBeLessThan(64 * MiB); // 16 MiB kept + ext4 metadata and journal, not the 96 MiB deleted
    const target = {
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
      bucket: 'transit',
      key: 'vm/disk-0.qcow2',
    };
    // an interrupted earlier run left a multipart upload: it is aborted, the object restarts
    await client.send(
      new CreateMultipartUploadCommand({ Bucket: 'transit', Key: target.key }),
    );
    const fetchedBefore = source.bytesFetched;
    const result = await streamQcow2Upload({
      image: overlay,
      format: 'qcow2',
      socketDir: work,
      target,
      memory: { maxMemoryBytes: 32 * MiB, queueSize: 2 },
      log: line => log.push(line),
      client,
    });
    const copied = source.bytesFetched - fetchedBefore;
    expect(result.abortedUploads).toBe(1);
    expect(log.join('\n')).toMatch(/restarts the object/);
    const pending = await client.send(
      new ListMultipartUploadsCommand({ Bucket: 'transit' }),
    );
    expect(pending.Uploads ?? []).toEqual([]);
    // the copy reads each in-use block from the source once (the trim read some already)
    expect(copied).toBeLessThanOrEqual(inUse * 1.1);
    expect(source.bytesFetched).toBeLessThan(96 * MiB);
    expect(result.size).toBeLessThanOrEqual(inUse * 1.05 + 2 * MiB);
    expect(result.partCount).toBeGreaterThan(1);

    const downloaded = join(work, 'downloaded.qcow2');
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'transit', Key: target.key }),
    );
    await pipeline(object.Body as Readable, createWriteStream(downloaded));
    await assertSameDisk(
      { file: overlay, format: 'qcow2' },
      { file: downloaded, format: 'qcow2' },
    );
    process.stdout.write(
      `[stream] in use ${inUse}, fetched by trim ${fetchedBefore}, by the copy ${copied}, uploaded ${result.size} in ${result.partCount} parts\n`,
    );
  });

  it('runs as jobs: export (access nbd) -> trim (skipped) -> convert (overlay) -> upload (trimmed, streamed)', async () => {
    const { runner, client: api } = await startInProcessRunner({
      work,
      token: 'stream-token-0123456789abcdef',
      config: {
        s3: {
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyIdEnv: 'T_S3_KEY',
          secretAccessKeyEnv: 'T_S3_SECRET',
        },
      },
      env: {
        T_S3_KEY: s3.credentials.accessKeyId,
        T_S3_SECRET: s3.credentials.secretAccessKey,
      },
    });
    try {
      const vm = 'vm-7';
      const disk = 'disk-0';
      const exported = await api.run(
        'export',
        {
          vm,
          disk,
          source: {
            kind: 'datastore',
            access: 'nbd',
            url: served!.server.folderUrl('vm/disk-flat.vmdk'),
            auth: { cookie },
          },
        },
        60_000,
      );
      expect(exported.result).toMatchObject({ access: 'nbd', bytesWritten: 0 });
      const trimmed = await api.run('trim', { vm, disk }, 60_000);
      expect(trimmed.result).toMatchObject({ skipped: true });
      const converted = await api.run('convert', { vm, disk }, 60_000);
      expect(converted.result).toMatchObject({ overlay: true });
      const uploaded = await api.run(
        'upload',
        {
          vm,
          disk,
          bucket: 'transit',
          key: `${vm}/${disk}.qcow2`,
          region: s3.region,
        },
        10 * 60_000,
      );
      const result = uploaded.result as {
        streamed: boolean;
        size: number;
        dataBytes: number;
        sourceBytesFetchedByUpload: number;
      };
      expect(result.streamed).toBe(true);
      expect(result.dataBytes).toBeLessThan(64 * MiB);
      expect(result.sourceBytesFetchedByUpload).toBeLessThanOrEqual(
        result.dataBytes,
      );
      const downloaded = join(work, 'job-object.qcow2');
      const object = await client.send(
        new GetObjectCommand({ Bucket: 'transit', Key: `${vm}/${disk}.qcow2` }),
      );
      await pipeline(object.Body as Readable, createWriteStream(downloaded));
      await assertSameDisk(
        {
          file: join(work, 'scratch', 'vms', vm, `${disk}.qcow2`),
          format: 'qcow2',
        },
        { file: downloaded, format: 'qcow2' },
      );
      await api.run('cleanup', { vm }, 60_000);
    } finally {
      await runner.close();
    }
  });
});

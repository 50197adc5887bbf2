import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { SwiftS3Server } from '@internal/plugin-vmware2scw-node/testUtils';
import { createS3Client, S3Target, uploadDisk } from './S3DiskUpload';

jest.setTimeout(180_000);

describe('uploadDisk against a real S3 server (Swift s3api)', () => {
  let s3: SwiftS3Server;
  let client: S3Client;
  let work: string;
  let file: string;
  let content: Buffer;
  const memory = { maxMemoryBytes: 16 * 1024 * 1024, queueSize: 2 };

  beforeAll(async () => {
    s3 = await SwiftS3Server.start();
    client = createS3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    await client.send(new CreateBucketCommand({ Bucket: 'transit' }));
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-up-'));
    content = randomBytes(13 * 1024 * 1024); // 3 parts of 5 MiB (the last one 3 MiB)
    file = join(work, 'disk-0.qcow2');
    await writeFile(file, content);
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const target = (key: string): S3Target => ({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: s3.credentials,
    bucket: 'transit',
    key,
  });

  async function download(key: string): Promise<Buffer> {
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'transit', Key: key }),
    );
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  it('uploads in parts and verifies size and multipart ETag', async () => {
    const result = await uploadDisk({
      file,
      journalPath: join(work, 'a.upload.json'),
      target: target('vm-1/disk-0.qcow2'),
      memory,
      log: () => undefined,
    });
    expect(result).toMatchObject({
      partCount: 3,
      partSize: 5 * 1024 * 1024,
      size: content.length,
      resumedParts: 0,
    });
    expect(result.etag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(result.sha256).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'transit', Key: 'vm-1/disk-0.qcow2' }),
    );
    expect(head.ContentLength).toBe(content.length);
    expect((await download('vm-1/disk-0.qcow2')).equals(content)).toBe(true);
    // a second run finds the verified object and sends nothing
    const again = await uploadDisk({
      file,
      journalPath: join(work, 'a.upload.json'),
      target: target('vm-1/disk-0.qcow2'),
      memory,
      log: () => undefined,
    });
    expect(again.bytesSent).toBe(0);
  });

  it('resumes an interrupted multipart upload, sending only the missing parts', async () => {
    const journalPath = join(work, 'b.upload.json');
    const abort = new AbortController();
    await expect(
      uploadDisk({
        file,
        journalPath,
        target: target('vm-2/disk-0.qcow2'),
        memory: { maxMemoryBytes: 5 * 1024 * 1024, queueSize: 1 },
        signal: abort.signal,
        log: () => undefined,
        onProgress: done => {
          if (done >= 5 * 1024 * 1024) abort.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const journal = JSON.parse(await readFile(journalPath, 'utf8'));
    expect(journal.uploadId).toBeTruthy();
    expect(Object.keys(journal.parts).length).toBeGreaterThanOrEqual(1);

    const lines: string[] = [];
    const result = await uploadDisk({
      file,
      journalPath,
      target: target('vm-2/disk-0.qcow2'),
      memory,
      log: line => lines.push(line),
    });
    expect(result.resumedParts).toBeGreaterThanOrEqual(1);
    expect(result.bytesSent).toBeLessThan(content.length);
    expect(lines.join('\n')).toContain(
      `resuming multipart upload ${journal.uploadId}`,
    );
    expect((await download('vm-2/disk-0.qcow2')).equals(content)).toBe(true);
  });

  it('aborts the journaled multipart upload when the qcow2 changed, leaving no orphan', async () => {
    const journalPath = join(work, 'c.upload.json');
    const changing = join(work, 'disk-c.qcow2');
    await writeFile(changing, content);
    const abort = new AbortController();
    await expect(
      uploadDisk({
        file: changing,
        journalPath,
        target: target('vm-3/disk-0.qcow2'),
        memory: { maxMemoryBytes: 5 * 1024 * 1024, queueSize: 1 },
        signal: abort.signal,
        log: () => undefined,
        onProgress: done => {
          if (done >= 5 * 1024 * 1024) abort.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const old = JSON.parse(await readFile(journalPath, 'utf8')).uploadId;
    const open = async () =>
      (
        await client.send(
          new ListMultipartUploadsCommand({
            Bucket: 'transit',
            Prefix: 'vm-3/',
          }),
        )
      ).Uploads?.map(upload => upload.UploadId) ?? [];
    expect(await open()).toContain(old);

    // convert ran again: same size, other bytes, newer mtime
    const changed = randomBytes(content.length);
    await writeFile(changing, changed);
    await utimes(changing, new Date(), new Date(Date.now() + 5000));
    const lines: string[] = [];
    await uploadDisk({
      file: changing,
      journalPath,
      target: target('vm-3/disk-0.qcow2'),
      memory,
      log: line => lines.push(line),
    });
    expect(lines.join('\n')).toContain(`aborted multipart upload ${old}`);
    expect(await open()).toEqual([]);
    expect((await download('vm-3/disk-0.qcow2')).equals(changed)).toBe(true);
  });

  it('streams parts from the file when a part is bigger than the memory budget', async () => {
    const lines: string[] = [];
    const result = await uploadDisk({
      file,
      journalPath: join(work, 'd.upload.json'),
      target: target('vm-4/disk-0.qcow2'),
      memory: {
        maxMemoryBytes: 5 * 1024 * 1024,
        queueSize: 2,
        preferredPartSize: 8 * 1024 * 1024,
      },
      log: line => lines.push(line),
    });
    expect(lines.join('\n')).toMatch(
      /parts of 8388608 bytes are over s3.maxMemoryBytes \(5242880\): streaming each part/,
    );
    expect(result.partCount).toBe(2);
    expect((await download('vm-4/disk-0.qcow2')).equals(content)).toBe(true);
  });

  it('resends a journaled part whose bytes changed in the file, instead of trusting the journal', async () => {
    const changed = join(work, 'changed.qcow2');
    const original = Buffer.from(content);
    await writeFile(changed, original);
    const mtime = 1_700_000_000; // whole seconds: restored exactly below
    await utimes(changed, mtime, mtime);
    const journalPath = join(work, 'c.upload.json');
    const key = 'vm-3/disk-0.qcow2';
    const abort = new AbortController();
    await expect(
      uploadDisk({
        file: changed,
        journalPath,
        target: target(key),
        memory: { maxMemoryBytes: 5 * 1024 * 1024, queueSize: 1 },
        signal: abort.signal,
        log: () => undefined,
        onProgress: done => {
          if (done >= 5 * 1024 * 1024) abort.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const journal = JSON.parse(await readFile(journalPath, 'utf8'));
    expect(journal.parts['1']).toBeDefined();

    // Part 1 changes in place; size and mtime stay the same, so the journal still "matches" the file.
    const modified = Buffer.from(original);
    modified.fill(7, 1024, 2048);
    await writeFile(changed, modified);
    await utimes(changed, mtime, mtime);

    const lines: string[] = [];
    const result = await uploadDisk({
      file: changed,
      journalPath,
      target: target(key),
      memory,
      log: line => lines.push(line),
    });
    expect(lines.join('\n')).toContain(
      `resuming multipart upload ${journal.uploadId}`,
    );
    expect(result.resumedParts).toBe(0); // part 1 on the server no longer matches the file
    expect(result.sha256).toBe(
      createHash('sha256').update(modified).digest('hex'),
    );
    expect((await download(key)).equals(modified)).toBe(true);
  });
});

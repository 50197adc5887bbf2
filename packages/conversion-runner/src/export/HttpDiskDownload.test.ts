import { createHash, randomBytes } from 'crypto';
import { readFile, mkdtemp, rm, stat, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { Agent } from 'undici';
import { DatastoreHttpServer } from '../testing/DatastoreHttpServer';
import { AllowedHosts } from './AllowedHosts';
import { downloadDisk } from './HttpDiskDownload';

describe('downloadDisk', () => {
  let work: string;
  let source: string;
  let content: Buffer;
  const cookie = 'vmware_soap_session="abc123"';
  const allowed = new AllowedHosts(['127.0.0.1']);
  const dispatcher = new Agent();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-dl-'));
    // A thin disk: 8 MiB of data, 24 MiB of zeros, 8 MiB of data.
    content = Buffer.concat([
      randomBytes(8 << 20),
      Buffer.alloc(24 << 20),
      randomBytes(8 << 20),
    ]);
    source = join(work, 'disk-flat.vmdk');
    await writeFile(source, content);
  });
  afterAll(async () => {
    await dispatcher.close();
    await rm(work, { recursive: true, force: true });
  });

  it('resumes with Range after the connection drops, and the checksum covers every byte', async () => {
    const server = await DatastoreHttpServer.start({
      files: { 'vm/disk-flat.vmdk': source },
      cookie,
      dropFirstResponseAfterBytes: 12 << 20,
    });
    const lines: string[] = [];
    try {
      const target = join(work, 'resumed.raw');
      const result = await downloadDisk({
        url: new URL(server.folderUrl('vm/disk-flat.vmdk')),
        headers: { cookie },
        target,
        allowedHosts: allowed,
        dispatcher,
        log: line => lines.push(line),
        retryDelayMs: 10,
      });
      expect(result.resumes).toBe(1);
      expect(result.bytes).toBe(content.length);
      expect(result.sha256).toBe(
        createHash('sha256').update(content).digest('hex'),
      );
      expect((await readFile(target)).equals(content)).toBe(true);
      expect(server.requests[1].range).toMatch(/^bytes=\d+-$/);
      expect(lines.join('\n')).toMatch(/connection lost at byte \d+/);
      // zero blocks were not written: the file on scratch is thin
      expect(result.bytesWritten).toBeLessThanOrEqual(16 << 20);
      const { blocks } = await stat(target);
      expect(blocks * 512).toBeLessThan(24 << 20);
    } finally {
      await server.stop();
    }
  });

  it('continues a partial file left by a killed runner instead of downloading again', async () => {
    const server = await DatastoreHttpServer.start({
      files: { 'vm/disk-flat.vmdk': source },
      cookie,
    });
    try {
      const target = join(work, 'restart.raw');
      await writeFile(`${target}.partial`, content.subarray(0, 20 << 20));
      const result = await downloadDisk({
        url: new URL(server.folderUrl('vm/disk-flat.vmdk')),
        headers: { cookie },
        target,
        allowedHosts: allowed,
        dispatcher,
        log: () => undefined,
      });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].range).toBe(`bytes=${20 << 20}-`);
      expect(result.sha256).toBe(
        createHash('sha256').update(content).digest('hex'),
      );
      expect((await readFile(target)).equals(content)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('says the cookie was refused instead of retrying forever', async () => {
    const server = await DatastoreHttpServer.start({
      files: { 'vm/disk-flat.vmdk': source },
      cookie,
    });
    try {
      await expect(
        downloadDisk({
          url: new URL(server.folderUrl('vm/disk-flat.vmdk')),
          headers: { cookie: 'vmware_soap_session="expired"' },
          target: join(work, 'x.raw'),
          allowedHosts: allowed,
          dispatcher,
          log: () => undefined,
        }),
      ).rejects.toMatchObject({ code: 'EXPORT_UNAUTHORIZED' });
    } finally {
      await server.stop();
    }
  });

  it('does not follow a redirect to a host outside the allow-list', async () => {
    const redirector = createServer((_request, response) => {
      response
        .writeHead(302, { location: 'http://evil.example.net/steal' })
        .end();
    });
    await new Promise<void>(resolve =>
      redirector.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = redirector.address() as AddressInfo;
    try {
      await expect(
        downloadDisk({
          url: new URL(`http://127.0.0.1:${port}/folder/x`),
          headers: {},
          target: join(work, 'y.raw'),
          allowedHosts: allowed,
          dispatcher,
          log: () => undefined,
        }),
      ).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    } finally {
      redirector.close();
    }
  });
});

import { createHash, randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { readFile, mkdtemp, rm, stat, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { Agent } from 'undici';
import { DatastoreHttpServer } from '../testing/DatastoreHttpServer';
import { AllowedHosts } from './AllowedHosts';
import { downloadDisk } from './HttpDiskDownload';
import { sourceUrlOf, writePartialOrigin } from './PartialOrigin';

jest.setTimeout(60_000);

describe('downloadDisk', () => {
  let work: string;
  let source: string;
  let content: Buffer;
  const cookie = 'vmware_soap_session="abc123"';
  const allowed = new AllowedHosts(['127.0.0.1']);
  const dispatcher = new Agent();

  /** Serves the test disk, runs `body` with the server, stops it. */
  async function withDatastore(
    body: (server: DatastoreHttpServer) => Promise<void>,
    options: { dropFirstResponseAfterBytes?: number } = {},
  ): Promise<void> {
    const server = await DatastoreHttpServer.start({
      files: { 'vm/disk-flat.vmdk': source },
      cookie,
      ...options,
    });
    try {
      await body(server);
    } finally {
      await server.stop();
    }
  }

  /** downloadDisk of the served disk with the test's cookie, allow-list and agent. */
  function download(
    server: DatastoreHttpServer,
    options: Partial<Parameters<typeof downloadDisk>[0]> & { target: string },
  ) {
    return downloadDisk({
      url: new URL(server.folderUrl('vm/disk-flat.vmdk')),
      headers: { cookie },
      allowedHosts: allowed,
      dispatcher,
      log: () => undefined,
      ...options,
    });
  }

  /** The download's checksum and the committed file both match the served disk. */
  async function expectWholeDisk(sha256: string, target: string) {
    expect(sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await readFile(target)).equals(content)).toBe(true);
  }

  /** A partial file as a killed export of the served disk leaves it: the bytes and the record of their source. */
  async function leavePartial(
    server: DatastoreHttpServer,
    target: string,
    bytes: Buffer,
    origin: { idempotencyKey?: string; sizeBytes?: number } = {},
  ) {
    await writeFile(`${target}.partial`, bytes);
    await writePartialOrigin(target, {
      url: sourceUrlOf(new URL(server.folderUrl('vm/disk-flat.vmdk'))),
      ...origin,
    });
  }

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
    const lines: string[] = [];
    await withDatastore(
      async server => {
        const target = join(work, 'resumed.raw');
        const result = await download(server, {
          target,
          log: line => lines.push(line),
          retryDelayMs: 10,
        });
        expect(result.resumes).toBe(1);
        expect(result.bytes).toBe(content.length);
        await expectWholeDisk(result.sha256, target);
        expect(server.requests[1].range).toMatch(/^bytes=\d+-$/);
        expect(lines.join('\n')).toMatch(/connection lost at byte \d+/);
        // zero blocks were not written: the file on scratch is thin
        expect(result.bytesWritten).toBeLessThanOrEqual(16 << 20);
        const { blocks } = await stat(target);
        expect(blocks * 512).toBeLessThan(24 << 20);
      },
      { dropFirstResponseAfterBytes: 12 << 20 },
    );
  });

  it('continues a partial file left by a killed runner instead of downloading again', async () => {
    await withDatastore(async server => {
      const target = join(work, 'restart.raw');
      await leavePartial(server, target, content.subarray(0, 20 << 20));
      const result = await download(server, { target });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].range).toBe(`bytes=${20 << 20}-`);
      await expectWholeDisk(result.sha256, target);
    });
  });

  it('says the cookie was refused instead of retrying forever', async () => {
    await withDatastore(async server => {
      await expect(
        download(server, {
          headers: { cookie: 'vmware_soap_session="expired"' },
          target: join(work, 'x.raw'),
        }),
      ).rejects.toMatchObject({ code: 'EXPORT_UNAUTHORIZED' });
    });
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

  it('sends the cookie only to the host of the original URL, not to a redirect target on another host', async () => {
    await withDatastore(async server => {
      const elsewhere = new URL(server.folderUrl('vm/disk-flat.vmdk'));
      elsewhere.hostname = 'localhost';
      const redirector = createServer((_request, response) => {
        response.writeHead(302, { location: elsewhere.toString() }).end();
      });
      await new Promise<void>(resolve =>
        redirector.listen(0, '127.0.0.1', () => resolve()),
      );
      const { port } = redirector.address() as AddressInfo;
      try {
        await expect(
          download(server, {
            url: new URL(`http://127.0.0.1:${port}/folder/x?dsName=ds`),
            allowedHosts: new AllowedHosts(['127.0.0.1', 'localhost']),
            target: join(work, 'redirected.raw'),
          }),
        ).rejects.toMatchObject({ code: 'EXPORT_UNAUTHORIZED' });
        expect(server.requests).toHaveLength(1);
        expect(server.requests[0].cookie).toBeUndefined();
      } finally {
        redirector.close();
      }
    });
  });

  it('finishes a partial file that already holds every byte (killed before the rename)', async () => {
    await withDatastore(async server => {
      const target = join(work, 'complete.raw');
      await leavePartial(server, target, content);
      const result = await download(server, { target });
      expect(server.requests.map(r => r.range)).toEqual([
        `bytes=${content.length}-`,
      ]);
      await expectWholeDisk(result.sha256, target);
    });
  });

  it('checks scratch space against the announced size before writing anything', async () => {
    await withDatastore(async server => {
      const target = join(work, 'no-room.raw');
      const asked: number[] = [];
      await expect(
        download(server, {
          target,
          checkRoom: async needed => {
            asked.push(needed);
            throw Object.assign(new Error('no room'), {
              code: 'INSUFFICIENT_SCRATCH_SPACE',
            });
          },
        }),
      ).rejects.toThrow('no room');
      expect(asked).toEqual([content.length]);
      expect(existsSync(`${target}.partial`)).toBe(false);
    });
  });

  describe('a partial file is resumed only from the same source', () => {
    const other = () => Buffer.from(randomBytes(content.length));

    it('does not continue a partial file of another disk (other URL), nor one with no record of its source', async () => {
      await withDatastore(async server => {
        for (const [name, origin] of [
          ['other-url.raw', 'https://esxi-09.lab/folder/other-flat.vmdk'],
          ['no-record.raw', undefined],
        ] as const) {
          const target = join(work, name);
          await writeFile(`${target}.partial`, other().subarray(0, 20 << 20));
          if (origin) await writePartialOrigin(target, { url: origin });
          const before = server.requests.length;
          const result = await download(server, { target });
          expect(server.requests[before].range).toBeUndefined();
          await expectWholeDisk(result.sha256, target);
        }
      });
    });

    it('does not continue a partial file written under another idempotency key', async () => {
      await withDatastore(async server => {
        const target = join(work, 'other-key.raw');
        await leavePartial(server, target, other().subarray(0, 20 << 20), {
          idempotencyKey: 'mig-1:export:disk-0',
        });
        const result = await download(server, {
          target,
          idempotencyKey: 'mig-2:export:disk-0',
        });
        expect(server.requests[0].range).toBeUndefined();
        await expectWholeDisk(result.sha256, target);
      });
    });

    it('starts over when the source is smaller than the partial file (no endless 416)', async () => {
      await withDatastore(async server => {
        const target = join(work, 'smaller.raw');
        await leavePartial(
          server,
          target,
          Buffer.concat([content, randomBytes(4 << 20)]),
        );
        const result = await download(server, { target, retryDelayMs: 10 });
        expect(server.requests.map(r => r.range)).toEqual([
          `bytes=${content.length + (4 << 20)}-`,
          undefined,
        ]);
        await expectWholeDisk(result.sha256, target);
      });
    });

    it('sends If-Range, and starts over when the source changed since the cut', async () => {
      const changing = join(work, 'changing-flat.vmdk');
      await writeFile(changing, other());
      const server = await DatastoreHttpServer.start({
        files: { 'vm/disk-flat.vmdk': changing },
        cookie,
        stallFirstResponseAfterBytes: 12 << 20,
      });
      try {
        const target = join(work, 'changed.raw');
        const abort = new AbortController();
        const first = download(server, {
          target,
          signal: abort.signal,
          idempotencyKey: 'k',
        });
        await server.stalled();
        abort.abort();
        await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
        expect((await stat(`${target}.partial`)).size).toBeGreaterThan(0);
        // same URL, same size, other bytes: a new snapshot behind the same path
        await writeFile(changing, content);
        const result = await download(server, {
          target,
          idempotencyKey: 'k',
        });
        expect(server.requests[1].range).toMatch(/^bytes=\d+-$/);
        expect(server.requests[1].ifRange).toMatch(/^"/);
        await expectWholeDisk(result.sha256, target);
      } finally {
        await server.stop();
      }
    });
  });
});

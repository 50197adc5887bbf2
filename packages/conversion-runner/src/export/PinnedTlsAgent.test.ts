import { createHash, randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { mkdtemp, readdir, readFile, rm } from 'fs/promises';
import { createServer as createHttpServer, IncomingMessage } from 'http';
import { createServer, Server } from 'https';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { AllowedHosts } from './AllowedHosts';
import { downloadDisk } from './HttpDiskDownload';
import { createDiskAgent } from './PinnedTlsAgent';
import { selfSignedCertificate } from '../testing/SelfSignedCertificate';

describe('export over TLS with a pinned certificate thumbprint', () => {
  const cookie = 'vmware_soap_session="pinned-secret"';
  const content = Buffer.concat([
    randomBytes(3 << 20),
    Buffer.alloc(2 << 20),
    randomBytes(1 << 20),
  ]);
  let work: string;
  let server: Server;
  let baseUrl: string;
  let host: Awaited<ReturnType<typeof selfSignedCertificate>>;
  let other: Awaited<ReturnType<typeof selfSignedCertificate>>;
  const requests: IncomingMessage['headers'][] = [];
  const allowed = new AllowedHosts(['127.0.0.1']);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-tls-'));
    host = await selfSignedCertificate(work, 'esxi-01');
    other = await selfSignedCertificate(work, 'intercepting-proxy');
    server = createServer({ key: host.key, cert: host.cert }, (req, res) => {
      requests.push(req.headers);
      if (req.url?.startsWith('/to-http')) {
        res.writeHead(302, { location: 'http://127.0.0.1:9/x' }).end();
        return;
      }
      if (req.headers.cookie !== cookie) {
        res.writeHead(401).end();
        return;
      }
      res
        .writeHead(200, { 'content-length': String(content.length) })
        .end(content);
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const download = (name: string, thumbprint?: string, path = '/folder/x') =>
    downloadDisk({
      url: new URL(`${baseUrl}${path}?dsName=ds1`),
      headers: { cookie },
      target: join(work, name),
      allowedHosts: allowed,
      dispatcher: createDiskAgent(thumbprint),
      log: () => undefined,
      retryDelayMs: 10,
    });

  it.each([
    ['SHA-1 as vSphere shows it', () => host.sha1],
    ['SHA-256, lower case without colons', () => host.sha256],
  ])('downloads when the pin matches (%s)', async (_label, pin) => {
    const target = `ok-${pin().length}.raw`;
    const result = await download(target, pin().toLowerCase());
    expect(result.bytes).toBe(content.length);
    expect(result.sha256).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    expect((await readFile(join(work, target))).equals(content)).toBe(true);
    expect(requests).toHaveLength(1);
    expect(requests[0].cookie).toBe(cookie);
  });

  it('refuses a certificate that does not match the pin before sending the cookie or writing a byte', async () => {
    for (const pin of [other.sha1, other.sha256]) {
      const started = Date.now();
      const error = await download('wrong.raw', pin).catch(e => e);
      expect(error).toMatchObject({
        code: 'TLS_THUMBPRINT_MISMATCH',
        message: expect.stringContaining('not the pinned'),
        remediation: expect.stringContaining('thumbprint'),
      });
      // the refused host's real thumbprint is named, so the operator can compare it with vCenter's
      expect(error.message).toContain(
        (pin === other.sha1 ? host.sha1 : host.sha256)
          .replace(/:/g, '')
          .toLowerCase(),
      );
      expect(Date.now() - started).toBeLessThan(5000); // not retried: a wrong certificate stays wrong
    }
    expect(requests).toHaveLength(0); // no HTTP request (and so no cookie) reached the server
    expect((await readdir(work)).filter(f => f.startsWith('wrong'))).toEqual(
      [],
    );
  });

  it('refuses the self-signed certificate when nothing is pinned (TLS is verified), without retrying', async () => {
    const started = Date.now();
    await expect(download('unpinned.raw')).rejects.toMatchObject({
      code: 'TLS_UNTRUSTED',
      remediation: expect.stringContaining('tlsThumbprint'),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(requests).toHaveLength(0);
    expect(existsSync(join(work, 'unpinned.raw.partial'))).toBe(false);
  });

  it('refuses a pinned download redirected to plain http', async () => {
    await expect(
      download('redirected.raw', host.sha256, '/to-http'),
    ).rejects.toMatchObject({ code: 'REDIRECT_REFUSED' });
    expect(existsSync(join(work, 'redirected.raw.partial'))).toBe(false);
  });

  it('refuses a pin on a plain-http URL instead of silently ignoring it', async () => {
    const plain = createHttpServer((req, res) => {
      requests.push(req.headers);
      res.end('x');
    });
    await new Promise<void>(resolve =>
      plain.listen(0, '127.0.0.1', () => resolve()),
    );
    try {
      const { port } = plain.address() as AddressInfo;
      await expect(
        downloadDisk({
          url: new URL(`http://127.0.0.1:${port}/folder/x`),
          headers: { cookie },
          target: join(work, 'plain.raw'),
          allowedHosts: allowed,
          dispatcher: createDiskAgent(host.sha1),
          log: () => undefined,
        }),
      ).rejects.toMatchObject({ code: 'TLS_REQUIRED' });
      expect(requests).toHaveLength(0);
    } finally {
      plain.close();
    }
  });

  it('refuses a thumbprint of the wrong length', () => {
    expect(() => createDiskAgent('AB:CD')).toThrow(
      expect.objectContaining({ code: 'INVALID_THUMBPRINT', httpStatus: 400 }),
    );
  });
});

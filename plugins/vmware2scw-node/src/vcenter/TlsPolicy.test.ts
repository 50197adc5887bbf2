import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { VcenterConfigError, VcenterTlsError } from './faults';
import { createDispatcher, normalizeThumbprint, tlsErrorOf } from './TlsPolicy';

const tls = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/tls', name), 'utf8');
const CERT = tls('test-only-cert.pem');
const SHA256 =
  '96:F9:B9:4D:81:59:5C:76:CF:13:12:B7:96:37:E6:CE:DA:D4:E3:FE:08:66:C0:7B:39:A9:31:F6:44:7F:D7:F0';

describe('TlsPolicy', () => {
  let server: https.Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = https.createServer(
      { cert: CERT, key: tls('test-only-key.pem') },
      (_req, res) => {
        requests++;
        res.end('ok');
      },
    );
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => server.close());

  const get = async (opts: Parameters<typeof createDispatcher>[0]) => {
    const dispatcher = createDispatcher(opts);
    try {
      const res = await request(url, { dispatcher });
      return await res.body.text();
    } finally {
      await dispatcher.close();
    }
  };

  it('normalizes thumbprints and rejects malformed ones', () => {
    expect(
      normalizeThumbprint(SHA256.replace(/:/g, '').toLowerCase(), 'sha256'),
    ).toBe(SHA256);
    expect(() => normalizeThumbprint('AB:CD', 'sha256')).toThrow(
      VcenterConfigError,
    );
    expect(
      normalizeThumbprint('9a0b7c1d2e3f405162738495a6b7c8d9eafb0c1d', 'sha1'),
    ).toMatch(/^9A:0B/);
  });

  it('verifies certificates by default: a self-signed one is refused with a typed error', async () => {
    const err = await get({}).catch(e => e);
    const typed = tlsErrorOf(err, '127.0.0.1');
    expect(typed).toBeInstanceOf(VcenterTlsError);
    expect(typed?.code).toBe('VCENTER_TLS_UNTRUSTED');
    expect(typed?.remediation).toMatch(/thumbprintSha256/);
  });

  it('accepts it when its CA (here itself) is configured', async () => {
    await expect(get({ ca: CERT })).resolves.toBe('ok');
  });

  it('insecure mode connects only when the SHA-256 thumbprint matches', async () => {
    await expect(
      get({ insecure: true, thumbprintSha256: SHA256.toLowerCase() }),
    ).resolves.toBe('ok');
    const wrong = SHA256.replace(/^96/, '00');
    const before = requests;
    const err = await get({ insecure: true, thumbprintSha256: wrong }).catch(
      e => e,
    );
    // Refused at the handshake: not one byte of the request (credentials, cookie) reached the server.
    expect(requests).toBe(before);
    const typed = tlsErrorOf(err, '127.0.0.1');
    expect(typed?.code).toBe('VCENTER_TLS_THUMBPRINT_MISMATCH');
    expect(typed?.message).toContain(SHA256);
  });

  it('uses a configured thumbprint without insecure too: a trusted certificate must also match it', async () => {
    await expect(get({ ca: CERT, thumbprintSha256: SHA256 })).resolves.toBe(
      'ok',
    );
    const before = requests;
    const err = await get({
      ca: CERT,
      thumbprintSha256: SHA256.replace(/^96/, '00'),
    }).catch(e => e);
    expect(requests).toBe(before);
    expect(tlsErrorOf(err, '127.0.0.1')?.code).toBe(
      'VCENTER_TLS_THUMBPRINT_MISMATCH',
    );
    // The pin does not replace verification: an untrusted chain is still refused.
    const untrusted = await get({ thumbprintSha256: SHA256 }).catch(e => e);
    expect(tlsErrorOf(untrusted, '127.0.0.1')?.code).toBe(
      'VCENTER_TLS_UNTRUSTED',
    );
  });

  it('refuses a malformed thumbprint at start-up, whether or not insecure is set', () => {
    for (const insecure of [true, false]) {
      expect(() =>
        createDispatcher({ insecure, thumbprintSha256: 'AB:CD' }),
      ).toThrow(VcenterConfigError);
    }
  });

  it('refuses insecure mode without a thumbprint: it would trust anything', () => {
    expect(() => createDispatcher({ insecure: true })).toThrow(
      /no certificate thumbprint/,
    );
  });
});

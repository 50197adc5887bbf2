import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { Agent, request } from 'undici';
import { StartedRunner } from '../ConversionRunner';
import { startInProcessRunner } from '../testing/InProcessRunner';
import { selfSignedCertificate } from '../testing/SelfSignedCertificate';

describe('runner API over TLS', () => {
  const token = 'tls-test-token-0123456789';
  let work: string;
  let runner: StartedRunner;
  let cert: Awaited<ReturnType<typeof selfSignedCertificate>>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-api-tls-'));
    cert = await selfSignedCertificate(work, 'runner', ['IP:127.0.0.1']);
    ({ runner } = await startInProcessRunner({
      work,
      token,
      config: {
        listen: {
          host: '127.0.0.1',
          port: 0,
          tls: { certFile: cert.certFile, keyFile: cert.keyFile },
        },
      },
    }));
  });
  afterAll(async () => {
    await runner?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('serves https with the configured certificate, and the token never crosses in clear', async () => {
    expect(runner.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: cert.cert } });
    try {
      const response = await request(`${runner.url}/v1/health`, {
        dispatcher,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
      expect((await response.body.json()) as object).toHaveProperty('accel');
    } finally {
      await dispatcher.close();
    }
    // plain http on the same port gets no API answer
    await expect(
      request(`${runner.url.replace('https:', 'http:')}/v1/health`, {
        headers: { authorization: `Bearer ${token}` },
        headersTimeout: 5000,
      }).then(r => r.statusCode),
    ).rejects.toThrow();
  });
});

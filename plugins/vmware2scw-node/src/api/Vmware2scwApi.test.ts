import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Vmware2scwApiClient } from './Vmware2scwApi';

describe('Vmware2scwApiClient', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Array<{ url?: string; authorization?: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      if (req.url === '/api/vmware2scw/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'ok',
            version: '1.2.3',
            vcenters: 1,
            runners: 2,
            scaleway: { configured: false },
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { name: 'NotFoundError', message: `nothing at ${req.url}` },
          response: { statusCode: 404 },
        }),
      );
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/vmware2scw`;
  });
  afterAll(() => new Promise<void>(r => server.close(() => r())));

  const client = () =>
    new Vmware2scwApiClient({
      discovery: {
        getBaseUrl: async () => baseUrl,
        getExternalBaseUrl: async () => baseUrl,
      },
      auth: mockServices.auth(),
    });

  it('calls the plugin over HTTP with a token issued on behalf of the caller', async () => {
    const health = await client()
      .as(mockCredentials.user('user:default/jane'))
      .getHealth();
    expect(health).toMatchObject({ status: 'ok', vcenters: 1, runners: 2 });
    const last = seen[seen.length - 1];
    expect(last.url).toBe('/api/vmware2scw/health');
    expect(last.authorization).toMatch(/^Bearer .*user:default\/jane/);
  });

  it('turns an error response into a ResponseError with the server message', async () => {
    const c = new Vmware2scwApiClient({
      discovery: {
        getBaseUrl: async () => `${baseUrl}/nope`,
        getExternalBaseUrl: async () => baseUrl,
      },
      auth: mockServices.auth(),
    });
    await expect(c.as().getHealth()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 404,
    });
  });
});

import { createHash } from 'crypto';
import { fetch } from 'undici';
import { startFakeInstanceApi, type FakeInstanceApi } from './fakeInstanceApi';

/**
 * The fake must answer byte for byte as the real API did when recorded (fr-par-1, 2026-07-30): the
 * SHA-256, length and `Link` header of each recorded page are written down here, so any drift of the
 * fake (or of the offline snapshot it is built from) from the recording fails this test.
 */
const RECORDED: Array<
  [path: string, bytes: number, sha256: string, link: string]
> = [
  [
    '/products/servers?page=1',
    41390,
    '676984309dd345e5fbf9baa56d3308cfa554dbad7c64e3d85968e3004068c374',
    '</products/servers?page=2&per_page=50&>; rel="next",</products/servers?page=3&per_page=50&>; rel="last"',
  ],
  [
    '/products/servers?page=2',
    40787,
    '6cffdf2a341ebd1c8d3a4803d83558aeb16b777c91fda77e3d1cdc1f621a0938',
    '</products/servers?page=1&per_page=50&>; rel="first",</products/servers?page=1&per_page=50&>; rel="previous",</products/servers?page=3&per_page=50&>; rel="next",</products/servers?page=3&per_page=50&>; rel="last"',
  ],
  [
    '/products/servers?page=3',
    29040,
    '07099f2a1b282360ea7362358b8b26cd84c4d56076eae0657b9e7fadfcc6f59b',
    '</products/servers?page=1&per_page=50&>; rel="first",</products/servers?page=2&per_page=50&>; rel="previous",</products/servers?page=3&per_page=50&>; rel="last"',
  ],
  [
    '/products/servers/availability?page=1',
    2365,
    '5c30adeb735d6210492054d954ca2d3a351e63c9c45562e8fbc5af900d6c5e7c',
    '</products/servers/availability?page=2&per_page=50&>; rel="next",</products/servers/availability?page=3&per_page=50&>; rel="last"',
  ],
  [
    '/products/servers/availability?page=2',
    2415,
    '9594bd9e03b1cb1df54b5f7637c2c810ef9dc6c9b3e7b6c44b04cb97ca45960e',
    '</products/servers/availability?page=1&per_page=50&>; rel="first",</products/servers/availability?page=1&per_page=50&>; rel="previous",</products/servers/availability?page=3&per_page=50&>; rel="next",</products/servers/availability?page=3&per_page=50&>; rel="last"',
  ],
  [
    '/products/servers/availability?page=3',
    1688,
    '1a524a2d8c906f814fdd90a9a98f09cee7bf5845bf84514b4ba33be7e3e72ea9',
    '</products/servers/availability?page=1&per_page=50&>; rel="first",</products/servers/availability?page=2&per_page=50&>; rel="previous",</products/servers/availability?page=3&per_page=50&>; rel="last"',
  ],
];

describe('fake Instance API', () => {
  let api: FakeInstanceApi;
  beforeAll(async () => {
    api = await startFakeInstanceApi();
  });
  afterAll(() => api.close());

  it.each(RECORDED)(
    'answers %s as recorded (length, body hash, headers)',
    async (path, bytes, sha256, link) => {
      const res = await fetch(`${api.url}/instance/v1/zones/fr-par-1${path}`, {
        headers: { 'X-Auth-Token': '11111111-2222-4333-8444-555555555555' },
      });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-total-count')).toBe('135');
      expect(res.headers.get('link')).toBe(link);
      expect(Number(res.headers.get('content-length'))).toBe(bytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);
    },
  );

  it('refuses requests without a token, as the API does', async () => {
    const res = await fetch(
      `${api.url}/instance/v1/zones/fr-par-1/products/servers`,
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'denied_authentication' });
  });
});

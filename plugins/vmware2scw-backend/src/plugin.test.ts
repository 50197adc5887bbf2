import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { vmware2scwPlugin } from './plugin';
import { version } from '../package.json';

const PASSWORD = 'vc-Passw0rd-do-not-leak';
const TOKEN = 'runner-token-do-not-leak-0123';

const configured = {
  vmware2scw: {
    vcenters: [
      {
        id: 'vc-a',
        url: 'https://vc-a.example/sdk',
        username: 'u',
        password: PASSWORD,
      },
      {
        id: 'vc-b',
        url: 'https://vc-b.example',
        username: 'u',
        password: PASSWORD,
      },
    ],
    conversion: {
      runners: [{ id: 'r1', url: 'http://127.0.0.1:7080', token: TOKEN }],
    },
  },
};

describe('vmware2scw backend plugin', () => {
  it('answers /health without credentials, with counts and never secrets', async () => {
    const { server } = await startTestBackend({
      features: [
        vmware2scwPlugin,
        mockServices.rootConfig.factory({ data: configured }),
      ],
    });
    const res = await request(server)
      .get('/api/vmware2scw/health')
      .set('Authorization', '');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      version,
      vcenters: 2,
      runners: 1,
      scaleway: { configured: false },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/do-not-leak/);
  });

  it('serves its OpenAPI document', async () => {
    const { server } = await startTestBackend({ features: [vmware2scwPlugin] });
    const res = await request(server).get('/api/vmware2scw/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toContain('/api/vmware2scw/health');
  });

  it('refuses to start on an invalid configuration, naming the key', async () => {
    await expect(
      startTestBackend({
        features: [
          vmware2scwPlugin,
          mockServices.rootConfig.factory({
            data: {
              vmware2scw: {
                vcenters: [
                  {
                    id: 'vc-a',
                    url: 'https://vc-a',
                    username: 'u',
                    password: PASSWORD,
                    insecure: true,
                  },
                ],
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      /vmware2scw\.vcenters\[0\]\.thumbprint: required when insecure is true/,
    );
  });
});

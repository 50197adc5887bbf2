import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { testVm } from '../database/testFixtures';
import { vmEntity } from '../engine/__testUtils__/EngineHarness';
import { vmware2scwPlugin } from '../plugin';

jest.setTimeout(60_000);

const PLAN = `version: 1
migrations:
  - vm_pattern: "web-*"
    target_type: POP2-2C-8G
    wave: first
waves:
  - name: first
    pause_after: pause
`;

const ANN = 'user:default/ann';
const BOB = 'user:default/bob';

/** The API through a real test backend: permissions decide per user and per wave. */
async function start(approvers: string[]) {
  const entities = [testVm('web-1'), testVm('web-2')].map(vm => vmEntity(vm));
  const { server } = await startTestBackend({
    features: [
      vmware2scwPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({ data: { vmware2scw: {} } }),
      mockServices.permissions.factory({
        result: AuthorizeResult.ALLOW,
      }),
    ],
  });
  return { server, approvers };
}

describe('vmware2scw API', () => {
  it('refuses an approval without vmware2scw.wave.approve (403), accepts it with it, and records who', async () => {
    const entities = [testVm('web-1'), testVm('web-2')].map(vm => vmEntity(vm));
    const { server } = await startTestBackend({
      features: [
        vmware2scwPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({
          authorize: async (
            requests: Array<{ permission: { name: string } }>,
            options: { credentials: { principal: unknown } },
          ) => {
            const user = (
              options.credentials.principal as { userEntityRef?: string }
            ).userEntityRef;
            return requests.map(r =>
              r.permission.name === 'vmware2scw.wave.approve' && user !== ANN
                ? { result: AuthorizeResult.DENY }
                : { result: AuthorizeResult.ALLOW },
            );
          },
        } as any).factory,
      ],
    });
    const as = (user: string) => mockCredentials.user.header(user);

    const plan = await request(server)
      .post('/api/vmware2scw/plans')
      .set('authorization', as(ANN))
      .send({ name: 'web', yaml: PLAN });
    expect(plan.status).toBe(201);
    const batch = await request(server)
      .post('/api/vmware2scw/batches')
      .set('authorization', as(BOB))
      .send({ planId: plan.body.id });
    expect(batch.status).toBe(201);
    const wave = batch.body.waves[0];
    expect(wave.state).toBe('awaiting_approval');

    const refused = await request(server)
      .post(`/api/vmware2scw/waves/${wave.id}/approve`)
      .set('authorization', as(BOB))
      .send({ comment: 'let me' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('NotAllowedError');

    const accepted = await request(server)
      .post(`/api/vmware2scw/waves/${wave.id}/approve`)
      .set('authorization', as(ANN))
      .send({ comment: 'change window 2 approved' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('running');
    expect(accepted.body.approvals).toEqual([
      expect.objectContaining({
        decision: 'approved',
        by: ANN,
        comment: 'change window 2 approved',
      }),
    ]);

    const again = await request(server)
      .post(`/api/vmware2scw/waves/${wave.id}/approve`)
      .set('authorization', as(ANN));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'WAVE_NOT_AWAITING_APPROVAL',
      remediation: expect.any(String),
    });

    const events = await request(server)
      .get(`/api/vmware2scw/batches/${batch.body.batch.id}/events`)
      .set('authorization', as(BOB));
    const approved = events.body.items.find(
      (e: any) => e.type === 'wave.approved',
    );
    expect(approved).toMatchObject({ actor: ANN, waveId: wave.id });
  });

  it('answers plan errors with every problem at its line, and unknown ids with 404', async () => {
    const { server } = await start([]);
    const bad = await request(server)
      .post('/api/vmware2scw/plans')
      .set('authorization', mockCredentials.user.header(ANN))
      .send({
        name: 'bad',
        yaml: 'version: 1\nmigrations:\n  - vm_name: web-1\n    target_typ: POP2-2C-8G\n',
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toMatch(/^PLAN_/);
    expect(bad.body.error.problems[0]).toMatchObject({
      line: 4,
      remediation: expect.any(String),
    });

    const missing = await request(server)
      .get('/api/vmware2scw/batches/00000000-0000-0000-0000-000000000000')
      .set('authorization', mockCredentials.user.header(ANN));
    expect(missing.status).toBe(404);
  });

  it('assesses a VM entity without any plan: concerns and a type per sizing strategy with its cost', async () => {
    const { server } = await start([]);
    const res = await request(server)
      .get('/api/vmware2scw/vms/assessment')
      .query({ entityRef: 'resource:default/web-1' })
      .set('authorization', mockCredentials.user.header(BOB));
    expect(res.status).toBe(200);
    expect(res.body.recommendations.map((r: any) => r.strategy)).toEqual([
      'optimize',
      'exact',
      'cost',
    ]);
    expect(res.body.recommendations[0]).toMatchObject({
      targetType: expect.any(String),
      monthlyTotalEur: expect.any(Number),
      reason: expect.any(String),
    });
    expect(res.body.pricing.zone).toBe('fr-par-1');
    const vms = await request(server)
      .get('/api/vmware2scw/vms')
      .query({ filter: ['name:web-*', 'os:linux'] })
      .set('authorization', mockCredentials.user.header(BOB));
    expect(vms.body.total).toBe(2);
  });
});

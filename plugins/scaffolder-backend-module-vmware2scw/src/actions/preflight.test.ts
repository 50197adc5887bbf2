import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type {
  Vmware2scwApi,
  Vmware2scwHealth,
} from '@internal/plugin-vmware2scw-node';
import { createPreflightAction } from './preflight';

const ready: Vmware2scwHealth = {
  status: 'ok',
  version: '0.1.0',
  vcenters: 1,
  runners: 2,
  scaleway: { configured: true, defaultZone: 'fr-par-1' },
};

function actionWith(health: Vmware2scwHealth) {
  const api: Vmware2scwApi = { getHealth: jest.fn(async () => health) };
  return { api, action: createPreflightAction({ api }) };
}

describe('vmware2scw:preflight', () => {
  it('outputs what the backend has configured, asking on behalf of the initiator', async () => {
    const { api, action } = actionWith(ready);
    const ctx = createMockActionContext({ input: {} });
    await action.handler(ctx);
    expect(api.getHealth).toHaveBeenCalledWith({
      credentials: expect.objectContaining({ principal: expect.anything() }),
    });
    expect(ctx.output).toHaveBeenCalledWith('vcenters', 1);
    expect(ctx.output).toHaveBeenCalledWith('runners', 2);
    expect(ctx.output).toHaveBeenCalledWith('zone', 'fr-par-1');
  });

  it('fails naming every missing piece of configuration', async () => {
    const { action } = actionWith({
      ...ready,
      vcenters: 0,
      runners: 0,
      scaleway: { configured: false },
    });
    await expect(
      action.handler(createMockActionContext({ input: {} })),
    ).rejects.toThrow(
      /configure a vCenter \(vmware2scw\.vcenters\), a Scaleway account \(vmware2scw\.scaleway\), a conversion runner/,
    );
  });

  it('lets a planning-only template run without runners', async () => {
    const { action } = actionWith({ ...ready, runners: 0 });
    const ctx = createMockActionContext({ input: { requireRunners: false } });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('runners', 0);
  });
});

import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import type { Vmware2scwApi } from '@internal/plugin-vmware2scw-node';
import { createPreflightAction } from './preflight';

const ready: ApiModel.Health = {
  status: 'ok',
  version: '0.1.0',
  vcenters: 1,
  runners: 2,
  scaleway: { configured: true, defaultZone: 'fr-par-1' },
};

function actionWith(health: ApiModel.Health) {
  const getHealth = jest.fn(async () => health);
  const as = jest.fn(() => ({ getHealth }));
  const api = { as } as unknown as Vmware2scwApi;
  return { api, as, getHealth, action: createPreflightAction({ api }) };
}

describe('vmware2scw:preflight', () => {
  it('outputs what the backend has configured, asking on behalf of the initiator', async () => {
    const { as, getHealth, action } = actionWith(ready);
    const ctx = createMockActionContext({ input: {} });
    await action.handler(ctx);
    expect(as).toHaveBeenCalledWith(
      expect.objectContaining({ principal: expect.anything() }),
    );
    expect(getHealth).toHaveBeenCalled();
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

import { FakeVmware2scwEngine } from '../__testUtils__/FakeVmware2scwEngine';
import { checkpointMap, stepContext } from '../__testUtils__/stepContext';
import { DEFAULT_ACTION_SETTINGS } from '../settings/ActionSettings';
import { createPlanCreateAction } from './planCreate';

function setup() {
  const engine = new FakeVmware2scwEngine([
    {
      entityRef: 'resource:default/web-01',
      name: 'web-01',
      osFamily: 'linux',
      disks: [1],
    },
    {
      entityRef: 'resource:default/web-02',
      name: 'web-02',
      osFamily: 'linux',
      disks: [1],
    },
    {
      entityRef: 'resource:default/win-01',
      name: 'win-01',
      osFamily: 'windows',
      disks: [1],
    },
  ]);
  const action = createPlanCreateAction({
    api: engine.api(),
    settings: DEFAULT_ACTION_SETTINGS,
  });
  return { engine, action };
}

const input = {
  name: 'linux-first',
  filters: { filters: ['os:linux'], maxDiskGb: 500 },
  sizing: 'optimize' as const,
  zone: 'fr-par-1',
  waveBy: 'single' as const,
  waveName: 'linux',
  pauseAfter: 'pause_on_failure' as const,
};

describe('vmware2scw:plan:create', () => {
  it('turns the filters into a plan stored under its name, on behalf of the initiator', async () => {
    const { engine, action } = setup();
    const { ctx, outputs, logger } = stepContext(input);

    await action.handler(ctx);

    expect(engine.callsOf('createPlanFromFilters')).toEqual([
      {
        op: 'createPlanFromFilters',
        args: [input],
        principal: 'user:default/jane',
      },
    ]);
    expect(outputs).toMatchObject({
      planId: expect.any(String),
      selected: ['web-01', 'web-02'],
      skipped: [],
      problems: [],
    });
    expect(outputs.yaml).toContain('- vm: web-02\n    wave: linux');
    expect(logger.text()).toMatch(
      /Plan linux-first: 2 VM\(s\) selected, stored as plan-\d+/,
    );
  });

  it('stores the plan once however often the task is retried', async () => {
    const { engine, action } = setup();
    const checkpoints = checkpointMap();
    const first = stepContext(input, { checkpoints });
    const again = stepContext(input, { checkpoints });

    await action.handler(first.ctx);
    await action.handler(again.ctx);

    expect(engine.callsOf('createPlanFromFilters')).toHaveLength(1);
    expect(engine.plans.size).toBe(1);
    expect(again.outputs).toEqual(first.outputs);
  });

  it('builds the plan without storing it in a dry run', async () => {
    const { engine, action } = setup();
    const { ctx, outputs, logger } = stepContext(input, { isDryRun: true });

    await action.handler(ctx);

    const { name, ...unnamed } = input;
    expect(engine.callsOf('createPlanFromFilters')[0].args).toEqual([unnamed]);
    expect(engine.plans.size).toBe(0);
    expect(outputs.planId).toBeUndefined();
    expect(outputs.selected).toEqual(['web-01', 'web-02']);
    expect(logger.text()).toContain(
      `Plan ${name}: 2 VM(s) selected (dry run: not stored)`,
    );
  });

  it('reports a refused plan with the API’s code, each problem and the remediation', async () => {
    const { engine, action } = setup();
    engine.refuseOnce('createPlanFromFilters', 400, {
      code: 'FILTER_INVALID',
      message: 'the filters are not valid',
      remediation: 'Fix the filters named above.',
      problems: [
        {
          code: 'FILTER_REGEX_INVALID',
          severity: 'error',
          message: 'regex:^(web: missing )',
          remediation: 'Close the group: regex:^(web)',
          field: 'regex:^(web',
        },
      ],
    });
    const { ctx, logger } = stepContext({
      filters: { filters: ['regex:^(web'] },
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      code: 'FILTER_INVALID',
    });
    expect(logger.text()).toContain(
      'error: building the plan: the filters are not valid [FILTER_INVALID]\nerror:   regex:^(web: missing ) (FILTER_REGEX_INVALID): Close the group: regex:^(web)\nerror: Remediation: Fix the filters named above.',
    );
  });
});

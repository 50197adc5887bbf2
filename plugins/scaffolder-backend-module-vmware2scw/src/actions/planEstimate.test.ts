import { FakeVmware2scwEngine } from '../__testUtils__/FakeVmware2scwEngine';
import { stepContext } from '../__testUtils__/stepContext';
import { DEFAULT_ACTION_SETTINGS } from '../settings/ActionSettings';
import { createPlanEstimateAction } from './planEstimate';

function setup() {
  const engine = new FakeVmware2scwEngine(
    ['a', 'b', 'c'].map(name => ({
      entityRef: `resource:default/${name}`,
      name,
      osFamily: 'linux' as const,
      disks: [1],
    })),
  );
  const action = createPlanEstimateAction({
    api: engine.api(),
    settings: DEFAULT_ACTION_SETTINGS,
  });
  return { engine, action };
}

describe('vmware2scw:plan:estimate', () => {
  it('estimates a stored plan and writes a Markdown summary', async () => {
    const { engine, action } = setup();
    const { plan } = await engine
      .as()
      .createPlanFromFilters({ name: 'all', filters: {} });
    const { ctx, outputs } = stepContext({
      planId: plan!.id,
      model: { linkMbps: 1000 },
    });

    await action.handler(ctx);

    expect(engine.callsOf('estimatePlan').map(c => c.args)).toEqual([
      [{ planId: plan!.id }, { model: { linkMbps: 1000 } }],
    ]);
    expect(outputs).toMatchObject({
      monthlyCostEur: 166.5,
      durationSeconds: 5400,
    });
    expect(outputs.summary).toContain(
      '**3 of 3 VM(s) migratable** — 60.0 GiB to move in about 1h 30m, peak scratch 40.0 GiB.',
    );
    expect(outputs.summary).toContain(
      '| wave-1 | 3 | 60.0 GiB | 1h 30m | 166.50 € |',
    );
    expect(outputs.summary).toContain(
      '| VMware Tools installed | warning | 3 | Nothing to do. |',
    );
  });

  it('estimates a plan YAML not stored yet (the dry run of a plan template)', async () => {
    const { engine, action } = setup();
    const { ctx, outputs } = stepContext(
      { yaml: 'version: 1\nmigrations:\n  - vm: a\n' },
      { isDryRun: true },
    );

    await action.handler(ctx);

    expect(engine.callsOf('estimatePlanYaml')).toHaveLength(1);
    expect(engine.mutatingCalls()).toEqual([]);
    expect(outputs.monthlyCostEur).toBe(55.5);
  });

  it('says what to pass when given neither a plan nor a YAML', async () => {
    const { engine, action } = setup();
    await expect(action.handler(stepContext({}).ctx)).rejects.toThrow(
      /needs planId \(a stored plan\) or yaml/,
    );
    expect(engine.calls).toEqual([]);
  });
});

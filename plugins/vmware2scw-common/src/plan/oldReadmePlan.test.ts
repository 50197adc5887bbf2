import { offlineOffer } from '../offer/offlineOffer';
import { estimatePlan } from '../estimate/estimatePlan';
import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { readmeInventoryVms } from '../__fixtures__/vms';
import { parsePlan } from './PlanParser';
import { resolvePlan } from './PlanResolver';

/** Issue 3, "done when": the old README's plan end to end. */
describe('the old README plan', () => {
  const catalog = offlineOffer('fr-par-1')!;

  it('parses, resolves against a matching inventory, and estimates', () => {
    const parsed = parsePlan(OLD_README_PLAN, { file: 'plan.yaml' });
    expect(parsed.problems).toEqual([]);
    const resolved = resolvePlan({
      plan: parsed.plan!,
      vms: readmeInventoryVms(),
      locations: parsed.locations,
      file: 'plan.yaml',
      catalog,
    });
    expect(resolved.problems.filter(p => p.severity === 'error')).toEqual([]);
    expect(resolved.migrations).toHaveLength(5);

    const estimate = estimatePlan({
      plan: parsed.plan!,
      vms: readmeInventoryVms(),
      catalog,
      resolved,
      model: { availableDiskGb: 10000 },
    });
    expect(estimate.containsCritical).toBe(false);
    expect(estimate.totals.migratableCount).toBe(5);
    expect(estimate.totals.monthlyCostEur).toBeGreaterThan(0);
    expect(estimate.totals.durationSeconds).toBeGreaterThan(0);
    expect(estimate.totals.scratchFits).toBe(true);
    expect(estimate.pricing).toMatchObject({
      source: 'snapshot',
      pricedAt: '2026-07-30T12:55:08Z',
    });
    expect(estimate.waves.map(w => w.name)).toEqual([
      'canary',
      'dev',
      'production',
    ]);
  });

  it('reports a mistyped key in it with its line and a suggestion', () => {
    const parsed = parsePlan(
      OLD_README_PLAN.replace(
        '    target_type: POP2-4C-16G',
        '    target_tpye: POP2-4C-16G',
      ),
      {
        file: 'plan.yaml',
      },
    );
    expect(parsed.plan).toBeUndefined();
    expect(parsed.problems).toEqual([
      expect.objectContaining({
        code: 'PLAN_UNKNOWN_KEY',
        line: 31,
        column: 5,
        suggestion: 'target_type',
        message:
          'plan.yaml:31:5: migrations[2].target_tpye: unknown key "target_tpye"; did you mean "target_type"?',
      }),
    ]);
  });
});

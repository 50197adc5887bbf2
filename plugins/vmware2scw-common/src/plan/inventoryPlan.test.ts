import { offlineOffer } from '../offer/offlineOffer';
import { makeVm, readmeInventoryVms } from '../__fixtures__/vms';
import { PlanningError } from '../problems/PlanningError';
import { inventoryPlan } from './inventoryPlan';
import { parsePlan } from './PlanParser';

const inventory = {
  source: { kind: 'vcenter' as const, id: 'vc1', name: 'vcenter.local' },
  vms: readmeInventoryVms(),
};
const catalog = offlineOffer()!;

describe('inventoryPlan (the old inventory-plan command)', () => {
  it('filters, auto-maps with the sizing strategy, tags, and writes a valid plan', () => {
    const r = inventoryPlan(inventory, {
      filters: { filters: ['os:linux', 'name:web-*'], minCpu: 4 },
      autoMap: true,
      sizing: 'optimize',
      tags: ['migrated-from-vmware'],
      catalog,
      generatedAt: '2026-11-26T10:00:00Z',
    });
    expect(r.selected).toEqual(['web-dev-01', 'web-prod-01', 'web-prod-02']);
    expect(r.plan.migrations).toEqual([
      { vm_name: 'web-dev-01', target_type: 'POP2-HC-4C-8G', wave: 'wave-1' },
      { vm_name: 'web-prod-01', target_type: 'PRO2-XS', wave: 'wave-1' },
      { vm_name: 'web-prod-02', target_type: 'PRO2-XS', wave: 'wave-1' },
    ]);
    expect(r.plan.defaults).toEqual({
      zone: 'fr-par-1',
      sizing_strategy: 'optimize',
      tags: ['migrated-from-vmware'],
    });
    expect(r.plan.metadata).toEqual({
      generated_at: '2026-11-26T10:00:00Z',
      vcenter: 'vcenter.local',
      catalog: {
        source: 'snapshot',
        priced_at: '2026-07-30T12:55:08Z',
        zone: 'fr-par-1',
      },
    });
    expect(r.plan.waves).toEqual([
      { name: 'wave-1', vms: [], pause_after: 'pause' },
    ]);
    const reparsed = parsePlan(r.yaml);
    expect(reparsed.problems).toEqual([]);
    expect(reparsed.plan).toEqual(r.plan);
  });

  it('without auto-map leaves target types to the sizing strategy at run time', () => {
    const r = inventoryPlan(inventory, {
      filters: { filters: ['name:dev-*'] },
      sizing: 'cost',
    });
    expect(r.plan.migrations.every(m => m.target_type === undefined)).toBe(
      true,
    );
    expect(r.plan.defaults.sizing_strategy).toBe('cost');
    expect(r.sizing).toEqual([]);
  });

  it('skips templates unless asked, and groups waves by cluster when asked', () => {
    const r = inventoryPlan(inventory, { waveBy: 'cluster' });
    expect(r.skipped).toEqual([
      { vmName: 'template-debian12', reason: 'template' },
    ]);
    expect(r.plan.waves.map(w => w.name)).toEqual(['prod-cluster-a']);
    expect(
      inventoryPlan(inventory, { includeTemplates: true }).selected,
    ).toContain('template-debian12');
  });

  it('keeps a VM without a fitting type in the plan, without target, and says why', () => {
    const inv = {
      ...inventory,
      vms: [makeVm({ name: 'huge', numCpu: 200, memoryMiB: 4 * 1024 * 1024 })],
    };
    const r = inventoryPlan(inv, { autoMap: true, catalog });
    expect(r.plan.migrations).toEqual([{ vm_name: 'huge', wave: 'wave-1' }]);
    expect(r.problems[0]).toMatchObject({
      code: 'SIZING_NO_TYPE',
      severity: 'warning',
    });
  });

  it('throws a PlanningError naming a malformed filter, or auto-map without catalog', () => {
    expect(() =>
      inventoryPlan(inventory, { filters: { filters: ['regex:(('] } }),
    ).toThrow(/regex:\(\(/);
    expect(() => inventoryPlan(inventory, { autoMap: true })).toThrow(
      PlanningError,
    );
    expect(() =>
      inventoryPlan(inventory, { catalog, zone: 'nl-ams-1' }),
    ).toThrow(/catalog is for fr-par-1/);
  });
});

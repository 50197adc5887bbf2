import { offlineOffer } from '../offer/offlineOffer';
import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { makeVm, readmeInventoryVms } from '../__fixtures__/vms';
import { parsePlan } from './PlanParser';
import { resolvePlan } from './PlanResolver';

const parse = (text: string) => {
  const r = parsePlan(text, { file: 'plan.yaml' });
  expect(r.problems.filter(p => p.severity === 'error')).toEqual([]);
  return { plan: r.plan!, locations: r.locations, file: 'plan.yaml' };
};

describe('resolvePlan', () => {
  it('resolves the old README plan against its inventory', () => {
    const r = resolvePlan({
      ...parse(OLD_README_PLAN),
      vms: readmeInventoryVms(),
      catalog: offlineOffer()!,
    });
    expect(r.problems.filter(p => p.severity !== 'info')).toEqual([]);
    expect(
      r.migrations.map(m => [m.vmName, m.wave, m.targetType, m.priority]),
    ).toEqual([
      ['web-dev-01', 'canary', 'PLAY2-MICRO', 1],
      ['dev-01', 'dev', 'PLAY2-NANO', 3],
      ['dev-02', 'dev', 'PLAY2-NANO', 3],
      ['dev-03', 'dev', 'PLAY2-NANO', 3],
      ['web-prod-01', 'production', 'POP2-4C-16G', 2],
    ]);
    expect(r.waves.map(w => [w.name, w.pauseAfter, w.vmNames.length])).toEqual([
      ['canary', 'pause', 1],
      ['dev', 'pause_on_failure', 3],
      ['production', 'pause', 1],
    ]);
    expect(r.migrations[1].entry).toEqual({
      index: 1,
      line: 25,
      selector: 'vm_pattern',
      value: 'dev-*',
    });
    // Matched by the production wave's patterns, but no migrations entry selects them.
    expect(r.unplannedWaveMatches).toEqual(['web-prod-02', 'db-01']);
    expect(r.vmsWithoutWave).toEqual([]);
  });

  it('applies exclude over any selection', () => {
    const text = OLD_README_PLAN.replace(
      'vm_pattern: "dev-*"',
      'vm_pattern: "*"',
    );
    const r = resolvePlan({ ...parse(text), vms: readmeInventoryVms() });
    const names = r.migrations.map(m => m.vmName);
    expect(names).not.toContain('legacy-do-not-touch');
    expect(names).not.toContain('template-debian12');
    expect(r.excluded).toEqual(
      expect.arrayContaining([
        { vmName: 'legacy-do-not-touch', by: 'exclude[1]' },
      ]),
    );
  });

  it('names both entries, with lines, when a VM is selected twice', () => {
    const text = OLD_README_PLAN.replace(
      'vm_pattern: "dev-*"',
      'vm_pattern: "*dev-*"',
    );
    const r = resolvePlan({ ...parse(text), vms: readmeInventoryVms() });
    const p = r.problems.find(x => x.code === 'PLAN_VM_IN_TWO_ENTRIES')!;
    expect(p.message).toBe(
      'plan.yaml:25:5: migrations[1]: VM "web-dev-01" is selected by migrations[1] (line 25) and already by migrations[0] (line 20)',
    );
    expect(p.related).toEqual([
      { field: 'migrations[0]', line: 20, column: 5 },
    ]);
  });

  it('names both waves when a VM falls in two of them', () => {
    const text = OLD_README_PLAN.replace(
      'vms: ["dev-*"]',
      'vms: ["dev-*", "web-prod-01"]',
    ).replace('    wave: production\n', '');
    const r = resolvePlan({ ...parse(text), vms: readmeInventoryVms() });
    const p = r.problems.find(x => x.code === 'PLAN_VM_IN_TWO_WAVES')!;
    expect(p.message).toContain(
      'VM "web-prod-01" is in wave "production" (waves[2], line 47) and in wave "dev" (waves[1], line 43)',
    );
  });

  it('reports a wave from the entry that disagrees with the waves list', () => {
    const text = OLD_README_PLAN.replace(
      'vms: ["dev-*"]',
      'vms: ["dev-*", "web-prod-01"]',
    );
    const p = resolvePlan({
      ...parse(text),
      vms: readmeInventoryVms(),
    }).problems.find(x => x.code === 'PLAN_VM_IN_TWO_WAVES')!;
    expect(p).toMatchObject({ line: 33, field: 'migrations[2].wave' });
    expect(p.message).toContain('listed in wave "dev" (waves[1], line 44)');
  });

  it('reports an unknown vm_name with a suggestion, and an unknown target type', () => {
    const text = OLD_README_PLAN.replace(
      'vm_name: web-prod-01',
      'vm_name: web-prd-01',
    ).replace('PLAY2-MICRO', 'PLAY2-MIKRO');
    const r = resolvePlan({
      ...parse(text),
      vms: readmeInventoryVms(),
      catalog: offlineOffer()!,
    });
    const errors = r.problems.filter(p => p.severity === 'error');
    expect(errors.map(p => [p.code, p.line, p.suggestion])).toEqual([
      ['PLAN_UNKNOWN_TARGET_TYPE', 21, 'PLAY2-MICRO'],
      ['PLAN_VM_NOT_FOUND', 30, 'web-prod-01'],
    ]);
  });

  it('lists VMs without a wave', () => {
    const text = OLD_README_PLAN.replace('    wave: dev\n', '').replace(
      'vms: ["dev-*"]',
      'vms: []',
    );
    const r = resolvePlan({ ...parse(text), vms: readmeInventoryVms() });
    expect(r.vmsWithoutWave).toEqual(['dev-01', 'dev-02', 'dev-03']);
    expect(
      r.problems.find(p => p.code === 'PLAN_VMS_WITHOUT_WAVE')?.severity,
    ).toBe('warning');
    expect(r.migrations.slice(-3).map(m => m.wave)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('refuses a vm_name two VMs share', () => {
    const vms = [
      ...readmeInventoryVms(),
      makeVm({ name: 'web-prod-01', moref: 'vm-9', folderPath: '/DC1/Old' }),
    ];
    const p = resolvePlan({ ...parse(OLD_README_PLAN), vms }).problems.find(
      x => x.code === 'PLAN_VM_NAME_AMBIGUOUS',
    );
    expect(p?.message).toContain('2 VMs are named "web-prod-01"');
  });

  it('warns about a pattern that matches nothing', () => {
    const r = resolvePlan({
      ...parse(OLD_README_PLAN),
      vms: readmeInventoryVms().filter(vm => !vm.name.startsWith('dev-')),
    });
    expect(
      r.problems.find(p => p.code === 'PLAN_PATTERN_MATCHES_NOTHING'),
    ).toMatchObject({ severity: 'warning', line: 25 });
  });
});

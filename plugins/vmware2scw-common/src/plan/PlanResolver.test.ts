import { offlineOffer } from '../offer/offlineOffer';
import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { makeVm, readmeInventoryVms } from '../__fixtures__/vms';
import { parsePlan } from './PlanParser';
import { listVms, resolvePlan } from './PlanResolver';

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

  it('points an exclude that matches nothing at its value', () => {
    const text = OLD_README_PLAN.replace(
      'vm_name: legacy-do-not-touch',
      'vm_name: gone-01',
    );
    const r = resolvePlan({ ...parse(text), vms: readmeInventoryVms() });
    expect(
      r.problems.find(p => p.code === 'PLAN_EXCLUDE_MATCHES_NOTHING'),
    ).toMatchObject({
      field: 'exclude[1].vm_name',
      line: 37,
      column: 14,
      severity: 'info',
    });
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
    // At the vms entries that match, not at the waves' first lines.
    expect(p.message).toBe(
      'plan.yaml:48:11: waves[2].vms[0]: VM "web-prod-01" is in wave "production" (waves[2].vms[0], line 48) and in wave "dev" (waves[1].vms[1], line 44)',
    );
    expect(p.related).toEqual([
      { field: 'waves[1].vms[1]', line: 44, column: expect.any(Number) },
    ]);
  });

  it('reports the same problem for several VMs once, with the VMs listed', () => {
    const text = OLD_README_PLAN.replace(
      'vm_pattern: "dev-*"',
      'vm_pattern: "*"',
    ).replace('vm_name: web-prod-01', 'vm_pattern: "*-0[123]"');
    const r = resolvePlan({ ...parse(text), vms: readmeInventoryVms() });
    const twice = r.problems.filter(x => x.code === 'PLAN_VM_IN_TWO_ENTRIES');
    expect(twice.map(p => p.message)).toEqual([
      'plan.yaml:25:5: migrations[1]: VM "web-dev-01" is selected by migrations[1] (line 25) and already by migrations[0] (line 20)',
      'plan.yaml:30:5: migrations[2]: VM "web-dev-01" is selected by migrations[2] (line 30) and already by migrations[0] (line 20)',
      'plan.yaml:30:5: migrations[2]: VMs "dev-01", "dev-02", "dev-03", "web-prod-01", "web-prod-02" and "db-01" are selected by migrations[2] (line 30) and already by migrations[1] (line 25)',
    ]);
    expect(twice[2].related).toEqual([
      { field: 'migrations[1]', line: 25, column: 5 },
    ]);
  });

  it('checks a target_type once per entry, however many VMs the entry selects', () => {
    const text = OLD_README_PLAN.replace('PLAY2-NANO', 'PLAY2-NAMO');
    const r = resolvePlan({
      ...parse(text),
      vms: readmeInventoryVms(),
      catalog: offlineOffer()!,
    });
    const unknown = r.problems.filter(
      x => x.code === 'PLAN_UNKNOWN_TARGET_TYPE',
    );
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({
      field: 'migrations[1].target_type',
      suggestion: 'PLAY2-NANO',
    });
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

describe('listVms', () => {
  it('lists one VM, a few, or the first ten and how many more', () => {
    expect(listVms(['a'])).toBe('VM "a"');
    expect(listVms(['a', 'b', 'c'])).toBe('VMs "a", "b" and "c"');
    const many = Array.from({ length: 13 }, (_, i) => `vm-${i}`);
    expect(listVms(many)).toBe(
      `13 VMs ${many
        .slice(0, 10)
        .map(n => `"${n}"`)
        .join(', ')} and 3 more`,
    );
  });
});

import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { PlanningError } from '../problems/PlanningError';
import { editPlanText, migrationPathForVm } from './PlanEditor';

describe('editPlanText', () => {
  it("keeps the user's comments and quoting when the tool sets a target type", () => {
    const path = migrationPathForVm(OLD_README_PLAN, 'web-prod-01')!;
    const r = editPlanText(OLD_README_PLAN, [
      { op: 'set', path: [...path, 'target_type'], value: 'POP2-8C-32G' },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.plan?.migrations[2].target_type).toBe('POP2-8C-32G');
    expect(r.text).toContain('# Toujours attendre');
    expect(r.text).toContain('# Continuer sauf erreur');
    expect(r.text).toContain('vm_pattern: "dev-*"');
    // Only that line changed.
    const before = OLD_README_PLAN.split('\n');
    const after = r.text.split('\n');
    const changed = after.filter(
      (l, i) => l.replace(/ +#/, ' #') !== before[i]?.replace(/ +#/, ' #'),
    );
    expect(changed).toEqual(['    target_type: POP2-8C-32G']);
  });

  it("appends an entry in the list's layout and removes one", () => {
    const r = editPlanText(OLD_README_PLAN, [
      {
        op: 'append',
        path: ['migrations'],
        value: {
          vm_name: 'db-01',
          target_type: 'POP2-HM-8C-64G',
          wave: 'production',
        },
      },
      { op: 'delete', path: ['exclude', 1] },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.plan?.migrations).toHaveLength(4);
    expect(r.plan?.exclude).toEqual([{ vm_pattern: 'template-*' }]);
    expect(r.text).toContain('wave: production\n\n  - vm_name: db-01\n');
  });

  it('quotes the values it writes that a YAML 1.1 reader (the old tool) would not read as text', () => {
    const r = editPlanText(OLD_README_PLAN, [
      { op: 'set', path: ['migrations', 0, 'vm_name'], value: '1:30' },
      { op: 'set', path: ['migrations', 2, 'vm_name'], value: '2026-01-01' },
      {
        op: 'append',
        path: ['exclude'],
        value: { vm_name: '1_000' },
      },
      { op: 'set', path: ['migrations', 1, 'target_type'], value: 'PRO2-S' },
    ]);
    expect(r.text).toContain('  - vm_name: "1:30"\n');
    expect(r.text).toContain('  - vm_name: "2026-01-01"\n');
    expect(r.text).toContain('  - vm_name: "1_000"\n');
    // Plain words stay plain, and the user's own quoting is untouched.
    expect(r.text).toContain('    target_type: PRO2-S\n');
    expect(r.text).toContain('  - vm_pattern: "dev-*"\n');
    expect(r.plan?.migrations.map(m => m.vm_name)).toEqual([
      '1:30',
      undefined,
      '2026-01-01',
    ]);
  });

  it('returns the problems an edit introduces, with positions', () => {
    const r = editPlanText(
      OLD_README_PLAN,
      [{ op: 'set', path: ['migrations', 0, 'wave'], value: 'canari' }],
      { file: 'plan.yaml' },
    );
    expect(r.plan).toBeUndefined();
    expect(r.problems[0]).toMatchObject({
      code: 'PLAN_UNKNOWN_WAVE',
      line: 23,
      suggestion: 'canary',
    });
  });

  it('refuses paths that do not exist and files that are not YAML', () => {
    expect(() =>
      editPlanText(OLD_README_PLAN, [
        { op: 'delete', path: ['migrations', 7] },
      ]),
    ).toThrow(PlanningError);
    expect(() =>
      editPlanText(OLD_README_PLAN, [
        { op: 'set', path: ['version', 'x'], value: 1 },
      ]),
    ).toThrow(PlanningError);
    expect(() => editPlanText('a: [\n', [])).toThrow(PlanningError);
  });
});

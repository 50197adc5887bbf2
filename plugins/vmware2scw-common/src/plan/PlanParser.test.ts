import fc from 'fast-check';
import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { fastPlanYaml } from './fastPlanYaml';
import { parsePlan } from './PlanParser';
import { serializePlan } from './PlanSerializer';
import { planV1Schema, type PlanV1Input } from './planSchema';

const errorsOf = (text: string) =>
  parsePlan(text, { file: 'plan.yaml' }).problems.filter(
    p => p.severity === 'error',
  );

describe('parsePlan: the old README plan', () => {
  it('parses without any problem', () => {
    const r = parsePlan(OLD_README_PLAN, { file: 'plan.yaml' });
    expect(r.problems).toEqual([]);
    expect(r.plan).toMatchObject({
      version: 1,
      metadata: {
        generated_at: '2026-02-27T14:00:00Z',
        vcenter: 'vcenter.local',
      },
      defaults: {
        zone: 'fr-par-1',
        sizing_strategy: 'optimize',
        tags: ['migrated-from-vmware'],
      },
      concurrency: {
        max_exports_per_host: 4,
        max_concurrent_conversions: 3,
        max_concurrent_uploads: 6,
        max_total_workers: 10,
      },
      exclude: [
        { vm_pattern: 'template-*' },
        { vm_name: 'legacy-do-not-touch' },
      ],
      post_migration: {
        tag_source: 'migrated-to-scaleway',
        power_off_source: false,
        delete_vmware_snapshot: true,
        delete_s3_transit: true,
      },
    });
    expect(r.plan?.migrations[1]).toEqual({
      vm_pattern: 'dev-*',
      target_type: 'PLAY2-NANO',
      priority: 3,
      wave: 'dev',
    });
    expect(r.plan?.waves.map(w => [w.name, w.pause_after])).toEqual([
      ['canary', 'pause'],
      ['dev', 'pause_on_failure'],
      ['production', 'pause'],
    ]);
    expect(r.locations['migrations[2]']).toEqual({ line: 30, column: 5 });
  });

  it('reports a mistyped key with its line, column and a suggestion', () => {
    const text = OLD_README_PLAN.replace(
      '    wave: canary',
      '    wvae: canary',
    );
    const [p] = errorsOf(text);
    expect(p).toMatchObject({
      code: 'PLAN_UNKNOWN_KEY',
      line: 23,
      column: 5,
      field: 'migrations[0].wvae',
      suggestion: 'wave',
    });
    expect(p.message).toBe(
      'plan.yaml:23:5: migrations[0].wvae: unknown key "wvae"; did you mean "wave"?',
    );
    expect(p.remediation).toBe('Rename "wvae" to "wave".');
  });

  it('reports mistyped top-level and section keys', () => {
    const text = OLD_README_PLAN.replace('concurrency:', 'concurency:').replace(
      'max_total_workers',
      'max_total_worker',
    );
    const problems = errorsOf(text);
    expect(problems.map(p => [p.line, p.suggestion])).toEqual([
      [13, 'concurrency'],
    ]);
    // Inside an unknown section nothing is checked (it is already an error); fix it and the next shows.
    expect(
      errorsOf(
        OLD_README_PLAN.replace('max_total_workers', 'max_total_worker'),
      )[0],
    ).toMatchObject({
      line: 17,
      suggestion: 'max_total_workers',
    });
  });
});

describe('parsePlan: invalid values', () => {
  it('reports every invalid field at once, in file order, with expected values', () => {
    const text = OLD_README_PLAN.replace(
      'sizing_strategy: optimize',
      'sizing_strategy: optimise',
    )
      .replace('max_exports_per_host: 4', 'max_exports_per_host: 0')
      .replace('priority: 3', 'priority: high')
      .replace('pause_after: pause_on_failure', 'pause_after: sometimes')
      .replace('power_off_source: false', 'power_off_source: maybe');
    const problems = errorsOf(text);
    expect(problems.map(p => [p.line, p.field])).toEqual([
      [9, 'defaults.sizing_strategy'],
      [14, 'concurrency.max_exports_per_host'],
      [27, 'migrations[1].priority'],
      [46, 'waves[1].pause_after'],
      [54, 'post_migration.power_off_source'],
    ]);
    expect(problems[0]).toMatchObject({
      suggestion: 'optimize',
      expected: 'exact, optimize, cost',
    });
    expect(problems[1].expected).toBe('a number ≥ 1');
    expect(problems[2].message).toContain(
      'expected an integer (a whole number), found "high"',
    );
    expect(problems[4].expected).toBe('true or false');
    for (const p of problems) expect(p.column).toBeGreaterThan(0);
  });

  it('accepts only the zones Instances run in, suggesting the closest', () => {
    const [problem] = errorsOf(
      OLD_README_PLAN.replace('zone: fr-par-1', 'zone: fr-par-4'),
    );
    expect(problem).toMatchObject({
      field: 'defaults.zone',
      suggestion: 'fr-par-1',
    });
    expect(problem.expected).toContain('it-mil-1');
  });

  it('reads PyYAML booleans as the old tool did', () => {
    const r = parsePlan(
      OLD_README_PLAN.replace(
        'power_off_source: false',
        'power_off_source: yes',
      ),
    );
    expect(r.plan?.post_migration.power_off_source).toBe(true);
  });

  it('names a missing version and a missing migrations list', () => {
    const problems = errorsOf('defaults:\n  zone: fr-par-1\n');
    expect(problems.map(p => p.message)).toEqual([
      'plan.yaml:1:1: version: missing required key "version"',
      'plan.yaml:1:1: migrations: missing required key "migrations"',
    ]);
  });

  it('rejects version 2 and a lower-case type name', () => {
    const problems = errorsOf(
      OLD_README_PLAN.replace('version: 1', 'version: 2').replace(
        'PLAY2-NANO',
        'play2-nano',
      ),
    );
    expect(problems[0]).toMatchObject({ line: 1, expected: '1' });
    expect(problems[1]).toMatchObject({
      line: 26,
      field: 'migrations[1].target_type',
    });
    expect(problems[1].message).toContain('upper case');
  });

  it('needs exactly one of vm_name and vm_pattern', () => {
    const text = OLD_README_PLAN.replace(
      '  - vm_name: web-prod-01\n',
      '  - vm_name: web-prod-01\n    vm_pattern: "web-*"\n',
    ).replace('  - vm_name: legacy-do-not-touch\n', '  - {}\n');
    expect(errorsOf(text).map(p => [p.code, p.field])).toEqual([
      ['PLAN_ENTRY_SELECTOR', 'migrations[2]'],
      ['PLAN_ENTRY_SELECTOR', 'exclude[1]'],
    ]);
  });

  it("checks wave names: a migration's wave must exist, wave names must differ", () => {
    const text = OLD_README_PLAN.replace(
      '    wave: production',
      '    wave: prodution',
    ).replace('  - name: dev\n', '  - name: canary\n');
    const problems = errorsOf(text);
    expect(problems.map(p => p.code)).toEqual([
      'PLAN_UNKNOWN_WAVE',
      'PLAN_UNKNOWN_WAVE',
      'PLAN_DUPLICATE_WAVE',
    ]);
    expect(problems[1]).toMatchObject({ line: 33, suggestion: 'production' });
    expect(problems[2].message).toContain(
      'already defined at waves[0] (line 40)',
    );
  });

  it('reports YAML syntax errors with their position', () => {
    const problems = errorsOf('version: 1\nmigrations:\n  - vm_name: [web\n');
    expect(problems[0]).toMatchObject({ code: 'PLAN_YAML_SYNTAX', line: 4 });
    expect(problems[0].field).toBe('migrations[0].vm_name');
  });

  it('names a duplicate key and both its lines', () => {
    const dup = errorsOf('version: 1\nversion: 1\nmigrations: []\n');
    expect(dup).toEqual([
      expect.objectContaining({
        code: 'PLAN_DUPLICATE_KEY',
        line: 2,
        column: 1,
        field: 'version',
        related: [{ field: 'version', line: 1, column: 1 }],
      }),
    ]);
    const [wave] = errorsOf(
      OLD_README_PLAN.replace(
        '    wave: canary\n',
        '    wave: canary\n    wave: dev\n',
      ),
    );
    expect(wave.message).toBe(
      'plan.yaml:24:5: migrations[0].wave: key "wave" is given twice in the same mapping: at line 23 and at line 24',
    );
    expect(wave.remediation).toBe(
      'Keep one "wave" (line 23 or line 24) and delete the other; YAML keys in one mapping must differ.',
    );
  });

  it('says "integer" where an integer is required', () => {
    const problems = errorsOf(
      OLD_README_PLAN.replace('priority: 3', 'priority: 2.5').replace(
        'max_total_workers: 10',
        'max_total_workers: "10"',
      ),
    );
    expect(problems.map(p => [p.field, p.expected, p.remediation])).toEqual([
      [
        'concurrency.max_total_workers',
        'an integer (a whole number)',
        'Set concurrency.max_total_workers to an integer: 10, without quotes.',
      ],
      [
        'migrations[1].priority',
        'an integer (a whole number)',
        'Set migrations[1].priority to an integer, such as 3.',
      ],
    ]);
  });

  it('refuses alias bombs and non-mapping documents', () => {
    const bomb = [
      'version: 1',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(
            98 + i,
          )} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(
            97 + i,
          )}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(
            97 + i,
          )}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(
            97 + i,
          )}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(
            97 + i,
          )}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(
            97 + i,
          )}]`,
      ),
      'migrations: []',
    ].join('\n');
    expect(errorsOf(bomb)[0].code).toMatch(/PLAN_/);
    expect(errorsOf('- a\n- b\n')[0]).toMatchObject({
      code: 'PLAN_INVALID_VALUE',
      line: 1,
    });
    expect(errorsOf('')[0].code).toBe('PLAN_INVALID_VALUE');
  });
});

describe('parsePlan: properties', () => {
  const lines = OLD_README_PLAN.split('\n');
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('swap-lines' as const),
      at: fc.nat(),
      to: fc.nat(),
    }),
    fc.record({
      kind: fc.constant('insert-text' as const),
      at: fc.nat(),
      text: fc.string({ maxLength: 6 }),
    }),
    fc.record({
      kind: fc.constant('delete-chars' as const),
      at: fc.nat(),
      n: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({
      kind: fc.constant('indent' as const),
      at: fc.nat(),
      by: fc.integer({ min: -4, max: 4 }),
    }),
    fc.record({
      kind: fc.constant('replace-token' as const),
      at: fc.nat(),
      text: fc.constantFrom(
        ':',
        '-',
        '"',
        "'",
        '[',
        ']',
        '{',
        '}',
        '&a',
        '*a',
        '!!str',
        '#',
        '\t',
        'null',
        '~',
        '1e9',
        'yes',
        '---',
      ),
    }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;
  const apply = (src: string[], muts: Mutation[]): string => {
    let ls = [...src];
    for (const m of muts) {
      const i = m.at % Math.max(ls.length, 1);
      switch (m.kind) {
        case 'delete-line':
          ls.splice(i, 1);
          break;
        case 'duplicate-line':
          ls.splice(i, 0, ls[i] ?? '');
          break;
        case 'swap-lines': {
          const j = m.to % ls.length;
          [ls[i], ls[j]] = [ls[j], ls[i]];
          break;
        }
        case 'indent':
          ls[i] =
            m.by >= 0
              ? ' '.repeat(m.by) + (ls[i] ?? '')
              : (ls[i] ?? '').slice(-m.by);
          break;
        default: {
          const text = ls.join('\n');
          const pos = m.at % (text.length + 1);
          const out =
            m.kind === 'delete-chars'
              ? text.slice(0, pos) + text.slice(pos + m.n)
              : text.slice(0, pos) + m.text + text.slice(pos);
          ls = out.split('\n');
        }
      }
    }
    return ls.join('\n');
  };

  it('never throws on mutated YAML: it yields a plan, or errors that all have a position', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), muts => {
        const text = apply(lines, muts);
        const r = parsePlan(text, { file: 'plan.yaml' });
        const errors = r.problems.filter(p => p.severity === 'error');
        expect(r.plan === undefined).toBe(errors.length > 0);
        for (const p of r.problems) {
          expect(p.code).not.toBe('PLAN_INTERNAL_ERROR');
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.column).toBeGreaterThanOrEqual(1);
          expect(p.line!).toBeLessThanOrEqual(text.split('\n').length + 1);
          expect(p.message.startsWith('plan.yaml:')).toBe(true);
          expect(p.remediation.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text: a plan, or errors that all have a position', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          // YAML-ish text: keys, indentation, flow collections, anchors, tags.
          fc
            .array(
              fc.constantFrom(
                'version: 1\n',
                'migrations:\n',
                '  - vm_name: a\n',
                '    wave: w\n',
                'waves: [{name: w}]\n',
                '- ',
                '  ',
                ': ',
                '{',
                '}',
                '[',
                ']',
                '&a ',
                '*a',
                '!!str ',
                '"',
                '#x\n',
                '\t',
                'null\n',
                '---\n',
              ),
              { maxLength: 30 },
            )
            .map(parts => parts.join('')),
        ),
        text => {
          const r = parsePlan(text, { file: 'plan.yaml' });
          const errors = r.problems.filter(p => p.severity === 'error');
          expect(r.plan === undefined).toBe(errors.length > 0);
          for (const p of r.problems) {
            expect(p.code).not.toBe('PLAN_INTERNAL_ERROR');
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.column).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  const name = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    // Any code points, lone surrogates and control characters included.
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    fc.constantFrom(
      'yes',
      'no',
      'on',
      'null',
      '~',
      '1:30',
      '2026-01-01',
      '0777',
      '1e3',
      '*star',
      'web #1',
      "it's",
      'é-ü',
      ' lead',
      '- dash',
      'a: b',
      '[x]',
      'true',
    ),
  );
  const planArb: fc.Arbitrary<PlanV1Input> = fc
    .record({
      waves: fc.uniqueArray(name, { maxLength: 3 }),
      migrations: fc.array(
        fc.record(
          {
            sel: fc.constantFrom('vm_name', 'vm_pattern'),
            value: name,
            target_type: fc.constantFrom(
              'POP2-4C-16G',
              'PLAY2-NANO',
              'PRO2-XXS-WIN',
            ),
            priority: fc.integer({ min: 0, max: 1000 }),
          },
          { requiredKeys: ['sel', 'value'] },
        ),
        { maxLength: 5 },
      ),
      tags: fc.array(
        name.filter(s => s.length > 0),
        { maxLength: 3 },
      ),
      generatedAt: fc.option(
        fc.constantFrom('2026-02-27T14:00:00Z', '2026-11-26'),
        { nil: undefined },
      ),
      tagSource: fc.option(name, { nil: undefined }),
      powerOff: fc.boolean(),
      zone: fc.constantFrom('fr-par-1', 'nl-ams-2'),
      strategy: fc.constantFrom('exact', 'optimize', 'cost' as const),
    })
    .map(r => ({
      version: 1 as const,
      metadata: r.generatedAt
        ? { generated_at: r.generatedAt, vcenter: 'vc.local' }
        : {},
      defaults: { zone: r.zone, sizing_strategy: r.strategy, tags: r.tags },
      migrations: r.migrations.map((m, i) => ({
        [m.sel]: m.value,
        ...(m.target_type ? { target_type: m.target_type } : {}),
        ...(m.priority !== undefined ? { priority: m.priority } : {}),
        ...(r.waves.length ? { wave: r.waves[i % r.waves.length] } : {}),
      })),
      waves: r.waves.map(w => ({
        name: w,
        vms: [w, `${w}-*`],
        pause_after: 'pause_on_failure' as const,
      })),
      post_migration: {
        power_off_source: r.powerOff,
        ...(r.tagSource ? { tag_source: r.tagSource } : {}),
      },
    }));

  it('round-trips: parse(serialize(plan)) is the same plan', () => {
    fc.assert(
      fc.property(planArb, input => {
        const text = serializePlan(input);
        const once = parsePlan(text);
        expect(once.problems).toEqual([]);
        // The plan read back is the plan written (section defaults filled in).
        expect(once.plan).toEqual(planV1Schema.parse(input));
        const twice = parsePlan(serializePlan(once.plan!));
        expect(twice.plan).toEqual(once.plan);
        expect(serializePlan(once.plan!)).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  /**
   * Structural mutations of a valid plan's text, each on one `key: value` line: delete it, duplicate
   * it, retype its value, misspell its key or its value, re-indent it.
   */
  const KEY_LINE = /^(\s*(?:- )?)([A-Za-z_]+):(.*)$/;
  const editArb = fc.record({
    kind: fc.constantFrom(
      'delete',
      'duplicate',
      'retype',
      'misspell-key',
      'misspell-value',
      'reindent',
    ),
    at: fc.nat(),
    pick: fc.nat(),
    by: fc.integer({ min: -4, max: 4 }),
    value: fc.constantFrom(
      '42',
      '2.5',
      '-1',
      '"text"',
      '[a, b]',
      '{a: 1}',
      'true',
      '~',
      '',
      'POP2-4C-16',
      'fr-par1',
    ),
  });
  type Edit = typeof editArb extends fc.Arbitrary<infer T> ? T : never;
  const misspell = (word: string, pick: number) => {
    if (word.length < 2) return `${word}x`;
    const i = pick % (word.length - 1);
    const swapped =
      word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    return swapped === word ? `${word}x` : swapped;
  };
  const edit = (text: string, e: Edit): string => {
    const ls = text.split('\n');
    const keyed = ls
      .map((l, i) => ({ i, m: KEY_LINE.exec(l) }))
      .filter(x => x.m);
    if (keyed.length === 0) return text;
    const { i, m } = keyed[e.at % keyed.length];
    const [, lead, key, rest] = m!;
    switch (e.kind) {
      case 'delete':
        ls.splice(i, 1);
        break;
      case 'duplicate':
        ls.splice(i, 0, ls[i]);
        break;
      case 'retype':
        ls[i] = `${lead}${key}: ${e.value}`;
        break;
      case 'misspell-key':
        ls[i] = `${lead}${misspell(key, e.pick)}:${rest}`;
        break;
      case 'misspell-value': {
        const v = rest.trim().replace(/^"|"$/g, '');
        ls[i] = `${lead}${key}: "${misspell(v, e.pick)}"`;
        break;
      }
      default:
        ls[i] = e.by >= 0 ? ' '.repeat(e.by) + ls[i] : ls[i].slice(-e.by);
    }
    return ls.join('\n');
  };

  it('reports mutated valid plans without crashing, each error with a line inside the file and a field path', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.array(editArb, { minLength: 1, maxLength: 3 }),
        (input, edits) => {
          const valid = serializePlan(input);
          // A valid plan never gets an error.
          expect(parsePlan(valid).problems).toEqual([]);
          const text = edits.reduce(edit, valid);
          const r = parsePlan(text, { file: 'plan.yaml' });
          const lineCount = text.split('\n').length;
          const errors = r.problems.filter(p => p.severity === 'error');
          expect(r.plan === undefined).toBe(errors.length > 0);
          for (const p of r.problems) {
            expect(p.code).not.toBe('PLAN_INTERNAL_ERROR');
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.line!).toBeLessThanOrEqual(lineCount);
            expect(p.column).toBeGreaterThanOrEqual(1);
            expect(typeof p.field).toBe('string');
            expect(p.field!.length).toBeGreaterThan(0);
            expect(p.message.startsWith(`plan.yaml:${p.line}:`)).toBe(true);
            expect(p.remediation.length).toBeGreaterThan(0);
            for (const rel of p.related ?? []) {
              expect(rel.line ?? 1).toBeGreaterThanOrEqual(1);
              expect(rel.line ?? 1).toBeLessThanOrEqual(lineCount);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('suggests the key a misspelled key was, on its line', () => {
    fc.assert(
      fc.property(planArb, fc.nat(), fc.nat(), (input, at, pick) => {
        const valid = serializePlan(input);
        const ls = valid.split('\n');
        const keyed = ls
          .map((l, i) => ({ i, m: KEY_LINE.exec(l) }))
          .filter(x => x.m && x.m[2].length >= 4);
        const { i, m } = keyed[at % keyed.length];
        const wrong = misspell(m![2], pick);
        ls[i] = `${m![1]}${wrong}:${m![3]}`;
        const problems = parsePlan(ls.join('\n')).problems;
        expect(problems).toContainEqual(
          expect.objectContaining({
            code: 'PLAN_UNKNOWN_KEY',
            line: i + 1,
            suggestion: m![2],
          }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('reads plans the same with the fast reader as with the YAML library', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.array(editArb, { maxLength: 2 }),
        fc.array(mutation, { maxLength: 1 }),
        (input, edits, muts) => {
          const valid = serializePlan(input);
          // What vmware2scw writes always takes the fast path.
          const fast = fastPlanYaml(valid);
          expect(fast).toBeDefined();
          expect(fast!.locations).toEqual(
            parsePlan(valid, { fastPath: false }).locations,
          );
          const text = apply(edits.reduce(edit, valid).split('\n'), muts);
          expect(parsePlan(text, { file: 'plan.yaml' })).toEqual(
            parsePlan(text, { file: 'plan.yaml', fastPath: false }),
          );
        },
      ),
      { numRuns: 300 },
    );
    // Hand-written style: comments, flow lists, single quotes, PyYAML booleans.
    const readme = fastPlanYaml(OLD_README_PLAN);
    expect(readme).toBeDefined();
    expect(parsePlan(OLD_README_PLAN)).toEqual(
      parsePlan(OLD_README_PLAN, { fastPath: false }),
    );
    for (const tricky of [
      'version: 1\nmigrations: []\nmetadata: {a: 1}\n',
      'version: 1\nmigrations:\n  - vm_name: &a x\n',
      'version: 1\nmigrations:\n  - vm_name: |\n      x\n',
      'version: 1\nmigrations:\n  - vm_name: 0x1F\n',
      'version: 1\nmigrations:\n  - vm_name: x\n    wave:\n',
      'version: 1\nversion: 1\nmigrations: []\n',
    ])
      expect(fastPlanYaml(tricky)).toBeUndefined();
  });
});

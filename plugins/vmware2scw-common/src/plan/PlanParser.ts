import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
} from 'yaml';
import { fastPlanYaml } from './fastPlanYaml';
import { z, type ZodIssue, type ZodTypeAny } from 'zod';
import {
  makeProblem,
  hasErrors,
  type Problem,
  type SourcePosition,
} from '../problems/Problem';
import { didYouMean } from '../problems/didYouMean';
import { formatKeyPath } from '../problems/formatKeyPath';
import { planV1Schema, type Plan } from './planSchema';
import {
  PLAN_MAX_ALIAS_COUNT,
  PLAN_MAX_BYTES,
  PLAN_READ_OPTIONS,
} from './planYaml';

/** Positions of plan entries and fields, keyed by path: `migrations[2]`, `migrations[2].wave`. */
export type PlanLocations = Record<string, SourcePosition>;

export interface PlanParseOptions {
  /** Name shown in messages (`plan.yaml:12:5: ...`). */
  file?: string;
  /**
   * Read plain plans with the fast reader (`fastPlanYaml`) first (default true); false always uses
   * the YAML library, for tests that compare the two.
   */
  fastPath?: boolean;
}

export interface PlanParseResult {
  /** The plan, with section defaults filled in; present only when there is no error. */
  plan?: Plan;
  /** Every error and warning found, in file order. */
  problems: Problem[];
  locations: PlanLocations;
}

type Path = ReadonlyArray<string | number>;

/** The field of problems about the whole document (not a mapping, unreadable YAML). */
const DOCUMENT = '(document)';

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer (a whole number)',
  boolean: 'true or false',
};

class ParseContext {
  readonly problems: Problem[] = [];

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly file?: string,
    readonly locations: PlanLocations = {},
  ) {}

  /**
   * A plan the fast reader read: valid if its schema and semantic checks find nothing, else undefined
   * (the caller reads it again with the YAML library, whose nodes locate every problem).
   */
  static checkFast(
    raw: unknown,
    locations: PlanLocations,
    file?: string,
  ): PlanParseResult | undefined {
    if (!isRecord(raw)) return undefined;
    const parsed = planV1Schema.safeParse(raw);
    if (!parsed.success) return undefined;
    const ctx = new ParseContext(
      new Document() as Document.Parsed,
      new LineCounter(),
      file,
      locations,
    );
    ctx.checkSemantics(raw);
    return ctx.problems.length === 0
      ? { plan: parsed.data, problems: [], locations }
      : undefined;
  }

  run(): PlanParseResult {
    // Walked only when the YAML parser saw a duplicate: a valid plan costs nothing here.
    const duplicates = this.doc.errors.some(e => e.code === 'DUPLICATE_KEY')
      ? this.duplicateKeys()
      : new Map<number, Problem>();
    for (const err of this.doc.errors) {
      // Duplicate keys are reported with both lines (duplicateKeys); the parser's own error names one.
      if (err.code === 'DUPLICATE_KEY' && duplicates.has(err.pos[0])) continue;
      this.problems.push(
        makeProblem({
          code: 'PLAN_YAML_SYNTAX',
          file: this.file,
          field: this.fieldAtOffset(err.pos[0]),
          ...this.position(err.pos[0]),
          text: `YAML syntax: ${err.message}`,
          remediation: yamlSyntaxRemediation(err.code),
        }),
      );
    }
    this.problems.push(...duplicates.values());
    if (this.problems.length) return this.result();
    for (const warning of this.doc.warnings) {
      this.problems.push(
        makeProblem({
          code: 'PLAN_YAML_WARNING',
          severity: 'warning',
          file: this.file,
          field: this.fieldAtOffset(warning.pos[0]),
          ...this.position(warning.pos[0]),
          text: `YAML: ${warning.message}`,
          remediation:
            'Remove YAML tags (!!...) from the plan; plain values are enough.',
        }),
      );
    }

    let raw: unknown;
    try {
      raw = this.doc.toJS({ maxAliasCount: PLAN_MAX_ALIAS_COUNT });
    } catch (e) {
      this.problems.push(
        makeProblem({
          code: 'PLAN_YAML_SYNTAX',
          file: this.file,
          field: DOCUMENT,
          line: 1,
          column: 1,
          text: `YAML: ${e instanceof Error ? e.message : String(e)}`,
          remediation: 'Remove the aliases (*name) and write the values out.',
        }),
      );
      return this.result();
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      this.problems.push(
        makeProblem({
          code: 'PLAN_INVALID_VALUE',
          file: this.file,
          field: DOCUMENT,
          ...this.nodePosition(this.doc.contents),
          text: `a plan is a mapping with "version: 1" and "migrations:", found ${describeValue(
            raw,
          )}`,
          remediation:
            'Start from the example plan in the README (version: 1, defaults, migrations, waves).',
          expected: 'a mapping',
        }),
      );
      return this.result();
    }
    this.collectLocations();
    const parsed = planV1Schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) this.reportIssue(issue, raw);
    }
    this.checkSemantics(raw as Record<string, unknown>);
    this.problems.sort(
      (a, b) =>
        (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    return this.result(
      parsed.success && !hasErrors(this.problems) ? parsed.data : undefined,
    );
  }

  private result(plan?: Plan): PlanParseResult {
    return plan
      ? { plan, problems: this.problems, locations: this.locations }
      : { problems: this.problems, locations: this.locations };
  }

  private position(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private nodePosition(node: unknown): SourcePosition {
    const range = (node as YamlNode | null)?.range;
    return range ? this.position(range[0]) : { line: 1, column: 1 };
  }

  /** Every node of the document with its key path, depth first (pairs' keys included as their path). */
  private walk(fn: (node: YamlNode, path: Path) => void): void {
    const visit = (node: unknown, path: Path) => {
      if (isMap(node)) {
        fn(node as YamlNode, path);
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const key = isScalar(pair.key) ? String(pair.key.value) : '?';
          if (pair.key) fn(pair.key as YamlNode, [...path, key]);
          visit(pair.value, [...path, key]);
        }
      } else if (isSeq(node)) {
        fn(node as YamlNode, path);
        node.items.forEach((item, i) => visit(item, [...path, i]));
      } else if (node && typeof node === 'object' && 'range' in node) {
        fn(node as YamlNode, path);
      }
    };
    visit(this.doc.contents, []);
  }

  /**
   * Keys given twice in one mapping, as problems naming the key and both lines, by the offset of the
   * repeated key (where the YAML parser reports it).
   */
  private duplicateKeys(): Map<number, Problem> {
    const out = new Map<number, Problem>();
    this.walk((node, mapPath) => {
      if (!isMap(node)) return;
      const seen = new Map<string, YamlNode>();
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
        const key = String(pair.key.value);
        const first = seen.get(key);
        if (!first) {
          seen.set(key, pair.key as YamlNode);
          continue;
        }
        const field = formatKeyPath([...mapPath, key]);
        const firstAt = this.nodePosition(first);
        const again = this.nodePosition(pair.key);
        out.set(
          pair.key.range[0],
          makeProblem({
            code: 'PLAN_DUPLICATE_KEY',
            file: this.file,
            field,
            ...again,
            text: `key "${key}" is given twice in the same mapping: at line ${firstAt.line} and at line ${again.line}`,
            remediation: `Keep one "${key}" (line ${firstAt.line} or line ${again.line}) and delete the other; YAML keys in one mapping must differ.`,
            related: [{ field, ...firstAt }],
          }),
        );
      }
    });
    return out;
  }

  /** The key path of the deepest node at `offset`, for problems the YAML parser finds by position. */
  private fieldAtOffset(offset: number): string {
    let best: Path | undefined;
    this.walk((node, path) => {
      const r = node.range;
      if (r && r[0] <= offset && offset <= r[1]) {
        if (!best || path.length >= best.length) best = path;
      }
    });
    return (best && formatKeyPath(best)) || DOCUMENT;
  }

  /** The deepest existing node along `path`, and how much of the path it covers. */
  private nodeAt(path: Path): { node: unknown; depth: number } {
    let node: unknown = this.doc.contents;
    let depth = 0;
    for (const seg of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          p => isScalar(p.key) && String(p.key.value) === String(seg),
        );
        next = pair?.value ?? (pair ? pair.key : undefined);
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined || next === null) break;
      node = next;
      depth++;
    }
    return { node, depth };
  }

  private keyNode(mapPath: Path, key: string): unknown {
    const { node, depth } = this.nodeAt(mapPath);
    if (depth !== mapPath.length || !isMap(node)) return node;
    const pair = node.items.find(
      p => isPair(p) && isScalar(p.key) && String(p.key.value) === key,
    );
    return pair?.key ?? node;
  }

  /** Remembers where each section, entry and entry field is, for messages made later (resolution). */
  private collectLocations() {
    const root = this.doc.contents;
    if (!isMap(root)) return;
    for (const pair of root.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      this.locations[key] = this.nodePosition(pair.key);
      const value = pair.value;
      if (!isSeq(value)) continue;
      value.items.forEach((item, i) => {
        const itemPath = `${key}[${i}]`;
        this.locations[itemPath] = this.nodePosition(item);
        if (!isMap(item)) return;
        for (const field of item.items) {
          if (!isScalar(field.key)) continue;
          const fieldPath = `${itemPath}.${String(field.key.value)}`;
          this.locations[fieldPath] = this.nodePosition(
            field.value ?? field.key,
          );
          if (isSeq(field.value)) {
            field.value.items.forEach((v, j) => {
              this.locations[`${fieldPath}[${j}]`] = this.nodePosition(v);
            });
          }
        }
      });
    }
  }

  private reportIssue(issue: ZodIssue, raw: unknown) {
    const field = formatKeyPath(issue.path);
    const at = (node: unknown) => ({
      file: this.file,
      field: field || DOCUMENT,
      ...this.nodePosition(node),
    });
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(planV1Schema, issue.path);
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, allowed);
          const keyPath = formatKeyPath([...issue.path, key]);
          this.problems.push(
            makeProblem({
              code: 'PLAN_UNKNOWN_KEY',
              file: this.file,
              field: keyPath,
              ...this.nodePosition(this.keyNode(issue.path, key)),
              text: `unknown key "${key}"${
                suggestion ? `; did you mean "${suggestion}"?` : ''
              }`,
              remediation: suggestion
                ? `Rename "${key}" to "${suggestion}".`
                : `Remove "${key}"; keys allowed ${
                    field ? `in ${field}` : 'at the top level'
                  }: ${allowed.join(', ')}.`,
              expected: `one of ${allowed.join(', ')}`,
              suggestion,
            }),
          );
        }
        return;
      }
      case 'invalid_type':
      case 'invalid_literal': {
        const parentValue = valueAt(raw, issue.path.slice(0, -1));
        const missing =
          issue.path.length > 0 &&
          isRecord(parentValue) &&
          !(String(issue.path[issue.path.length - 1]) in parentValue);
        if (missing) {
          const parent = issue.path.slice(0, -1);
          const key = String(issue.path[issue.path.length - 1] ?? '');
          this.problems.push(
            makeProblem({
              code: 'PLAN_MISSING_KEY',
              file: this.file,
              field: formatKeyPath(issue.path),
              ...this.nodePosition(this.nodeAt(parent).node),
              text: `missing required key "${key}"`,
              remediation: `Add "${key}:" (${expectedOf(issue)}).`,
              expected: expectedOf(issue),
            }),
          );
          return;
        }
        const found = valueAt(raw, issue.path);
        const integer = isIntegerAt(planV1Schema, issue.path);
        const expected = integer ? TYPE_WORDS.integer : expectedOf(issue);
        this.problems.push(
          makeProblem({
            code: 'PLAN_INVALID_VALUE',
            ...at(this.nodeAt(issue.path).node),
            text: `expected ${expected}, found ${describeValue(found)}`,
            remediation: integer
              ? `Set ${field} to an integer${
                  typeof found === 'string' && /^\d+$/.test(found.trim())
                    ? `: ${found.trim()}, without quotes`
                    : ', such as 3'
                }.`
              : remediationFor(issue, field, found),
            expected,
          }),
        );
        return;
      }
      case 'invalid_enum_value': {
        const options = issue.options.map(String);
        const suggestion = didYouMean(String(issue.received), options);
        this.problems.push(
          makeProblem({
            code: 'PLAN_INVALID_VALUE',
            ...at(this.nodeAt(issue.path).node),
            text: `"${String(issue.received)}" is not one of ${options.join(
              ', ',
            )}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
            remediation: `Set ${field} to ${
              suggestion ? `"${suggestion}"` : `one of ${options.join(', ')}`
            }.`,
            expected: options.join(', '),
            suggestion,
          }),
        );
        return;
      }
      default: {
        const found = valueAt(raw, issue.path);
        const expected = expectedOf(issue);
        this.problems.push(
          makeProblem({
            code: 'PLAN_INVALID_VALUE',
            ...at(this.nodeAt(issue.path).node),
            text: `${
              expected ? `expected ${expected}` : issue.message
            }, found ${describeValue(found)}`,
            remediation: expected
              ? `Set ${field} to ${expected}.`
              : `Fix ${field}: ${issue.message}.`,
            expected,
          }),
        );
      }
    }
  }

  /** Checks that need more than one field: what zod's per-field schema cannot say with positions. */
  private checkSemantics(raw: Record<string, unknown>) {
    const waves = Array.isArray(raw.waves) ? raw.waves : [];
    const waveNames = new Map<string, number>();
    waves.forEach((w, i) => {
      const name =
        isRecord(w) && typeof w.name === 'string' ? w.name : undefined;
      if (!name) return;
      const first = waveNames.get(name);
      if (first !== undefined) {
        this.problems.push(
          makeProblem({
            code: 'PLAN_DUPLICATE_WAVE',
            file: this.file,
            field: `waves[${i}].name`,
            ...this.nodePosition(this.nodeAt(['waves', i, 'name']).node),
            text: `wave "${name}" is already defined at waves[${first}] (line ${
              this.locations[`waves[${first}]`]?.line ?? '?'
            })`,
            remediation: 'Give each wave its own name, or merge the two waves.',
            related: [
              {
                field: `waves[${first}]`,
                ...this.locations[`waves[${first}]`],
              },
            ],
          }),
        );
      } else {
        waveNames.set(name, i);
      }
      if (isRecord(w) && Array.isArray(w.vms)) {
        w.vms.forEach((p, j) => this.checkPattern(p, ['waves', i, 'vms', j]));
      }
    });

    const checkTargets = (section: 'migrations' | 'exclude') => {
      const list = raw[section];
      if (!Array.isArray(list)) return;
      list.forEach((entry, i) => {
        if (!isRecord(entry)) return;
        const hasName = entry.vm_name !== undefined;
        const hasPattern = entry.vm_pattern !== undefined;
        if (hasName === hasPattern) {
          this.problems.push(
            makeProblem({
              code: 'PLAN_ENTRY_SELECTOR',
              file: this.file,
              field: `${section}[${i}]`,
              ...this.nodePosition(this.nodeAt([section, i]).node),
              text: hasName
                ? 'has both vm_name and vm_pattern; an entry selects VMs one way'
                : 'selects no VM: it needs vm_name or vm_pattern',
              remediation: hasName
                ? 'Keep vm_name for one VM or vm_pattern for a glob, not both.'
                : 'Add "vm_name: <VM name>" or "vm_pattern: <glob>".',
              expected: 'exactly one of vm_name, vm_pattern',
            }),
          );
        }
        if (hasPattern)
          this.checkPattern(entry.vm_pattern, [section, i, 'vm_pattern']);
        if (
          section === 'migrations' &&
          typeof entry.wave === 'string' &&
          entry.wave !== '' &&
          !waveNames.has(entry.wave)
        ) {
          const suggestion = didYouMean(entry.wave, waveNames.keys());
          this.problems.push(
            makeProblem({
              code: 'PLAN_UNKNOWN_WAVE',
              file: this.file,
              field: `migrations[${i}].wave`,
              ...this.nodePosition(this.nodeAt(['migrations', i, 'wave']).node),
              text: `wave "${entry.wave}" is not defined under waves${
                suggestion ? `; did you mean "${suggestion}"?` : ''
              }`,
              remediation: suggestion
                ? `Set it to "${suggestion}", or add a wave named "${entry.wave}" under waves.`
                : `Add a wave named "${entry.wave}" under waves (with its pause_after policy).`,
              expected: waveNames.size
                ? [...waveNames.keys()].join(', ')
                : 'a wave defined under waves',
              suggestion,
            }),
          );
        }
      });
    };
    checkTargets('migrations');
    checkTargets('exclude');
  }

  private checkPattern(pattern: unknown, path: Path) {
    if (typeof pattern !== 'string') return;
    if (pattern.length > 512) {
      this.problems.push(
        makeProblem({
          code: 'PLAN_INVALID_VALUE',
          file: this.file,
          field: formatKeyPath(path),
          ...this.nodePosition(this.nodeAt(path).node),
          text: `pattern is ${pattern.length} characters long; the limit is 512`,
          remediation: 'Use a shorter glob, or several entries.',
          expected: 'a glob of at most 512 characters',
        }),
      );
    }
    // Nothing else to check: a glob cannot be malformed (an unclosed "[" is a literal bracket).
  }
}

/**
 * Parses plan YAML v1 and reports every problem with its line and column, the expected value, and a
 * suggestion for mistyped keys and values. Never throws on any input text.
 */
export function parsePlan(
  text: string,
  options: PlanParseOptions = {},
): PlanParseResult {
  const file = options.file;
  if (text.length > PLAN_MAX_BYTES) {
    return {
      problems: [
        makeProblem({
          code: 'PLAN_TOO_LARGE',
          file,
          line: 1,
          column: 1,
          text: `the plan is ${text.length} characters long; the limit is ${PLAN_MAX_BYTES}`,
          remediation: 'Split the migration into several plans.',
        }),
      ],
      locations: {},
    };
  }
  if (options.fastPath !== false) {
    // Plans as vmware2scw writes them (and most written by hand) read ten times faster this way.
    const fast = fastPlanYaml(text);
    const checked =
      fast && ParseContext.checkFast(fast.raw, fast.locations, file);
    if (checked) return checked;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...PLAN_READ_OPTIONS, lineCounter });
  const ctx = new ParseContext(doc, lineCounter, file);
  try {
    return ctx.run();
  } catch (e) {
    // A bug here must not take the caller down with it; report it like any other problem.
    return {
      problems: [
        makeProblem({
          code: 'PLAN_INTERNAL_ERROR',
          file,
          line: 1,
          column: 1,
          text: `the plan could not be checked: ${
            e instanceof Error ? e.message : String(e)
          }`,
          remediation: 'Report this as a bug with the plan attached.',
        }),
      ],
      locations: {},
    };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function valueAt(raw: unknown, path: Path): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Keys a strict object accepts at `path`, by walking the schema. */
export function allowedKeysAt(schema: ZodTypeAny, path: Path): string[] {
  let s: ZodTypeAny | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return [];
    if (s instanceof z.ZodArray && typeof seg === 'number')
      s = unwrap(s.element);
    else if (s instanceof z.ZodObject) s = unwrap(s.shape[String(seg)]);
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Whether the schema at `path` is an integer (`z.number().int()`). */
function isIntegerAt(schema: ZodTypeAny, path: Path): boolean {
  let s: ZodTypeAny | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return false;
    if (s instanceof z.ZodArray && typeof seg === 'number')
      s = unwrap(s.element);
    else if (s instanceof z.ZodObject) s = unwrap(s.shape[String(seg)]);
    else return false;
  }
  return s instanceof z.ZodNumber && s.isInt;
}

function unwrap(s: ZodTypeAny | undefined): ZodTypeAny | undefined {
  let cur = s;
  for (;;) {
    if (cur instanceof z.ZodDefault) cur = cur._def.innerType;
    else if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable)
      cur = cur.unwrap();
    else if (cur instanceof z.ZodEffects) cur = cur.innerType();
    else return cur;
  }
}

function expectedOf(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? String(issue.expected);
    case 'invalid_literal':
      return JSON.stringify(issue.expected);
    case 'too_small':
      if (issue.type === 'string') return 'a non-empty string';
      if (issue.type === 'array')
        return `a list of at least ${issue.minimum} item(s)`;
      return `a number ≥ ${String(issue.minimum)}`;
    case 'too_big':
      return issue.type === 'string'
        ? `at most ${String(issue.maximum)} characters`
        : `a number ≤ ${String(issue.maximum)}`;
    case 'invalid_string':
      return issue.message.replace(/^expected /, '');
    case 'not_multiple_of':
      return `a multiple of ${String(issue.multipleOf)}`;
    default:
      return '';
  }
}

function remediationFor(
  issue: ZodIssue,
  field: string,
  found: unknown,
): string {
  if (
    issue.code === 'invalid_type' &&
    issue.expected === 'string' &&
    found !== null &&
    found !== undefined
  ) {
    return `Quote the value: ${field.split('.').pop()}: "${String(found)}".`;
  }
  if (
    issue.code === 'invalid_type' &&
    issue.expected === 'array' &&
    typeof found === 'string'
  ) {
    return `Write a list: ["${found}"].`;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'integer') {
    return `Set ${field} to an integer, without a decimal point.`;
  }
  return `Set ${field} to ${expectedOf(issue)}.`;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string')
    return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

function yamlSyntaxRemediation(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'Keep one occurrence of the key (YAML keys in one mapping must differ).';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'Check the indentation (spaces, not tabs) and closing brackets/quotes around this line.';
    case 'TAB_AS_INDENT':
      return 'Indent with spaces, not tabs.';
    case 'MULTIPLE_DOCS':
      return 'A plan is one YAML document: remove the extra "---".';
    default:
      return 'Fix the YAML syntax at this position (indentation, quotes, colons).';
  }
}

import type { SourcePosition } from '../problems/Problem';

/**
 * A fast reader for the plain YAML that plans are written in (what `serializePlan` writes, and what
 * people write by hand in the same style): block mappings with simple keys, block sequences, `- key:`
 * items, flow lists of scalars, plain, single- and double-quoted scalars, comments. It gives the same
 * value and the same positions as the YAML library with the plan's read options, about ten times
 * faster, or `undefined` as soon as the text uses anything else (anchors, tags, multi-line or escaped
 * strings, flow mappings, tabs, duplicate keys, empty values...): the caller then reads it with the
 * YAML library, which also gives the precise errors.
 */

type Value =
  | null
  | boolean
  | number
  | string
  | Value[]
  | { [k: string]: Value };

interface Line {
  /** 1-based line number. */
  no: number;
  /** 0-based column of the content. */
  indent: number;
  text: string;
  /** A `- ` item marker (the item's content follows as its own line at `indent + 2`). */
  dash: boolean;
}

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

export interface FastPlanYaml {
  raw: Value;
  /** As `parsePlan` collects them: root keys, their list items, item fields and field list items. */
  locations: Record<string, SourcePosition>;
}

interface Located {
  value: Value;
  pos: SourcePosition;
  /** Items' positions, for sequences. */
  items?: Located[];
  /** Fields, for mappings. */
  fields?: Array<{ key: string; keyPos: SourcePosition; value: Located }>;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_]*):(?: +|$)/;

class Reader {
  private readonly lines: Line[] = [];
  private pos = 0;

  constructor(text: string) {
    if (/[\r\t\uFEFF]/.test(text)) bail();
    const raw = text.split('\n');
    raw.forEach((l, i) => {
      const content = l.trimStart();
      if (content === '' || content.startsWith('#')) return;
      let indent = l.length - content.length;
      let rest = content;
      // `- - x` and `-` alone are outside this reader.
      while (rest.startsWith('- ') || rest === '-') {
        if (rest === '-') bail();
        this.lines.push({ no: i + 1, indent, text: '', dash: true });
        const after = rest.slice(2);
        const inner = after.trimStart();
        indent += 2 + (after.length - inner.length);
        rest = inner;
        if (rest.startsWith('- ')) bail();
      }
      if (indent === 0 && /^(---|\.\.\.|%)/.test(rest)) bail();
      this.lines.push({ no: i + 1, indent, text: rest, dash: false });
    });
  }

  read(): FastPlanYaml {
    if (this.lines.length === 0 || this.lines[0].indent !== 0) bail();
    const root = this.node(0);
    if (this.pos !== this.lines.length || !root.fields) bail();
    const locations: Record<string, SourcePosition> = {};
    for (const f of root.fields!) {
      locations[f.key] = f.keyPos;
      for (const [i, item] of (f.value.items ?? []).entries()) {
        const itemPath = `${f.key}[${i}]`;
        locations[itemPath] = item.pos;
        for (const field of item.fields ?? []) {
          const fieldPath = `${itemPath}.${field.key}`;
          locations[fieldPath] = field.value.pos;
          for (const [j, v] of (field.value.items ?? []).entries())
            locations[`${fieldPath}[${j}]`] = v.pos;
        }
      }
    }
    return { raw: root.value, locations };
  }

  /** The block node starting at the current line, whose lines are indented by `indent`. */
  private node(indent: number): Located {
    const first = this.lines[this.pos];
    if (!first || first.indent !== indent) bail();
    return first.dash ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): Located {
    const first = this.lines[this.pos];
    const items: Located[] = [];
    while (
      this.pos < this.lines.length &&
      this.lines[this.pos].dash &&
      this.lines[this.pos].indent === indent
    ) {
      this.pos++;
      const content = this.lines[this.pos];
      if (!content || content.dash) bail();
      if (KEY.test(content.text)) items.push(this.mapping(content.indent));
      else {
        this.pos++;
        items.push(this.scalarOrFlow(content.text, content.no, content.indent));
      }
    }
    return {
      value: items.map(i => i.value),
      pos: { line: first.no, column: first.indent + 1 },
      items,
    };
  }

  private mapping(indent: number): Located {
    const first = this.lines[this.pos];
    const value: Record<string, Value> = {};
    const fields: NonNullable<Located['fields']> = [];
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      if (line.dash || line.indent !== indent) break;
      const m = KEY.exec(line.text);
      if (!m) bail();
      const key = m![1];
      if (
        Object.prototype.hasOwnProperty.call(value, key) ||
        key === '__proto__'
      )
        bail();
      const keyPos = { line: line.no, column: line.indent + 1 };
      const rest = line.text.slice(m![0].length);
      this.pos++;
      let located: Located;
      if (rest === '' || rest.startsWith('#')) {
        // The value is the block below: indented further, or a sequence at the key's own indent.
        const next = this.lines[this.pos];
        if (
          !next ||
          !(next.indent > indent || (next.dash && next.indent === indent))
        )
          bail();
        located = this.node(next.indent);
      } else {
        located = this.scalarOrFlow(rest, line.no, line.indent + m![0].length);
      }
      value[key] = located.value;
      fields.push({ key, keyPos, value: located });
    }
    return {
      value,
      pos: { line: first.no, column: first.indent + 1 },
      fields,
    };
  }

  /** A scalar or a flow list of scalars on one line, starting at 0-based column `col`. */
  private scalarOrFlow(text: string, line: number, col: number): Located {
    const pos = { line, column: col + 1 };
    if (text.startsWith('[')) {
      const items: Located[] = [];
      let i = 1;
      const skip = () => {
        while (text[i] === ' ') i++;
      };
      skip();
      if (text[i] === ']') i++;
      else {
        for (;;) {
          skip();
          const start = i;
          let item: { value: Value; end: number };
          if (text[i] === '"' || text[i] === "'") item = quoted(text, i);
          else {
            const comma = text.indexOf(',', i);
            const close = text.indexOf(']', i);
            i = Math.min(
              comma < 0 ? text.length : comma,
              close < 0 ? text.length : close,
            );
            const plainText = text.slice(start, i).trimEnd();
            if (/[[{}#]/.test(plainText)) bail();
            item = { value: plain(plainText), end: i };
          }
          items.push({
            value: item.value,
            pos: { line, column: col + start + 1 },
          });
          i = item.end;
          skip();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            break;
          }
          bail();
        }
      }
      trailing(text.slice(i));
      return { value: items.map(x => x.value), pos, items };
    }
    if (text.startsWith('{')) {
      if (!/^\{\s*\}/.test(text)) bail();
      trailing(text.slice(text.indexOf('}') + 1));
      return { value: {}, pos, fields: [] };
    }
    if (text.startsWith('"') || text.startsWith("'")) {
      const q = quoted(text, 0);
      trailing(text.slice(q.end));
      return { value: q.value, pos };
    }
    const hash = text.indexOf(' #');
    const body = (hash >= 0 ? text.slice(0, hash) : text).trimEnd();
    return { value: plain(body), pos };
  }
}

/** What may follow a value on its line: spaces and a comment. */
function trailing(rest: string) {
  if (rest.trim() !== '' && !/^\s+#/.test(rest)) bail();
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A quoted scalar at `start`: double quotes with YAML's escapes, or single quotes with `''`. */
function quoted(text: string, start: number): { value: string; end: number } {
  const q = text[start];
  let out = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) bail();
    const c = text[i];
    if (q === '"' && c === '\\') {
      const n = text[i + 1];
      const digits = HEX_ESCAPES[n];
      if (digits) {
        const hex = text.slice(i + 2, i + 2 + digits);
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) bail();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) bail();
        out +=
          code > 0xffff
            ? String.fromCodePoint(code)
            : String.fromCharCode(code);
        i += 2 + digits;
      } else {
        const e = ESCAPES[n];
        if (e === undefined) bail();
        out += e;
        i += 2;
      }
    } else if (c === q) {
      if (q === "'" && text[i + 1] === "'") {
        out += "'";
        i += 2;
      } else return { value: out, end: i + 1 };
    } else {
      out += c;
      i++;
    }
  }
}

/** Starts with a letter, has no space, colon, hash or quote: a string unless a special word. */
const WORD = /^[A-Za-z][A-Za-z0-9_./*?[\]-]*$/;
const SPECIAL_WORDS = new Set(
  'yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL'.split(
    ' ',
  ),
);

const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/**
 * A plain scalar as the core schema with PyYAML's booleans reads it; anything that YAML could read
 * another way (an indicator first, `: ` inside, a number in another notation) is left to the library.
 */
function plain(s: string): Value {
  // The common case first: a word such as `optimize`, `vm-00042`, `POP2-4C-16G`, `fr-par-1`.
  if (WORD.test(s) && !SPECIAL_WORDS.has(s)) return s;
  if (/^(?:~|null|Null|NULL)?$/.test(s)) {
    // An empty value is left to the library (it decides where its node is).
    if (s === '') bail();
    return null;
  }
  if (BOOL_TRUE.test(s)) return true;
  if (BOOL_FALSE.test(s)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) || /: |:$| #/.test(s)) bail();
  if (/^-?(?:0|[1-9][0-9]{0,14})$/.test(s)) return Number(s);
  if (/^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/.test(s)) return Number(s);
  // Other numbers (+1, 0x1F, 0o7, 1e3, .5, .inf, 007, 1.) are left to the library.
  if (/^[-+.]?[0-9.]/.test(s) && /^[-+0-9.eExXoO_a-fA-F]+$/.test(s)) bail();
  if (/^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(s)) bail();
  return s;
}

export function fastPlanYaml(text: string): FastPlanYaml | undefined {
  try {
    return new Reader(text).read();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

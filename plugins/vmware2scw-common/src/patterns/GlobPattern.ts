/**
 * Shell-style patterns as the old tool used them (Python's `fnmatch` on Linux): `*` any run of
 * characters, `?` one character, `[abc]` / `[a-z]` one of a set, `[!abc]` none of a set; an unclosed
 * `[` is a literal bracket. Matching is case-sensitive, on whole names.
 *
 * Matching does not go through RegExp: a pattern such as `*a*a*a*a*b` makes a backtracking regex take
 * exponential time, while the two-pointer walk below is O(name × pattern) in the worst case.
 */

type Token =
  | { kind: 'literal'; codePoint: number }
  | { kind: 'one' }
  | { kind: 'star' }
  | { kind: 'set'; negate: boolean; ranges: Array<[number, number]> };

export interface GlobPattern {
  readonly source: string;
  /** True when the pattern has no wildcard: it matches exactly one name. */
  readonly isLiteral: boolean;
  matches(name: string): boolean;
}

const GLOB_META = /[*?[]/;

export function isGlobLiteral(pattern: string): boolean {
  return !GLOB_META.test(pattern);
}

export function compileGlob(pattern: string): GlobPattern {
  if (isGlobLiteral(pattern)) {
    return {
      source: pattern,
      isLiteral: true,
      matches: name => name === pattern,
    };
  }
  // `web-*`, `*-prod`, `*db*`: the usual shapes, answered without the general walk.
  const edges = /^(\*?)([^*?[]*)(\*?)$/.exec(pattern);
  if (edges && (edges[1] || edges[3])) {
    const [, lead, middle, trail] = edges;
    let matches = (name: string) => name.startsWith(middle);
    if (lead && trail) matches = name => name.includes(middle);
    else if (lead) matches = name => name.endsWith(middle);
    return { source: pattern, isLiteral: false, matches };
  }
  const tokens = tokenize(Array.from(pattern, c => c.codePointAt(0)!));
  return {
    source: pattern,
    isLiteral: false,
    matches: name => matchTokens(tokens, codePoints(name)),
  };
}

const SURROGATE = /[\ud800-\udfff]/;

/** Code points of `name`; `?` is one character even outside the BMP, as in Python. */
function codePoints(name: string): ArrayLike<number> {
  if (!SURROGATE.test(name)) {
    const out = new Uint32Array(name.length);
    for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i);
    return out;
  }
  return Array.from(name, c => c.codePointAt(0)!);
}

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const BANG = 33; // !
const DASH = 45; // -

function tokenize(p: number[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === STAR) {
      // Consecutive stars mean the same as one.
      if (tokens[tokens.length - 1]?.kind !== 'star')
        tokens.push({ kind: 'star' });
      i++;
    } else if (c === QUESTION) {
      tokens.push({ kind: 'one' });
      i++;
    } else if (c === OPEN) {
      const set = parseSet(p, i);
      if (set) {
        tokens.push(set.token);
        i = set.next;
      } else {
        tokens.push({ kind: 'literal', codePoint: c });
        i++;
      }
    } else {
      tokens.push({ kind: 'literal', codePoint: c });
      i++;
    }
  }
  return tokens;
}

/** Parses `[...]` starting at `start`, as fnmatch does: `]` right after `[` or `[!` is a member. */
function parseSet(
  p: number[],
  start: number,
): { token: Token; next: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (p[i] === BANG) {
    negate = true;
    i++;
  }
  const first = i;
  const ranges: Array<[number, number]> = [];
  while (i < p.length && (p[i] !== CLOSE || i === first)) {
    const lo = p[i];
    if (p[i + 1] === DASH && i + 2 < p.length && p[i + 2] !== CLOSE) {
      const hi = p[i + 2];
      // fnmatch drops reversed ranges such as [z-a]: they match nothing.
      if (lo <= hi) ranges.push([lo, hi]);
      i += 3;
    } else {
      ranges.push([lo, lo]);
      i++;
    }
  }
  if (i >= p.length) return undefined; // no closing bracket: a literal '['
  return { token: { kind: 'set', negate, ranges }, next: i + 1 };
}

function matchOne(token: Token, c: number): boolean {
  switch (token.kind) {
    case 'literal':
      return token.codePoint === c;
    case 'one':
      return true;
    case 'set': {
      const inSet = token.ranges.some(([lo, hi]) => c >= lo && c <= hi);
      return token.negate ? !inSet : inSet;
    }
    default:
      return false;
  }
}

function matchTokens(tokens: Token[], s: ArrayLike<number>): boolean {
  let t = 0;
  let i = 0;
  let starT = -1;
  let starI = 0;
  while (i < s.length) {
    if (t < tokens.length && tokens[t].kind === 'star') {
      starT = t++;
      starI = i;
    } else if (t < tokens.length && matchOne(tokens[t], s[i])) {
      t++;
      i++;
    } else if (starT >= 0) {
      // Let the last star swallow one more character and retry from there.
      t = starT + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (t < tokens.length && tokens[t].kind === 'star') t++;
  return t === tokens.length;
}

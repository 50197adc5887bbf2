import { RE2JS } from 're2js';
import { makeProblem, type Problem } from '../problems/Problem';

/**
 * Regular expressions typed by users (the `regex:` filter). They run on RE2 (re2js), whose matching
 * time is linear in the input: no pattern can make it backtrack for ever, so no timeout is needed.
 * The price is that lookarounds and backreferences, which need backtracking, are refused with a
 * message that says so. A length bound keeps compile time and memory small as well.
 */
export const MAX_USER_REGEX_LENGTH = 256;

export interface UserRegex {
  readonly source: string;
  /** True when the pattern matches anywhere in `text` (Python `re.search`, as the old tool). */
  test(text: string): boolean;
}

export type UserRegexResult = { regex: UserRegex } | { problem: Problem };

export function compileUserRegex(
  source: string,
  field: string,
): UserRegexResult {
  if (source.length > MAX_USER_REGEX_LENGTH) {
    return {
      problem: makeProblem({
        code: 'FILTER_REGEX_TOO_LONG',
        field,
        text: `regular expression is ${source.length} characters long, the limit is ${MAX_USER_REGEX_LENGTH}`,
        remediation: `Shorten the expression, or combine several shorter filters (they are ANDed).`,
        expected: `at most ${MAX_USER_REGEX_LENGTH} characters`,
      }),
    };
  }
  try {
    const re = RE2JS.compile(source);
    return { regex: { source, test: text => re.test(text) } };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const backtracking =
      /\(\?[=!<]|\\[1-9]|invalid or unsupported Perl syntax/.test(
        `${source} ${detail}`,
      );
    return {
      problem: makeProblem({
        code: 'FILTER_REGEX_INVALID',
        field,
        text: `invalid regular expression: ${detail}`,
        remediation: backtracking
          ? 'Lookarounds and backreferences are not supported (RE2 syntax, so that no pattern can hang the planner); rewrite without them, e.g. combine a regex: and a name: filter.'
          : 'Fix the expression (RE2 syntax: like Python re without lookarounds or backreferences).',
        expected: 'an RE2 regular expression',
      }),
    };
  }
}

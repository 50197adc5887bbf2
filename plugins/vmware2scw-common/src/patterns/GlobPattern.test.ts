import fc from 'fast-check';
import { compileGlob } from './GlobPattern';

describe('compileGlob (fnmatch semantics)', () => {
  it.each([
    ['web-*', 'web-prod-01', true],
    ['web-*', 'app-web-01', false],
    ['web-*', 'web-', true],
    ['esxi-0[12]*', 'esxi-01.local', true],
    ['esxi-0[12]*', 'esxi-03.local', false],
    ['db-?', 'db-1', true],
    ['db-?', 'db-10', false],
    ['[!a]*', 'bcd', true],
    ['[!a]*', 'abc', false],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[]]', ']', true],
    ['web-[01', 'web-[01', true], // unclosed bracket is literal, as in Python
    ['Web-*', 'web-01', false], // case-sensitive
    ['*', '', true],
    ['', '', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
  ])('%s vs %s -> %s', (pattern, name, expected) => {
    expect(compileGlob(pattern).matches(name)).toBe(expected);
  });

  it('does not blow up on star-heavy patterns that make backtracking regexes exponential', () => {
    const glob = compileGlob(`${'*a'.repeat(30)}*b`);
    const start = Date.now();
    expect(glob.matches('a'.repeat(80))).toBe(false);
    expect(Date.now() - start).toBeLessThan(200);
  });

  it('agrees with an equivalent regular expression on arbitrary names (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '-'), maxLength: 10 }),
        (pattern, name) => {
          const re = new RegExp(
            `^${pattern
              .replace(/[-]/g, '\\-')
              .replace(/\*/g, '.*')
              .replace(/\?/g, '.')}$`,
            's',
          );
          expect(compileGlob(pattern).matches(name)).toBe(re.test(name));
        },
      ),
    );
  });
});

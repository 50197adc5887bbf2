import { parseRvtoolsBoolean, parseRvtoolsNumber } from './RvtoolsCells';

describe('parseRvtoolsNumber', () => {
  it.each([
    ['4096', 4096],
    ['4,096', 4096],
    ['4 096', 4096],
    ['1,048,576', 1048576],
    ['1.5', 1.5],
    ['1,5', 1.5],
    ['1.234,5', 1234.5],
    ['1,234.5', 1234.5],
    ['-12', -12],
  ])('%s -> %s', (raw, n) => expect(parseRvtoolsNumber(raw)).toBe(n));

  it.each(['two', '12 GB', '', '1.2.3x'])('%s is not a number', raw =>
    expect(parseRvtoolsNumber(raw)).toBeUndefined(),
  );
});

describe('parseRvtoolsBoolean', () => {
  it('reads what RVTools and spreadsheets write', () => {
    expect(['True', 'FALSE', 'yes', '0'].map(parseRvtoolsBoolean)).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(parseRvtoolsBoolean('maybe')).toBeUndefined();
  });
});

import {
  arrayItems,
  at,
  bool,
  int,
  list,
  moref,
  morefList,
  one,
  text,
} from './VimValue';

describe('VimValue', () => {
  it('reads absent values as undefined instead of throwing', () => {
    expect(text(undefined)).toBeUndefined();
    expect(int(at(undefined, 'a', 'b'))).toBeUndefined();
    expect(bool('')).toBeUndefined();
    expect(list(undefined)).toEqual([]);
    expect(list('')).toEqual([]);
  });

  it('converts vim25 scalars', () => {
    expect(int('549755813888')).toBe(549755813888);
    expect(int('-1')).toBe(-1);
    expect(int('x')).toBeUndefined();
    expect(bool('true')).toBe(true);
    expect(bool('false')).toBe(false);
    expect(text({ '#text': 'vm-1', '@_type': 'VirtualMachine' })).toBe('vm-1');
    expect(text({ '@_xsiType': 'ArrayOfTag' })).toBe('');
  });

  it('treats a scalar where an array was expected as a one-element list', () => {
    expect(list('a')).toEqual(['a']);
    expect(one(['a', 'b'])).toBe('a');
  });

  it('reads MoRefs and arrays of them', () => {
    const ref = {
      '#text': 'host-16',
      '@_type': 'HostSystem',
      '@_xsiType': 'ManagedObjectReference',
    };
    expect(moref(ref)).toEqual({ type: 'HostSystem', value: 'host-16' });
    expect(moref('host-16')).toBeUndefined();
    const arr = {
      '@_xsiType': 'ArrayOfManagedObjectReference',
      ManagedObjectReference: [ref, ref],
    };
    expect(morefList(arr)).toHaveLength(2);
    expect(
      arrayItems({ GuestNicInfo: [{ a: '1' }] }, 'GuestNicInfo'),
    ).toHaveLength(1);
  });
});

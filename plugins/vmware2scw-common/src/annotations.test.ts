import {
  LEGACY_VM_ANNOTATIONS,
  VM_ANNOTATIONS,
  vmSourceIdOf,
} from './annotations';

describe('vmSourceIdOf', () => {
  it('reads the source id, also from entities ingested under the old vmware2scw.io/vcenter key', () => {
    expect(vmSourceIdOf({ [VM_ANNOTATIONS.sourceId]: 'sample' })).toBe(
      'sample',
    );
    expect(vmSourceIdOf({ 'vmware2scw.io/vcenter': 'vc-paris' })).toBe(
      'vc-paris',
    );
    expect(
      vmSourceIdOf({
        [VM_ANNOTATIONS.sourceId]: 'new',
        [LEGACY_VM_ANNOTATIONS.sourceId]: 'old',
      }),
    ).toBe('new');
    expect(vmSourceIdOf(undefined)).toBeUndefined();
  });
});

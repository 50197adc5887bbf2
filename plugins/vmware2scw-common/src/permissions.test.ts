import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  VMWARE2SCW_WAVE_RESOURCE_TYPE,
  planReadPermission,
  vmware2scwPermissions,
  waveApprovePermission,
} from './permissions';

describe('vmware2scw permissions', () => {
  it('are all namespaced under vmware2scw. and unique', () => {
    const names = vmware2scwPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names)
      expect(name).toMatch(/^vmware2scw\.[a-z]+\.[a-z]+$/);
  });

  it('makes wave approval a resource permission on waves, reads a basic one', () => {
    expect(
      isResourcePermission(
        waveApprovePermission,
        VMWARE2SCW_WAVE_RESOURCE_TYPE,
      ),
    ).toBe(true);
    expect(isResourcePermission(planReadPermission)).toBe(false);
    expect(planReadPermission.attributes.action).toBe('read');
  });
});

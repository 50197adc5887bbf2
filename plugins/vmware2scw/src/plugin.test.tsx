import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import * as pkg from './index';
import {
  targetTypePickerField,
  vmFiltersField,
  vmware2scwPlugin,
} from './plugin';

describe('vmware2scw frontend plugin', () => {
  it('offers the scaffolder fields under the names the templates use', async () => {
    const loader = FormFieldBlueprint.dataRefs.formFieldLoader;
    await expect(
      createExtensionTester(targetTypePickerField).get(loader)(),
    ).resolves.toMatchObject({ name: 'Vmware2scwTargetTypePicker' });
    await expect(
      createExtensionTester(vmFiltersField).get(loader)(),
    ).resolves.toMatchObject({ name: 'Vmware2scwVmFilters' });
  });

  it('is the default export, with legacy components for old-system apps beside it', () => {
    expect(pkg.default).toBe(vmware2scwPlugin);
    expect(vmware2scwPlugin.id).toBe('vmware2scw');
    for (const name of [
      'EntityVmMigrationCard',
      'EntityVmMigrationContent',
      'Vmware2scwPage',
      'Vmware2scwTargetTypePickerFieldExtension',
      'Vmware2scwVmFiltersFieldExtension',
    ] as const)
      expect(typeof pkg[name]).toBe('function');
    expect(pkg.vmware2scwLegacyPlugin.getId()).toBe('vmware2scw');
  });
});

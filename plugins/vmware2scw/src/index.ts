/**
 * vmware2scw frontend plugin: VM migration card and tab on catalog pages, the migration page, and the
 * scaffolder fields `Vmware2scwTargetTypePicker` and `Vmware2scwVmFilters`. The default export is the
 * plugin for the new frontend system; the named `Entity*`, `Vmware2scwPage` and `*FieldExtension`
 * exports are for apps on the old one.
 *
 * @packageDocumentation
 */
export { vmware2scwPlugin as default } from './plugin';
export * from './api';
export {
  vmware2scwLegacyPlugin,
  EntityVmMigrationCard,
  EntityVmMigrationContent,
  Vmware2scwPage,
  Vmware2scwTargetTypePickerFieldExtension,
  Vmware2scwVmFiltersFieldExtension,
} from './legacy';
export { TARGET_TYPE_PICKER_NAME, VM_FILTERS_NAME } from './components/fields';

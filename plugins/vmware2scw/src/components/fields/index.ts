export {
  Vmware2scwTargetTypePicker,
  targetTypePickerFormField,
  TARGET_TYPE_PICKER_NAME,
} from './Vmware2scwTargetTypePicker';
export {
  Vmware2scwVmFilters,
  vmFiltersFormField,
  validateVmFiltersField,
  VM_FILTERS_NAME,
} from './Vmware2scwVmFilters';

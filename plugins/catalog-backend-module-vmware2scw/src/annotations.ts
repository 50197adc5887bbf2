/**
 * Annotation and label keys of VM entities, shared with the frontend and the backend through
 * `@internal/plugin-vmware2scw-common`.
 */
export {
  VM_ANNOTATIONS as ANNOTATION,
  VM_LABELS as LABEL,
  VM_ENTITY_TYPE as ENTITY_TYPE,
} from '@internal/plugin-vmware2scw-common';

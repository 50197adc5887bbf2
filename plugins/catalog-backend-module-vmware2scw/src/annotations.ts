import {
  VM_ANNOTATIONS,
  VM_ENTITY_TYPE,
  VM_LABELS,
} from '@internal/plugin-vmware2scw-common';

/**
 * Annotation and label keys of VM entities: the shared ones of `@internal/plugin-vmware2scw-common` (read by
 * the VM card and the backend), plus those only this module writes so far. A contract: add keys, never
 * rename one.
 */
const P = 'vmware2scw.io';

export const ANNOTATION = {
  ...VM_ANNOTATIONS,
  /** `vcenter` or `rvtools`. */
  source: `${P}/source`,
  guestId: `${P}/guest-id`,
  snapshotCount: `${P}/snapshot-count`,
  toolsStatus: `${P}/tools-status`,
  /** Which ownership rule gave `spec.owner` (`folder:/DC1/Web`, `custom-attribute:Owner`, `default`). */
  ownerRule: `${P}/owner-rule`,
  systemRule: `${P}/system-rule`,
} as const;

export const LABEL = {
  ...VM_LABELS,
  firmware: `${P}/firmware`,
} as const;

export const ENTITY_TYPE = VM_ENTITY_TYPE;

import {
  createPermission,
  type Permission,
} from '@backstage/plugin-permission-common';

/** Resource type of a migration wave, for conditional decisions on `vmware2scw.wave.approve`. */
export const VMWARE2SCW_WAVE_RESOURCE_TYPE = 'vmware2scw-wave';

/** Resource type of a VM entity, for conditional decisions on `vmware2scw.vm.migrate` (resource ref = entity ref). */
export const VMWARE2SCW_VM_RESOURCE_TYPE = 'vmware2scw-vm';

/** Read plans, estimates, batches, waves and reports. */
export const planReadPermission = createPermission({
  name: 'vmware2scw.plan.read',
  attributes: { action: 'read' },
});

/** Create or edit a migration plan (YAML, filters, sizing). */
export const planCreatePermission = createPermission({
  name: 'vmware2scw.plan.create',
  attributes: { action: 'create' },
});

/** Start, pause, resume or retry a batch and its stages. */
export const batchRunPermission = createPermission({
  name: 'vmware2scw.batch.run',
  attributes: { action: 'update' },
});

/** Approve or reject a wave: lets the engine start (or continue after) that wave. */
export const waveApprovePermission = createPermission({
  name: 'vmware2scw.wave.approve',
  attributes: { action: 'update' },
  resourceType: VMWARE2SCW_WAVE_RESOURCE_TYPE,
});

/**
 * Migrate one VM on its own (the old `migrate`, the "Migrate a VM" template) and retry, cancel or clean
 * up its migration: a resource permission on the VM entity, so a policy can let the VM's owners do it.
 */
export const vmMigratePermission = createPermission({
  name: 'vmware2scw.vm.migrate',
  attributes: { action: 'update' },
  resourceType: VMWARE2SCW_VM_RESOURCE_TYPE,
});

/** Every vmware2scw permission, for registration with the permissions registry. */
export const vmware2scwPermissions: Permission[] = [
  planReadPermission,
  planCreatePermission,
  batchRunPermission,
  waveApprovePermission,
  vmMigratePermission,
];

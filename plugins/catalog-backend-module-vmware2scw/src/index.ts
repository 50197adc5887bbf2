/**
 * Catalog module of vmware2scw: VMs of vCenters and RVTools exports as `Resource` entities of type
 * `virtual-machine`.
 *
 * @packageDocumentation
 */
export { catalogModuleVmware2scwEntityProvider as default } from './module';
export { catalogModuleVmware2scwEntityProvider } from './module';
export { InventoryEntityProvider } from './InventoryEntityProvider';
export type { InventoryEntityProviderOptions } from './InventoryEntityProvider';
export { VcenterEntityProvider } from './VcenterEntityProvider';
export type {
  VcenterClientFactory,
  VcenterInventoryClient,
  VcenterEntityProviderDeps,
} from './VcenterEntityProvider';
export { RvtoolsEntityProvider } from './RvtoolsEntityProvider';
export type { RvtoolsEntityProviderDeps } from './RvtoolsEntityProvider';
export { readProviderSettings } from './ProviderConfig';
export type {
  ProviderSettings,
  SourceSettings,
  RvtoolsSourceSettings,
  VcenterSourceSettings,
} from './ProviderConfig';
export { ProviderConfigError } from './ProviderConfigError';
export { inventoryEntities, vmEntity, FALLBACK_OWNER } from './vmEntity';
export type { VmEntityOptions } from './vmEntity';
export { entityNames, slugOf } from './entityName';
export { resolveValue, entityRefValue } from './OwnershipRules';
export type { ValueRules, FolderRule, ResolvedValue } from './OwnershipRules';

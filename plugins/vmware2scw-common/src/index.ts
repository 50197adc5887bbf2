/**
 * Domain of vmware2scw: pure code shared by the backend, the catalog and scaffolder modules and the
 * frontend (no I/O, no clock, no environment).
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './signals';
export * from './inventory';
export * from './annotations';
export * from './schema/openapi';
export * from './errors';
export * from './stages';
export * from './tls/thumbprint';
export * from './net/loopback';
export * from './runner';

// Planning core: filters, catalog, sizing, concerns, plan v1, estimate.
export * from './problems/Problem';
export * from './problems/PlanningError';
export { didYouMean } from './problems/didYouMean';
export { formatKeyPath } from './problems/formatKeyPath';
export { isRfc1123Label, toRfc1123Label } from './concerns/rfc1123';
export {
  compileGlob,
  isGlobLiteral,
  type GlobPattern,
} from './patterns/GlobPattern';

export * from './filters/VmFilter';
export * from './filters/UserRegex';
export * from './filters/filterVms';

export * from './offer/ScalewayOffer';
export * from './offer/serverTypeFamily';
export * from './offer/zones';
export * from './offer/windowsZones';
export {
  offlineOffer,
  OFFLINE_SNAPSHOT_PRICED_AT,
  OFFLINE_SNAPSHOT_ZONE,
  OFFLINE_ZONES,
  offlineCatalogInfo,
  requireOfflineOffer,
} from './offer/offlineOffer';

export * from './sizing/sizing';
export * from './sizing/typeFit';

export * from './concerns/ConcernRule';
export * from './concerns/rules';
export * from './concerns/evaluateConcerns';

export * from './plan/planSchema';
export * from './plan/PlanParser';
export * from './plan/PlanSerializer';
export * from './plan/PlanEditor';
export * from './plan/PlanResolver';
export * from './plan/inventoryPlan';

export * from './estimate/estimateModel';
export * from './estimate/monthlyCost';
export * from './estimate/estimatePlan';

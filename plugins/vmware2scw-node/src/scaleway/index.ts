export {
  ScalewayCatalog,
  type ScalewayCatalogOptions,
} from './ScalewayCatalog';
export { fetchLiveCatalog } from './fetchLiveCatalog';
export { catalogFromApi } from './catalogFromApi';
export * from './ScalewayGateway';
export {
  ScalewayApiGateway,
  DEFAULT_GATEWAY_TIMEOUTS,
  importTimeoutMs,
  type GatewayTimeouts,
  type ScalewayApiGatewayOptions,
} from './ScalewayApiGateway';
export * from './ScalewayGatewayError';
export type { GatewayClock, PollDelays } from './StatePoller';
export {
  migrationTag,
  diskTag,
  resourcePrefix,
} from './MigrationResourceNaming';

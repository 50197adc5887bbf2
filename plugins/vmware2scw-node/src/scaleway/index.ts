export {
  ScalewayCatalog,
  type ScalewayCatalogOptions,
} from './ScalewayCatalog';
export { fetchLiveCatalog } from './fetchLiveCatalog';
export { catalogFromApi } from './catalogFromApi';

import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  GeneratedVmware2scwClient,
  type Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';

/** What the vmware2scw pages and cards ask of the backend: the calls of its OpenAPI document. */
export type Vmware2scwClientApi = Vmware2scwApiCalls;

export const vmware2scwApiRef = createApiRef<Vmware2scwClientApi>().with({
  id: 'plugin.vmware2scw.api',
  pluginId: 'vmware2scw',
});

/** The generated client with Backstage's discovery, authenticated fetch and error mapping. */
export function createVmware2scwClient(deps: {
  discoveryApi: DiscoveryApi;
  fetchApi: FetchApi;
}): Vmware2scwClientApi {
  return new GeneratedVmware2scwClient({
    baseUrl: () => deps.discoveryApi.getBaseUrl('vmware2scw'),
    fetch: (input, init) => deps.fetchApi.fetch(input, init),
    onError: response => ResponseError.fromResponse(response),
  });
}

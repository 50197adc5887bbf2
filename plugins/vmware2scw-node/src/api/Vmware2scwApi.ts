import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type AuthService,
  type BackstageCredentials,
  type DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  GeneratedVmware2scwClient,
  type Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';

/**
 * The vmware2scw backend API for other backend plugins and modules (the scaffolder actions):
 * Backstage plugins talk to each other over HTTP only. Every call carries a token issued on behalf of
 * the given credentials, so the API's permission checks apply to that person.
 */
export interface Vmware2scwApi {
  /** The API's calls on behalf of `credentials` (a template's initiator); the plugin's own identity when absent. */
  as(credentials?: BackstageCredentials): Vmware2scwApiCalls;
}

/** A thin wrapper over the client generated from the OpenAPI document: base URL, token, errors. */
export class Vmware2scwApiClient implements Vmware2scwApi {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  as(credentials?: BackstageCredentials): Vmware2scwApiCalls {
    const { discovery, auth } = this.deps;
    const doFetch = this.deps.fetch ?? fetch;
    return new GeneratedVmware2scwClient({
      baseUrl: () => discovery.getBaseUrl('vmware2scw'),
      fetch: async (input, init) => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: credentials ?? (await auth.getOwnServiceCredentials()),
          targetPluginId: 'vmware2scw',
        });
        return doFetch(input, {
          ...init,
          headers: { ...init?.headers, authorization: `Bearer ${token}` },
        });
      },
      onError: response => ResponseError.fromResponse(response),
    });
  }
}

/** Service through which backend modules reach the vmware2scw plugin. */
export const vmware2scwApiServiceRef = createServiceRef<Vmware2scwApi>({
  id: 'vmware2scw.api',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) =>
        new Vmware2scwApiClient({ discovery, auth }),
    }),
});

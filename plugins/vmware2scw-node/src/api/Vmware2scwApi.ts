import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type AuthService,
  type BackstageCredentials,
  type DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

import type { Vmware2scwHealth } from '@internal/plugin-vmware2scw-common';

export type { Vmware2scwHealth };

export interface Vmware2scwRequestOptions {
  /** Whose behalf the call is made on (e.g. a template's initiator); the plugin's own identity when absent. */
  credentials?: BackstageCredentials;
}

/**
 * Typed client of the vmware2scw backend API, for other backend plugins and modules (the scaffolder
 * actions): Backstage plugins talk to each other over HTTP only.
 */
export interface Vmware2scwApi {
  getHealth(options?: Vmware2scwRequestOptions): Promise<Vmware2scwHealth>;
}

export class Vmware2scwApiClient implements Vmware2scwApi {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async getHealth(
    options?: Vmware2scwRequestOptions,
  ): Promise<Vmware2scwHealth> {
    return this.request<Vmware2scwHealth>('GET', '/health', options);
  }

  private async request<T>(
    method: string,
    path: string,
    options?: Vmware2scwRequestOptions,
    body?: unknown,
  ): Promise<T> {
    const { discovery, auth } = this.deps;
    const baseUrl = await discovery.getBaseUrl('vmware2scw');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf:
        options?.credentials ?? (await auth.getOwnServiceCredentials()),
      targetPluginId: 'vmware2scw',
    });
    const res = await (this.deps.fetch ?? fetch)(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
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

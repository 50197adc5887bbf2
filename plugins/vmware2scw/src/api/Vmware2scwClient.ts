import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { Vmware2scwHealth } from '@internal/plugin-vmware2scw-common';

/** What the vmware2scw pages and cards ask of the backend. */
export interface Vmware2scwClientApi {
  getHealth(): Promise<Vmware2scwHealth>;
}

export const vmware2scwApiRef = createApiRef<Vmware2scwClientApi>().with({
  id: 'plugin.vmware2scw.api',
  pluginId: 'vmware2scw',
});

export class Vmware2scwClient implements Vmware2scwClientApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async getHealth(): Promise<Vmware2scwHealth> {
    return this.get<Vmware2scwHealth>('/health');
  }

  private async get<T>(path: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('vmware2scw');
    const res = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}

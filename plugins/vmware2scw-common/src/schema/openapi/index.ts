/**
 * The vmware2scw backend API as generated from its OpenAPI document
 * (`plugins/vmware2scw-backend/src/schema/openapi.yaml`): one method per operation
 * (`GeneratedVmware2scwClient`) and one named type per schema (`ApiModel.Migration`, …). The frontend's
 * and -node's clients are thin wrappers that only add the base URL, the token and error mapping.
 */
import type * as ApiModel from './generated/models';

export type { ApiModel };
export {
  GeneratedVmware2scwClient,
  type GeneratedClientOptions,
  type RequestOptions,
} from './generated/client';
export type { paths, operations, components } from './generated/types';

/** The calls of the API, without the client's plumbing: what API refs and service refs expose. */
export type Vmware2scwApiCalls = Pick<
  InstanceType<typeof import('./generated/client').GeneratedVmware2scwClient>,
  keyof InstanceType<
    typeof import('./generated/client').GeneratedVmware2scwClient
  >
>;

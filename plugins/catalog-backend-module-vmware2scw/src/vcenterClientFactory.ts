import { VcenterClient } from '@internal/plugin-vmware2scw-node';
import { VcenterClientFactory } from './VcenterEntityProvider';

/** The SOAP client of `@internal/plugin-vmware2scw-node`, with TLS as configured (verify, or pin a thumbprint). */
export const vcenterClientFactory: VcenterClientFactory = (vcenter, logger) =>
  VcenterClient.fromConfig(vcenter, { logger });

/** `GET /api/vmware2scw/health`: liveness and a summary of the configuration, never credentials. */
export interface Vmware2scwHealth {
  status: 'ok';
  /** Version of the vmware2scw backend plugin. */
  version: string;
  /** Number of configured vCenters. */
  vcenters: number;
  /** Number of configured conversion runners. */
  runners: number;
  scaleway: { configured: boolean; defaultZone?: string };
}

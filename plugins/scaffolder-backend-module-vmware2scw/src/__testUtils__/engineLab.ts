import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import catalogModuleVmware2scw from '@internal/plugin-catalog-backend-module-vmware2scw';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  LAB,
  Lab,
  labToolsMissing,
  standInRunnerStagesModule,
} from '@internal/vmware2scw-lab';

/** What the lab's outside world saw happen: the side effects a retried task must not repeat. */
export interface LabSideEffects {
  /** CreateSnapshot_Task calls vCenter (vcsim) received. */
  vmwareSnapshotsCreated: number;
  /** Objects in the transit bucket. */
  objectsUploaded: number;
  /** Block snapshots in the Scaleway simulator (one per imported disk). */
  scalewayImports: number;
  /** Servers in the Scaleway simulator. */
  serversCreated: number;
}

/**
 * The engine's end-to-end set-up, as the "Migrate a VM" test needs it: a vcsim VM in the catalog, a
 * conversion runner, an S3 server and the Scaleway simulator, and the backend configuration that points
 * the vmware2scw plugin at them.
 */
export interface EngineLab {
  /** Backend features the lab needs beside the scaffolder and vmware2scw plugins (e.g. the catalog module). */
  features: BackendFeature[];
  /** app-config for the test backend (vmware2scw.vcenters, .scaleway, .conversion, catalog providers). */
  config: JsonObject;
  vm: { entityRef: string; name: string };
  targetType: string;
  zone: string;
  sideEffects(): Promise<LabSideEffects>;
  stop(): Promise<void>;
}

/** Why the end-to-end test cannot run here (a tool of scripts/system-deps.sh missing), or undefined. */
export function engineLabMissing(): string | undefined {
  return labToolsMissing();
}

/**
 * Starts the packages/lab lab (vcsim whose `debian-guest` VM has the real guest disk, the S3 server,
 * the Scaleway simulator, the runner) with the runner's stages as stand-ins: the real conversion is
 * proven by packages/lab's migration.e2e.test.ts; here validate, snapshot, import_scw, verify and
 * cleanup are real, against vcsim and the Scaleway simulator.
 */
export async function startEngineLab(): Promise<EngineLab> {
  const lab = await Lab.start({
    log: line => process.stdout.write(`${line}\n`),
  });
  const catalog = lab.catalogConfig();
  return {
    features: [
      catalogModuleVmware2scw,
      standInRunnerStagesModule({ stageMs: 1_000 }),
    ],
    config: {
      vmware2scw: lab.config({ engine: { tickSeconds: 1 } }),
      catalog: {
        providers: {
          vmware2scw: {
            ...catalog.providers.vmware2scw,
            schedule: { frequency: { seconds: 5 }, timeout: { minutes: 2 } },
          },
        },
      },
    } as JsonObject,
    vm: {
      entityRef: `resource:default/${LAB.vcenterId}-${LAB.guestName}`,
      name: LAB.guestName,
    },
    targetType: 'POP2-2C-8G',
    zone: LAB.zone,
    async sideEffects() {
      const objects = await lab.s3
        .client()
        .send(new ListObjectsV2Command({ Bucket: LAB.bucket }));
      return {
        vmwareSnapshotsCreated:
          (await lab.vcsim.calls()).CreateSnapshot_Task ?? 0,
        objectsUploaded: objects.KeyCount ?? 0,
        scalewayImports: lab.scaleway.snapshots().length,
        serversCreated: lab.scaleway.servers().length,
      };
    },
    stop: () => lab.stop(),
  };
}

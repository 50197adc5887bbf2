import {
  Vmware2scwError,
  type Concern,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type { RecordedOutputs } from '../StageExecutor';

/**
 * The outputs stages record and later stages read, typed in one place. A missing output means the
 * stage that makes it has not succeeded: the engine never runs a stage before its predecessors, so
 * that is a broken record, reported as such.
 */

export interface MigrationDisk {
  /** The name the runner knows the disk by: `disk-0` is the boot disk. */
  name: string;
  key: number;
  label: string;
  capacityBytes: number;
  /** Datastore path of the disk (`[ds] vm/vm.vmdk`) when the validate read it. */
  fileName?: string;
}

export interface ValidateOutputs {
  concerns: Concern[];
  targetType: string;
  zone: string;
  osFamily: string;
  exportMethod: 'datastore' | 'nfc';
  /** Why that export method (the VM's earlier snapshots, the configuration). */
  exportMethodReason: string;
  priorSnapshots: number;
  disks: MigrationDisk[];
  sizingReason?: string;
}

export interface SnapshotOutputs {
  snapshotMoref: string;
  snapshotName: string;
  reused: boolean;
}

export interface ExportedDisk {
  disk: string;
  format: 'raw' | 'vmdk';
  bytes: number;
  sha256?: string;
}

export interface ExportOutputs {
  runner: string;
  method: 'datastore' | 'nfc';
  disks: ExportedDisk[];
}

export interface ConvertedDisk {
  disk: string;
  virtualSize: number;
  actualSize: number;
  trimmed?: { allocatedBefore: number; allocatedAfter: number };
}

export interface UploadedDisk {
  disk: string;
  bucket: string;
  key: string;
  region: string;
  etag?: string;
  sha256?: string;
  bytes: number;
}

/** A Block snapshot import_scw made (or adopted) for one disk. */
export interface ImportedSnapshot {
  /** The disk's name on the runner (`disk-0` is the boot disk). */
  disk: string;
  label: string;
  system: boolean;
  snapshotId: string;
  snapshotName: string;
  sizeBytes: number;
  /** Found from an earlier attempt rather than created by this one. */
  adopted: boolean;
  durationMs: number;
}

export interface ImportScwOutputs {
  zone: string;
  snapshots: ImportedSnapshot[];
  imageId: string;
  imageName: string;
  imageAdopted: boolean;
  /** The plan's and the VM's tags put on the resources (besides the migration's own). */
  tags: string[];
  durationMs: number;
}

export interface VerifyCheck {
  id: string;
  ok: boolean;
  diskId?: string;
  expected: string;
  actual: string;
  message: string;
}

export type VerifyOutputs =
  | {
      mode: 'server';
      ok: boolean;
      imageId: string;
      serverId: string;
      serverName: string;
      commercialType: string;
      state: string;
      stateDetail: string;
      publicIps: string[];
      privateIp: string | null;
      volumes: Array<{ index: string; volumeId: string; sizeBytes: number }>;
      adopted: boolean;
      checks: VerifyCheck[];
    }
  | {
      mode: 'image';
      ok: boolean;
      imageId: string;
      state: string;
      checks: VerifyCheck[];
    };

export interface OutputsByStage {
  validate: ValidateOutputs;
  snapshot: SnapshotOutputs;
  export: ExportOutputs;
  convert: { disks: ConvertedDisk[] };
  upload_s3: { disks: UploadedDisk[] };
  import_scw: ImportScwOutputs;
  verify: VerifyOutputs;
}

/** The recorded outputs of an earlier stage, or a clear error when they are missing. */
export function outputOf<S extends keyof OutputsByStage>(
  outputs: RecordedOutputs,
  stage: S & StageId,
): OutputsByStage[S] {
  const found = outputs[stage];
  if (!found) {
    throw new Vmware2scwError({
      code: 'STAGE_OUTPUTS_MISSING',
      message: `The ${stage} stage has no recorded outputs`,
      remediation: `Retry the migration from ${stage} (POST /migrations/{id}/retry runs it again).`,
    });
  }
  return found as unknown as OutputsByStage[S];
}

/** Name of the VM's scratch folder on the runner: the migration id (a safe, unique name). */
export function runnerVmName(migrationId: string): string {
  return migrationId;
}

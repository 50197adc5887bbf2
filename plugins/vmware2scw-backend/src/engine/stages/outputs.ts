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

export interface OutputsByStage {
  validate: ValidateOutputs;
  snapshot: SnapshotOutputs;
  export: ExportOutputs;
  convert: { disks: ConvertedDisk[] };
  upload_s3: { disks: UploadedDisk[] };
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

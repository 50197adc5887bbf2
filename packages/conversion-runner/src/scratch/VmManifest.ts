import { existsSync } from 'fs';
import { readFile } from 'fs/promises';
import { join } from 'path';
import { z } from 'zod';
import { RunnerError } from '../RunnerError';
import { writeJsonAtomic } from './AtomicFile';
import { currentBootId, flushToDisk } from './Durability';
import { ScratchSpace } from './ScratchSpace';

/**
 * Where an artifact came from and whether it is known to be on disk. Artifacts are committed as soon as
 * they are complete in the page cache (a killed runner loses nothing) and flushed in the background;
 * after a host crash (another boot id) only flushed ones are trusted.
 */
const artifactOrigin = {
  jobId: z.string().optional(),
  bootId: z.string().optional(),
  durable: z.boolean().optional(),
};

const diskRecordSchema = z.object({
  source: z
    .object({
      file: z.string(),
      format: z.enum(['vmdk', 'raw']),
      bytes: z.number(),
      /** Empty for an nbd source (never read whole). */
      sha256: z.string(),
      /** nbd: `file` is the NBD URI of a source this runner process serves (NbdSources), not a file. */
      access: z.enum(['download', 'nbd']).optional(),
      ...artifactOrigin,
    })
    .optional(),
  qcow2: z
    .object({
      file: z.string(),
      virtualSize: z.number(),
      actualSize: z.number(),
      ...artifactOrigin,
    })
    .optional(),
  /** Set while a job rewrites the qcow2 in place; a crash leaves it set, so nobody trusts that file. */
  busy: z
    .object({
      kind: z.string(),
      jobId: z.string(),
      since: z.string(),
      /** Which file is being rewritten (older records: trim -> source, anything else -> qcow2). */
      artifact: z.enum(['source', 'qcow2']).optional(),
    })
    .optional(),
  stages: z.record(z.string(), z.unknown()).default({}),
});

const manifestSchema = z.object({
  version: z.literal(1),
  disks: z.record(z.string(), diskRecordSchema).default({}),
});

export type DiskRecord = z.infer<typeof diskRecordSchema>;

function busyArtifact(busy: NonNullable<DiskRecord['busy']>) {
  return busy.artifact ?? (busy.kind === 'trim' ? 'source' : 'qcow2');
}
export type VmManifestData = z.infer<typeof manifestSchema>;

/**
 * What the runner knows about one VM's scratch files: which artifact each stage produced and whether
 * a qcow2 is being rewritten. Updates are serialised per VM and written atomically.
 */
export class VmManifest {
  private static readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly scratch: ScratchSpace,
    private readonly vm: string,
  ) {}

  private path(): string {
    return join(this.scratch.vmDir(this.vm), 'manifest.json');
  }

  async read(): Promise<VmManifestData> {
    let text: string;
    try {
      text = await readFile(this.path(), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { version: 1, disks: {} };
      }
      throw error;
    }
    try {
      return manifestSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new RunnerError({
        code: 'MANIFEST_CORRUPT',
        message: `The scratch manifest ${this.path()} of VM ${
          this.vm
        } is unreadable (${
          text.length === 0
            ? 'empty'
            : `${text.length} bytes, ${(error as Error).message.split('\n')[0]}`
        }): the host probably stopped while it was written.`,
        remediation: `Run cleanup for VM ${this.vm} (it removes its scratch folder), then export its disks again.`,
      });
    }
  }

  async disk(disk: string): Promise<DiskRecord | undefined> {
    return (await this.read()).disks[disk];
  }

  /** Read-modify-write under a per-VM lock. */
  async update(
    disk: string,
    change: (record: DiskRecord) => DiskRecord | void,
  ): Promise<DiskRecord> {
    return (await this.locked(disk, change, true))!;
  }

  /** Removes the VM's scratch folder, under the same lock as manifest updates (a late update cannot race it). */
  async removeVm(): Promise<void> {
    await this.locked(
      '',
      () => undefined,
      false,
      async () => this.scratch.removeVm(this.vm),
    );
  }

  /** Like update, but does nothing when the VM folder or the disk record is gone (e.g. after cleanup). */
  async updateIfPresent(
    disk: string,
    change: (record: DiskRecord) => DiskRecord | void,
  ): Promise<DiskRecord | undefined> {
    return this.locked(disk, change, false);
  }

  private async locked(
    disk: string,
    change: (record: DiskRecord) => DiskRecord | void,
    create: boolean,
    instead?: () => Promise<void>,
  ): Promise<DiskRecord | undefined> {
    const key = this.path();
    const previous = VmManifest.locks.get(key) ?? Promise.resolve();
    let result: DiskRecord | undefined;
    const next = previous
      .catch(() => undefined)
      .then(async (): Promise<void> => {
        if (instead) {
          await instead();
        } else if (create || existsSync(key)) {
          if (create) await this.scratch.ensureVmDir(this.vm);
          const data = await this.read();
          if (create || data.disks[disk]) {
            const current = data.disks[disk] ?? { stages: {} };
            result = change(current) ?? current;
            data.disks[disk] = result;
            await writeJsonAtomic(key, data);
          }
        }
      });
    VmManifest.locks.set(key, next);
    await next;
    return result;
  }

  /** Marks a file as being rewritten in place: if the job dies, later stages refuse it. */
  async markBusy(
    disk: string,
    artifact: 'source' | 'qcow2',
    kind: string,
    jobId: string,
  ): Promise<void> {
    await this.update(disk, record => {
      record.busy = { kind, jobId, since: new Date().toISOString(), artifact };
    });
  }

  /**
   * Flushes a just-committed artifact to disk in the background (the next stage does not wait for it),
   * then records it as durable if the record still describes the same artifact.
   */
  flushInBackground(
    disk: string,
    which: 'source' | 'qcow2',
    jobId: string,
    file: string,
  ): void {
    this.scratch.track(
      flushToDisk(file).then(() =>
        this.updateIfPresent(disk, record => {
          const artifact = record[which];
          if (artifact?.jobId === jobId && artifact.file === file)
            artifact.durable = true;
        }),
      ),
    );
  }

  /** The exported source of a disk, refusing one that a killed job left half-rewritten or that may not be on disk. */
  async requireSource(
    disk: string,
    forKind: string,
    options: { allowBusyBy?: string } = {},
  ): Promise<NonNullable<DiskRecord['source']>> {
    const record = await this.disk(disk);
    if (!record?.source) {
      throw new RunnerError({
        code: 'STAGE_INPUT_MISSING',
        httpStatus: 409,
        message: `${forKind} for VM ${this.vm} disk ${disk}: no exported source on this runner.`,
        remediation: 'Run export for this disk on this runner first.',
      });
    }
    if (
      record.busy &&
      busyArtifact(record.busy) === 'source' &&
      record.busy.kind !== options.allowBusyBy
    ) {
      throw new RunnerError({
        code: 'DISK_LEFT_INCOMPLETE',
        httpStatus: 409,
        message: `${forKind} for VM ${this.vm} disk ${disk}: job ${record.busy.jobId} (${record.busy.kind}) was rewriting the disk since ${record.busy.since} and did not finish.`,
        remediation:
          record.busy.kind === 'trim'
            ? 'Run trim again (it is safe to repeat), or export again, then convert.'
            : 'Run export again for this disk (it replaces the source), then convert.',
      });
    }
    this.assertOnDisk(disk, forKind, 'exported disk', record.source, 'export');
    return record.source;
  }

  private assertOnDisk(
    disk: string,
    forKind: string,
    what: string,
    artifact: { bootId?: string; durable?: boolean },
    redo: string,
  ): void {
    if (
      artifact.bootId &&
      artifact.bootId !== currentBootId() &&
      !artifact.durable
    ) {
      throw new RunnerError({
        code: 'DISK_LEFT_INCOMPLETE',
        httpStatus: 409,
        message: `${forKind} for VM ${this.vm} disk ${disk}: the ${what} was written before the host restarted and was not yet flushed to disk, so it may hold holes instead of data.`,
        remediation: `Run ${redo} again for this disk, then the later stages.`,
      });
    }
  }

  /** The converted qcow2 of a disk, refusing one that a killed job left half-rewritten. */
  async requireQcow2(
    disk: string,
    forKind: string,
  ): Promise<NonNullable<DiskRecord['qcow2']>> {
    const record = await this.disk(disk);
    if (!record?.qcow2) {
      throw new RunnerError({
        code: 'STAGE_INPUT_MISSING',
        httpStatus: 409,
        message: `${forKind} for VM ${this.vm} disk ${disk}: there is no converted qcow2 on this runner.`,
        remediation:
          'Run export and convert for this disk on this runner first (scratch files do not move between runners).',
      });
    }
    if (record.busy && busyArtifact(record.busy) === 'qcow2') {
      throw new RunnerError({
        code: 'DISK_LEFT_INCOMPLETE',
        httpStatus: 409,
        message: `VM ${this.vm} disk ${disk}: job ${record.busy.jobId} (${record.busy.kind}) was rewriting the qcow2 since ${record.busy.since} and did not finish, so the file cannot be trusted.`,
        remediation:
          'Run convert again for this disk (it rebuilds the qcow2 from the exported source), then the later stages.',
      });
    }
    this.assertOnDisk(
      disk,
      forKind,
      'converted qcow2',
      record.qcow2,
      'convert',
    );
    return record.qcow2;
  }
}

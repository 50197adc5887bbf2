import { readFile } from 'fs/promises';
import { join } from 'path';
import { z } from 'zod';
import { RunnerError } from '../RunnerError';
import { writeJsonAtomic } from './AtomicFile';
import { ScratchSpace } from './ScratchSpace';

const diskRecordSchema = z.object({
  source: z
    .object({
      file: z.string(),
      format: z.enum(['vmdk', 'raw']),
      bytes: z.number(),
      sha256: z.string(),
    })
    .optional(),
  qcow2: z
    .object({
      file: z.string(),
      virtualSize: z.number(),
      actualSize: z.number(),
    })
    .optional(),
  /** Set while a job rewrites the qcow2 in place; a crash leaves it set, so nobody trusts that file. */
  busy: z
    .object({ kind: z.string(), jobId: z.string(), since: z.string() })
    .optional(),
  stages: z.record(z.string(), z.unknown()).default({}),
});

const manifestSchema = z.object({
  version: z.literal(1),
  disks: z.record(z.string(), diskRecordSchema).default({}),
});

export type DiskRecord = z.infer<typeof diskRecordSchema>;
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
    try {
      return manifestSchema.parse(
        JSON.parse(await readFile(this.path(), 'utf8')),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { version: 1, disks: {} };
      }
      throw error;
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
    const key = this.path();
    const previous = VmManifest.locks.get(key) ?? Promise.resolve();
    let result: DiskRecord | undefined;
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        await this.scratch.ensureVmDir(this.vm);
        const data = await this.read();
        const current = data.disks[disk] ?? { stages: {} };
        result = change(current) ?? current;
        data.disks[disk] = result;
        await writeJsonAtomic(key, data);
      });
    VmManifest.locks.set(key, next);
    await next;
    return result!;
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
    if (record.busy) {
      throw new RunnerError({
        code: 'DISK_LEFT_INCOMPLETE',
        httpStatus: 409,
        message: `VM ${this.vm} disk ${disk}: job ${record.busy.jobId} (${record.busy.kind}) was rewriting the qcow2 since ${record.busy.since} and did not finish, so the file cannot be trusted.`,
        remediation:
          'Run convert again for this disk (it rebuilds the qcow2 from the exported source), then the later stages.',
      });
    }
    return record.qcow2;
  }
}

import { chmod, mkdir, readdir, rm, statfs } from 'fs/promises';
import { join, relative, resolve, sep } from 'path';
import { RunnerError } from '../RunnerError';
import { assertSafeName } from './SafeName';

/**
 * The runner's scratch folder: one sub-folder per VM (`vms/<vm>/`), every path built from checked
 * names and re-checked to stay inside the root, and a free-space check before each job.
 */
export class ScratchSpace {
  readonly root: string;
  private readonly reserveBytes: number;
  /** Bytes promised to running jobs that they have not necessarily written yet. */
  private readonly reservations = new Set<{ bytes: number }>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(options: { root: string; reserveBytes: number }) {
    this.root = resolve(options.root);
    this.reserveBytes = options.reserveBytes;
  }

  /**
   * Creates the folders, private to the runner's user (0700: converted disks hold the guest's secrets),
   * and makes folders an older runner created private too.
   */
  async init(): Promise<void> {
    for (const dir of [this.root, join(this.root, 'vms'), this.jobsDir()]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
    }
    for (const vm of await readdir(join(this.root, 'vms')))
      await chmod(join(this.root, 'vms', vm), 0o700).catch(() => undefined);
  }

  vmDir(vm: string): string {
    return this.inside(join(this.root, 'vms', assertSafeName('vm', vm)));
  }

  /** A file of a VM's disk, e.g. diskFile('vm-42', 'disk-0', 'qcow2') -> vms/vm-42/disk-0.qcow2 */
  diskFile(vm: string, disk: string, extension: string): string {
    assertSafeName('disk', disk);
    return this.inside(join(this.vmDir(vm), `${disk}.${extension}`));
  }

  jobsDir(): string {
    return join(this.root, 'jobs');
  }

  async ensureVmDir(vm: string): Promise<string> {
    const dir = this.vmDir(vm);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  async removeVm(vm: string): Promise<void> {
    await rm(this.vmDir(vm), { recursive: true, force: true });
  }

  async usage(): Promise<{
    path: string;
    freeBytes: number;
    totalBytes: number;
  }> {
    const stats = await statfs(this.root);
    return {
      path: this.root,
      freeBytes: Number(stats.bavail) * Number(stats.bsize),
      totalBytes: Number(stats.blocks) * Number(stats.bsize),
    };
  }

  /**
   * Promises `bytes` to a running job, so two jobs checked at the same time do not both count the
   * same free space. Returns the release function.
   */
  reserve(bytes: number): () => void {
    const entry = { bytes };
    this.reservations.add(entry);
    return () => this.reservations.delete(entry);
  }

  /** Work that outlives its job (flushing an artifact to disk); awaited by settled(). */
  track(task: Promise<unknown>): void {
    const guarded = task.catch(() => undefined);
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }

  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /**
   * Refuses a job that needs more than the free space minus the configured reserve and minus what
   * running jobs were promised.
   */
  async assertRoomFor(neededBytes: number, what: string): Promise<void> {
    const { freeBytes } = await this.usage();
    let promised = 0;
    for (const entry of this.reservations) promised += entry.bytes;
    const available = freeBytes - this.reserveBytes - promised;
    if (neededBytes > available) {
      throw new RunnerError({
        code: 'INSUFFICIENT_SCRATCH_SPACE',
        httpStatus: 507,
        message: `${what} needs ${formatBytes(
          neededBytes,
        )} of scratch space but ${this.root} has ${formatBytes(
          Math.max(0, available),
        )} available (${formatBytes(freeBytes)} free, ${formatBytes(
          this.reserveBytes,
        )} kept in reserve${
          promised > 0
            ? `, ${formatBytes(promised)} promised to running jobs`
            : ''
        }).`,
        remediation:
          'Run cleanup for VMs already uploaded, move the job to a runner with more scratch space, or grow the scratch volume.',
        details: {
          neededBytes,
          freeBytes,
          reserveBytes: this.reserveBytes,
          promisedBytes: promised,
        },
      });
    }
  }

  /** Last line of defence: whatever was joined, the result must stay under the root. */
  private inside(path: string): string {
    const rel = relative(this.root, resolve(path));
    if (
      rel === '' ||
      rel.startsWith('..') ||
      rel.startsWith(sep) ||
      resolve(path) !== path
    ) {
      throw new RunnerError({
        code: 'UNSAFE_NAME',
        httpStatus: 400,
        message: `Refusing path ${path}: it is not inside the scratch folder ${this.root}.`,
        remediation:
          'Use plain VM and disk identifiers without path separators.',
      });
    }
    return path;
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

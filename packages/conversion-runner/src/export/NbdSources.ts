import { RunnerError } from '../RunnerError';
import type { ScratchSpace } from '../scratch/ScratchSpace';
import { NbdDiskSource } from './NbdDiskSource';

/**
 * The random-access sources this runner process serves, by scratch disk file: export starts one, the
 * later stages read through it (the overlay names its socket as backing), cleanup stops it. They do not
 * survive the process: after a restart the stages refuse the disk until it is exported again.
 */
const live = new Map<string, NbdDiskSource>();

export async function replaceNbdSource(
  key: string,
  start: () => Promise<NbdDiskSource>,
): Promise<NbdDiskSource> {
  await stopNbdSource(key);
  const source = await start();
  live.set(key, source);
  return source;
}

export async function stopNbdSource(key: string): Promise<void> {
  const source = live.get(key);
  live.delete(key);
  await source?.stop();
}

/** Stops the sources of every key under `prefix` (a VM's scratch folder). */
export async function stopNbdSourcesUnder(prefix: string): Promise<void> {
  for (const key of [...live.keys()])
    if (key.startsWith(prefix)) await stopNbdSource(key);
}

/** The key of a disk's source: the scratch file a download export would have written. */
export function nbdSourceKey(
  scratch: ScratchSpace,
  vm: string,
  disk: string,
): string {
  return scratch.diskFile(vm, disk, 'raw');
}

export function requireNbdSource(
  scratch: ScratchSpace,
  vm: string,
  disk: string,
  kind: string,
): NbdDiskSource {
  const what = `${kind} for VM ${vm} disk ${disk}`;
  const source = live.get(nbdSourceKey(scratch, vm, disk));
  if (!source) {
    throw new RunnerError({
      code: 'STAGE_INPUT_MISSING',
      httpStatus: 409,
      message: `${what}: the disk was exported with access "nbd" and its source is no longer served (the runner restarted since export).`,
      remediation:
        'Run export again for this disk on this runner, then the later stages.',
    });
  }
  return source;
}

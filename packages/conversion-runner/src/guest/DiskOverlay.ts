import { rm } from 'fs/promises';
import { runTool } from '../tools/ToolRunner';

export type OverlayTarget = {
  /** The disk a job rewrites in place. */
  base: string;
  format: 'qcow2' | 'raw';
  /** Where its overlay goes (a scratch file of the same VM; a stale one is replaced). */
  overlay: string;
};

/**
 * Runs `work` on qcow2 overlays of the disks (qemu-img create -b) and commits them into the disks
 * (qemu-img commit, which also grows a disk whose overlay was resized) only when it succeeds: a job
 * that fails half-way leaves the disks byte-identical. `beforeCommit` runs once the work succeeded
 * and before the first disk is written (where a job marks the disks busy: a runner killed during the
 * commit leaves a disk half-written).
 */
export async function rewriteThroughOverlays<T>(
  targets: readonly OverlayTarget[],
  options: {
    signal?: AbortSignal;
    log: (line: string) => void;
    beforeCommit?: () => Promise<void>;
    /** Whether to commit what `work` did (default: always); when not, the overlay is discarded. */
    shouldCommit?: (result: T) => boolean;
  },
  work: (overlays: string[]) => Promise<T>,
): Promise<T> {
  const removeOverlays = () =>
    Promise.all(targets.map(t => rm(t.overlay, { force: true })));
  await removeOverlays();
  let result: T;
  try {
    for (const target of targets) {
      await runTool(
        'qemu-img',
        [
          'create',
          '-q',
          '-f',
          'qcow2',
          '-b',
          target.base,
          '-F',
          target.format,
          target.overlay,
        ],
        { signal: options.signal, onLine: options.log },
      );
    }
    result = await work(targets.map(t => t.overlay));
  } catch (error) {
    await removeOverlays();
    options.log(
      `the changes were made on overlays, now discarded: ${targets
        .map(t => t.base)
        .join(', ')} unchanged`,
    );
    throw error;
  }
  if (options.shouldCommit && !options.shouldCommit(result)) {
    await removeOverlays();
    return result;
  }
  try {
    await options.beforeCommit?.();
    for (const target of targets) {
      options.log(`committing the changes into ${target.base}`);
      // -d: the overlay is removed right after, no need to empty it. Not cancellable: a commit
      // stopped half-way is what the busy mark is for, better not to cause one.
      await runTool('qemu-img', ['commit', '-q', '-d', target.overlay], {
        onLine: options.log,
      });
    }
  } finally {
    await removeOverlays();
  }
  return result;
}

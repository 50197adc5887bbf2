import {
  runnerVmDiskParamsSchema,
  type RunnerVmDiskParams,
} from '@internal/plugin-vmware2scw-common';
import { stat } from 'fs/promises';
import { libguestfsEnv } from '../../accel/AccelProbe';
import { VmManifest } from '../../scratch/VmManifest';
import { runTool } from '../../tools/ToolRunner';
import { defineJobKind, JobContext } from '../JobKindDefinition';

/**
 * Free blocks of the guest filesystems (deleted files included) become holes in the exported raw disk
 * (virt-sparsify --in-place: fstrim in one appliance), so convert and upload carry only data in use.
 */
export const trimJob = defineJobKind<RunnerVmDiskParams>({
  kind: 'trim',
  description:
    'virt-sparsify --in-place on the exported raw disk: unused and deleted blocks become holes before convert.',
  paramsSchema: runnerVmDiskParamsSchema,
  vmOf: params => params.vm,
  disksOf: params => [params.disk],
  redact: params => params,
  scratchNeeded: async () => 0,
  run: async (params, context) => {
    const manifest = new VmManifest(context.scratch, params.vm);
    // A trim that was killed left the disk busy; trimming again is safe (fstrim only discards free blocks).
    const source = await manifest.requireSource(params.disk, 'trim', {
      allowBusyBy: 'trim',
    });
    if (source.access === 'nbd') {
      // nothing local to trim: upload trims the overlay, after adaptation, before it reads anything
      return {
        skipped: true,
        reason:
          'the source is served on demand (access nbd): its free blocks are trimmed in the overlay before upload',
      };
    }
    if (source.format !== 'raw') {
      // A streamOptimized VMDK cannot be written in place; NFC exports already skip unallocated grains.
      return {
        skipped: true,
        reason: `the exported disk is ${source.format}; trim applies to raw (datastore) exports`,
      };
    }
    const before = (await stat(source.file)).blocks * 512;
    await manifest.markBusy(params.disk, 'source', 'trim', context.jobId);
    context.progress.setPhase('trimming free blocks (libguestfs appliance)');
    const started = Date.now();
    await sparsifyInPlace(source.file, 'raw', context);
    const after = (await stat(source.file)).blocks * 512;
    await manifest.update(params.disk, r => {
      r.busy = undefined;
      if (r.source) r.source.durable = undefined; // rewritten: flushed again below
      r.stages.trim = {
        at: new Date().toISOString(),
        allocatedBefore: before,
        allocatedAfter: after,
      };
    });
    manifest.flushInBackground(
      params.disk,
      'source',
      source.jobId ?? '',
      source.file,
    );
    const seconds = (Date.now() - started) / 1000;
    context.log(
      `trim: allocated ${before} -> ${after} bytes in ${seconds.toFixed(1)} s`,
    );
    return {
      skipped: false,
      allocatedBefore: before,
      allocatedAfter: after,
      seconds,
    };
  },
});

/**
 * fstrim of every guest filesystem (and LVM free space) in one appliance, written in place: in a raw
 * file free blocks become holes; in a qcow2 overlay over a source they become zero clusters, so they
 * read as zeros and are neither fetched from the source nor uploaded.
 */
export async function sparsifyInPlace(
  file: string,
  format: 'raw' | 'qcow2',
  context: Pick<JobContext, 'accel' | 'log'> & { signal?: AbortSignal },
): Promise<void> {
  await runTool('virt-sparsify', ['--in-place', '--format', format, file], {
    env: libguestfsEnv(context.accel.mode),
    signal: context.signal,
    onLine: context.log,
  });
}

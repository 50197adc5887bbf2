import { rm } from 'fs/promises';
import { z } from 'zod';
import {
  assertImportableQcow2,
  qemuImgConvert,
  qemuImgInfo,
  qemuImgMeasure,
} from '../../convert/QemuImg';
import { RunnerError } from '../../RunnerError';
import {
  commitPartial,
  discardPartial,
  partialPathOf,
} from '../../scratch/AtomicFile';
import { safeNameSchema } from '../../scratch/SafeName';
import { VmManifest } from '../../scratch/VmManifest';
import { defineJobKind } from '../JobKind';

export const convertParamsSchema = z
  .object({
    vm: safeNameSchema,
    disk: safeNameSchema,
    /** zlib-compressed clusters: smaller upload, slower convert and import. Never zstd. */
    compress: z.boolean().default(false),
    /** Drop the exported source once the qcow2 is complete (saves scratch space). */
    removeSource: z.boolean().default(false),
  })
  .strict();
export type ConvertParams = z.infer<typeof convertParamsSchema>;

async function requireSource(manifest: VmManifest, params: ConvertParams) {
  const record = await manifest.disk(params.disk);
  if (!record?.source) {
    throw new RunnerError({
      code: 'STAGE_INPUT_MISSING',
      httpStatus: 409,
      message: `convert for VM ${params.vm} disk ${params.disk}: no exported source on this runner.`,
      remediation: 'Run export for this disk on this runner first.',
    });
  }
  if (record.busy) {
    throw new RunnerError({
      code: 'DISK_LEFT_INCOMPLETE',
      httpStatus: 409,
      message: `convert for VM ${params.vm} disk ${params.disk}: job ${record.busy.jobId} (${record.busy.kind}) did not finish rewriting the exported disk.`,
      remediation:
        'Run export again for this disk (it replaces the source), then convert.',
    });
  }
  return record.source;
}

export const convertJob = defineJobKind<ConvertParams>({
  kind: 'convert',
  description:
    'qemu-img convert of the exported disk to qcow2 (zero detection, optional zlib compression).',
  paramsSchema: convertParamsSchema,
  vmOf: params => params.vm,
  redact: params => params,
  scratchNeeded: async (params, services) => {
    const source = await requireSource(
      new VmManifest(services.scratch, params.vm),
      params,
    );
    return qemuImgMeasure(source.file, source.format);
  },
  run: async (params, context) => {
    const manifest = new VmManifest(context.scratch, params.vm);
    const source = await requireSource(manifest, params);
    const target = context.scratch.diskFile(params.vm, params.disk, 'qcow2');
    const partial = partialPathOf(target);
    await discardPartial(target);
    const sourceInfo = await qemuImgInfo(source.file, source.format);
    context.progress.update(params.disk, 0, sourceInfo['virtual-size']);
    const started = Date.now();
    try {
      await qemuImgConvert({
        source: source.file,
        sourceFormat: source.format,
        target: partial,
        compress: params.compress,
        signal: context.signal,
        log: context.log,
        onPercent: percent => {
          context.progress.setPercent(percent);
          context.progress.update(
            params.disk,
            Math.round((percent / 100) * sourceInfo['virtual-size']),
            sourceInfo['virtual-size'],
          );
        },
      });
    } catch (error) {
      await discardPartial(target);
      throw error;
    }
    const info = await qemuImgInfo(partial, 'qcow2');
    assertImportableQcow2(partial, info);
    await commitPartial(target);
    const qcow2 = {
      file: target,
      virtualSize: info['virtual-size'],
      actualSize: info['actual-size'] ?? 0,
    };
    await manifest.update(params.disk, record => {
      record.qcow2 = qcow2;
      record.busy = undefined;
      record.stages = {
        convert: { at: new Date().toISOString(), compress: params.compress },
      };
    });
    if (params.removeSource) {
      await rm(source.file, { force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    context.log(
      `converted to ${target}: virtual ${qcow2.virtualSize} bytes, ${
        qcow2.actualSize
      } bytes on disk, ${seconds.toFixed(1)} s`,
    );
    return { ...qcow2, compressed: params.compress, seconds };
  },
});

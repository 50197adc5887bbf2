import {
  runnerConvertParamsSchema,
  type RunnerConvertParams,
} from '@internal/plugin-vmware2scw-common';
import { rm } from 'fs/promises';
import { inspectSourceImage } from '../../convert/SourceImage';
import {
  assertImportableQcow2,
  qemuImgConvert,
  qemuImgInfo,
  qemuImgMeasure,
} from '../../convert/QemuImg';
import {
  commitPartial,
  discardPartial,
  partialPathOf,
} from '../../scratch/AtomicFile';
import { currentBootId } from '../../scratch/Durability';
import { VmManifest } from '../../scratch/VmManifest';
import { requireNbdSource } from '../../export/NbdSources';
import { defineJobKind, JobContext } from '../JobKindDefinition';

export const convertJob = defineJobKind<RunnerConvertParams>({
  kind: 'convert',
  description:
    'qemu-img convert of the exported disk to qcow2 (zero detection, optional zlib compression).',
  paramsSchema: runnerConvertParamsSchema,
  vmOf: params => params.vm,
  disksOf: params => [params.disk],
  redact: params => params,
  scratchNeeded: async (params, services) => {
    const source = await new VmManifest(
      services.scratch,
      params.vm,
    ).requireSource(params.disk, 'convert');
    // an overlay holds only what the later stages write
    if (source.access === 'nbd') return 256 * 1024 * 1024;
    await inspectSourceImage(source.file, source.format, sourceName(params));
    return qemuImgMeasure(source.file, source.format);
  },
  run: async (params, context) => {
    const manifest = new VmManifest(context.scratch, params.vm);
    const source = await manifest.requireSource(params.disk, 'convert');
    const target = context.scratch.diskFile(params.vm, params.disk, 'qcow2');
    const partial = partialPathOf(target);
    // The qcow2 is about to be replaced: from now until the new one is committed, no stage may use it
    // (a kill between the rename and the manifest update must not pair it with the old stages).
    await manifest.update(params.disk, record => {
      record.qcow2 = undefined;
      record.stages = sourceStages(record.stages);
    });
    await discardPartial(target);
    if (source.access === 'nbd')
      return createOverlay(params, context, manifest, target);
    // inspected again: scratchNeeded ran before the job waited for its turn
    const sourceInfo = await inspectSourceImage(
      source.file,
      source.format,
      sourceName(params),
    );
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
      jobId: context.jobId,
      bootId: currentBootId(),
    };
    await manifest.update(params.disk, record => {
      record.qcow2 = qcow2;
      record.busy = undefined;
      record.stages = {
        ...sourceStages(record.stages),
        convert: { at: new Date().toISOString(), compress: params.compress },
      };
    });
    manifest.flushInBackground(params.disk, 'qcow2', context.jobId, target);
    if (params.removeSource) {
      await manifest.update(params.disk, record => {
        record.source = undefined;
      });
      await rm(source.file, { force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    context.log(
      `converted to ${target}: virtual ${qcow2.virtualSize} bytes, ${
        qcow2.actualSize
      } bytes on disk, ${seconds.toFixed(1)} s`,
    );
    return {
      file: qcow2.file,
      virtualSize: qcow2.virtualSize,
      actualSize: qcow2.actualSize,
      compressed: params.compress,
      seconds,
    };
  },
});

/**
 * access "nbd": the qcow2 is an overlay on the served source, empty until adapt_linux and ensure_uefi
 * write to it; nothing is read or copied here (upload reads the in-use blocks once).
 */
async function createOverlay(
  params: RunnerConvertParams,
  context: JobContext,
  manifest: VmManifest,
  target: string,
) {
  const source = requireNbdSource(
    context.scratch,
    params.vm,
    params.disk,
    'convert',
  );
  const started = Date.now();
  await source.createOverlay(partialPathOf(target));
  await commitPartial(target);
  const info = await qemuImgInfo(target, 'qcow2');
  await manifest.update(params.disk, record => {
    record.qcow2 = {
      file: target,
      virtualSize: info['virtual-size'],
      actualSize: info['actual-size'] ?? 0,
      jobId: context.jobId,
      bootId: currentBootId(),
      durable: true,
    };
    record.busy = undefined;
    record.stages = {
      ...sourceStages(record.stages),
      convert: { at: new Date().toISOString(), overlay: true },
    };
  });
  context.log(
    `qcow2 overlay ${target} on ${source.uri} (virtual ${info['virtual-size']} bytes): nothing copied, writes land in the overlay`,
  );
  return {
    file: target,
    virtualSize: info['virtual-size'],
    actualSize: info['actual-size'] ?? 0,
    compressed: false,
    overlay: true,
    seconds: (Date.now() - started) / 1000,
  };
}

function sourceName(params: RunnerConvertParams): string {
  return `VM ${params.vm} disk ${params.disk}`;
}

/** Stages that describe the exported source (they stay valid when the qcow2 is rebuilt). */
function sourceStages(
  stages: Record<string, unknown>,
): Record<string, unknown> {
  return stages.trim ? { trim: stages.trim } : {};
}

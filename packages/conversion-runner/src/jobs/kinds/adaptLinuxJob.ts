import {
  runnerAdaptLinuxParamsSchema,
  type RunnerAdaptLinuxParams,
} from '@internal/plugin-vmware2scw-common';
import { libguestfsEnv } from '../../accel/AccelProbe';
import { rm } from 'fs/promises';
import { join } from 'path';
import { adaptLinuxCommand } from '../../guest/AdaptLinuxCommand';
import { parseAdaptReport } from '../../guest/AdaptLinuxReport';
import { rewriteThroughOverlays } from '../../guest/DiskOverlay';
import { RunnerError } from '../../RunnerError';
import { VmManifest } from '../../scratch/VmManifest';
import { runTool } from '../../tools/ToolRunner';
import { defineJobKind } from '../JobKindDefinition';

export const adaptLinuxJob = defineJobKind<RunnerAdaptLinuxParams>({
  kind: 'adapt_linux',
  description:
    'One libguestfs pass (virt-customize): remove VMware tools, virtio drivers in a rebuilt initramfs, fstab and GRUB by UUID, DHCP on any NIC, serial console, qemu-guest-agent, machine-id reset.',
  paramsSchema: runnerAdaptLinuxParamsSchema,
  vmOf: params => params.vm,
  disksOf: params => params.disks,
  redact: params => params,
  // A rebuilt initramfs and a few packages: small, but real; on an overlay, then committed (twice).
  scratchNeeded: async params => params.disks.length * 512 * 1024 * 1024,
  run: async (params, context) => {
    const manifest = new VmManifest(context.scratch, params.vm);
    const files: string[] = [];
    for (const disk of params.disks)
      files.push((await manifest.requireQcow2(disk, 'adapt_linux')).file);
    const jobScript = join(
      context.scratch.jobsDir(),
      `${context.jobId}.adapt-linux.sh`,
    );
    const started = Date.now();
    // On overlays, committed only on success: a failed adaptation leaves the disks as they were.
    const report = await rewriteThroughOverlays(
      params.disks.map((disk, i) => ({
        base: files[i],
        format: 'qcow2' as const,
        overlay: context.scratch.diskFile(params.vm, disk, 'adapt_linux.qcow2'),
      })),
      {
        signal: context.signal,
        log: context.log,
        beforeCommit: async () => {
          for (const disk of params.disks)
            await manifest.markBusy(
              disk,
              'qcow2',
              'adapt_linux',
              context.jobId,
            );
        },
      },
      async overlays => {
        const args = await adaptLinuxCommand({
          files: overlays,
          guest: context.config.guest,
          jobScript,
          log: context.log,
        });
        context.log(
          `virt-customize ${args.join(' ')} (accelerator: ${
            context.accel.mode
          })`,
        );
        context.progress.setPhase('adapting guest (libguestfs appliance)');
        const reportLines: string[] = [];
        try {
          await runTool('virt-customize', args, {
            env: libguestfsEnv(context.accel.mode),
            signal: context.signal,
            captureStdout: false,
            onLine: line => {
              if (line.startsWith('VMWARE2SCW-REPORT ')) {
                reportLines.push(line.slice('VMWARE2SCW-REPORT '.length));
                context.log(line);
              } else if (
                /^\[\s*\d+\.\d\] /.test(line) ||
                line.startsWith('virt-customize:')
              ) {
                // virt-customize's own progress lines; the appliance's verbose output stays out of the job log.
                context.log(line);
              }
            },
          });
        } finally {
          await rm(jobScript, { force: true });
        }
        const parsed = parseAdaptReport(reportLines);
        if (parsed.failures.length > 0) {
          throw new RunnerError({
            code: 'ADAPT_FAILED',
            message: `adapt_linux on VM ${params.vm}: ${parsed.failures.join(
              '; ',
            )}.`,
            remediation:
              'Read the job log (VMWARE2SCW-REPORT lines); the disks were left as they were, so fix the cause and run adapt_linux again.',
            details: { report: parsed },
          });
        }
        return parsed;
      },
    );
    const seconds = (Date.now() - started) / 1000;
    for (const disk of params.disks) {
      await manifest.update(disk, record => {
        record.busy = undefined;
        record.stages.adapt_linux = { at: new Date().toISOString(), seconds };
      });
    }
    context.log(`adapt_linux done in ${seconds.toFixed(1)} s`);
    return { ...report, seconds };
  },
});

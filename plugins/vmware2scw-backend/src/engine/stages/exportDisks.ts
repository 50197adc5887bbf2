import {
  flatExtentPath,
  type NfcDeviceUrl,
  type VcenterConfig,
} from '@internal/plugin-vmware2scw-node';
import { Vmware2scwError, type Vm } from '@internal/plugin-vmware2scw-common';
import type {
  StageContext,
  StageExecutor,
  StageOutcome,
} from '../StageExecutor';
import type { RunnerPool } from '../services/RunnerPool';
import type { VcenterPool } from '../services/VcenterPool';
import {
  outputOf,
  runnerVmName,
  type ExportedDisk,
  type ExportOutputs,
  type MigrationDisk,
} from './outputs';
import { resultOf, runRunnerJobs, type DiskJob } from './RunnerJobs';

export interface ExportDeps {
  vcenters: VcenterPool;
  runners: RunnerPool;
  /** Scratch the runner needs per byte of disk (exported image and qcow2 side by side). */
  scratchFactor?: number;
  pollMs?: number;
}

/**
 * export: the disks of the migration snapshot onto a conversion runner. The backend opens the source
 * (datastore /folder URL of each base flat extent with the vCenter session cookie, or an NFC export
 * lease of the snapshot that it keeps alive while the runner downloads, then completes or aborts) and
 * the runner fetches the bytes. The VM is placed on the runner with the most free scratch that fits.
 */
export function createExportExecutor(deps: ExportDeps): StageExecutor {
  return {
    stage: 'export',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { migration } = ctx;
      const validated = outputOf(ctx.outputs, 'validate');
      const snapshot = outputOf(ctx.outputs, 'snapshot');
      const totalBytes = validated.disks.reduce(
        (s, d) => s + d.capacityBytes,
        0,
      );
      let runnerId = migration.runnerId;
      if (!runnerId || !(await deps.runners.isReachable(runnerId))) {
        runnerId = await deps.runners.place(
          totalBytes * (deps.scratchFactor ?? 2),
          ctx.signal,
        );
        await ctx.placeOnRunner(runnerId);
      }
      const runner = deps.runners.client(runnerId);
      const vcenter = deps.vcenters.client(migration.sourceId);
      const vcConfig = deps.vcenters.config(migration.sourceId);
      await ctx.recordLeftovers([
        {
          kind: 'runner_files',
          id: runnerVmName(migration.id),
          where: runnerId,
        },
      ]);

      const run = async (jobs: DiskJob[]) => {
        const done = await runRunnerJobs(ctx, runner, jobs, {
          pollMs: deps.pollMs,
        });
        return done.map((job, i): ExportedDisk => {
          const r = resultOf(job);
          return {
            disk: jobs[i].disk!,
            format: (jobs[i].params as any).source.format,
            bytes: Number(r.bytes ?? 0),
            ...(r.sha256 ? { sha256: String(r.sha256) } : {}),
          };
        });
      };

      let disks: ExportedDisk[];
      if (validated.exportMethod === 'datastore') {
        const datacenterPath = await vcenter.datacenterPath(migration.moref, {
          signal: ctx.signal,
        });
        const { cookie } = await vcenter.downloadHeaders(ctx.signal);
        disks = await run(
          validated.disks.map(disk => ({
            disk: disk.name,
            kind: 'export',
            params: {
              vm: runnerVmName(migration.id),
              disk: disk.name,
              source: {
                kind: 'datastore',
                url: vcenter.datastoreDownloadUrl({
                  fileName: flatExtentPath(requireFile(disk)),
                  datacenterPath,
                }),
                format: 'raw',
                ...(cookie ? { auth: { cookie } } : {}),
                ...pin(vcConfig),
                sizeBytes: disk.capacityBytes,
              },
            },
          })),
        );
      } else {
        disks = await vcenter.withExportLease(
          { snapshot: snapshot.snapshotMoref },
          async lease => {
            const { cookie } = await vcenter.downloadHeaders(ctx.signal);
            const urls = matchDeviceUrls(
              validated.disks,
              lease.deviceUrls,
              migration.vm,
            );
            return run(
              validated.disks.map(disk => ({
                disk: disk.name,
                kind: 'export',
                params: {
                  vm: runnerVmName(migration.id),
                  disk: disk.name,
                  source: {
                    kind: 'nfc',
                    url: urls.get(disk.name)!.url,
                    format: 'vmdk',
                    ...(cookie ? { auth: { cookie } } : {}),
                    ...(urls.get(disk.name)!.sslThumbprint
                      ? { tlsThumbprint: urls.get(disk.name)!.sslThumbprint }
                      : pin(vcConfig)),
                  },
                },
              })),
            );
          },
          { signal: ctx.signal },
        );
      }
      const outputs: ExportOutputs = {
        runner: runnerId,
        method: validated.exportMethod,
        disks,
      };
      return {
        outputs: outputs as unknown as Record<string, unknown>,
        bytes: disks.reduce((s, d) => s + d.bytes, 0),
      };
    },
  };
}

/** The vCenter's pinned certificate, for a self-signed vCenter (`insecure` with its thumbprint). */
function pin(vc: VcenterConfig): { tlsThumbprint?: string } {
  return vc.insecure && vc.thumbprint ? { tlsThumbprint: vc.thumbprint } : {};
}

function requireFile(disk: MigrationDisk): string {
  if (!disk.fileName) {
    throw new Vmware2scwError({
      code: 'DISK_HAS_NO_FILE',
      message: `${disk.label} has no datastore file to read`,
      remediation:
        'Set vmware2scw.conversion.exportMethod to nfc, or check the disk in vCenter.',
    });
  }
  return disk.fileName;
}

/**
 * The lease's disk URLs matched to the migration's disks: by controller bus and unit in the device key
 * (`/vm-1/ParaVirtualSCSIController0:1`), else in device order.
 */
export function matchDeviceUrls(
  disks: readonly MigrationDisk[],
  deviceUrls: readonly NfcDeviceUrl[],
  vm: Vm,
): Map<string, NfcDeviceUrl> {
  const diskUrls = deviceUrls.filter(d => d.disk);
  const out = new Map<string, NfcDeviceUrl>();
  const used = new Set<NfcDeviceUrl>();
  for (const disk of disks) {
    const c = vm.disks.find(d => d.key === disk.key)?.controller;
    const suffix =
      c?.busNumber !== undefined && c.unitNumber !== undefined
        ? `${c.busNumber}:${c.unitNumber}`
        : undefined;
    const match = suffix
      ? diskUrls.find(u => !used.has(u) && u.key.endsWith(suffix))
      : undefined;
    if (match) {
      out.set(disk.name, match);
      used.add(match);
    }
  }
  const rest = diskUrls.filter(u => !used.has(u));
  for (const disk of disks) {
    if (out.has(disk.name)) continue;
    const next = rest.shift();
    if (!next) {
      throw new Vmware2scwError({
        code: 'NFC_DISK_MISSING',
        message: `The export lease offers ${diskUrls.length} disk(s), the VM has ${disks.length}`,
        remediation:
          'Check the VM disks in vCenter (independent disks are not exported with a snapshot).',
      });
    }
    out.set(disk.name, next);
  }
  return out;
}

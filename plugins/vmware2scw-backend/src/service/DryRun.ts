import {
  toErrorBody,
  type ApiModel,
  type ScalewayOffer,
} from '@internal/plugin-vmware2scw-common';
import type { BatchRecord, MigrationRecord } from '../database/MigrationStore';
import type { RunnerPool } from '../engine/services/RunnerPool';
import type { VcenterPool } from '../engine/services/VcenterPool';
import { checkVm } from '../engine/stages/validate';

/**
 * The dry run of a batch (the old `batch run --dry-run`): every check of validate for every VM,
 * vCenter and runner reachability, scratch space, the transit bucket; nothing is created.
 */
export class DryRun {
  constructor(
    private readonly deps: {
      vcenters: VcenterPool;
      runners: RunnerPool;
      catalog(zone: string): Promise<ScalewayOffer>;
      exportMethod: 'auto' | 'datastore' | 'nfc';
      transitBucket?: string;
      scratchFactor?: number;
      now?: () => Date;
    },
  ) {}

  async run(
    migrations: readonly MigrationRecord[],
    _batch: BatchRecord,
  ): Promise<ApiModel.DryRunReport> {
    const services: ApiModel.DryRunCheck[] = [];
    const vcenterOk = new Map<string, boolean>();
    for (const sourceId of new Set(migrations.map(m => m.sourceId))) {
      try {
        const client = this.deps.vcenters.client(sourceId);
        await client.login();
        const about = await client.about();
        vcenterOk.set(sourceId, true);
        services.push({
          check: `vcenter:${sourceId}`,
          ok: true,
          message: `${sourceId} answers (${
            about.fullName ?? about.apiVersion ?? 'vCenter'
          })`,
        });
      } catch (err) {
        vcenterOk.set(sourceId, false);
        const e = toErrorBody(err);
        services.push({
          check: `vcenter:${sourceId}`,
          ok: false,
          message: e.message,
          remediation: e.remediation,
        });
      }
    }
    const runners = await this.deps.runners.statuses();
    for (const r of runners) {
      services.push(
        r.reachable
          ? {
              check: `runner:${r.id}`,
              ok: true,
              message: `${r.id} answers (${r.accel ?? '?'}, ${gib(
                r.scratchFreeBytes ?? 0,
              )} free scratch)`,
            }
          : {
              check: `runner:${r.id}`,
              ok: false,
              message: r.error?.message ?? `${r.id} does not answer`,
              remediation: r.error?.remediation ?? 'Start the runner.',
            },
      );
    }
    if (!runners.length) {
      services.push({
        check: 'runners',
        ok: false,
        message: 'No conversion runner is configured',
        remediation: 'Add one to vmware2scw.conversion.runners.',
      });
    }
    services.push(
      this.deps.transitBucket
        ? {
            check: 'transit-bucket',
            ok: true,
            message: `uploads go to ${this.deps.transitBucket}`,
          }
        : {
            check: 'transit-bucket',
            ok: false,
            message: 'No transit bucket: upload_s3 and import_scw cannot run',
            remediation:
              'Configure vmware2scw.scaleway (transitBucket, keys, project).',
          },
    );

    const freeByRunner = new Map(
      runners
        .filter(r => r.reachable)
        .map(r => [r.id, r.scratchFreeBytes ?? 0]),
    );
    const vms: ApiModel.DryRunReport['vms'] = [];
    for (const m of migrations) {
      const checks: ApiModel.DryRunCheck[] = [];
      let targetType = m.targetType;
      let runnerId: string | undefined;
      if (vcenterOk.get(m.sourceId)) {
        try {
          const vm = await this.deps.vcenters.readVm(m.sourceId, m.moref);
          const catalog = await this.deps.catalog(m.zone);
          const { outputs, failures } = checkVm(
            vm,
            { vmName: m.vmName, zone: m.zone, targetType: m.targetType },
            catalog,
            this.deps.exportMethod,
          );
          for (const f of failures)
            checks.push({
              check: f.code,
              ok: false,
              message: f.message,
              remediation: f.remediation,
            });
          if (outputs) {
            targetType = outputs.targetType;
            checks.push({
              check: 'validate',
              ok: true,
              message: `${outputs.targetType} in ${outputs.zone}; ${outputs.concerns.length} concern(s), none critical; export by ${outputs.exportMethod} (${outputs.exportMethodReason})`,
            });
          }
          const need =
            vm.disks.reduce((s, d) => s + d.capacityBytes, 0) *
            (this.deps.scratchFactor ?? 2);
          const fit = [...freeByRunner.entries()]
            .sort((a, b) => b[1] - a[1])
            .find(([, free]) => free >= need);
          if (fit) {
            runnerId = fit[0];
            freeByRunner.set(fit[0], fit[1] - need);
            checks.push({
              check: 'scratch',
              ok: true,
              message: `${fit[0]} has room for ${gib(need)} of scratch`,
            });
          } else {
            checks.push({
              check: 'scratch',
              ok: false,
              message: `No runner has ${gib(need)} of free scratch left for ${
                m.vmName
              }`,
              remediation:
                'Free scratch on a runner, add a runner, or lower max_total_workers.',
            });
          }
        } catch (err) {
          const e = toErrorBody(err);
          checks.push({
            check: e.code,
            ok: false,
            message: e.message,
            remediation: e.remediation,
          });
        }
      } else {
        checks.push({
          check: 'vcenter',
          ok: false,
          message: `vCenter ${m.sourceId} cannot be reached`,
          remediation: 'See the services checks.',
        });
      }
      vms.push({
        vmName: m.vmName,
        entityRef: m.entityRef,
        ok: checks.every(c => c.ok),
        ...(targetType ? { targetType } : {}),
        ...(runnerId ? { runnerId } : {}),
        checks,
        stages: m.pipeline,
      });
    }
    return {
      ok: services.every(s => s.ok) && vms.every(v => v.ok),
      checkedAt: (this.deps.now?.() ?? new Date()).toISOString(),
      services,
      vms,
    };
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

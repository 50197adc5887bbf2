import {
  createSizer,
  evaluateConcerns,
  findServerType,
  pipelineFor,
  systemDisk,
  unavailableRunnerJobs,
  Vmware2scwError,
  type ScalewayOffer,
  type Vm,
} from '@internal/plugin-vmware2scw-common';
import type {
  StageContext,
  StageExecutor,
  StageOutcome,
} from '../StageExecutor';
import type { VcenterPool } from '../services/VcenterPool';
import type { MigrationDisk, ValidateOutputs } from './outputs';

export interface ValidateDeps {
  vcenters: VcenterPool;
  catalog(zone: string): Promise<ScalewayOffer>;
  exportMethod: 'auto' | 'datastore' | 'nfc';
}

/** Disks in the order the runner and Scaleway number them: the boot disk first. */
export function migrationDisks(vm: Vm): MigrationDisk[] {
  const boot = systemDisk(vm);
  const ordered = boot ? [boot, ...vm.disks.filter(d => d !== boot)] : vm.disks;
  return ordered.map((d, i) => ({
    name: `disk-${i}`,
    key: d.key,
    label: d.label,
    capacityBytes: d.capacityBytes,
    ...(d.fileName ? { fileName: d.fileName } : {}),
  }));
}

/** How the disks leave vSphere, and why: the datastore's flat extent is consistent only without earlier snapshots. */
export function chooseExportMethod(
  vm: Vm,
  configured: 'auto' | 'datastore' | 'nfc',
): { method: 'datastore' | 'nfc'; reason: string } {
  if (configured !== 'auto')
    return {
      method: configured,
      reason: `vmware2scw.conversion.exportMethod is ${configured}`,
    };
  if (vm.snapshotCount > 0)
    return {
      method: 'nfc',
      reason: `the VM had ${vm.snapshotCount} snapshot(s) before the migration: its base disk files are not the current state`,
    };
  if (vm.disks.some(d => !d.fileName || d.rdm !== 'none'))
    return { method: 'nfc', reason: 'a disk has no flat file on a datastore' };
  return {
    method: 'datastore',
    reason:
      'no earlier snapshot: the base flat extents plus the migration snapshot are a consistent image',
  };
}

export interface ValidateTarget {
  vmName: string;
  zone: string;
  targetType?: string;
}

/**
 * Every check of validate on a VM as read now, without side effects: what validate refuses (each
 * reason, not just the first) or the outputs it records. The dry run shows the same list.
 */
export function checkVm(
  vm: Vm,
  target: ValidateTarget,
  catalog: ScalewayOffer,
  exportMethod: 'auto' | 'datastore' | 'nfc',
): { outputs?: ValidateOutputs; failures: Vmware2scwError[] } {
  const failures: Vmware2scwError[] = [];
  const missing = unavailableRunnerJobs(pipelineFor(vm.osFamily));
  if (missing.length) {
    failures.push(
      new Vmware2scwError({
        code: 'OS_NOT_SUPPORTED_YET',
        message: `${vm.name} is a ${vm.osFamily} VM: its stages (${missing.join(
          ', ',
        )}) do not exist on the conversion runner in this release`,
        remediation:
          'Leave the VM out of the plan (exclude) until the Windows stages are available, or migrate it by hand.',
        details: { vm: vm.name, osFamily: vm.osFamily },
      }),
    );
  }
  let targetType = target.targetType;
  let sizingReason: string | undefined;
  if (!targetType) {
    const sizing = createSizer(catalog, { strategy: 'optimize' })(vm);
    if (sizing.targetType) {
      targetType = sizing.targetType;
      sizingReason = sizing.reason;
    } else {
      failures.push(
        new Vmware2scwError({
          code: 'NO_TARGET_TYPE',
          message: `No Scaleway type in ${target.zone} fits ${vm.name}: ${sizing.reason}`,
          remediation: 'Set target_type for this VM in the plan.',
        }),
      );
    }
  }
  const type = targetType ? findServerType(catalog, targetType) : undefined;
  if (targetType && !type) {
    failures.push(
      new Vmware2scwError({
        code: 'TARGET_TYPE_UNKNOWN',
        message: `${vm.name}: target type ${targetType} is not offered in ${target.zone} (catalog ${catalog.source} of ${catalog.pricedAt})`,
        remediation:
          'Pick a type listed for the zone (GET /vms/assessment shows the recommended ones).',
      }),
    );
  }
  if (type?.availability === 'shortage') {
    failures.push(
      new Vmware2scwError({
        code: 'TARGET_TYPE_OUT_OF_STOCK',
        message: `${vm.name}: ${targetType} is out of stock in ${target.zone}`,
        remediation:
          'Pick another type (an alternative of the sizing) or another zone, or retry later.',
      }),
    );
  }
  const report = evaluateConcerns({
    vm,
    zone: target.zone,
    ...(targetType
      ? { target: { name: targetType, ...(type ? { type } : {}) } }
      : {}),
    catalog,
  });
  const critical = report.concerns.filter(c => c.severity === 'critical');
  if (critical.length) {
    failures.push(
      new Vmware2scwError({
        code: 'VALIDATE_CRITICAL_CONCERNS',
        message: `${vm.name} cannot be migrated: ${critical
          .map(
            c =>
              `${c.label}${c.subject ? ` (${c.subject})` : ''}: ${
                c.assessment
              }`,
          )
          .join('; ')}`,
        remediation: critical.map(c => c.remediation).join(' '),
        details: { concerns: critical },
      }),
    );
  }
  if (failures.length || !targetType) return { failures };
  const { method, reason } = chooseExportMethod(vm, exportMethod);
  return {
    failures,
    outputs: {
      concerns: report.concerns,
      targetType,
      zone: target.zone,
      osFamily: vm.osFamily,
      exportMethod: method,
      exportMethodReason: reason,
      priorSnapshots: vm.snapshotCount,
      disks: migrationDisks(vm),
      ...(sizingReason ? { sizingReason } : {}),
    },
  };
}

/**
 * validate: the VM as vCenter describes it now, the concern rules (the same engine as the estimate),
 * the target type offered and in stock in the zone, and what this release can convert. Refuses with
 * every blocking reason, before anything is created.
 */
export function createValidateExecutor(deps: ValidateDeps): StageExecutor {
  return {
    stage: 'validate',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const { migration } = ctx;
      const vm = await deps.vcenters.readVm(
        migration.sourceId,
        migration.moref,
        ctx.signal,
      );
      const catalog = await deps.catalog(migration.zone);
      const { outputs, failures } = checkVm(
        vm,
        {
          vmName: migration.vmName,
          zone: migration.zone,
          targetType: migration.targetType,
        },
        catalog,
        deps.exportMethod,
      );
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) {
        throw new Vmware2scwError({
          code: failures[0].code,
          message: failures.map(f => f.message).join(' — '),
          remediation: failures.map(f => f.remediation).join(' '),
          details: { failures: failures.map(f => f.toBody()) },
        });
      }
      return { outputs: outputs as unknown as Record<string, unknown> };
    },
  };
}

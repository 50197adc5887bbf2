import {
  isScalewayZone,
  Vmware2scwError,
  type ApiModel,
  type ScalewayZone,
} from '@internal/plugin-vmware2scw-common';
import type {
  CreatedServer,
  GatewayCallOptions,
  GatewayDisk,
  GatewayProgress,
  IpExpectation,
  ScalewayGateway,
} from '@internal/plugin-vmware2scw-node';
import type {
  StageContext,
  StageExecutor,
  StageOutcome,
} from '../StageExecutor';
import {
  outputOf,
  type ConvertedDisk,
  type ImportScwOutputs,
  type MigrationDisk,
  type VerifyCheck,
  type VerifyOutputs,
} from './outputs';

export interface ScalewayStageDeps {
  gateway: ScalewayGateway;
  /**
   * What verify does: create a server of the target type from the image and check it (default), or
   * only check the image; and which IP the server must have (default a public one).
   */
  verify?: { createServer?: boolean; ip?: IpExpectation };
}

/** What the migration made at Scaleway: the migrated VM once verify passes, leftovers until then. */
const SCW_KINDS: ReadonlyArray<ApiModel.Leftover['kind']> = [
  'scw_snapshot',
  'scw_image',
  'scw_server',
  'scw_volume',
];

/** The zone of the migration: the one validate chose, else the migration's. */
function zoneOf(ctx: StageContext): ScalewayZone {
  const validated = (ctx.outputs.validate as { zone?: string } | undefined)
    ?.zone;
  const zone = validated ?? ctx.migration.zone;
  if (!isScalewayZone(zone))
    throw new Vmware2scwError({
      code: 'ZONE_INVALID',
      message: `${ctx.migration.vmName}: zone "${zone}" is not a Scaleway zone`,
      remediation:
        'Set defaults.zone of the plan to a Scaleway zone (fr-par-1, nl-ams-1 ...) and start a new batch.',
    });
  return zone;
}

/**
 * The Scaleway tags of the migration's resources: the plan's `defaults.tags`, then the VM's vSphere
 * tags as `category=name` (commas are tag separators at Scaleway, so they become spaces).
 */
function tagsOf(ctx: StageContext): string[] {
  const vmTags = (ctx.migration.vm.tags ?? []).map(t =>
    t.category ? `${t.category}=${t.name}` : t.name,
  );
  return [
    ...new Set(
      [...ctx.batch.settings.tags, ...vmTags]
        .map(t => t.replace(/,/g, ' ').trim().slice(0, 128))
        .filter(Boolean),
    ),
  ];
}

/**
 * Virtual size of each disk's qcow2: ensure_uefi may have grown the boot disk (an ESP appended), so
 * the largest of what convert, ensure_uefi and vSphere said; Scaleway refuses a size below it.
 */
function virtualSizes(ctx: StageContext, disks: MigrationDisk[]) {
  const converted = new Map(
    (
      (ctx.outputs.convert as { disks?: ConvertedDisk[] } | undefined)?.disks ??
      []
    ).map(d => [d.disk, d.virtualSize]),
  );
  const uefi = Number(
    (ctx.outputs.ensure_uefi as { result?: { virtualSize?: unknown } })?.result
      ?.virtualSize ?? 0,
  );
  return disks.map((d, i) =>
    Math.max(
      d.capacityBytes,
      converted.get(d.name) ?? 0,
      i === 0 && Number.isFinite(uefi) ? uefi : 0,
    ),
  );
}

/** The uploaded disks as the gateway takes them: the boot disk (disk-0) is the system disk. */
function gatewayDisks(ctx: StageContext): GatewayDisk[] {
  const validated = outputOf(ctx.outputs, 'validate');
  const uploaded = new Map(
    outputOf(ctx.outputs, 'upload_s3').disks.map(d => [d.disk, d]),
  );
  const sizes = virtualSizes(ctx, validated.disks);
  return validated.disks.map((d, i) => {
    const object = uploaded.get(d.name);
    if (!object)
      throw new Vmware2scwError({
        code: 'STAGE_OUTPUTS_MISSING',
        message: `${ctx.migration.vmName}: disk "${d.label}" (${d.name}) has no uploaded object in the upload_s3 outputs`,
        remediation:
          'Retry the migration from upload_s3 (POST /migrations/{id}/retry runs it again).',
      });
    return {
      id: d.name,
      label: d.label,
      bucket: object.bucket,
      key: object.key,
      sizeBytes: sizes[i],
      system: i === 0,
    };
  });
}

/**
 * The gateway's progress as the stage's: the last step in `phase`, each disk done or not. Every
 * Scaleway resource the gateway names is recorded as a leftover at once (before the waits), so a
 * failure or a cancel leaves nothing unlisted.
 */
function gatewayCall(
  ctx: StageContext,
  disks: Array<{ id: string; sizeBytes: number }>,
  zone: string,
  pending: Array<Promise<void>>,
): GatewayCallOptions {
  const done = new Set<string>();
  const seen = new Set<string>();
  const kinds: Record<GatewayProgress['resource'], ApiModel.Leftover['kind']> =
    {
      snapshot: 'scw_snapshot',
      image: 'scw_image',
      server: 'scw_server',
      // A server's Block volumes go with it (deleteServer removes them).
      volume: 'scw_server',
    };
  return {
    signal: ctx.signal,
    onProgress: event => {
      if (
        event.id &&
        event.resource !== 'volume' &&
        event.state !== 'deleted' &&
        !seen.has(event.id)
      ) {
        seen.add(event.id);
        const leftover = {
          kind: kinds[event.resource],
          id: event.id,
          where: zone,
        };
        // One record after the other: each reads the list and writes it back (two disks' snapshots
        // are named at the same moment).
        const previous = pending[pending.length - 1] ?? Promise.resolve();
        pending.push(
          previous
            .catch(() => undefined)
            .then(() => ctx.recordLeftovers([leftover])),
        );
      }
      if (
        event.diskId &&
        (event.state === 'available' || event.state === 'in_use')
      )
        done.add(event.diskId);
      ctx.progress({
        phase: event.message,
        disks: disks.map(d => ({
          disk: d.id,
          bytesDone: done.has(d.id) ? d.sizeBytes : 0,
          bytesTotal: d.sizeBytes,
        })),
      });
    },
  };
}

/**
 * import_scw: one Block snapshot per uploaded qcow2 (`importSnapshotFromObjectStorage`, waited to
 * `available` with a timeout sized to the disk), then an image whose root volume is the boot disk's
 * snapshot and whose extra volumes are the others'. A second run (retry, crash) adopts what the first
 * made: the gateway looks the resources up by the migration's tag before creating any.
 */
export function createImportScwExecutor(
  deps: ScalewayStageDeps,
): StageExecutor {
  return {
    stage: 'import_scw',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const started = Date.now();
      const zone = zoneOf(ctx);
      const disks = gatewayDisks(ctx);
      const tags = tagsOf(ctx);
      const pending: Array<Promise<void>> = [];
      const call = gatewayCall(ctx, disks, zone, pending);
      try {
        const imported = await deps.gateway.importDisks(
          {
            migrationId: ctx.migration.id,
            vmName: ctx.migration.vmName,
            zone,
            disks,
            tags,
          },
          call,
        );
        await ctx.checkpoint({
          snapshots: imported.disks.map(d => d.snapshotId),
        });
        const image = await deps.gateway.createImage(
          {
            migrationId: ctx.migration.id,
            vmName: ctx.migration.vmName,
            zone,
            disks: imported.disks,
            tags,
          },
          call,
        );
        await Promise.all(pending);
        const labels = new Map(disks.map(d => [d.id, d]));
        const outputs: ImportScwOutputs = {
          zone,
          snapshots: imported.disks.map(d => ({
            disk: d.diskId,
            label: labels.get(d.diskId)?.label ?? d.diskId,
            system: d.system,
            snapshotId: d.snapshotId,
            snapshotName: d.snapshotName,
            sizeBytes: d.sizeBytes,
            adopted: d.adopted,
            durationMs: d.durationMs,
          })),
          imageId: image.imageId,
          imageName: image.imageName,
          imageAdopted: image.adopted,
          tags,
          durationMs: Date.now() - started,
        };
        return {
          outputs: outputs as unknown as Record<string, unknown>,
          bytes: imported.disks.reduce((s, d) => s + d.sizeBytes, 0),
        };
      } finally {
        await Promise.allSettled(pending);
      }
    },
  };
}

/** The checks that failed, one line each, for the error's message. */
function failedChecks(checks: VerifyCheck[]): string {
  return checks
    .filter(c => !c.ok)
    .map(c => `${c.id}${c.diskId ? ` (${c.diskId})` : ''}: ${c.message}`)
    .join('; ');
}

/**
 * verify: a server of the target type from the image (Block volumes, local boot, the plan's and the
 * VM's tags, the VM's name), powered on and waited to `running`, then checked: state, commercial type,
 * volume count and sizes against the source disks, the IP, the boot signal the API gives. With
 * `createServer: false`, only the image is checked (available, every disk at its size). A failed check
 * fails the stage with every failed check named; the server stays listed for the cleanup.
 */
export function createVerifyExecutor(deps: ScalewayStageDeps): StageExecutor {
  const createServer = deps.verify?.createServer ?? true;
  const ip: IpExpectation = deps.verify?.ip ?? 'public';
  return {
    stage: 'verify',
    async execute(ctx: StageContext): Promise<StageOutcome> {
      const zone = zoneOf(ctx);
      const validated = outputOf(ctx.outputs, 'validate');
      const imported = outputOf(ctx.outputs, 'import_scw');
      const sizes = virtualSizes(ctx, validated.disks);
      const disks = validated.disks.map((d, i) => ({
        id: d.name,
        label: d.label,
        sizeBytes: sizes[i],
        system: i === 0,
      }));
      const pending: Array<Promise<void>> = [];
      const call = gatewayCall(ctx, disks, zone, pending);
      const commercialType = validated.targetType ?? ctx.migration.targetType;
      if (createServer && !commercialType) {
        throw new Vmware2scwError({
          code: 'STAGE_OUTPUTS_MISSING',
          message: `${ctx.migration.vmName}: validate recorded no target type for the server`,
          remediation:
            'Retry the migration from validate (POST /migrations/{id}/retry runs it again), or set target_type for this VM in the plan.',
        });
      }
      let outputs: VerifyOutputs;
      try {
        if (!createServer || !commercialType) {
          const checked = await deps.gateway.verifyImage(
            { imageId: imported.imageId, zone, disks },
            call,
          );
          outputs = {
            mode: 'image',
            ok: checked.ok,
            imageId: imported.imageId,
            state: checked.state,
            checks: checked.checks,
          };
        } else {
          const server: CreatedServer = await deps.gateway.createServer(
            {
              migrationId: ctx.migration.id,
              vmName: ctx.migration.vmName,
              zone,
              imageId: imported.imageId,
              commercialType,
              tags: tagsOf(ctx),
              ip,
            },
            call,
          );
          await ctx.checkpoint({ serverId: server.serverId });
          const checked = await deps.gateway.verifyServer(
            {
              serverId: server.serverId,
              zone,
              commercialType,
              disks,
              ip,
            },
            call,
          );
          outputs = {
            mode: 'server',
            ok: checked.ok,
            imageId: imported.imageId,
            serverId: server.serverId,
            serverName: server.serverName,
            commercialType,
            state: checked.state,
            stateDetail: checked.stateDetail,
            publicIps: checked.ips.public,
            privateIp: checked.ips.private,
            volumes: server.volumes,
            adopted: server.adopted,
            checks: checked.checks,
          };
        }
        await Promise.all(pending);
      } finally {
        await Promise.allSettled(pending);
      }
      if (!outputs.ok) {
        await ctx.checkpoint({ verification: outputs });
        const what =
          outputs.mode === 'server'
            ? `server ${outputs.serverId}`
            : `image ${outputs.imageId}`;
        throw new Vmware2scwError({
          code: 'VERIFY_CHECKS_FAILED',
          message: `${
            ctx.migration.vmName
          }: ${what} failed its checks: ${failedChecks(outputs.checks)}`,
          remediation: `Look at ${what} in the Scaleway console (zone ${zone}); fix what the failed checks name and retry verify, or cancel and clean the migration up (its Scaleway resources are listed as leftovers).`,
          details: { verification: outputs, zone },
        });
      }
      // The snapshots, the image and the server are now the migrated VM: no longer leftovers.
      await ctx.clearLeftovers(l => SCW_KINDS.includes(l.kind));
      return { outputs: outputs as unknown as Record<string, unknown> };
    },
  };
}

/** The Scaleway stages, as the registry takes them. */
export function createScalewayExecutors(
  deps: ScalewayStageDeps,
): StageExecutor[] {
  return [createImportScwExecutor(deps), createVerifyExecutor(deps)];
}

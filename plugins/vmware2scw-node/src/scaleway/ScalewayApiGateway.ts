import {
  IMPORT_MAX_BYTES,
  IMPORT_MIN_BYTES,
  SYSTEM_VOLUME_MIN_BYTES,
  zoneRegion,
  type ScalewayZone,
} from '@internal/plugin-vmware2scw-common';
import { Blockv1 } from '@scaleway/sdk-block';
import { Errors, type Zone } from '@scaleway/sdk-client';
import { Instancev1 } from '@scaleway/sdk-instance';
import type { z } from 'zod';
import type { ScalewayConfig } from '../config';
import {
  diskIdOfTags,
  diskTag,
  imageName,
  migrationTag,
  resourcePrefix,
  resourceTags,
  snapshotName,
  volumeName,
} from './MigrationResourceNaming';
import {
  createImageRequestSchema,
  createServerRequestSchema,
  importDisksRequestSchema,
  verifyImageRequestSchema,
  verifyServerRequestSchema,
  type CreatedImage,
  type CreatedServer,
  type CreateImageRequest,
  type CreateServerRequest,
  type DeletionResult,
  type FindByMigrationRequest,
  type GatewayCallOptions,
  type GatewayDisk,
  type GatewayProgress,
  type ImportDisksRequest,
  type IpExpectation,
  type ImportDisksResult,
  type ImportedDisk,
  type MigrationResources,
  type ScalewayGateway,
  type VerificationCheck,
  type VerifyImageRequest,
  type ImageVerification,
  type ServerVerification,
  type VerifyServerRequest,
} from './ScalewayGateway';
import {
  ScalewayGatewayError,
  ScalewayImageRejectedError,
  ScalewayResourceFailedError,
  ScalewayTimeoutError,
  type ScalewayErrorSubject,
} from './ScalewayGatewayError';
import {
  scalewayErrorFrom,
  type ScalewayErrorContext,
} from './scalewayErrorFrom';
import { redact } from './redact';
import {
  scalewaySdkClient,
  type ScalewayClientConfig,
} from './scalewaySdkClient';
import { SignalScopedHttpClient } from './SignalScopedHttpClient';
import {
  pollUntilSettled,
  systemClock,
  type GatewayClock,
  type PollDelays,
} from './StatePoller';

/** How long each wait may take before the gateway gives up (the resource may still get there). */
export interface GatewayTimeouts {
  /** Import of one disk: `importBaseMs + importPerGiBMs × virtual GiB`. */
  importBaseMs: number;
  importPerGiBMs: number;
  imageMs: number;
  /** From `poweron` to `running`. */
  serverRunningMs: number;
  /** From `terminate` to the server being gone, and a volume being released. */
  serverDeleteMs: number;
}

/**
 * Recorded: 3.5 min for a 1 GiB qcow2 of 196 KB, so most of it is fixed cost; the per-GiB allowance is
 * a generous ceiling for the data (a 1 TB disk may take up to ~17 h before the gateway gives up).
 */
export const DEFAULT_GATEWAY_TIMEOUTS: GatewayTimeouts = {
  importBaseMs: 15 * 60_000,
  importPerGiBMs: 60_000,
  imageMs: 15 * 60_000,
  serverRunningMs: 20 * 60_000,
  serverDeleteMs: 10 * 60_000,
};

/** The import timeout of a disk of that virtual size. */
export function importTimeoutMs(
  sizeBytes: number,
  timeouts: Pick<
    GatewayTimeouts,
    'importBaseMs' | 'importPerGiBMs'
  > = DEFAULT_GATEWAY_TIMEOUTS,
): number {
  return (
    timeouts.importBaseMs +
    Math.ceil(sizeBytes / 2 ** 30) * timeouts.importPerGiBMs
  );
}

/** Block volumes: 5 GB to 10 TB (scaleway.md §2); sizes are whole GB. */
const BLOCK_VOLUME_MIN_BYTES = 5e9;
const wholeGb = (bytes: number) => Math.ceil(bytes / 1e9) * 1e9;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

const SNAPSHOT_SETTLED = (s: Blockv1.Snapshot) =>
  !Blockv1.SNAPSHOT_TRANSIENT_STATUSES.includes(s.status);
const SNAPSHOT_USABLE = new Set<Blockv1.SnapshotStatus>([
  'available',
  'in_use',
]);

/** What the `ip` check of `verifyServer` expects, per plan setting. */
const IP_CHECKS: Record<
  IpExpectation,
  {
    ok: (hasPublic: boolean, onPrivateNetwork: boolean) => boolean;
    expected: string;
    failure: string;
  }
> = {
  public: {
    ok: hasPublic => hasPublic,
    expected: 'a public IP',
    failure: 'no public IP attached',
  },
  private: {
    ok: (_, onPrivateNetwork) => onPrivateNetwork,
    expected: 'a private IP or Private Network',
    failure: 'no private IP: attach the server to a Private Network',
  },
  none: {
    ok: hasPublic => !hasPublic,
    expected: 'no public IP',
    failure: 'a public IP is attached although none was asked',
  },
};

export interface ScalewayApiGatewayOptions {
  block: Pick<
    Blockv1.API,
    | 'importSnapshotFromObjectStorage'
    | 'getSnapshot'
    | 'listSnapshots'
    | 'deleteSnapshot'
    | 'getVolume'
    | 'listVolumes'
    | 'deleteVolume'
  >;
  instance: Pick<
    Instancev1.API,
    | 'createImage'
    | 'getImage'
    | 'listImages'
    | 'deleteImage'
    | 'createServer'
    | 'getServer'
    | 'listServers'
    | 'serverAction'
    | 'deleteServer'
  >;
  defaultZone: ScalewayZone;
  projectId: string;
  /** Region of the transit bucket: imports into a zone of another region are refused before any call. */
  bucketRegion?: string;
  /** Values never to show in an error or a progress message (the API keys). */
  secrets?: readonly string[];
  /** The HTTP client the SDK was built with, to carry each call's AbortSignal. */
  http?: SignalScopedHttpClient;
  clock?: GatewayClock;
  timeouts?: Partial<GatewayTimeouts>;
  pollDelays?: Partial<PollDelays>;
}

interface Call {
  signal?: AbortSignal;
  emit(event: Omit<GatewayProgress, 'elapsedMs'>): void;
  elapsed(): number;
}

/**
 * The Scaleway gateway on the official SDK (`@scaleway/sdk-block` for snapshots and volumes,
 * `@scaleway/sdk-instance` for images and servers): no hand-written Scaleway HTTP. See
 * `ScalewayGateway` for the contract and README.md ("Scaleway gateway") for the flow.
 */
export class ScalewayApiGateway implements ScalewayGateway {
  private readonly clock: GatewayClock;
  private readonly timeouts: GatewayTimeouts;
  private readonly delays: PollDelays;
  private readonly secrets: readonly string[];
  private readonly http: SignalScopedHttpClient;

  constructor(private readonly options: ScalewayApiGatewayOptions) {
    this.clock = options.clock ?? systemClock;
    this.timeouts = { ...DEFAULT_GATEWAY_TIMEOUTS, ...options.timeouts };
    this.delays = { minMs: 1000, maxMs: 30_000, ...options.pollDelays };
    this.secrets = options.secrets ?? [];
    this.http = options.http ?? new SignalScopedHttpClient();
  }

  /** From the `vmware2scw.scaleway` configuration (keys, project, zone, bucket region, API URL). */
  static fromConfig(
    config: ScalewayClientConfig & Partial<Pick<ScalewayConfig, 's3Region'>>,
    options: Omit<
      ScalewayApiGatewayOptions,
      'block' | 'instance' | 'defaultZone' | 'projectId' | 'secrets' | 'http'
    > & { requestTimeoutMs?: number } = {},
  ): ScalewayApiGateway {
    const http = new SignalScopedHttpClient(options.requestTimeoutMs);
    let client;
    try {
      client = scalewaySdkClient(config, http.fetch);
    } catch (e) {
      throw new ScalewayGatewayError({
        code: 'SCW_CONFIG_INVALID',
        message: `The Scaleway client cannot be set up: ${
          (e as Error).message
        }`,
        remediation:
          'Check vmware2scw.scaleway: accessKey is SCW followed by 17 letters or digits, secretKey a UUID, apiUrl without a trailing slash.',
        subject: { kind: 'config' },
      });
    }
    return new ScalewayApiGateway({
      ...options,
      block: new Blockv1.API(client),
      instance: new Instancev1.API(client),
      defaultZone: config.defaultZone,
      projectId: config.projectId,
      bucketRegion: config.s3Region ?? zoneRegion(config.defaultZone),
      secrets: [config.secretKey, config.accessKey],
      http,
    });
  }

  // --- import_scw ------------------------------------------------------------------------------

  importDisks(
    request: ImportDisksRequest,
    options: GatewayCallOptions = {},
  ): Promise<ImportDisksResult> {
    return this.call(options, async call => {
      const req = this.parse(importDisksRequestSchema, request, 'importDisks');
      const zone = req.zone ?? this.options.defaultZone;
      this.checkImportable(req.disks, zone);
      const existing = await this.step(
        {
          action: `listing the snapshots of migration ${req.migrationId}`,
          zone,
        },
        call,
        () => this.snapshotsOfMigration(zone, req.migrationId),
      );
      // One disk failing stops the waits of the others (their imports go on at Scaleway and are
      // adopted by the next attempt).
      const siblings = new AbortController();
      const stop = () => siblings.abort(call.signal?.reason);
      call.signal?.addEventListener('abort', stop, { once: true });
      const diskCall: Call = {
        ...call,
        signal: call.signal
          ? AbortSignal.any([call.signal, siblings.signal])
          : siblings.signal,
      };
      try {
        const disks = await Promise.all(
          req.disks.map(disk =>
            this.importDisk(req, zone, disk, existing, diskCall).catch(e => {
              siblings.abort(e);
              throw e;
            }),
          ),
        );
        return { zone, disks };
      } finally {
        call.signal?.removeEventListener('abort', stop);
      }
    });
  }

  private checkImportable(disks: GatewayDisk[], zone: string) {
    const region = zoneRegion(zone);
    const bucketRegion = this.options.bucketRegion;
    if (bucketRegion && bucketRegion !== region)
      throw new ScalewayGatewayError({
        code: 'SCW_BUCKET_REGION',
        message: `Cannot import into ${zone}: the transit bucket ${disks[0].bucket} is in ${bucketRegion}, and Block imports read only buckets of the zone's region (${region})`,
        remediation: `Migrate to a zone of ${bucketRegion} (plan defaults.zone), or configure a transit bucket in ${region} (vmware2scw.scaleway.transitBucket and s3Region).`,
        subject: {
          kind: 'disk',
          diskId: disks[0].id,
          diskLabel: disks[0].label,
        },
      });
    for (const d of disks) {
      if (d.sizeBytes < IMPORT_MIN_BYTES || d.sizeBytes > IMPORT_MAX_BYTES)
        throw new ScalewayImageRejectedError({
          code: 'SCW_DISK_SIZE_OUT_OF_RANGE',
          message: `Disk "${d.label}" (${d.id}) is ${gb(
            d.sizeBytes,
          )}: Scaleway imports disks of ${IMPORT_MIN_BYTES / 1e9} GB to ${
            IMPORT_MAX_BYTES / 1e12
          } TB (decimal units)`,
          remediation:
            'Grow a smaller disk to 1 GB (in vSphere, or qemu-img resize) or shrink a larger one below 1 TB, then export it again; or leave the disk out of the migration.',
          subject: { kind: 'disk', diskId: d.id, diskLabel: d.label },
        });
    }
  }

  private async importDisk(
    req: z.infer<typeof importDisksRequestSchema>,
    zone: string,
    disk: GatewayDisk,
    existing: Blockv1.Snapshot[],
    call: Call,
  ): Promise<ImportedDisk> {
    const started = this.clock.now();
    const subject: ScalewayErrorSubject = {
      kind: 'disk',
      diskId: disk.id,
      diskLabel: disk.label,
    };
    const context: Omit<ScalewayErrorContext, 'secrets'> = {
      action: `Import of disk "${disk.label}" (${disk.id}) from s3://${disk.bucket}/${disk.key} into ${zone}`,
      subject,
      zone,
      disk,
    };
    const mine = (list: Blockv1.Snapshot[]) =>
      list.filter(s => diskIdOfTags(s.tags) === disk.id);
    let candidates = mine(existing);
    // A snapshot left in `error` by an earlier attempt is removed: importing again is the retry.
    for (const failed of candidates.filter(s => s.status === 'error')) {
      await this.step(
        {
          ...context,
          action: `${context.action}: removing failed snapshot ${failed.id}`,
        },
        call,
        () =>
          this.options.block.deleteSnapshot({
            zone: zone as Zone,
            snapshotId: failed.id,
          }),
      );
      call.emit({
        resource: 'snapshot',
        id: failed.id,
        diskId: disk.id,
        state: 'deleted',
        message: `disk ${disk.label}: removed snapshot ${failed.id} left in error by an earlier attempt`,
      });
    }
    candidates = candidates.filter(s => s.status !== 'error');
    let snapshot = preferUsable(candidates);
    let adopted = Boolean(snapshot);
    if (snapshot) {
      call.emit({
        resource: 'snapshot',
        id: snapshot.id,
        diskId: disk.id,
        state: 'adopted',
        message: `disk ${disk.label}: adopted snapshot ${snapshot.id} (${snapshot.status}) from an earlier attempt`,
      });
    } else {
      const name = snapshotName(req.migrationId, disk.id);
      try {
        snapshot = await this.step(context, call, () =>
          this.options.block.importSnapshotFromObjectStorage({
            zone: zone as Zone,
            bucket: disk.bucket,
            key: disk.key,
            name,
            size: disk.sizeBytes,
            tags: resourceTags(req.migrationId, req.tags, diskTag(disk.id)),
            projectId: this.options.projectId,
          }),
        );
      } catch (e) {
        // The answer may have been lost after Scaleway accepted the import: look before failing.
        const found = await this.findAfterLostAnswer(e, call, () =>
          this.snapshotsOfMigration(zone, req.migrationId).then(l =>
            preferUsable(mine(l)),
          ),
        );
        if (!found) throw e;
        snapshot = found;
        adopted = true;
      }
      call.emit({
        resource: 'snapshot',
        id: snapshot.id,
        diskId: disk.id,
        state: 'requested',
        message: `disk ${disk.label}: import requested as snapshot ${snapshot.id}`,
      });
    }
    const timeoutMs = importTimeoutMs(disk.sizeBytes, this.timeouts);
    const snapshotId = snapshot.id;
    const settled = SNAPSHOT_SETTLED(snapshot)
      ? snapshot
      : await this.wait(
          {
            ...context,
            subject: { ...subject, kind: 'snapshot', id: snapshotId },
          },
          call,
          {
            read: () =>
              this.options.block.getSnapshot({
                zone: zone as Zone,
                snapshotId,
              }),
            settled: SNAPSHOT_SETTLED,
            state: s => s.status,
            timeoutMs,
            progress: s => ({
              resource: 'snapshot',
              id: snapshotId,
              diskId: disk.id,
              state: s.status,
              message: `disk ${disk.label}: snapshot ${snapshotId} ${s.status}`,
            }),
          },
        );
    if (!SNAPSHOT_USABLE.has(settled.status))
      throw new ScalewayResourceFailedError({
        code: 'SCW_IMPORT_FAILED',
        message: `${context.action}: snapshot ${snapshotId} ended in status "${settled.status}" (the Block API gives no reason for a failed import)`,
        remediation: `Check the image on the runner (qemu-img check; qemu-img info must show format qcow2, no backing file, compression type zlib), upload it again and run import_scw again: the failed snapshot is removed first.`,
        subject: { ...subject, kind: 'snapshot', id: snapshotId },
        scalewayMessage: `snapshot status ${settled.status}`,
      });
    return {
      diskId: disk.id,
      system: disk.system,
      snapshotId,
      snapshotName: settled.name,
      sizeBytes: settled.size,
      adopted,
      durationMs: this.clock.now() - started,
    };
  }

  createImage(
    request: CreateImageRequest,
    options: GatewayCallOptions = {},
  ): Promise<CreatedImage> {
    return this.call(options, async call => {
      const started = this.clock.now();
      const req = this.parse(createImageRequestSchema, request, 'createImage');
      const zone = req.zone ?? this.options.defaultZone;
      const root = req.disks.find(d => d.system)!;
      const extras = req.disks.filter(d => !d.system);
      const extraSnapshotIds = Object.fromEntries(
        extras.map((d, i) => [String(i + 1), d.snapshotId]),
      );
      const name = imageName(req.migrationId, req.vmName);
      const context = {
        action: `Creation of image ${name} for VM ${req.vmName} in ${zone}`,
        zone,
        subject: { kind: 'image' as const },
      };
      const same = (i: Instancev1.Image) =>
        i.rootVolume?.id === root.snapshotId &&
        sameRecord(
          Object.fromEntries(
            Object.entries(i.extraVolumes ?? {}).map(([k, v]) => [k, v.id]),
          ),
          extraSnapshotIds,
        );
      const existing = await this.step(context, call, () =>
        this.imagesOfMigration(zone, req.migrationId),
      );
      // An image of an earlier attempt that links other snapshots (disks imported again) or failed is
      // replaced; one that matches is adopted.
      for (const stale of existing.filter(
        i => !same(i) || i.state === 'error',
      )) {
        await this.step(
          {
            ...context,
            action: `${context.action}: removing stale image ${stale.id}`,
          },
          call,
          () =>
            this.options.instance.deleteImage({
              zone: zone as Zone,
              imageId: stale.id,
            }),
        );
        call.emit({
          resource: 'image',
          id: stale.id,
          state: 'deleted',
          message: `removed image ${stale.id} of an earlier attempt (${stale.state}, other snapshots)`,
        });
      }
      let adopted = false;
      const create = async (): Promise<Instancev1.Image> => {
        let created: Instancev1.Image;
        try {
          created = await this.step(context, call, () =>
            this.options.instance
              .createImage({
                zone: zone as Zone,
                name,
                rootVolume: root.snapshotId,
                arch: req.arch,
                // Only the snapshot id, as the CLI's `additional-volumes.N.id` sends it.
                extraVolumes: Object.fromEntries(
                  Object.entries(extraSnapshotIds).map(([k, id]) => [
                    k,
                    { id } as Instancev1.VolumeTemplate,
                  ]),
                ),
                tags: resourceTags(req.migrationId, req.tags),
                project: this.options.projectId,
                public: false,
              })
              .then(r => r.image!),
          );
        } catch (e) {
          const found = await this.findAfterLostAnswer(e, call, () =>
            this.imagesOfMigration(zone, req.migrationId).then(l =>
              l.find(i => same(i) && i.state !== 'error'),
            ),
          );
          if (!found) throw e;
          created = found;
          adopted = true;
        }
        call.emit({
          resource: 'image',
          id: created.id,
          state: 'requested',
          message: `image ${created.id} requested`,
        });
        return created;
      };
      const earlier = existing.find(i => same(i) && i.state !== 'error');
      if (earlier)
        call.emit({
          resource: 'image',
          id: earlier.id,
          state: 'adopted',
          message: `adopted image ${earlier.id} (${earlier.state}) from an earlier attempt`,
        });
      if (earlier) adopted = true;
      const image = earlier ?? (await create());
      const imageId = image.id;
      const settled =
        image.state === 'creating'
          ? await this.wait(
              { ...context, subject: { kind: 'image', id: imageId } },
              call,
              {
                read: () =>
                  this.options.instance
                    .getImage({ zone: zone as Zone, imageId })
                    .then(r => r.image!),
                settled: i => i.state !== 'creating',
                state: i => i.state,
                timeoutMs: this.timeouts.imageMs,
                progress: i => ({
                  resource: 'image',
                  id: imageId,
                  state: i.state,
                  message: `image ${imageId} ${i.state}`,
                }),
              },
            )
          : image;
      if (settled.state !== 'available')
        throw new ScalewayResourceFailedError({
          code: 'SCW_IMAGE_FAILED',
          message: `${context.action}: image ${imageId} ended in state "${settled.state}"`,
          remediation:
            'Run import_scw again: the failed image is replaced. If it fails again, check the snapshots in the Scaleway console (Block Storage > Snapshots) for an error.',
          subject: { kind: 'image', id: imageId },
          scalewayMessage: `image state ${settled.state}`,
        });
      return {
        imageId,
        imageName: settled.name,
        rootSnapshotId: root.snapshotId,
        extraSnapshotIds,
        adopted,
        durationMs: this.clock.now() - started,
      };
    });
  }

  // --- verify ----------------------------------------------------------------------------------

  createServer(
    request: CreateServerRequest,
    options: GatewayCallOptions = {},
  ): Promise<CreatedServer> {
    return this.call(options, async call => {
      const started = this.clock.now();
      const req = this.parse(
        createServerRequestSchema,
        request,
        'createServer',
      );
      const zone = req.zone ?? this.options.defaultZone;
      const name = req.name ?? req.vmName;
      const context: Omit<ScalewayErrorContext, 'secrets'> = {
        action: `Creation of server ${name} (${req.commercialType}) in ${zone}`,
        zone,
        subject: { kind: 'server' },
        commercialType: req.commercialType,
      };
      const existing = await this.step(context, call, () =>
        this.serversOfMigration(zone, req.migrationId),
      );
      let server = existing[0];
      let adopted = Boolean(server);
      if (server) {
        if (server.image?.id !== req.imageId)
          throw new ScalewayGatewayError({
            code: 'SCW_SERVER_CONFLICT',
            message: `${context.action}: server ${
              server.id
            } of an earlier attempt runs image ${
              server.image?.id ?? 'none'
            }, not ${req.imageId}`,
            remediation: `Delete server ${server.id} (the migration's cleanup does it, or the Scaleway console) and run verify again.`,
            subject: { kind: 'server', id: server.id },
          });
        call.emit({
          resource: 'server',
          id: server.id,
          state: 'adopted',
          message: `adopted server ${server.id} (${server.state}) from an earlier attempt`,
        });
      } else {
        const volumes = await this.step(context, call, () =>
          this.volumeTemplates(zone, req.imageId, req.migrationId),
        );
        try {
          server = await this.step(context, call, () =>
            this.options.instance
              .createServer({
                zone: zone as Zone,
                name,
                commercialType: req.commercialType,
                image: req.imageId,
                volumes,
                bootType: 'local',
                tags: resourceTags(req.migrationId, req.tags),
                dynamicIpRequired: req.ip === 'public',
                project: this.options.projectId,
                protected: false,
              })
              .then(r => r.server!),
          );
        } catch (e) {
          const found = await this.findAfterLostAnswer(e, call, () =>
            this.serversOfMigration(zone, req.migrationId).then(l => l[0]),
          );
          if (!found) throw e;
          server = found;
          adopted = true;
        }
        call.emit({
          resource: 'server',
          id: server.id,
          state: server.state,
          message: `server ${server.id} created (${server.state})`,
        });
      }
      const running = await this.powerOn(zone, server, context, call);
      return {
        serverId: running.id,
        serverName: running.name,
        state: running.state,
        volumes: await this.step(context, call, () =>
          this.serverVolumes(zone, running),
        ),
        publicIps: publicAddresses(running),
        privateIp: running.privateIp ?? null,
        adopted,
        durationMs: this.clock.now() - started,
      };
    });
  }

  /** The server's volumes from the image: root ≥ 10 GB, others ≥ 5 GB, whole GB, named after the migration. */
  private async volumeTemplates(
    zone: string,
    imageId: string,
    migrationId: string,
  ): Promise<Record<string, Instancev1.VolumeServerTemplate>> {
    const image = (
      await this.options.instance.getImage({ zone: zone as Zone, imageId })
    ).image!;
    const snapshots: Array<[string, string]> = [
      ['0', image.rootVolume!.id],
      ...Object.entries(image.extraVolumes ?? {}).map(
        ([k, v]) => [k, v.id] as [string, string],
      ),
    ];
    const templates: Record<string, Instancev1.VolumeServerTemplate> = {};
    for (const [index, snapshotId] of snapshots) {
      const snapshot = await this.options.block.getSnapshot({
        zone: zone as Zone,
        snapshotId,
      });
      const floor =
        index === '0' ? SYSTEM_VOLUME_MIN_BYTES : BLOCK_VOLUME_MIN_BYTES;
      templates[index] = {
        boot: false,
        name: volumeName(migrationId, index),
        size: Math.max(wholeGb(snapshot.size), floor),
        volumeType: 'sbs_volume',
      };
    }
    return templates;
  }

  private async powerOn(
    zone: string,
    initial: Instancev1.Server,
    context: Omit<ScalewayErrorContext, 'secrets'>,
    call: Call,
  ): Promise<Instancev1.Server> {
    const serverId = initial.id;
    const subjectContext = {
      ...context,
      subject: { kind: 'server' as const, id: serverId },
    };
    const read = () =>
      this.options.instance
        .getServer({ zone: zone as Zone, serverId })
        .then(r => r.server!);
    const settle = (timeoutMs: number) =>
      this.wait(subjectContext, call, {
        read,
        settled: s => !Instancev1.SERVER_TRANSIENT_STATUSES.includes(s.state),
        state: s => s.state,
        timeoutMs,
        progress: s => ({
          resource: 'server',
          id: serverId,
          state: s.state,
          message: `server ${serverId} ${s.state}${
            s.stateDetail ? ` (${s.stateDetail})` : ''
          }`,
        }),
      });
    let server = initial;
    if (server.state === 'stopping')
      server = await settle(this.timeouts.serverDeleteMs);
    if (server.state === 'stopped' || server.state === 'stopped in place') {
      await this.step(subjectContext, call, () =>
        this.options.instance.serverAction({
          zone: zone as Zone,
          serverId,
          action: 'poweron',
        }),
      );
      call.emit({
        resource: 'server',
        id: serverId,
        state: 'requested',
        message: `server ${serverId}: power-on requested`,
      });
      server = await settle(this.timeouts.serverRunningMs);
    } else if (server.state === 'starting') {
      server = await settle(this.timeouts.serverRunningMs);
    }
    if (server.state !== 'running')
      throw new ScalewayResourceFailedError({
        code: 'SCW_SERVER_FAILED',
        message: `${context.action}: server ${serverId} is ${server.state}${
          server.stateDetail ? ` (${server.stateDetail})` : ''
        } instead of running`,
        remediation: `Look at server ${serverId} in the Scaleway console (its console shows the boot); run verify again to retry the power-on, or clean the migration up.`,
        subject: { kind: 'server', id: serverId },
        scalewayMessage: `server state ${server.state}${
          server.stateDetail ? `: ${server.stateDetail}` : ''
        }`,
      });
    return server;
  }

  private async serverVolumes(zone: string, server: Instancev1.Server) {
    return Promise.all(
      Object.entries(server.volumes ?? {})
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(async ([index, v]) => ({
          index,
          volumeId: v.id,
          // Server entries of SBS volumes carry no size: the Block API has it (scaleway.md §3).
          sizeBytes: (
            await this.options.block.getVolume({
              zone: zone as Zone,
              volumeId: v.id,
            })
          ).size,
        })),
    );
  }

  verifyServer(
    request: VerifyServerRequest,
    options: GatewayCallOptions = {},
  ): Promise<ServerVerification> {
    return this.call(options, async call => {
      const req = this.parse(
        verifyServerRequestSchema,
        request,
        'verifyServer',
      );
      const zone = req.zone ?? this.options.defaultZone;
      const context = {
        action: `Verification of server ${req.serverId} in ${zone}`,
        zone,
        subject: { kind: 'server' as const, id: req.serverId },
      };
      const server = await this.step(context, call, () =>
        this.options.instance
          .getServer({ zone: zone as Zone, serverId: req.serverId })
          .then(r => r.server!),
      );
      const volumes = await this.step(context, call, () =>
        this.serverVolumes(zone, server),
      );
      const checks: VerificationCheck[] = [];
      const check = (c: VerificationCheck) => checks.push(c);
      check({
        id: 'state',
        ok: server.state === 'running',
        expected: 'running',
        actual: server.state,
        message:
          server.state === 'running'
            ? 'the server is running'
            : `the server is ${server.state}, not running`,
      });
      check({
        id: 'commercial_type',
        ok: server.commercialType === req.commercialType,
        expected: req.commercialType,
        actual: server.commercialType,
        message: `commercial type ${server.commercialType}`,
      });
      check({
        id: 'volume_count',
        ok: volumes.length === req.disks.length,
        expected: String(req.disks.length),
        actual: String(volumes.length),
        message: `${volumes.length} volume(s) for ${req.disks.length} source disk(s)`,
      });
      systemFirst(req.disks).forEach((disk, i) => {
        const volume = volumes.find(v => v.index === String(i));
        check({
          id: 'volume_size',
          diskId: disk.id,
          ok: Boolean(volume && volume.sizeBytes >= disk.sizeBytes),
          expected: `≥ ${gb(disk.sizeBytes)}`,
          actual: volume ? gb(volume.sizeBytes) : 'missing',
          message: volume
            ? `disk "${disk.label}": volume ${volume.volumeId} is ${gb(
                volume.sizeBytes,
              )} for ${gb(disk.sizeBytes)} in vSphere`
            : `disk "${disk.label}": no volume ${i} on the server`,
        });
      });
      const publicIps = publicAddresses(server);
      const privateIp = server.privateIp ?? null;
      const onPrivateNetwork = Boolean(privateIp || server.privateNics?.length);
      const ip = IP_CHECKS[req.ip];
      const ipOk = ip.ok(publicIps.length > 0, onPrivateNetwork);
      check({
        id: 'ip',
        ok: ipOk,
        expected: ip.expected,
        actual:
          [
            ...publicIps,
            ...(privateIp ? [privateIp] : []),
            ...(!privateIp && onPrivateNetwork ? ['private network'] : []),
          ].join(', ') || 'none',
        message: ipOk ? 'IP as the plan asks' : ip.failure,
      });
      // The API's only boot signal is `state_detail`; `running` means the hypervisor started the
      // VM, not that the guest is healthy (scaleway.md §4).
      check({
        id: 'boot_signal',
        ok: server.state === 'running' && Boolean(server.stateDetail),
        expected: 'running with a state detail (e.g. "booting kernel")',
        actual: server.stateDetail || 'none',
        message: `Scaleway reports "${
          server.stateDetail || 'nothing'
        }"; the API has no guest-level boot signal`,
      });
      call.emit({
        resource: 'server',
        id: server.id,
        state: server.state,
        message: `server ${server.id}: ${checks.filter(c => c.ok).length}/${
          checks.length
        } checks passed`,
      });
      return {
        serverId: server.id,
        ok: checks.every(c => c.ok),
        state: server.state,
        stateDetail: server.stateDetail,
        ips: { public: publicIps, private: privateIp },
        checks,
      };
    });
  }

  verifyImage(
    request: VerifyImageRequest,
    options: GatewayCallOptions = {},
  ): Promise<ImageVerification> {
    return this.call(options, async call => {
      const req = this.parse(verifyImageRequestSchema, request, 'verifyImage');
      const zone = (req.zone ?? this.options.defaultZone) as Zone;
      const context = {
        action: `Verification of image ${req.imageId} in ${zone}`,
        zone,
        subject: { kind: 'image' as const, id: req.imageId },
      };
      const image = await this.step(context, call, () =>
        this.options.instance
          .getImage({ zone, imageId: req.imageId })
          .then(r => r.image!),
      );
      const snapshotIds = [
        image.rootVolume!.id,
        ...Object.entries(image.extraVolumes ?? {})
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, v]) => v.id),
      ];
      const snapshots = await this.step(context, call, () =>
        Promise.all(
          snapshotIds.map(snapshotId =>
            this.options.block.getSnapshot({ zone, snapshotId }),
          ),
        ),
      );
      const checks: VerificationCheck[] = [
        {
          id: 'state',
          ok: image.state === 'available',
          expected: 'available',
          actual: image.state,
          message: `image ${image.id} is ${image.state}`,
        },
        {
          id: 'volume_count',
          ok: snapshots.length === req.disks.length,
          expected: String(req.disks.length),
          actual: String(snapshots.length),
          message: `${snapshots.length} snapshot(s) for ${req.disks.length} source disk(s)`,
        },
      ];
      systemFirst(req.disks).forEach((disk, i) => {
        const snapshot = snapshots[i];
        checks.push({
          id: 'volume_size',
          diskId: disk.id,
          ok: Boolean(
            snapshot &&
              snapshot.size >= disk.sizeBytes &&
              SNAPSHOT_USABLE.has(snapshot.status),
          ),
          expected: `≥ ${gb(disk.sizeBytes)}, usable`,
          actual: snapshot
            ? `${gb(snapshot.size)}, ${snapshot.status}`
            : 'missing',
          message: snapshot
            ? `disk "${disk.label}": snapshot ${snapshot.id} is ${gb(
                snapshot.size,
              )} (${snapshot.status}) for ${gb(disk.sizeBytes)} in vSphere`
            : `disk "${disk.label}": the image has no volume ${i}`,
        });
      });
      call.emit({
        resource: 'image',
        id: image.id,
        state: image.state,
        message: `image ${image.id}: ${checks.filter(c => c.ok).length}/${
          checks.length
        } checks passed`,
      });
      return {
        imageId: image.id,
        ok: checks.every(c => c.ok),
        state: image.state,
        checks,
      };
    });
  }

  // --- adoption and the leak guard --------------------------------------------------------------

  findByMigration(
    request: FindByMigrationRequest,
    options: GatewayCallOptions = {},
  ): Promise<MigrationResources> {
    return this.call(options, async call => {
      const zone = request.zone ?? this.options.defaultZone;
      const context = {
        action: `Listing what migration ${request.migrationId} created in ${zone}`,
        zone,
      };
      const [snapshots, images, servers, volumes] = await this.step(
        context,
        call,
        () =>
          Promise.all([
            this.snapshotsOfMigration(zone, request.migrationId),
            this.imagesOfMigration(zone, request.migrationId),
            this.serversOfMigration(zone, request.migrationId),
            this.volumesOfMigration(zone, request.migrationId),
          ]),
      );
      // Sorted by name, so reports and comparisons do not depend on creation races.
      const byName = <T extends { name: string }>(list: T[]) =>
        [...list].sort((a, b) => a.name.localeCompare(b.name));
      return {
        zone,
        snapshots: byName(snapshots).map(s => ({
          id: s.id,
          name: s.name,
          status: s.status,
          ...(diskIdOfTags(s.tags) ? { diskId: diskIdOfTags(s.tags) } : {}),
          sizeBytes: s.size,
        })),
        images: byName(images).map(i => ({
          id: i.id,
          name: i.name,
          state: i.state,
        })),
        servers: byName(servers).map(s => ({
          id: s.id,
          name: s.name,
          state: s.state,
        })),
        volumes: byName(volumes).map(v => {
          const server = v.references.find(
            r => r.productResourceType === 'instance_server',
          );
          return {
            id: v.id,
            name: v.name,
            status: v.status,
            sizeBytes: v.size,
            ...(server ? { serverId: server.productResourceId } : {}),
          };
        }),
      };
    });
  }

  deleteServer(
    request: { serverId: string; zone?: string },
    options: GatewayCallOptions = {},
  ): Promise<DeletionResult> {
    return this.call(options, async call => {
      const zone = (request.zone ?? this.options.defaultZone) as Zone;
      const serverId = request.serverId;
      const context = {
        action: `Deletion of server ${serverId} in ${zone}`,
        zone,
        subject: { kind: 'server' as const, id: serverId },
      };
      const read = () =>
        this.options.instance
          .getServer({ zone, serverId })
          .then(r => r.server ?? null)
          .catch(e => {
            if (e instanceof Errors.ResourceNotFoundError) return null;
            throw e;
          });
      let server = await this.step(context, call, read);
      if (!server) return { deleted: [], alreadyGone: [serverId] };
      const volumeIds = Object.values(server.volumes ?? {})
        .filter(v => v.volumeType === 'sbs_volume')
        .map(v => v.id);
      const progress = (
        s: Instancev1.Server | null,
      ): Omit<GatewayProgress, 'elapsedMs'> => ({
        resource: 'server',
        id: serverId,
        state: s ? s.state : 'deleted',
        message: `server ${serverId} ${s ? s.state : 'deleted'}`,
      });
      if (Instancev1.SERVER_TRANSIENT_STATUSES.includes(server.state))
        server = await this.wait(context, call, {
          read,
          settled: s =>
            !s || !Instancev1.SERVER_TRANSIENT_STATUSES.includes(s.state),
          state: s => (s ? s.state : 'deleted'),
          timeoutMs: this.timeouts.serverRunningMs,
          progress,
        });
      if (server) {
        if (server.state === 'stopped') {
          // `terminate` is not offered on a stopped server: it is deleted directly.
          await this.step(context, call, () =>
            this.options.instance.deleteServer({ zone, serverId }),
          );
        } else {
          await this.step(context, call, () =>
            this.options.instance.serverAction({
              zone,
              serverId,
              action: 'terminate',
            }),
          );
          call.emit({
            ...progress(server),
            state: 'terminating',
            message: `server ${serverId}: terminate requested`,
          });
          await this.wait(context, call, {
            read,
            settled: s => !s,
            state: s => (s ? s.state : 'deleted'),
            timeoutMs: this.timeouts.serverDeleteMs,
            progress,
          });
        }
      }
      call.emit(progress(null));
      const volumes = await this.removeVolumes(zone, volumeIds, call);
      return {
        deleted: [serverId, ...volumes.deleted],
        alreadyGone: volumes.alreadyGone,
      };
    });
  }

  deleteImage(
    request: { imageId: string; zone?: string },
    options: GatewayCallOptions = {},
  ): Promise<DeletionResult> {
    return this.call(options, async call => {
      const zone = (request.zone ?? this.options.defaultZone) as Zone;
      const imageId = request.imageId;
      const gone = await this.deleteOrGone(
        {
          action: `Deletion of image ${imageId} in ${zone}`,
          zone,
          subject: { kind: 'image', id: imageId },
        },
        call,
        () => this.options.instance.deleteImage({ zone, imageId }),
      );
      call.emit({
        resource: 'image',
        id: imageId,
        state: 'deleted',
        message: `image ${imageId} deleted`,
      });
      return gone
        ? { deleted: [], alreadyGone: [imageId] }
        : { deleted: [imageId], alreadyGone: [] };
    });
  }

  deleteSnapshots(
    request: { snapshotIds: string[]; zone?: string },
    options: GatewayCallOptions = {},
  ): Promise<DeletionResult> {
    return this.call(options, async call => {
      const zone = (request.zone ?? this.options.defaultZone) as Zone;
      const result: DeletionResult = { deleted: [], alreadyGone: [] };
      for (const snapshotId of request.snapshotIds) {
        const gone = await this.deleteOrGone(
          {
            action: `Deletion of snapshot ${snapshotId} in ${zone}`,
            zone,
            subject: { kind: 'snapshot', id: snapshotId },
          },
          call,
          () => this.options.block.deleteSnapshot({ zone, snapshotId }),
        );
        (gone ? result.alreadyGone : result.deleted).push(snapshotId);
        call.emit({
          resource: 'snapshot',
          id: snapshotId,
          state: 'deleted',
          message: `snapshot ${snapshotId} deleted`,
        });
      }
      return result;
    });
  }

  deleteVolumes(
    request: { volumeIds: string[]; zone?: string },
    options: GatewayCallOptions = {},
  ): Promise<DeletionResult> {
    return this.call(options, call =>
      this.removeVolumes(
        (request.zone ?? this.options.defaultZone) as Zone,
        request.volumeIds,
        call,
      ),
    );
  }

  /** Deletes Block volumes once no server holds them any more (detaching takes a moment). */
  private async removeVolumes(
    zone: Zone,
    volumeIds: string[],
    call: Call,
  ): Promise<DeletionResult> {
    const result: DeletionResult = { deleted: [], alreadyGone: [] };
    for (const volumeId of volumeIds) {
      const context = {
        action: `Deletion of volume ${volumeId} in ${zone}`,
        zone,
        subject: { kind: 'volume' as const, id: volumeId },
      };
      const read = () =>
        this.options.block.getVolume({ zone, volumeId }).catch(e => {
          if (e instanceof Errors.ResourceNotFoundError) return null;
          throw e;
        });
      const volume = await this.wait(context, call, {
        read,
        settled: v =>
          !v ||
          (!v.references.some(
            r => r.productResourceType === 'instance_server',
          ) &&
            !Blockv1.VOLUME_TRANSIENT_STATUSES.includes(v.status)),
        state: v => (v ? v.status : 'deleted'),
        timeoutMs: this.timeouts.serverDeleteMs,
        progress: v => ({
          resource: 'volume',
          id: volumeId,
          state: v ? v.status : 'deleted',
          message: `volume ${volumeId} ${v ? v.status : 'deleted'}`,
        }),
        immediate: true,
      });
      const gone =
        !volume ||
        (await this.deleteOrGone(context, call, () =>
          this.options.block.deleteVolume({ zone, volumeId }),
        ));
      (gone ? result.alreadyGone : result.deleted).push(volumeId);
      call.emit({
        resource: 'volume',
        id: volumeId,
        state: 'deleted',
        message: `volume ${volumeId} deleted`,
      });
    }
    return result;
  }

  // --- plumbing ---------------------------------------------------------------------------------

  private call<T>(
    options: GatewayCallOptions,
    fn: (call: Call) => Promise<T>,
  ): Promise<T> {
    const started = this.clock.now();
    const call: Call = {
      signal: options.signal,
      elapsed: () => this.clock.now() - started,
      emit: event => {
        if (!options.onProgress) return;
        options.onProgress({
          ...event,
          message: redact(event.message, this.secrets),
          elapsedMs: this.clock.now() - started,
        });
      },
    };
    return this.http.run(options.signal, () => fn(call));
  }

  private parse<S extends z.ZodTypeAny>(
    schema: S,
    value: unknown,
    method: string,
  ): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new ScalewayGatewayError({
      code: 'SCW_INPUT_INVALID',
      message: `${method}: invalid request: ${parsed.error.issues
        .map(
          (i: z.ZodIssue) =>
            `${i.path.length ? i.path.join('.') : '(request)'}: ${i.message}`,
        )
        .join('; ')}`,
      remediation:
        'The calling stage passed a value the gateway cannot use (see the field named): fix the stage’s input or report it as a defect.',
    });
  }

  /** Runs one SDK call, turning its failure into a typed error naming what was being done. */
  private async step<T>(
    context: Omit<ScalewayErrorContext, 'secrets' | 'signal'>,
    call: Call,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw scalewayErrorFrom(e, {
        ...context,
        secrets: this.secrets,
        signal: call.signal,
      });
    }
  }

  /** After a failed create: when the answer may have been lost (network), what got created, if any. */
  private async findAfterLostAnswer<T>(
    error: unknown,
    call: Call,
    find: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    if (
      call.signal?.aborted ||
      !(error instanceof ScalewayGatewayError) ||
      (error.code !== 'SCW_NETWORK' && error.code !== 'SCW_API_UNAVAILABLE')
    )
      return undefined;
    try {
      return await find();
    } catch {
      return undefined;
    }
  }

  private async deleteOrGone(
    context: Omit<ScalewayErrorContext, 'secrets' | 'signal'>,
    call: Call,
    fn: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await this.step(context, call, fn);
      return false;
    } catch (e) {
      if (e instanceof ScalewayGatewayError && e.code === 'SCW_NOT_FOUND')
        return true;
      throw e;
    }
  }

  private async wait<T>(
    context: Omit<ScalewayErrorContext, 'secrets' | 'signal'>,
    call: Call,
    spec: {
      read: () => Promise<T>;
      settled: (v: T) => boolean;
      state: (v: T) => string;
      timeoutMs: number;
      progress: (v: T) => Omit<GatewayProgress, 'elapsedMs'>;
      /** Read once before the first wait (the value at hand is not current). */
      immediate?: boolean;
    },
  ): Promise<T> {
    let lastState: string | undefined;
    let lastEmit = -Infinity;
    const report = (v: T) => {
      const state = spec.state(v);
      // Every change of state, and a heartbeat every 30 s of a long wait.
      if (state !== lastState || this.clock.now() - lastEmit >= 30_000) {
        lastState = state;
        lastEmit = this.clock.now();
        call.emit(spec.progress(v));
      }
    };
    try {
      if (spec.immediate) {
        const first = await spec.read();
        report(first);
        if (spec.settled(first)) return first;
      }
      return await pollUntilSettled({
        read: spec.read,
        settled: spec.settled,
        timeoutMs: spec.timeoutMs,
        clock: this.clock,
        delays: this.delays,
        signal: call.signal,
        onRead: report,
        isTransient: e =>
          (e instanceof Errors.ScalewayError &&
            (e.status >= 500 || e.status === 429)) ||
          e instanceof TypeError,
        onTimeout: (last, elapsedMs) =>
          new ScalewayTimeoutError({
            code: 'SCW_TIMEOUT',
            message: `${context.action}: still ${
              last === undefined ? 'unknown' : spec.state(last)
            } after ${Math.round(elapsedMs / 1000)} s (limit ${Math.round(
              spec.timeoutMs / 1000,
            )} s)`,
            remediation:
              'Scaleway may still finish it: run the stage again later (it adopts the resource and waits again), or raise the gateway timeout if this size of disk or type of server is known to take longer.',
            subject: context.subject,
            retryable: true,
          }),
      });
    } catch (e) {
      throw scalewayErrorFrom(e, {
        ...context,
        secrets: this.secrets,
        signal: call.signal,
      });
    }
  }

  private snapshotsOfMigration(zone: string, migrationId: string) {
    const tag = migrationTag(migrationId);
    return this.options.block
      .listSnapshots({ zone: zone as Zone, tags: [tag], includeDeleted: false })
      .all()
      .then(l => l.filter(s => s.tags.includes(tag)));
  }

  private imagesOfMigration(zone: string, migrationId: string) {
    const tag = migrationTag(migrationId);
    return this.options.instance
      .listImages({ zone: zone as Zone, tags: tag, public: false })
      .all()
      .then(l => l.filter(i => i.tags.includes(tag)));
  }

  private serversOfMigration(zone: string, migrationId: string) {
    const tag = migrationTag(migrationId);
    return this.options.instance
      .listServers({ zone: zone as Zone, tags: [tag] })
      .all()
      .then(l => l.filter(s => s.tags.includes(tag)));
  }

  private volumesOfMigration(zone: string, migrationId: string) {
    const prefix = resourcePrefix(migrationId);
    const own = new RegExp(`^${escapeRegExp(prefix)}-vol\\d+$`);
    return this.options.block
      .listVolumes({
        zone: zone as Zone,
        name: `${prefix}-vol`,
        includeDeleted: false,
      })
      .all()
      .then(l => l.filter(v => own.test(v.name)));
  }
}

/** Volume "0" is the system disk, then the data disks in the order the image was made with. */
function systemFirst<T extends { system: boolean }>(disks: T[]): T[] {
  return [...disks.filter(d => d.system), ...disks.filter(d => !d.system)];
}

/** A usable snapshot before one still creating, the oldest first. */
function preferUsable(list: Blockv1.Snapshot[]): Blockv1.Snapshot | undefined {
  const rank = (s: Blockv1.Snapshot) => (SNAPSHOT_USABLE.has(s.status) ? 0 : 1);
  return [...list].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0),
  )[0];
}

function publicAddresses(server: Instancev1.Server): string[] {
  const all = [
    ...(server.publicIps ?? []).map(ip => ip.address),
    ...(server.publicIp ? [server.publicIp.address] : []),
  ];
  return [...new Set(all.filter(Boolean))];
}

function sameRecord(a: Record<string, string>, b: Record<string, string>) {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])
  );
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

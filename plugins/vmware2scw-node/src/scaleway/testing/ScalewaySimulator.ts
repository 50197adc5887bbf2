import {
  IMPORT_MAX_BYTES,
  IMPORT_MIN_BYTES,
  MAX_VOLUMES_PER_INSTANCE,
  type OfferedServerType,
} from '@internal/plugin-vmware2scw-common';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiJson } from './ApiJson';
import { catalogAnswer, recordedServerTypes } from './CatalogRoutes';
import {
  ObjectStorageProbe,
  type ObjectStorageEndpoint,
} from './ObjectStorageProbe';
import {
  actionTaskJson,
  imageJson,
  serverJson,
  snapshotJson,
  volumeJson,
  type SimImage,
  type SimReference,
  type SimServer,
  type SimSnapshot,
  type SimVolume,
} from './SimulatedResources';

/** How long the asynchronous operations take. The defaults are a sped-up recording, for demos. */
export interface SimulatorDelays {
  /** Block snapshot import, `creating` → `available` (recorded: 3.5 min for a 1 GiB qcow2). */
  snapshotImportMs: number;
  /** Image, `creating` → `available` (recorded: available at once from Block snapshots). */
  imageCreateMs: number;
  /** After `poweron`: `starting` ("allocating node") → `running` ("booting kernel") (recorded: ~3 s). */
  serverStartMs: number;
  /** After `poweroff`/`terminate`: `stopping` → `stopped` (or gone). */
  serverStopMs: number;
}

const DEMO_DELAYS: SimulatorDelays = {
  snapshotImportMs: 20_000,
  imageCreateMs: 1_000,
  serverStartMs: 3_000,
  serverStopMs: 2_000,
};

export interface ScalewaySimulatorOptions {
  /** The S3-compatible server imports read from (the bucket must be in the zone's region). */
  objectStorage: ObjectStorageEndpoint;
  /** The token (secret key) the API accepts in `X-Auth-Token`; without it any UUID is accepted. */
  secretKey?: string;
  /** Default project of created resources (the organization is the same id, as for a default project). */
  projectId?: string;
  delays?: Partial<SimulatorDelays>;
  /** Listening port (default: any free port) and host (default 127.0.0.1). */
  port?: number;
  host?: string;
  /** Clock of the state transitions. */
  now?: () => Date;
}

/** Operations a fault can target. */
export type SimulatorOperation =
  | 'importSnapshot'
  | 'createImage'
  | 'createServer'
  | 'serverAction'
  | 'getSnapshot'
  | 'getServer';

/** An error answer: a named one, or any status and JSON body. */
export type SimulatedFailure =
  | 'internal'
  | 'tooManyRequests'
  | { status: number; body: Record<string, unknown> };

export interface ScalewaySimulator {
  /** `http://127.0.0.1:<port>`: the `apiUrl` of the Scaleway configuration. */
  readonly url: string;
  readonly projectId: string;
  /** Every request, in order: method, path with query, and the JSON body when there was one. */
  readonly requests: Array<{ method: string; path: string; body?: unknown }>;
  readonly delays: SimulatorDelays;
  /** Resource limits of the project; over them, creation fails as a quota would. */
  readonly quotas: { snapshots?: number; images?: number; servers?: number };
  /** The next request of that operation answers this error and does nothing. */
  failNext(operation: SimulatorOperation, failure: SimulatedFailure): void;
  /**
   * The next request of that operation does its work, then the connection is cut before the answer:
   * a crash (or a network cut) between the API call and recording its result.
   */
  dropResponseOf(operation: SimulatorOperation): void;
  /** The next snapshot import ends in `error` instead of `available`. */
  failNextImport(): void;
  /** Overrides a type's availability (`shortage` makes server creation fail out of stock). */
  setAvailability(
    commercialType: string,
    availability: 'available' | 'scarce' | 'shortage',
  ): void;
  /** The current resources, transitions applied. */
  snapshots(): SimSnapshot[];
  volumes(): SimVolume[];
  images(): SimImage[];
  servers(): SimServer[];
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZONE = '([a-z]{2}-[a-z]{3}-[1-9])';
const ID = '([0-9a-fA-F-]{36})';
const MAX_BODY_BYTES = 1 << 20;

/** What the list routes filter on. */
interface Listed {
  name: string;
  tags: string[];
  projectId: string;
  createdAt: Date;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.message ?? status));
  }
}

const notFound = (resource: string, id: string, instance: boolean) =>
  new ApiError(
    404,
    instance
      ? {
          type: 'not_found',
          message: 'resource is not found',
          resource,
          resource_id: id,
        }
      : {
          message: 'resource is not found',
          resource,
          resource_id: id,
          type: 'not_found',
        },
  );

/** Scaleway's answer to a request field it refuses (the `invalid_arguments` shape of the SDK). */
const invalidArgument = (
  argument: string,
  reason: 'required' | 'constraint',
  help: string,
) =>
  new ApiError(400, {
    details: [{ argument_name: argument, reason, help_message: help }],
    message: 'invalid argument(s)',
    type: 'invalid_arguments',
  });

/** Import refusals: `invalid_request_error` with the documented messages (scaleway.md §2). */
const invalidRequest = (message: string) =>
  new ApiError(400, { message, type: 'invalid_request_error' });

const quotaExceeded = (resource: string, quota: number, current: number) =>
  new ApiError(403, {
    details: [{ current, quota, resource }],
    message: 'quota(s) exceeded for this resource',
    type: 'quotas_exceeded',
  });

const stillInUse = (what: string) =>
  new ApiError(412, {
    help_message: `${what} is still referenced; remove what uses it first`,
    message: 'precondition failed',
    precondition: 'resource_still_in_use',
    type: 'precondition_failed',
  });

/**
 * A Scaleway API simulator for tests and demos: an HTTP server answering the Block and Instance routes
 * the gateway uses, with the shapes, status codes, headers (`Content-Type: application/json` exactly,
 * `X-Total-Count` on Instance lists) and state sequences of the recorded traffic
 * (`__fixtures__/recordedScalewayShapes.json`): snapshot `creating` → `available` (→ `in_use` once an
 * image links it), image `creating` → `available`, server `stopped` → `starting` → `running`,
 * `terminate` → `stopping` → gone with its Block volumes detached, errors as `{type, message, ...}`.
 *
 * The import reads the object from a real S3-compatible server, as Scaleway reads the bucket: the bucket
 * must be in the zone's region, the object must exist and be a qcow2 (magic, version 2 or 3) with no
 * encryption, no zstd compression, no backing file, and a virtual size of 1 GB to 1 TB; otherwise it is
 * refused at request time with the documented `invalid_request_error` messages.
 *
 * Not recorded, and so modelled on the SDK's error parser rather than on traffic: the bodies of quota,
 * out-of-stock, missing-object, wrong-region and invalid-qcow2 refusals, the list routes' bodies, and
 * the status codes of out-of-stock (503) and still-in-use (412) refusals.
 */
export async function startScalewaySimulator(
  options: ScalewaySimulatorOptions,
): Promise<ScalewaySimulator> {
  const now = options.now ?? (() => new Date());
  const projectId = options.projectId ?? '66666666-7777-4888-9999-000000000000';
  const delays: SimulatorDelays = { ...DEMO_DELAYS, ...options.delays };
  const storage = new ObjectStorageProbe(options.objectStorage);
  const types: readonly OfferedServerType[] = recordedServerTypes();
  const typeByName = new Map(types.map(t => [t.name, t]));
  const availability = new Map<string, string>();
  const snapshots = new Map<string, SimSnapshot>();
  const volumes = new Map<string, SimVolume>();
  const images = new Map<string, SimImage>();
  const servers = new Map<string, SimServer>();
  const requests: ScalewaySimulator['requests'] = [];
  const quotas: ScalewaySimulator['quotas'] = {};
  const failures: Array<[SimulatorOperation, SimulatedFailure]> = [];
  const drops: SimulatorOperation[] = [];
  let failImports = 0;

  const take = <T>(list: T[], match: (t: T) => boolean): T | undefined => {
    const i = list.findIndex(match);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  };

  const detach = (volume: SimVolume, serverId: string) => {
    volume.references = volume.references.filter(
      r => r.productResourceId !== serverId,
    );
    if (!volume.references.length) {
      volume.status = 'available';
      volume.lastDetachedAt = now();
    }
    volume.updatedAt = now();
  };

  /** `terminate` deletes the server and only detaches its Block volumes (scaleway.md §4). */
  const removeServer = (s: SimServer) => {
    for (const id of Object.values(s.volumeIds)) {
      const v = volumes.get(id);
      if (v) detach(v, s.id);
    }
    servers.delete(s.id);
  };

  /** Applies every transition that is due. */
  const tick = () => {
    const t = now().getTime();
    for (const r of [
      ...snapshots.values(),
      ...images.values(),
      ...servers.values(),
    ] as Array<{
      transitions: Array<{ at: number; apply: (r: any) => void }>;
    }>) {
      while (r.transitions.length && r.transitions[0].at <= t)
        r.transitions.shift()!.apply(r);
    }
    for (const s of [...servers.values()]) {
      if (s.terminating && s.state === 'stopped') removeServer(s);
    }
  };

  const reference = (
    type: SimReference['productResourceType'],
    id: string,
  ): SimReference => ({
    id: randomUUID(),
    productResourceType: type,
    productResourceId: id,
    createdAt: now(),
    type: type === 'instance_image' ? 'link' : 'exclusive',
  });

  const inZone = <T extends { zone: string }>(
    map: Map<string, T>,
    zone: string,
    id: string,
    resource: string,
    instance: boolean,
  ): T => {
    const r = map.get(id);
    if (!r || r.zone !== zone) throw notFound(resource, id, instance);
    return r;
  };

  const checkQuota = (
    kind: keyof ScalewaySimulator['quotas'],
    current: number,
    resource: string,
  ) => {
    const quota = quotas[kind];
    if (quota !== undefined && current >= quota)
      throw quotaExceeded(resource, quota, current);
  };

  // --- Block ----------------------------------------------------------------------------------

  const importSnapshot = async (zone: string, body: any) => {
    for (const field of ['bucket', 'key', 'name'] as const) {
      if (typeof body?.[field] !== 'string' || !body[field])
        throw invalidArgument(field, 'required', `${field} is required`);
    }
    if (body.size !== undefined && typeof body.size !== 'number')
      throw invalidArgument('size', 'constraint', 'size must be a number');
    checkQuota('snapshots', snapshots.size, 'block_snapshots');
    const region = zone.replace(/-\d+$/, '');
    const bucketRegion = await storage.bucketRegion(body.bucket);
    if (!bucketRegion || bucketRegion !== region) {
      throw invalidRequest(
        bucketRegion
          ? `The bucket ${body.bucket} is in region ${bucketRegion}, not in the region of zone ${zone} (${region})`
          : `The bucket ${body.bucket} does not exist in region ${region}`,
      );
    }
    const probe = await storage.probe(body.bucket, body.key);
    if (probe.kind === 'no-object')
      throw invalidRequest(
        `The object ${body.key} does not exist in bucket ${body.bucket}`,
      );
    if (probe.kind === 'invalid')
      throw invalidRequest(
        `The provided file is not a valid QCOW2 image (${probe.reason})`,
      );
    const h = probe.header;
    if (h.cryptMethod !== 0)
      throw invalidRequest('The provided QCOW2 file is encrypted');
    if (h.compressionType !== 'zlib')
      throw invalidRequest(
        'The provided QCOW2 has an unsupported compression type',
      );
    if (h.backingFileOffset !== 0n)
      throw invalidRequest('The provided QCOW2 file has a backing chain');
    const size: number = body.size ?? h.virtualSizeBytes;
    if (size < h.virtualSizeBytes)
      throw invalidArgument(
        'size',
        'constraint',
        `size must be at least the QCOW2 volume size (${h.virtualSizeBytes})`,
      );
    for (const s of [h.virtualSizeBytes, size]) {
      if (s < IMPORT_MIN_BYTES || s > IMPORT_MAX_BYTES)
        throw invalidRequest(
          'Snapshots should have a volume size between one gigabyte (GB) and one terabyte (TB)',
        );
    }
    const at = now();
    const failing = failImports > 0;
    if (failing) failImports--;
    const snapshot: SimSnapshot = {
      id: randomUUID(),
      name: body.name,
      zone,
      projectId:
        typeof body.project_id === 'string' ? body.project_id : projectId,
      size,
      status: 'creating',
      tags: stringList(body.tags),
      references: [],
      createdAt: at,
      updatedAt: at,
      source: { bucket: body.bucket, key: body.key },
      transitions: [
        {
          at: at.getTime() + delays.snapshotImportMs,
          apply: s => {
            s.status = failing ? 'error' : 'available';
            s.updatedAt = now();
          },
        },
      ],
    };
    snapshots.set(snapshot.id, snapshot);
    return { status: 200, body: snapshotJson(snapshot) };
  };

  const deleteSnapshot = (zone: string, id: string) => {
    const s = inZone(snapshots, zone, id, 'snapshot', false);
    if (s.references.length || s.status === 'in_use')
      throw stillInUse(`snapshot ${id}`);
    snapshots.delete(id);
    return { status: 204 };
  };

  const deleteVolume = (zone: string, id: string) => {
    const v = inZone(volumes, zone, id, 'volume', false);
    if (v.references.length) throw stillInUse(`volume ${id}`);
    volumes.delete(id);
    return { status: 204 };
  };

  // --- Instance -------------------------------------------------------------------------------

  const usableSnapshot = (zone: string, id: unknown, field: string) => {
    if (typeof id !== 'string' || !UUID.test(id))
      throw invalidArgument(field, 'constraint', `${field} must be a UUID`);
    const s = inZone(snapshots, zone, id, 'snapshot', false);
    if (s.status === 'creating')
      throw new ApiError(409, {
        current_state: s.status,
        message: 'resource is in a transient state',
        resource: 'snapshot',
        resource_id: id,
        type: 'transient_state',
      });
    if (s.status === 'error')
      throw invalidRequest(`snapshot ${id} is in error and cannot be used`);
    return s;
  };

  const createImage = (zone: string, body: any) => {
    if (typeof body?.arch !== 'string' || !body.arch)
      throw invalidArgument('arch', 'required', 'arch is required');
    if (!['x86_64', 'arm', 'arm64'].includes(body.arch))
      throw invalidArgument(
        'arch',
        'constraint',
        'arch must be x86_64, arm or arm64',
      );
    checkQuota('images', images.size, 'instance_images');
    const root = usableSnapshot(zone, body.root_volume, 'root_volume');
    const extra: Record<string, SimSnapshot> = {};
    for (const [k, v] of Object.entries(body.extra_volumes ?? {})) {
      extra[k] = usableSnapshot(zone, (v as any)?.id, `extra_volumes.${k}.id`);
    }
    const at = now();
    const image: SimImage = {
      id: randomUUID(),
      name: typeof body.name === 'string' ? body.name : `img-${randomId()}`,
      zone,
      projectId: typeof body.project === 'string' ? body.project : projectId,
      arch: body.arch,
      rootSnapshotId: root.id,
      extraSnapshotIds: Object.fromEntries(
        Object.entries(extra).map(([k, s]) => [k, s.id]),
      ),
      public: body.public === true,
      state: delays.imageCreateMs > 0 ? 'creating' : 'available',
      tags: stringList(body.tags),
      createdAt: at,
      updatedAt: at,
      transitions: [
        {
          at: at.getTime() + delays.imageCreateMs,
          apply: i => {
            i.state = 'available';
          },
        },
      ],
    };
    images.set(image.id, image);
    for (const s of [root, ...Object.values(extra)]) {
      s.references.push(reference('instance_image', image.id));
      s.status = 'in_use';
      s.updatedAt = at;
    }
    return { status: 201, body: { image: imageJson(image) } };
  };

  const deleteImage = (zone: string, id: string) => {
    const image = inZone(images, zone, id, 'instance_image', true);
    images.delete(id);
    for (const sid of [
      image.rootSnapshotId,
      ...Object.values(image.extraSnapshotIds),
    ]) {
      const s = snapshots.get(sid);
      if (!s) continue;
      s.references = s.references.filter(r => r.productResourceId !== id);
      if (!s.references.length) s.status = 'available';
      s.updatedAt = now();
    }
    return { status: 204 };
  };

  const createServer_ = (zone: string, body: any) => {
    const typeName = body?.commercial_type;
    if (typeof typeName !== 'string' || !typeName)
      throw invalidArgument(
        'commercial_type',
        'required',
        'commercial_type is required',
      );
    const type = typeByName.get(typeName);
    if (!type)
      throw invalidArgument(
        'commercial_type',
        'constraint',
        `commercial type ${typeName} does not exist in ${zone}`,
      );
    if ((availability.get(typeName) ?? type.availability) === 'shortage')
      throw new ApiError(503, {
        message: `${typeName} is out of stock in ${zone}`,
        resource: typeName,
        type: 'out_of_stock',
      });
    checkQuota('servers', servers.size, 'instances_servers');
    if (typeof body.image !== 'string')
      throw invalidArgument(
        'image',
        'required',
        'an image (or volumes with ids) is required',
      );
    const image = inZone(images, zone, body.image, 'instance_image', true);
    if (image.state !== 'available')
      throw new ApiError(409, {
        current_state: image.state,
        message: 'resource is in a transient state',
        resource: 'instance_image',
        resource_id: image.id,
        type: 'transient_state',
      });
    const imageSnapshots: Record<string, string> = {
      '0': image.rootSnapshotId,
      ...image.extraSnapshotIds,
    };
    const templates: Record<string, any> = body.volumes ?? {};
    const indexes = [
      ...new Set([...Object.keys(imageSnapshots), ...Object.keys(templates)]),
    ].sort((a, b) => Number(a) - Number(b));
    if (indexes.length > MAX_VOLUMES_PER_INSTANCE)
      throw invalidArgument(
        'volumes',
        'constraint',
        `an Instance takes at most ${MAX_VOLUMES_PER_INSTANCE} volumes`,
      );
    const planned: Array<{
      index: string;
      size: number;
      name: string;
      parent: string;
    }> = [];
    for (const index of indexes) {
      const template = templates[index] ?? {};
      const volumeType = template.volume_type ?? 'sbs_volume';
      if (volumeType !== 'sbs_volume')
        throw invalidArgument(
          `volumes.${index}.volume_type`,
          'constraint',
          type.localVolumesMaxBytes > 0
            ? 'only sbs_volume volumes can be created from Block snapshots'
            : `${typeName} has no local storage: volumes must be sbs_volume`,
        );
      const snapshotId = template.base_snapshot ?? imageSnapshots[index];
      const snapshot = snapshotId ? snapshots.get(snapshotId) : undefined;
      if (!snapshot)
        throw invalidArgument(
          `volumes.${index}`,
          'constraint',
          'no snapshot of the image (or base_snapshot) for this volume',
        );
      const size = template.size ?? snapshot.size;
      if (typeof size !== 'number' || size < snapshot.size)
        throw invalidArgument(
          `volumes.${index}.size`,
          'constraint',
          `size must be at least the snapshot size (${snapshot.size})`,
        );
      planned.push({
        index,
        size,
        name:
          typeof template.name === 'string'
            ? template.name
            : `${image.name}_sbs_volume_${index}`,
        parent: snapshot.id,
      });
    }
    const at = now();
    const server: SimServer = {
      id: randomUUID(),
      name: typeof body.name === 'string' ? body.name : `srv-${randomId()}`,
      zone,
      projectId: typeof body.project === 'string' ? body.project : projectId,
      commercialType: typeName,
      arch: type.arch,
      bootType: typeof body.boot_type === 'string' ? body.boot_type : 'local',
      imageId: image.id,
      volumeIds: {},
      tags: stringList(body.tags),
      state: 'stopped',
      stateDetail: '',
      dynamicIpRequired: body.dynamic_ip_required !== false,
      publicIp: null,
      macAddress: `de:00:00:${randomBytes(3)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1:')}`,
      securityGroupId: randomUUID(),
      located: false,
      createdAt: at,
      updatedAt: at,
      terminating: false,
      transitions: [],
    };
    for (const p of planned) {
      const volume: SimVolume = {
        id: randomUUID(),
        name: p.name,
        zone,
        projectId: server.projectId,
        size: p.size,
        status: 'in_use',
        tags: [],
        references: [reference('instance_server', server.id)],
        parentSnapshotId: p.parent,
        createdAt: at,
        updatedAt: at,
        lastDetachedAt: null,
      };
      volumes.set(volume.id, volume);
      server.volumeIds[p.index] = volume.id;
    }
    servers.set(server.id, server);
    return {
      status: 201,
      body: { server: serverJson(server, image) },
    };
  };

  const serverAction = (zone: string, id: string, body: any) => {
    const server = inZone(servers, zone, id, 'instance_server', true);
    const action = body?.action ?? 'poweron';
    const at = now();
    const later = (ms: number, apply: (s: SimServer) => void) =>
      server.transitions.push({ at: at.getTime() + ms, apply });
    const set = (state: SimServer['state'], detail: string) => {
      server.state = state;
      server.stateDetail = detail;
      server.updatedAt = now();
    };
    switch (action) {
      case 'poweron':
        if (server.state !== 'stopped')
          throw invalidRequest(
            `server should be stopped to be powered on (it is ${server.state})`,
          );
        // As recorded: no location while a node is being allocated, one once running.
        set('starting', 'allocating node');
        later(delays.serverStartMs, s => {
          s.located = true;
          s.state = 'running';
          s.stateDetail = 'booting kernel';
          s.updatedAt = now();
          if (s.dynamicIpRequired && !s.publicIp)
            s.publicIp = {
              id: randomUUID(),
              address: `51.15.${randomBytes(1)[0]}.${
                1 + (randomBytes(1)[0] % 254)
              }`,
            };
        });
        break;
      case 'poweroff':
      case 'terminate':
        if (action === 'poweroff' && server.state !== 'running')
          throw invalidRequest(
            `server should be running to be powered off (it is ${server.state})`,
          );
        if (action === 'terminate') server.terminating = true;
        if (server.state === 'stopped') break;
        set('stopping', action === 'terminate' ? 'terminating' : 'stopping');
        later(delays.serverStopMs, s => {
          s.state = 'stopped';
          s.stateDetail = '';
          s.located = false;
          if (s.dynamicIpRequired) s.publicIp = null;
          s.updatedAt = now();
        });
        break;
      default:
        throw invalidArgument(
          'action',
          'constraint',
          `action ${action} is not simulated`,
        );
    }
    const answer = {
      status: 202,
      body: { task: actionTaskJson(server, at) },
    };
    tick();
    return answer;
  };

  const deleteServer = (zone: string, id: string) => {
    const server = inZone(servers, zone, id, 'instance_server', true);
    if (server.state !== 'stopped')
      throw invalidRequest('instance should be stopped to be deleted');
    removeServer(server);
    return { status: 204 };
  };

  // --- Lists ----------------------------------------------------------------------------------

  const filterList = <T extends Listed>(
    all: T[],
    q: URLSearchParams,
    projectKey: string,
  ) => {
    const name = q.get('name');
    const tags = q
      .getAll('tags')
      .flatMap(t => t.split(','))
      .filter(Boolean);
    const project = q.get(projectKey);
    return all
      .filter(r => !name || r.name.includes(name))
      .filter(r => tags.every(t => r.tags.includes(t)))
      .filter(r => !project || r.projectId === project)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  };

  const page = <T>(list: T[], q: URLSearchParams, sizeKey: string) => {
    const size = Math.min(100, Number(q.get(sizeKey) ?? 50) || 50);
    const n = Math.max(1, Number(q.get('page') ?? 1) || 1);
    return list.slice((n - 1) * size, n * size);
  };

  // --- Routing --------------------------------------------------------------------------------

  type Answer = {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
  };
  type Route = [
    method: string,
    pattern: RegExp,
    operation: SimulatorOperation | undefined,
    handle: (
      m: RegExpExecArray,
      body: any,
      q: URLSearchParams,
    ) => Answer | Promise<Answer>,
  ];
  const block = (rest: string) =>
    new RegExp(`^/block/v1/zones/${ZONE}${rest}$`);
  const inst = (rest: string) =>
    new RegExp(`^/instance/v1/zones/${ZONE}${rest}$`);
  const zoned = <T extends { zone: string }>(list: Iterable<T>, zone: string) =>
    [...list].filter(r => r.zone === zone);
  const serverView = (s: SimServer) =>
    serverJson(s, s.imageId ? images.get(s.imageId) : undefined);
  /** Block lists carry `total_count` in the body, Instance lists `X-Total-Count` (the SDK reads both). */
  const list =
    <T extends Listed & { zone: string }>(
      key: string,
      map: Map<string, T>,
      toJson: (r: T) => unknown,
      api: 'block' | 'instance',
    ) =>
    (m: RegExpExecArray, _b: unknown, q: URLSearchParams): Answer => {
      const block_ = api === 'block';
      const all = filterList(
        zoned(map.values(), m[1]),
        q,
        block_ ? 'project_id' : 'project',
      );
      const items = page(all, q, block_ ? 'page_size' : 'per_page').map(toJson);
      return block_
        ? { status: 200, body: { [key]: items, total_count: all.length } }
        : {
            status: 200,
            body: { [key]: items },
            headers: { 'X-Total-Count': String(all.length) },
          };
    };

  const routes: Route[] = [
    [
      'POST',
      block('/snapshots/import-from-object-storage'),
      'importSnapshot',
      (m, b) => importSnapshot(m[1], b),
    ],
    [
      'GET',
      block(`/snapshots/${ID}`),
      'getSnapshot',
      m => ({
        status: 200,
        body: snapshotJson(inZone(snapshots, m[1], m[2], 'snapshot', false)),
      }),
    ],
    [
      'DELETE',
      block(`/snapshots/${ID}`),
      undefined,
      m => deleteSnapshot(m[1], m[2]),
    ],
    [
      'GET',
      block('/snapshots'),
      undefined,
      list('snapshots', snapshots, snapshotJson, 'block'),
    ],
    [
      'GET',
      block(`/volumes/${ID}`),
      undefined,
      m => ({
        status: 200,
        body: volumeJson(inZone(volumes, m[1], m[2], 'volume', false)),
      }),
    ],
    [
      'DELETE',
      block(`/volumes/${ID}`),
      undefined,
      m => deleteVolume(m[1], m[2]),
    ],
    [
      'GET',
      block('/volumes'),
      undefined,
      list('volumes', volumes, volumeJson, 'block'),
    ],
    ['POST', inst('/images'), 'createImage', (m, b) => createImage(m[1], b)],
    [
      'GET',
      inst(`/images/${ID}`),
      undefined,
      m => ({
        status: 200,
        body: {
          image: imageJson(inZone(images, m[1], m[2], 'instance_image', true)),
        },
      }),
    ],
    ['DELETE', inst(`/images/${ID}`), undefined, m => deleteImage(m[1], m[2])],
    [
      'GET',
      inst('/images'),
      undefined,
      list('images', images, imageJson, 'instance'),
    ],
    [
      'POST',
      inst('/servers'),
      'createServer',
      (m, b) => createServer_(m[1], b),
    ],
    [
      'GET',
      inst(`/servers/${ID}`),
      'getServer',
      m => {
        const s = inZone(servers, m[1], m[2], 'instance_server', true);
        return { status: 200, body: { server: serverView(s) } };
      },
    ],
    [
      'DELETE',
      inst(`/servers/${ID}`),
      undefined,
      m => deleteServer(m[1], m[2]),
    ],
    [
      'POST',
      inst(`/servers/${ID}/action`),
      'serverAction',
      (m, b) => serverAction(m[1], m[2], b),
    ],
    [
      'GET',
      inst('/servers'),
      undefined,
      list('servers', servers, serverView, 'instance'),
    ],
    [
      'GET',
      inst('/products/servers(?:/availability)?'),
      undefined,
      (m, _b, q) => catalogAnswer(m[0], q, { types, availability })!,
    ],
  ];

  const send = (res: ServerResponse, path: string, answer: Answer) => {
    let text = '';
    if (answer.body !== undefined)
      text = path.startsWith('/instance/')
        ? apiJson(answer.body)
        : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'Content-Length': String(Buffer.byteLength(text)),
      // Exactly this: the SDK refuses `application/json; charset=utf-8` (scaleway.md §6.5).
      'Content-Type': 'application/json',
      ...answer.headers,
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      Server: 'Scaleway API Gateway (simulator)',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'X-Request-Id': randomUUID(),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    let body: any;
    try {
      const raw = await readBody(req);
      if (raw.length) body = JSON.parse(raw.toString('utf8'));
    } catch {
      send(res, url.pathname, {
        status: 400,
        body: {
          message: 'the request body is not valid JSON',
          type: 'invalid_request_error',
        },
      });
      return;
    }
    requests.push({
      method,
      path: `${url.pathname}${url.search}`,
      ...(body === undefined ? {} : { body }),
    });
    const token = req.headers['x-auth-token'];
    const tokenOk =
      typeof token === 'string' &&
      (options.secretKey ? token === options.secretKey : UUID.test(token));
    if (!tokenOk) {
      send(res, url.pathname, {
        status: 401,
        body: {
          message: 'authentication is denied',
          method: 'api_key',
          reason: 'invalid_argument',
          type: 'denied_authentication',
        },
      });
      return;
    }
    const route = routes
      .map(r => ({ r, m: r[0] === method ? r[1].exec(url.pathname) : null }))
      .find(x => x.m);
    if (!route) {
      send(res, url.pathname, {
        status: 404,
        body: {
          message: 'resource is not found',
          resource: 'path',
          type: 'not_found',
        },
      });
      return;
    }
    const operation = route.r[2];
    const failure = operation
      ? take(failures, f => f[0] === operation)
      : undefined;
    if (failure) {
      send(res, url.pathname, failureAnswer(failure[1]));
      return;
    }
    const drop = operation ? take(drops, d => d === operation) : undefined;
    try {
      tick();
      const answer = await route.r[3](route.m!, body, url.searchParams);
      if (drop) {
        req.socket.destroy();
        return;
      }
      send(res, url.pathname, answer);
    } catch (e) {
      if (e instanceof ApiError) {
        send(res, url.pathname, { status: e.status, body: e.body });
        return;
      }
      send(res, url.pathname, {
        status: 500,
        body: {
          message: `simulator error: ${(e as Error).message}`,
          type: 'internal_error',
        },
      });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host =
    address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const view =
    <T>(map: Map<string, T>) =>
    () => {
      tick();
      return [...map.values()];
    };
  return {
    url: `http://${host}:${address.port}`,
    projectId,
    requests,
    delays,
    quotas,
    failNext: (operation, failure) => failures.push([operation, failure]),
    dropResponseOf: operation => drops.push(operation),
    failNextImport: () => {
      failImports++;
    },
    setAvailability: (type, value) => availability.set(type, value),
    snapshots: view(snapshots),
    volumes: view(volumes),
    images: view(images),
    servers: view(servers),
    close: async () => {
      storage.close();
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

function failureAnswer(failure: SimulatedFailure) {
  if (failure === 'internal')
    return {
      status: 500,
      body: { message: 'internal error', type: 'internal_error' },
    };
  if (failure === 'tooManyRequests')
    return {
      status: 429,
      body: {
        help_message: 'too many requests, retry later',
        limit: { quota: 10, window_seconds: 1 },
        message: 'too many requests',
        type: 'too_many_requests',
      },
    };
  return failure;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

function randomId() {
  return randomBytes(4).toString('hex');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

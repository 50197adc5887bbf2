/**
 * What the Scaleway simulator holds, and each resource in the wire shape the real API answers with
 * (field names, order and JSON types of the recorded traffic in `__fixtures__/recordedScalewayShapes.json`:
 * Block snapshots and volumes unwrapped with `created_at`/`updated_at` in microseconds and `Z`,
 * Instance images and servers with `creation_date` in microseconds and `+00:00`).
 */

export interface SimReference {
  id: string;
  productResourceType: 'instance_image' | 'instance_server';
  productResourceId: string;
  createdAt: Date;
  type: 'link' | 'exclusive';
}

/** A state the resource enters at `at` (lazy transitions: applied when the simulator is next read). */
export interface SimTransition<S> {
  at: number;
  apply: (resource: S) => void;
}

export interface SimSnapshot {
  id: string;
  name: string;
  zone: string;
  projectId: string;
  size: number;
  status: 'creating' | 'available' | 'error' | 'in_use';
  tags: string[];
  references: SimReference[];
  createdAt: Date;
  updatedAt: Date;
  /** Where it was imported from. */
  source: { bucket: string; key: string };
  transitions: Array<SimTransition<SimSnapshot>>;
}

export interface SimVolume {
  id: string;
  name: string;
  zone: string;
  projectId: string;
  size: number;
  status: 'available' | 'in_use';
  tags: string[];
  references: SimReference[];
  parentSnapshotId: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastDetachedAt: Date | null;
}

export interface SimImage {
  id: string;
  name: string;
  zone: string;
  projectId: string;
  arch: string;
  rootSnapshotId: string;
  /** `"1"`, `"2"`, ... → Block snapshot id. */
  extraSnapshotIds: Record<string, string>;
  public: boolean;
  state: 'creating' | 'available' | 'error';
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  transitions: Array<SimTransition<SimImage>>;
}

export interface SimServerIp {
  id: string;
  address: string;
}

export interface SimServer {
  id: string;
  name: string;
  zone: string;
  projectId: string;
  commercialType: string;
  arch: string;
  bootType: string;
  imageId: string | null;
  /** `"0"`, `"1"`, ... → Block volume id. */
  volumeIds: Record<string, string>;
  tags: string[];
  state: 'stopped' | 'starting' | 'running' | 'stopping';
  stateDetail: string;
  dynamicIpRequired: boolean;
  publicIp: SimServerIp | null;
  macAddress: string;
  securityGroupId: string;
  located: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Set by `terminate`: the server disappears when its stop completes. */
  terminating: boolean;
  transitions: Array<SimTransition<SimServer>>;
}

/** `2026-08-17T09:28:45.058513Z`: the Block API's instants. */
export const blockInstant = (d: Date) => d.toISOString().replace('Z', '000Z');
/** `2026-07-30T12:54:41.466118+00:00`: the Instance API's instants. */
export const instanceInstant = (d: Date) =>
  d.toISOString().replace('Z', '000+00:00');

function referenceJson(r: SimReference) {
  return {
    id: r.id,
    product_resource_type: r.productResourceType,
    product_resource_id: r.productResourceId,
    created_at: blockInstant(r.createdAt),
    type: r.type,
    status: 'attached',
  };
}

/** Key order of `block--snapshot-from-s3` (2026-08-17). */
export function snapshotJson(s: SimSnapshot) {
  return {
    class: 'sbs',
    created_at: blockInstant(s.createdAt),
    id: s.id,
    name: s.name,
    parent_volume: null,
    project_id: s.projectId,
    public: false,
    references: s.references.map(referenceJson),
    size: s.size,
    status: s.status,
    tags: s.tags,
    updated_at: blockInstant(s.updatedAt),
    zone: s.zone,
  };
}

/** Key order of `server-root-volume-from-external-snapshot` (2026-07-30). */
export function volumeJson(v: SimVolume) {
  return {
    id: v.id,
    name: v.name,
    type: 'sbs_5k',
    size: v.size,
    project_id: v.projectId,
    created_at: blockInstant(v.createdAt),
    updated_at: blockInstant(v.updatedAt),
    references: v.references.map(referenceJson),
    parent_snapshot_id: v.parentSnapshotId,
    status: v.status,
    tags: v.tags,
    specs: { perf_iops: 5000, class: 'sbs' },
    last_detached_at: v.lastDetachedAt ? blockInstant(v.lastDetachedAt) : null,
    kms_key_id: null,
    zone: v.zone,
  };
}

/** A Block snapshot as an image names it: `size` 0 and `name` empty, as recorded. */
const imageVolume = (snapshotId: string) => ({
  volume_type: 'sbs_snapshot',
  id: snapshotId,
  size: 0,
  name: '',
});

/** Key order of `image-basic` (2026-07-30). */
export function imageJson(i: SimImage) {
  return {
    id: i.id,
    name: i.name,
    organization: i.projectId,
    project: i.projectId,
    root_volume: imageVolume(i.rootSnapshotId),
    extra_volumes: Object.fromEntries(
      Object.entries(i.extraSnapshotIds).map(([k, id]) => [k, imageVolume(id)]),
    ),
    public: i.public,
    arch: i.arch,
    creation_date: instanceInstant(i.createdAt),
    modification_date: instanceInstant(i.updatedAt),
    default_bootscript: null,
    from_server: '',
    state: i.state,
    tags: i.tags,
    zone: i.zone,
  };
}

/** Allowed actions per state, as recorded (`stopped`, `starting`, `running`, `stopping`). */
const ALLOWED_ACTIONS: Record<SimServer['state'], string[]> = {
  stopped: ['poweron', 'backup'],
  starting: ['stop_in_place', 'backup'],
  running: ['poweroff', 'terminate', 'reboot', 'stop_in_place', 'backup'],
  stopping: ['stop_in_place', 'backup'],
};

/** Key order of `server-root-volume-from-external-snapshot` (2026-07-30). */
export function serverJson(s: SimServer, image: SimImage | undefined) {
  const ip = s.publicIp
    ? {
        id: s.publicIp.id,
        address: s.publicIp.address,
        gateway: '62.210.0.1',
        netmask: '32',
        family: 'inet',
        dynamic: s.dynamicIpRequired,
        provisioning_mode: 'dhcp',
        tags: [],
        ipam_id: s.publicIp.id,
        state: 'attached',
      }
    : null;
  return {
    id: s.id,
    name: s.name,
    arch: s.arch,
    commercial_type: s.commercialType,
    boot_type: s.bootType,
    organization: s.projectId,
    project: s.projectId,
    hostname: s.name,
    image: image ? imageJson(image) : null,
    volumes: Object.fromEntries(
      Object.entries(s.volumeIds).map(([k, id]) => [
        k,
        {
          boot: false,
          volume_type: 'sbs_volume',
          id,
          state: 'available',
          zone: s.zone,
        },
      ]),
    ),
    tags: s.tags,
    state: s.state,
    protected: false,
    state_detail: s.stateDetail,
    public_ip: ip,
    public_ips: ip ? [ip] : [],
    mac_address: s.macAddress,
    routed_ip_enabled: true,
    ipv6: null,
    extra_networks: [],
    dynamic_ip_required: s.dynamicIpRequired,
    enable_ipv6: false,
    private_ip: null,
    creation_date: instanceInstant(s.createdAt),
    modification_date: instanceInstant(s.updatedAt),
    bootscript: null,
    security_group: { id: s.securityGroupId, name: 'Default security group' },
    location: s.located
      ? {
          zone_id: s.zone,
          platform_id: '14',
          cluster_id: '7',
          hypervisor_id: '901',
          node_id: '162',
        }
      : null,
    maintenances: [],
    allowed_actions: ALLOWED_ACTIONS[s.state],
    placement_group: null,
    private_nics: [],
    zone: s.zone,
    filesystems: [],
    end_of_service: false,
    dns: `${s.id}.pub.instances.scw.cloud`,
  };
}

/** The task an action answers with: the API's placeholder, as recorded. */
export function actionTaskJson(server: SimServer, now: Date) {
  return {
    id: '00000000-0000-0000-0000-000000000000',
    description: 'fake task',
    status: 'pending',
    href_from: `/servers/${server.id}/action`,
    href_result: `/servers/${server.id}`,
    started_at: instanceInstant(now),
    terminated_at: null,
    progress: 0,
    zone: server.zone,
  };
}

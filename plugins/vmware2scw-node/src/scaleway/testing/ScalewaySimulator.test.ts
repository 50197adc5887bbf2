import { createHash } from 'node:crypto';
import { fetch } from 'undici';
import { SwiftS3Server } from '../../s3/testing/SwiftS3Server';
import recorded from '../__fixtures__/recordedScalewayShapes.json';
import {
  makeQcow2Images,
  uploadFiles,
  type Qcow2Images,
} from '../__fixtures__/qcow2Images';
import {
  startScalewaySimulator,
  type ScalewaySimulator,
} from './ScalewaySimulator';

jest.setTimeout(120_000);

const TOKEN = '11111111-2222-4333-8444-555555555555';
const PROJECT = '105bdce1-64c0-48ab-899d-868455867ecf';

type Shape = string | { array: Shape | null } | { [key: string]: Shape };

function shape(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return { array: value.length ? shape(value[0]) : null };
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as object).map(([k, v]) => [k, shape(v)]),
    );
  return typeof value;
}

/**
 * Differences between a recorded shape and the simulator's, as readable paths. An empty array on
 * either side matches any array; `null` on one side and an object on the other is accepted only where
 * `nullable` says so (fields the recorded resource had and ours has not, or the reverse: the image
 * of a server made without one, the parent volume of a snapshot taken from a volume).
 */
function differences(
  want: Shape,
  got: Shape,
  path = '',
  nullable: readonly string[] = [],
): string[] {
  if ((want === 'null' || got === 'null') && nullable.includes(path)) return [];
  if (typeof want === 'string' || typeof got === 'string')
    return want === got
      ? []
      : [
          `${path}: ${JSON.stringify(want)} recorded, ${JSON.stringify(
            got,
          )} served`,
        ];
  if ('array' in want && 'array' in got && Object.keys(want).length === 1) {
    const w = (want as { array: Shape | null }).array;
    const g = (got as { array: Shape | null }).array;
    return w === null || g === null
      ? []
      : differences(w, g, `${path}[]`, nullable);
  }
  const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
  return [...keys].flatMap(k => {
    const w = (want as Record<string, Shape>)[k];
    const g = (got as Record<string, Shape>)[k];
    if (w === undefined) return [`${path}.${k}: served, not recorded`];
    if (g === undefined) return [`${path}.${k}: recorded, not served`];
    return differences(w, g, `${path}.${k}`, nullable);
  });
}

const exchange = (name: string) => {
  const e = recorded.find(r => r.name === name);
  if (!e) throw new Error(`no recorded exchange ${name}`);
  return e;
};

describe('Scaleway simulator against the recorded traffic', () => {
  let s3: SwiftS3Server;
  let images: Qcow2Images;
  let sim: ScalewaySimulator;

  beforeAll(async () => {
    // One after the other: a failure of one must not leave the other running unstopped.
    images = await makeQcow2Images();
    s3 = await SwiftS3Server.start();
    await uploadFiles(s3, 'transit', {
      'good.qcow2': images.good,
      'zstd.qcow2': images.zstd,
      'backing.qcow2': images.backing,
      'encrypted.qcow2': images.encrypted,
      'tiny.qcow2': images.tiny,
      'v2.qcow2': images.v2,
      'raw.qcow2': images.raw,
    });
    sim = await startScalewaySimulator({
      objectStorage: s3,
      secretKey: TOKEN,
      projectId: PROJECT,
      // As recorded: the image is available at once; the others are sped up.
      delays: {
        snapshotImportMs: 300,
        imageCreateMs: 0,
        serverStartMs: 300,
        serverStopMs: 300,
      },
    });
  });
  afterAll(async () => {
    await sim?.close();
    await s3?.stop();
    await images?.remove();
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        'X-Auth-Token': TOKEN,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      totalCount: res.headers.get('x-total-count'),
      body: text ? JSON.parse(text) : undefined,
    };
  }

  /** Checks an answer against a recorded exchange: status, Content-Type, state, body shape. */
  function expectRecorded(
    name: string,
    answer: Awaited<ReturnType<typeof call>>,
    nullable: string[] = [],
  ) {
    const want = exchange(name);
    expect({ exchange: name, status: answer.status }).toEqual({
      exchange: name,
      status: want.status,
    });
    expect(answer.contentType).toBe(want.contentType);
    if (want.response === undefined) {
      expect(answer.body).toBeUndefined();
      return;
    }
    expect(
      differences(
        want.response as unknown as Shape,
        shape(answer.body),
        '',
        nullable,
      ),
    ).toEqual([]);
    const resource = answer.body.server ?? answer.body.image ?? answer.body;
    if (want.state) expect(resource.state ?? resource.status).toBe(want.state);
    if (want.stateDetail) expect(resource.state_detail).toBe(want.stateDetail);
  }

  const until = async <T>(read: () => Promise<T>, done: (t: T) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error('never settled');
  };

  it('walks import → image → server → running → terminate → delete as recorded', async () => {
    const zone = '/block/v1/zones/fr-par-1';
    const inst = '/instance/v1/zones/fr-par-1';
    // The request body of the recording, with our bucket and key.
    const importBody = {
      bucket: 'transit',
      key: 'good.qcow2',
      name: 'test-acc-block-snapshot-qcow2',
      project_id: PROJECT,
      tags: [],
    };
    expect(shape(importBody)).toEqual(
      exchange('block.snapshot.import').request,
    );
    const imported = await call(
      'POST',
      `${zone}/snapshots/import-from-object-storage`,
      importBody,
    );
    expectRecorded('block.snapshot.import', imported);
    expect(imported.body.size).toBe(2 * 2 ** 30); // the qcow2's virtual size, read from S3
    const snapshotId = imported.body.id;
    expectRecorded(
      'block.snapshot.get.creating',
      await call('GET', `${zone}/snapshots/${snapshotId}`),
    );
    const available = await until(
      () => call('GET', `${zone}/snapshots/${snapshotId}`),
      a => a.body.status !== 'creating',
    );
    expectRecorded('block.snapshot.get.available', available);

    const imageBody = {
      name: 'tf-image-recursing-khorana',
      root_volume: snapshotId,
      arch: 'x86_64',
      project: PROJECT,
      public: false,
    };
    expect(shape(imageBody)).toEqual(exchange('instance.image.create').request);
    const image = await call('POST', `${inst}/images`, imageBody);
    expectRecorded('instance.image.create', image);
    const imageId = image.body.image.id;
    expectRecorded(
      'instance.image.get',
      await call('GET', `${inst}/images/${imageId}`),
    );
    // The recorded snapshots of an image were taken from a volume; ours come from S3.
    const fromS3 = ['.parent_volume'];
    expectRecorded(
      'block.snapshot.get.in_use',
      await call('GET', `${zone}/snapshots/${snapshotId}`),
      fromS3,
    );

    const serverBody = {
      name: 'tf-acc-server-root-volume-from-external-snapshot',
      dynamic_ip_required: false,
      commercial_type: 'PLAY2-PICO',
      image: imageId,
      volumes: { '0': { boot: false, size: 50e9, volume_type: 'sbs_volume' } },
      boot_type: 'local',
      project: PROJECT,
      tags: ['terraform-test', 'scaleway_instance_server'],
    };
    expect(shape(serverBody)).toEqual(
      exchange('instance.server.create').request,
    );
    const created = await call('POST', `${inst}/servers`, serverBody);
    expectRecorded('instance.server.create', created);
    const serverId = created.body.server.id;
    const volumeId = created.body.server.volumes['0'].id;
    expectRecorded(
      'instance.server.get.stopped',
      await call('GET', `${inst}/servers/${serverId}`),
    );
    const volume = await call('GET', `${zone}/volumes/${volumeId}`);
    expectRecorded('block.volume.get.in_use', volume);
    expect(volume.body).toMatchObject({
      size: 50e9,
      parent_snapshot_id: snapshotId,
      references: [
        {
          product_resource_type: 'instance_server',
          product_resource_id: serverId,
          type: 'exclusive',
        },
      ],
    });

    const poweron = { action: 'poweron' };
    expect(shape(poweron)).toEqual(
      exchange('instance.server.action.poweron').request,
    );
    expectRecorded(
      'instance.server.action.poweron',
      await call('POST', `${inst}/servers/${serverId}/action`, poweron),
    );
    // The recorded running server had no image: that field alone may differ.
    expectRecorded(
      'instance.server.get.starting',
      await call('GET', `${inst}/servers/${serverId}`),
      ['.server.image'],
    );
    const running = await until(
      () => call('GET', `${inst}/servers/${serverId}`),
      a => a.body.server.state !== 'starting',
    );
    expectRecorded('instance.server.get.running', running, ['.server.image']);

    expectRecorded(
      'instance.server.action.terminate',
      await call('POST', `${inst}/servers/${serverId}/action`, {
        action: 'terminate',
      }),
    );
    expectRecorded(
      'instance.server.get.stopping',
      await call('GET', `${inst}/servers/${serverId}`),
      ['.server.image'],
    );
    const gone = await until(
      () => call('GET', `${inst}/servers/${serverId}`),
      a => a.status === 404,
    );
    expectRecorded('instance.server.get.deleted', gone);
    expect(gone.body).toEqual({
      type: 'not_found',
      message: 'resource is not found',
      resource: 'instance_server',
      resource_id: serverId,
    });
    // `terminate` only detaches a Block volume.
    expectRecorded(
      'block.volume.get.detached',
      await call('GET', `${zone}/volumes/${volumeId}`),
    );
    expectRecorded(
      'block.volume.delete',
      await call('DELETE', `${zone}/volumes/${volumeId}`),
    );
    expectRecorded(
      'block.volume.get.deleted',
      await call('GET', `${zone}/volumes/${volumeId}`),
    );

    expectRecorded(
      'instance.image.delete',
      await call('DELETE', `${inst}/images/${imageId}`),
    );
    expectRecorded(
      'instance.image.get.deleted',
      await call('GET', `${inst}/images/${imageId}`),
    );
    expectRecorded(
      'block.snapshot.get.released',
      await call('GET', `${zone}/snapshots/${snapshotId}`),
      fromS3,
    );
    expectRecorded(
      'block.snapshot.delete',
      await call('DELETE', `${zone}/snapshots/${snapshotId}`),
    );
    expectRecorded(
      'block.snapshot.get.deleted',
      await call('GET', `${zone}/snapshots/${snapshotId}`),
    );
  });

  it.each([
    ['zstd.qcow2', 'The provided QCOW2 has an unsupported compression type'],
    ['backing.qcow2', 'The provided QCOW2 file has a backing chain'],
    ['encrypted.qcow2', 'The provided QCOW2 file is encrypted'],
    [
      'tiny.qcow2',
      'Snapshots should have a volume size between one gigabyte (GB) and one terabyte (TB)',
    ],
    [
      'raw.qcow2',
      'The provided file is not a valid QCOW2 image (no qcow2 magic)',
    ],
    [
      'missing.qcow2',
      'The object missing.qcow2 does not exist in bucket transit',
    ],
  ])('refuses %s at request time, as Scaleway does', async (key, message) => {
    const before = sim.snapshots().length;
    const answer = await call(
      'POST',
      '/block/v1/zones/fr-par-1/snapshots/import-from-object-storage',
      { bucket: 'transit', key, name: `refused-${key}`, project_id: PROJECT },
    );
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/json');
    expect(answer.body).toEqual({ message, type: 'invalid_request_error' });
    expect(sim.snapshots()).toHaveLength(before);
  });

  it('accepts a version 2 qcow2, and refuses a bucket of another region', async () => {
    const v2 = await call(
      'POST',
      '/block/v1/zones/fr-par-2/snapshots/import-from-object-storage',
      { bucket: 'transit', key: 'v2.qcow2', name: 'v2' },
    );
    expect(v2.status).toBe(200);
    const amsterdam = await call(
      'POST',
      '/block/v1/zones/nl-ams-1/snapshots/import-from-object-storage',
      { bucket: 'transit', key: 'good.qcow2', name: 'elsewhere' },
    );
    expect(amsterdam.status).toBe(400);
    expect(amsterdam.body.message).toBe(
      'The bucket transit is in region fr-par, not in the region of zone nl-ams-1 (nl-ams)',
    );
  });

  it('lists with the totals the SDK pages by, and filters by tag', async () => {
    await call(
      'POST',
      '/block/v1/zones/fr-par-1/snapshots/import-from-object-storage',
      {
        bucket: 'transit',
        key: 'good.qcow2',
        name: 'listed',
        tags: ['vmware2scw-migration=m-1', 'other'],
      },
    );
    const snapshots = await call(
      'GET',
      '/block/v1/zones/fr-par-1/snapshots?tags=vmware2scw-migration%3Dm-1',
    );
    expect(snapshots.status).toBe(200);
    expect(snapshots.body.total_count).toBe(1);
    expect(snapshots.body.snapshots[0].name).toBe('listed');
    const servers = await call(
      'GET',
      '/instance/v1/zones/fr-par-1/servers?tags=a,b',
    );
    expect(servers.totalCount).toBe('0');
    expect(servers.body).toEqual({ servers: [] });
  });

  it('serves products/servers byte for byte as recorded, and refuses a missing token', async () => {
    const res = await fetch(
      `${sim.url}/instance/v1/zones/fr-par-1/products/servers?page=1`,
      { headers: { 'X-Auth-Token': TOKEN } },
    );
    const body = await res.text();
    expect(res.headers.get('x-total-count')).toBe('135');
    expect(createHash('sha256').update(body).digest('hex')).toBe(
      '676984309dd345e5fbf9baa56d3308cfa554dbad7c64e3d85968e3004068c374',
    );
    const denied = await fetch(`${sim.url}/instance/v1/zones/fr-par-1/servers`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({
      type: 'denied_authentication',
    });
  });
});

import type { ScalewayZone } from '@internal/plugin-vmware2scw-common';
import { SwiftS3Server } from '../s3/testing/SwiftS3Server';
import recorded from './__fixtures__/recordedScalewayShapes.json';
import {
  makeQcow2Images,
  uploadFiles,
  type Qcow2Images,
} from './__fixtures__/qcow2Images';
import { ScalewayApiGateway } from './ScalewayApiGateway';
import type {
  GatewayDisk,
  GatewayProgress,
  ImportDisksResult,
} from './ScalewayGateway';
import {
  ScalewayAccessError,
  ScalewayGatewayError,
  ScalewayImageRejectedError,
  ScalewayOutOfStockError,
  ScalewayQuotaError,
  ScalewayResourceFailedError,
  ScalewayTimeoutError,
} from './ScalewayGatewayError';
import {
  startScalewaySimulator,
  type ScalewaySimulator,
} from './testing/ScalewaySimulator';

jest.setTimeout(120_000);

const CONFIG = {
  accessKey: 'SCWABCDEFGHIJ0123456',
  secretKey: '11111111-2222-4333-8444-555555555555',
  projectId: '66666666-7777-4888-9999-000000000000',
  defaultZone: 'fr-par-1' as const,
  s3Region: 'fr-par',
};
const GiB = 2 ** 30;

/**
 * The gateway against the Scaleway simulator, which reads real qcow2 images (made by qemu-img) from a
 * real S3 server (Swift s3api). Each test works on its own migration id.
 */
describe('ScalewayApiGateway against the Scaleway simulator', () => {
  let s3: SwiftS3Server;
  let images: Qcow2Images;
  let sim: ScalewaySimulator;
  let migration = 0;
  const nextMigration = () => `mig-${++migration}`;

  const gateway = (
    extra: Parameters<typeof ScalewayApiGateway.fromConfig>[1] = {},
    config: Partial<Parameters<typeof ScalewayApiGateway.fromConfig>[0]> = {},
  ) =>
    ScalewayApiGateway.fromConfig(
      { ...CONFIG, apiUrl: sim.url, ...config },
      { pollDelays: { minMs: 20, maxMs: 100 }, ...extra },
    );

  const disk = (
    key: string,
    extra: Partial<GatewayDisk> = {},
  ): GatewayDisk => ({
    id: '2000',
    label: 'Hard disk 1',
    bucket: 'transit',
    key,
    sizeBytes: 2 * GiB,
    system: true,
    ...extra,
  });
  const dataDisk = disk('vm/data.qcow2', {
    id: '2001',
    label: 'Hard disk 2',
    sizeBytes: 3 * GiB,
    system: false,
  });

  /** One disk imported for a migration (a fresh one unless given). */
  const importOne = (
    key: string,
    options: {
      migrationId?: string;
      disk?: Partial<GatewayDisk>;
      zone?: ScalewayZone;
      gw?: ScalewayApiGateway;
    } = {},
  ) =>
    (options.gw ?? gateway()).importDisks({
      migrationId: options.migrationId ?? nextMigration(),
      vmName: 'db-01',
      zone: options.zone,
      disks: [disk(key, options.disk)],
    });

  const ofMigration = (id: string) => ({
    snapshots: sim
      .snapshots()
      .filter(s => s.tags.includes(`vmware2scw-migration=${id}`)),
    images: sim
      .images()
      .filter(i => i.tags.includes(`vmware2scw-migration=${id}`)),
    servers: sim
      .servers()
      .filter(s => s.tags.includes(`vmware2scw-migration=${id}`)),
  });

  beforeAll(async () => {
    // One after the other: a failure of one must not leave the other running unstopped.
    images = await makeQcow2Images();
    s3 = await SwiftS3Server.start();
    await uploadFiles(s3, 'transit', {
      'vm/system.qcow2': images.good,
      'vm/data.qcow2': images.data,
      'bad/zstd.qcow2': images.zstd,
      'bad/backing.qcow2': images.backing,
      'bad/encrypted.qcow2': images.encrypted,
      'bad/tiny.qcow2': images.tiny,
      'bad/raw.qcow2': images.raw,
    });
    sim = await startScalewaySimulator({
      objectStorage: s3,
      secretKey: CONFIG.secretKey,
      projectId: CONFIG.projectId,
      delays: {
        snapshotImportMs: 150,
        imageCreateMs: 100,
        serverStartMs: 150,
        serverStopMs: 100,
      },
    });
  });
  afterAll(async () => {
    await sim?.close();
    await s3?.stop();
    await images?.remove();
  });

  it('imports two disks, makes the image, boots a server, verifies it, then removes it all', async () => {
    const migrationId = nextMigration();
    const events: GatewayProgress[] = [];
    const onProgress = (e: GatewayProgress) => events.push(e);
    const gw = gateway();

    const imported = await gw.importDisks(
      {
        migrationId,
        vmName: 'web-01',
        disks: [disk('vm/system.qcow2'), dataDisk],
        tags: ['team-payments'],
      },
      { onProgress },
    );
    expect(imported).toMatchObject({
      zone: 'fr-par-1',
      disks: [
        { diskId: '2000', system: true, sizeBytes: 2 * GiB, adopted: false },
        { diskId: '2001', system: false, sizeBytes: 3 * GiB, adopted: false },
      ],
    });
    // creating → available, as recorded, seen through the progress callback.
    const systemStates = events
      .filter(e => e.resource === 'snapshot' && e.diskId === '2000')
      .map(e => e.state);
    expect(systemStates[0]).toBe('requested');
    expect(systemStates[systemStates.length - 1]).toBe('available');
    // What the SDK sent: the recorded request's fields (bucket, key, name, project_id, tags) + size.
    const importRequests = sim.requests.filter(r =>
      r.path.endsWith('/snapshots/import-from-object-storage'),
    );
    const recordedImport = recorded.find(
      r => r.name === 'block.snapshot.import',
    )!;
    for (const r of importRequests.slice(-2))
      expect(Object.keys(r.body as object).sort()).toEqual(
        [...Object.keys(recordedImport.request!), 'size'].sort(),
      );
    expect(importRequests[importRequests.length - 2].body).toMatchObject({
      bucket: 'transit',
      key: 'vm/system.qcow2',
      name: `vmware2scw-${migrationId}-disk-2000`,
      project_id: CONFIG.projectId,
      size: 2 * GiB,
      tags: [
        'vmware2scw',
        `vmware2scw-migration=${migrationId}`,
        'vmware2scw-disk=2000',
        'team-payments',
      ],
    });

    const image = await gw.createImage(
      { migrationId, vmName: 'web-01', disks: imported.disks },
      { onProgress },
    );
    expect(image).toMatchObject({
      rootSnapshotId: imported.disks[0].snapshotId,
      extraSnapshotIds: { '1': imported.disks[1].snapshotId },
      adopted: false,
    });
    expect(
      events.filter(e => e.resource === 'image').map(e => e.state),
    ).toEqual(expect.arrayContaining(['requested', 'available']));

    // `verify` without a server: the image holds every disk at its size.
    const sourceDisks = [disk('vm/system.qcow2'), dataDisk];
    const imageCheck = await gw.verifyImage({
      imageId: image.imageId,
      disks: sourceDisks,
    });
    expect(imageCheck.ok).toBe(true);
    expect(imageCheck.checks.map(c => c.id)).toEqual([
      'state',
      'volume_count',
      'volume_size',
      'volume_size',
    ]);
    const tooSmall = await gw.verifyImage({
      imageId: image.imageId,
      disks: [sourceDisks[0], { ...dataDisk, sizeBytes: 4 * GiB }],
    });
    expect(tooSmall.checks.filter(c => !c.ok)).toEqual([
      expect.objectContaining({ id: 'volume_size', diskId: '2001' }),
    ]);

    const server = await gw.createServer(
      {
        migrationId,
        vmName: 'web-01',
        imageId: image.imageId,
        commercialType: 'PLAY2-PICO',
        tags: ['team-payments'],
      },
      { onProgress },
    );
    expect(server).toMatchObject({
      serverName: 'web-01',
      state: 'running',
      adopted: false,
      volumes: [
        { index: '0', sizeBytes: 10e9 }, // the system volume's floor
        { index: '1', sizeBytes: 5e9 }, // a Block volume's floor
      ],
    });
    expect(server.publicIps).toHaveLength(1);
    const serverStates = events
      .filter(e => e.resource === 'server')
      .map(e => e.state);
    expect(serverStates).toEqual(
      expect.arrayContaining(['stopped', 'requested', 'running']),
    );
    const created = sim.requests.find(
      r =>
        r.method === 'POST' && r.path === '/instance/v1/zones/fr-par-1/servers',
    )!;
    expect(created.body).toMatchObject({
      commercial_type: 'PLAY2-PICO',
      image: image.imageId,
      boot_type: 'local',
      dynamic_ip_required: true,
      protected: false,
      volumes: {
        '0': {
          volume_type: 'sbs_volume',
          size: 10e9,
          name: `vmware2scw-${migrationId}-vol0`,
        },
        '1': {
          volume_type: 'sbs_volume',
          size: 5e9,
          name: `vmware2scw-${migrationId}-vol1`,
        },
      },
    });

    const verified = await gw.verifyServer({
      serverId: server.serverId,
      commercialType: 'PLAY2-PICO',
      disks: sourceDisks,
      ip: 'public',
    });
    expect(verified.ok).toBe(true);
    expect(verified.checks.map(c => [c.id, c.ok])).toEqual([
      ['state', true],
      ['commercial_type', true],
      ['volume_count', true],
      ['volume_size', true],
      ['volume_size', true],
      ['ip', true],
      ['boot_signal', true],
    ]);
    expect(verified.stateDetail).toBe('booting kernel');

    // A check that fails is a result, not an exception.
    const strict = await gw.verifyServer({
      serverId: server.serverId,
      commercialType: 'PLAY2-NANO',
      disks: [sourceDisks[0], { ...dataDisk, sizeBytes: 6e9 }],
      ip: 'private',
    });
    expect(strict.ok).toBe(false);
    expect(strict.checks.filter(c => !c.ok)).toEqual([
      expect.objectContaining({ id: 'commercial_type', actual: 'PLAY2-PICO' }),
      expect.objectContaining({
        id: 'volume_size',
        diskId: '2001',
        message: expect.stringContaining('Hard disk 2'),
      }),
      expect.objectContaining({
        id: 'ip',
        message: 'no private IP: attach the server to a Private Network',
      }),
    ]);

    // The leak guard finds everything, and removes it in order.
    const found = await gw.findByMigration({ migrationId });
    expect(found.snapshots.map(s => [s.diskId, s.status])).toEqual([
      ['2000', 'in_use'],
      ['2001', 'in_use'],
    ]);
    expect(found.images).toEqual([
      expect.objectContaining({ id: image.imageId, state: 'available' }),
    ]);
    expect(found.servers).toEqual([
      expect.objectContaining({ id: server.serverId, state: 'running' }),
    ]);
    expect(found.volumes).toEqual(
      server.volumes.map(v =>
        expect.objectContaining({ id: v.volumeId, serverId: server.serverId }),
      ),
    );
    await expect(
      gw.deleteSnapshots({ snapshotIds: [imported.disks[0].snapshotId] }),
    ).rejects.toMatchObject({ code: 'SCW_RESOURCE_IN_USE' });
    expect(await gw.deleteServer({ serverId: server.serverId })).toEqual({
      deleted: [server.serverId, ...server.volumes.map(v => v.volumeId)],
      alreadyGone: [],
    });
    expect(await gw.deleteImage({ imageId: image.imageId })).toEqual({
      deleted: [image.imageId],
      alreadyGone: [],
    });
    const snapshotIds = imported.disks.map(d => d.snapshotId);
    expect(await gw.deleteSnapshots({ snapshotIds })).toEqual({
      deleted: snapshotIds,
      alreadyGone: [],
    });
    expect(await gw.findByMigration({ migrationId })).toEqual({
      zone: 'fr-par-1',
      snapshots: [],
      images: [],
      servers: [],
      volumes: [],
    });
    // Deleting again is not an error.
    expect(await gw.deleteServer({ serverId: server.serverId })).toEqual({
      deleted: [],
      alreadyGone: [server.serverId],
    });
    expect(await gw.deleteSnapshots({ snapshotIds })).toEqual({
      deleted: [],
      alreadyGone: snapshotIds,
    });
  });

  it.each([
    ['bad/zstd.qcow2', 'SCW_QCOW2_ZSTD', /compression_type=zlib/],
    ['bad/backing.qcow2', 'SCW_QCOW2_BACKING_CHAIN', /without -B/],
    ['bad/encrypted.qcow2', 'SCW_QCOW2_ENCRYPTED', /unencrypted qcow2/],
    ['bad/raw.qcow2', 'SCW_QCOW2_INVALID', /qemu-img info/],
    ['bad/tiny.qcow2', 'SCW_DISK_SIZE_OUT_OF_RANGE', /1 GB to 1 TB/],
  ])(
    '%s is refused as Scaleway refuses it: %s',
    async (key, code, remediation) => {
      const migrationId = nextMigration();
      const error = await importOne(key, { migrationId }).catch(e => e);
      expect(error).toBeInstanceOf(ScalewayImageRejectedError);
      expect(error.code).toBe(code);
      expect(error.message).toContain('disk "Hard disk 1" (2000)');
      expect(error.message).toContain(`s3://transit/${key}`);
      expect(error.remediation).toMatch(remediation);
      expect(error.httpStatus).toBe(400);
      expect(error.scalewayType).toBe('invalid_request_error');
      expect(ofMigration(migrationId).snapshots).toEqual([]);
    },
  );

  it('names a missing object, a bucket of another region and a quota, with what to do', async () => {
    const missing = await importOne('vm/never-uploaded.qcow2').catch(e => e);
    expect(missing).toMatchObject({
      code: 'SCW_OBJECT_NOT_FOUND',
      remediation: expect.stringContaining('upload_s3'),
    });

    // A configuration that says the bucket is in nl-ams when it is in fr-par: Scaleway refuses.
    const wrongRegion = await importOne('vm/system.qcow2', {
      gw: gateway({}, { defaultZone: 'nl-ams-1', s3Region: undefined }),
    }).catch(e => e);
    expect(wrongRegion).toMatchObject({
      code: 'SCW_BUCKET_REGION',
      message: expect.stringContaining('is in region fr-par'),
      remediation: expect.stringContaining('transit bucket there'),
    });
    // One that knows: refused before any call.
    const before = sim.requests.length;
    await expect(
      importOne('vm/system.qcow2', { zone: 'nl-ams-1' }),
    ).rejects.toMatchObject({ code: 'SCW_BUCKET_REGION' });
    await expect(
      importOne('vm/system.qcow2', { disk: { sizeBytes: 2e12 } }),
    ).rejects.toMatchObject({ code: 'SCW_DISK_SIZE_OUT_OF_RANGE' });
    expect(sim.requests.length).toBe(before);

    sim.quotas.snapshots = sim.snapshots().length;
    try {
      const quota = await importOne('vm/system.qcow2').catch(e => e);
      expect(quota).toBeInstanceOf(ScalewayQuotaError);
      expect(quota.message).toContain('block_snapshots');
      expect(quota.remediation).toContain('Organization > Quotas');
    } finally {
      delete sim.quotas.snapshots;
    }
  });

  describe('with an image ready', () => {
    let ready: { migrationId: string; imageId: string };
    beforeAll(async () => {
      const migrationId = nextMigration();
      const gw = gateway();
      const imported = await gw.importDisks({
        migrationId,
        vmName: 'app-01',
        disks: [disk('vm/system.qcow2')],
      });
      const image = await gw.createImage({
        migrationId,
        vmName: 'app-01',
        disks: imported.disks,
      });
      ready = { migrationId, imageId: image.imageId };
    });

    it('reports a type out of stock, and the old quota answer of the Instance API', async () => {
      sim.setAvailability('PLAY2-NANO', 'shortage');
      const stock = await gateway()
        .createServer({
          ...ready,
          vmName: 'app-01',
          commercialType: 'PLAY2-NANO',
        })
        .catch(e => e);
      expect(stock).toBeInstanceOf(ScalewayOutOfStockError);
      expect(stock.message).toContain('PLAY2-NANO is out of stock in fr-par-1');
      expect(stock.remediation).toContain('Pick another commercial type');
      expect(stock.retryable).toBe(true);

      sim.failNext('createServer', {
        status: 403,
        body: {
          message: 'Quota exceeded for this resource.',
          type: 'invalid_request_error',
        },
      });
      await expect(
        gateway().createServer({
          ...ready,
          vmName: 'app-01',
          commercialType: 'PLAY2-PICO',
        }),
      ).rejects.toBeInstanceOf(ScalewayQuotaError);
      expect(ofMigration(ready.migrationId).servers).toEqual([]);
    });

    it('creates one server when the answer to its creation is lost, and adopts it after a crash', async () => {
      sim.dropResponseOf('createServer');
      const first = await gateway().createServer({
        ...ready,
        vmName: 'app-01',
        commercialType: 'PLAY2-PICO',
      });
      expect(first.adopted).toBe(true);
      expect(first.state).toBe('running');
      const again = await gateway().createServer({
        ...ready,
        vmName: 'app-01',
        commercialType: 'PLAY2-PICO',
      });
      expect(again).toMatchObject({ serverId: first.serverId, adopted: true });
      expect(ofMigration(ready.migrationId).servers).toHaveLength(1);
      await gateway().deleteServer({ serverId: first.serverId });
    });
  });

  it('after a crash between the import call and its record, the next attempt adopts: one snapshot, not two', async () => {
    const migrationId = nextMigration();
    const request = {
      migrationId,
      vmName: 'crm-01',
      disks: [disk('vm/system.qcow2'), dataDisk],
    };
    // The engine dies as soon as Scaleway accepted both imports, before recording their ids.
    const crash = new AbortController();
    let requested = 0;
    const died = await gateway()
      .importDisks(request, {
        signal: crash.signal,
        onProgress: e => {
          if (e.state === 'requested' && ++requested === 2)
            crash.abort(new Error('backend killed'));
        },
      })
      .catch(e => e);
    expect(died).toMatchObject({ code: 'SCW_ABORTED' });
    // A new backend process, a new gateway: it finds what the first one made.
    const resumed = await gateway().importDisks(request);
    expect(resumed.disks.map(d => d.adopted)).toEqual([true, true]);
    expect(ofMigration(migrationId).snapshots).toHaveLength(2);
    expect(new Set(ofMigration(migrationId).snapshots.map(s => s.id))).toEqual(
      new Set(resumed.disks.map(d => d.snapshotId)),
    );

    // The answer itself lost (a network cut after Scaleway created the snapshot): found at once.
    const lost = nextMigration();
    sim.dropResponseOf('importSnapshot');
    const recovered = await gateway().importDisks({
      migrationId: lost,
      vmName: 'crm-02',
      disks: [disk('vm/system.qcow2')],
    });
    expect(recovered.disks[0].adopted).toBe(true);
    expect(ofMigration(lost).snapshots).toHaveLength(1);

    // Same for the image.
    sim.dropResponseOf('createImage');
    const image = await gateway().createImage({
      migrationId: lost,
      vmName: 'crm-02',
      disks: recovered.disks,
    });
    expect(image.adopted).toBe(true);
    const again = await gateway().createImage({
      migrationId: lost,
      vmName: 'crm-02',
      disks: recovered.disks,
    });
    expect(again).toMatchObject({ imageId: image.imageId, adopted: true });
    expect(ofMigration(lost).images).toHaveLength(1);
  });

  it('fails an import Scaleway ends in error, and the retry replaces the failed snapshot', async () => {
    const migrationId = nextMigration();
    const request = {
      migrationId,
      vmName: 'erp-01',
      disks: [disk('vm/system.qcow2')],
    };
    sim.failNextImport();
    const failed = await gateway()
      .importDisks(request)
      .catch(e => e);
    expect(failed).toBeInstanceOf(ScalewayResourceFailedError);
    expect(failed.code).toBe('SCW_IMPORT_FAILED');
    const [broken] = ofMigration(migrationId).snapshots;
    expect(broken.status).toBe('error');
    expect(failed.message).toContain(broken.id);
    const retried: ImportDisksResult = await gateway().importDisks(request);
    expect(retried.disks[0]).toMatchObject({ adopted: false });
    expect(ofMigration(migrationId).snapshots.map(s => s.status)).toEqual([
      'available',
    ]);
  });

  it('gives up waiting at its timeout, and the next attempt adopts and waits again', async () => {
    const migrationId = nextMigration();
    const request = {
      migrationId,
      vmName: 'batch-01',
      disks: [disk('vm/system.qcow2')],
    };
    const late = await gateway({
      timeouts: { importBaseMs: 40, importPerGiBMs: 0 },
    })
      .importDisks(request)
      .catch(e => e);
    expect(late).toBeInstanceOf(ScalewayTimeoutError);
    expect(late.message).toMatch(/still creating after/);
    expect(late.retryable).toBe(true);
    const later = await gateway().importDisks(request);
    expect(later.disks[0].adopted).toBe(true);
    expect(ofMigration(migrationId).snapshots).toHaveLength(1);
  });

  it('rides out a rate limit while waiting; a 500 on creation is retryable', async () => {
    sim.failNext('getSnapshot', 'tooManyRequests');
    const ok = await importOne('vm/system.qcow2');
    expect(ok.disks).toHaveLength(1);
    sim.failNext('importSnapshot', 'internal');
    await expect(importOne('vm/system.qcow2')).rejects.toMatchObject({
      code: 'SCW_API_UNAVAILABLE',
      retryable: true,
    });
  });

  it('never lets a key into an error, its details or a progress message', async () => {
    const events: GatewayProgress[] = [];
    sim.failNext('importSnapshot', {
      status: 400,
      body: {
        message: `The provided QCOW2 file has a backing chain (X-Auth-Token ${CONFIG.secretKey}, key ${CONFIG.accessKey})`,
        type: 'invalid_request_error',
      },
    });
    const error = await gateway()
      .importDisks(
        {
          migrationId: nextMigration(),
          vmName: 'web-04',
          disks: [disk('vm/system.qcow2')],
        },
        { onProgress: e => events.push(e) },
      )
      .catch(e => e);
    expect(error.code).toBe('SCW_QCOW2_BACKING_CHAIN');
    const everything = JSON.stringify([
      error.toBody(),
      error.message,
      error.stack,
      error.scalewayMessage,
      events,
    ]);
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(CONFIG.secretKey);
    expect(everything).not.toContain(CONFIG.accessKey);

    const denied = await gateway(
      {},
      { secretKey: '99999999-2222-4333-8444-555555555555' },
    )
      .findByMigration({ migrationId: 'x' })
      .catch(e => e);
    expect(denied).toBeInstanceOf(ScalewayAccessError);
    expect(denied.code).toBe('SCW_AUTH_DENIED');

    let config: unknown;
    try {
      gateway({}, { secretKey: 'not-a-uuid-s3cr3t' });
    } catch (e) {
      config = e;
    }
    expect(config).toBeInstanceOf(ScalewayGatewayError);
    expect(config).toMatchObject({ code: 'SCW_CONFIG_INVALID' });
    expect(JSON.stringify([(config as Error).message, config])).not.toContain(
      'not-a-uuid-s3cr3t',
    );
  });

  it('refuses a request it cannot use, naming the field', async () => {
    await expect(
      gateway().importDisks({
        migrationId: 'bad id, with a comma',
        vmName: 'x',
        disks: [disk('vm/system.qcow2', { system: false })],
      }),
    ).rejects.toMatchObject({
      code: 'SCW_INPUT_INVALID',
      message: expect.stringMatching(/migrationId: .*disks: exactly one disk/),
    });
  });
});

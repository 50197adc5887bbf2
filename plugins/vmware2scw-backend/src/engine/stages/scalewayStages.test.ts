import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  LINUX_PIPELINE,
  offlineOffer,
  type ApiModel,
  type StageId,
  type Vm,
} from '@internal/plugin-vmware2scw-common';
import {
  ScalewayApiGateway,
  vmware2scwConfigSchema,
} from '@internal/plugin-vmware2scw-node';
import {
  startScalewaySimulator,
  SwiftS3Server,
  type ScalewaySimulator,
} from '@internal/plugin-vmware2scw-node/testUtils';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_SETTINGS, testVm } from '../../database/testFixtures';
import { BatchReport } from '../../service/BatchReport';
import {
  createEngineHarness,
  runUntil,
  standInExecutors,
  type StandInCall,
} from '../__testUtils__/EngineHarness';
import { RunnerPool } from '../services/RunnerPool';
import { TransitBucket } from '../services/TransitBucket';
import { VcenterPool } from '../services/VcenterPool';
import {
  StageExecutorRegistry,
  type StageContext,
  type StageExecutor,
} from '../StageExecutor';
import { defaultStageExecutors } from './defaultStageExecutors';
import { createCleanupExecutor } from './cleanup';
import type { ImportScwOutputs, VerifyOutputs } from './outputs';
import { transitKey } from './runnerStages';
import { createScalewayExecutors } from './scalewayStages';
import { migrationDisks } from './validate';

jest.setTimeout(180_000);

const run = promisify(execFile);
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const SCW = {
  accessKey: 'SCWABCDEFGHIJ0123456',
  secretKey: '11111111-2222-4333-8444-555555555555',
  projectId: '66666666-7777-4888-9999-000000000000',
  defaultZone: 'fr-par-1' as const,
  s3Region: 'fr-par',
};
const BUCKET = 'transit';
const GiB = 2 ** 30;
const ADMIN = 'user:default/platform-admin';

const plan = (vms: string[], post = 'delete_s3_transit: true') =>
  [
    'version: 1',
    'defaults:',
    '  zone: fr-par-1',
    '  tags: [migrated-from-vmware]',
    'migrations:',
    ...vms.flatMap(v => [
      `  - vm_name: ${v}`,
      '    target_type: POP2-2C-8G',
      '    wave: only',
    ]),
    'waves:',
    '  - name: only',
    '    pause_after: none',
    'post_migration:',
    '  delete_vmware_snapshot: false',
    `  ${post}`,
    '',
  ].join('\n');

/**
 * import_scw and verify, the real executors on the real gateway, against the Scaleway simulator that
 * reads the uploaded qcow2 (made by qemu-img) from a real S3 server (Swift s3api); the stages before
 * them are stand-ins whose outputs are what the runner stages record (the runner path itself is
 * proven by packages/lab's end-to-end test). The store is SQLite and PostgreSQL.
 */
describe('the Scaleway stages against the simulator', () => {
  let dir: string;
  let s3: SwiftS3Server;
  let sim: ScalewaySimulator;
  let transit: TransitBucket;
  const qcow2: Record<string, Buffer> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmware2scw-scw-stages-'));
    const make = async (name: string, size: string, ...opts: string[]) => {
      const file = join(dir, `${name}.qcow2`);
      await run('qemu-img', [
        'create',
        '-q',
        '-f',
        'qcow2',
        ...opts,
        file,
        size,
      ]);
      qcow2[name] = await readFile(file);
    };
    await make('good', '10G');
    await make('zstd', '10G', '-o', 'compression_type=zstd');
    s3 = await SwiftS3Server.start({ region: SCW.s3Region });
    await s3.createBucket(BUCKET);
    sim = await startScalewaySimulator({
      objectStorage: s3,
      secretKey: SCW.secretKey,
      projectId: SCW.projectId,
      delays: {
        snapshotImportMs: 300,
        imageCreateMs: 100,
        serverStartMs: 200,
        serverStopMs: 100,
      },
    });
    transit = new TransitBucket(BUCKET, SCW.s3Region, {
      endpoint: s3.endpoint,
      ...s3.credentials,
    });
  });
  afterAll(async () => {
    transit?.destroy();
    await sim?.close();
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gateway = () =>
    ScalewayApiGateway.fromConfig(
      { ...SCW, apiUrl: sim.url },
      { pollDelays: { minMs: 20, maxMs: 100 } },
    );

  const objectExists = async (key: string) => {
    const client = s3.client();
    try {
      await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return true;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  };

  const ofMigration = (id: string) => {
    const mine = (tags: string[]) =>
      tags.includes(`vmware2scw-migration=${id}`);
    return {
      snapshots: sim.snapshots().filter(s => mine(s.tags)),
      images: sim.images().filter(i => mine(i.tags)),
      servers: sim.servers().filter(s => mine(s.tags)),
      volumes: sim.volumes().filter(v => v.name.startsWith(`vmware2scw-${id}`)),
    };
  };

  /**
   * The stages before import_scw as stand-ins recording what the real ones record: validate's disks,
   * target and zone; convert's virtual sizes; upload_s3 puts the VM's qcow2 (`good`, or the one its
   * name ends with) into the transit bucket and records it, as the runner's upload does.
   */
  function runnerStandIns(calls: StandInCall[]): StageExecutor[] {
    const plain = standInExecutors({
      stages: ['snapshot', 'export', 'adapt_guest', 'ensure_uefi'],
      calls,
      instance: 'a',
    });
    return [
      ...plain,
      {
        stage: 'validate',
        async execute(ctx) {
          return {
            outputs: {
              concerns: [],
              targetType: 'POP2-2C-8G',
              zone: 'fr-par-1',
              osFamily: 'linux',
              exportMethod: 'datastore',
              exportMethodReason: 'stand-in',
              priorSnapshots: 0,
              disks: migrationDisks(ctx.migration.vm),
            },
          };
        },
      },
      {
        stage: 'convert',
        async execute(ctx) {
          return {
            outputs: {
              disks: migrationDisks(ctx.migration.vm).map(d => ({
                disk: d.name,
                virtualSize: d.capacityBytes,
                actualSize: 200_000,
              })),
            },
          };
        },
      },
      {
        stage: 'upload_s3',
        async execute(ctx) {
          const image = ctx.migration.vmName.startsWith('zstd')
            ? 'zstd'
            : 'good';
          const disks = migrationDisks(ctx.migration.vm).map(d => ({
            disk: d.name,
            bucket: BUCKET,
            key: transitKey(ctx.migration.id, d.name),
            region: SCW.s3Region,
            bytes: qcow2[image].length,
          }));
          await ctx.recordLeftovers(
            disks.map(d => ({
              kind: 's3_object' as const,
              id: d.key,
              where: `${SCW.s3Region}/${BUCKET}`,
            })),
          );
          const client = s3.client();
          try {
            for (const d of disks)
              await client.send(
                new PutObjectCommand({
                  Bucket: BUCKET,
                  Key: d.key,
                  Body: qcow2[image],
                }),
              );
          } finally {
            client.destroy();
          }
          return { outputs: { disks }, bytes: qcow2[image].length };
        },
      },
    ];
  }

  async function harness(
    knex: Awaited<ReturnType<typeof databases.init>>,
    vms: Vm[],
    options: { instance?: string; migrate?: boolean } = {},
  ) {
    const calls: StandInCall[] = [];
    const logger = mockServices.logger.mock();
    const gw = gateway();
    const executors: StageExecutor[] = [
      ...runnerStandIns(calls),
      ...createScalewayExecutors({ gateway: gw }),
      // The real cleanup stage: post_migration's delete_s3_transit on the real bucket.
      createCleanupExecutor({
        vcenters: new VcenterPool([], { logger, inventoryCacheMs: 1000 }),
        runners: new RunnerPool([], { logger }),
        transit,
        cleanupRunnerFiles: false,
      }),
    ];
    expect(executors.map(e => e.stage).sort()).toEqual(
      [...LINUX_PIPELINE].sort(),
    );
    return createEngineHarness({
      knex,
      vms,
      executors,
      leftovers: { transit, scaleway: gw },
      ...options,
    });
  }

  const stageOf = <T>(
    m: { stages: Array<{ stage: StageId; outputs?: unknown }> },
    stage: StageId,
  ) => m.stages.find(s => s.stage === stage)?.outputs as T;

  it('defaultStageExecutors: the Scaleway stages on a gateway from vmware2scw.scaleway, a clear skip without it', async () => {
    const logger = mockServices.logger.mock();
    const vm = testVm('direct-1');
    const key = 'direct/disk-0.qcow2';
    const client = s3.client();
    try {
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: qcow2.good }),
      );
    } finally {
      client.destroy();
    }
    const recorded: ApiModel.Leftover[] = [];
    const ctx = {
      stage: 'import_scw',
      migration: {
        id: 'direct-1',
        vmName: vm.name,
        zone: 'fr-par-1',
        vm,
        leftovers: [],
      },
      batch: { settings: DEFAULT_SETTINGS },
      outputs: {
        validate: {
          zone: 'fr-par-1',
          targetType: 'POP2-2C-8G',
          disks: migrationDisks(vm),
        },
        upload_s3: {
          disks: [{ disk: 'disk-0', bucket: BUCKET, key, region: 'fr-par' }],
        },
      },
      partial: {},
      signal: new AbortController().signal,
      progress: () => {},
      checkpoint: async () => {},
      recordLeftovers: async (l: ApiModel.Leftover[]) => {
        recorded.push(...l);
      },
      clearLeftovers: async () => {},
      logger,
    } as unknown as StageContext;
    const executors = (scaleway?: Record<string, unknown>) =>
      new StageExecutorRegistry(
        defaultStageExecutors({
          vcenters: new VcenterPool([], { logger, inventoryCacheMs: 1000 }),
          runners: new RunnerPool([], { logger }),
          catalog: async () => offlineOffer('fr-par-1')!,
          settings: vmware2scwConfigSchema.parse(scaleway ? { scaleway } : {}),
        }),
      );

    expect(await executors().get('import_scw').execute(ctx)).toEqual({
      skipped: expect.stringContaining('vmware2scw.scaleway'),
    });
    expect(recorded).toEqual([]);

    const configured = {
      accessKey: SCW.accessKey,
      secretKey: SCW.secretKey,
      projectId: SCW.projectId,
      defaultZone: SCW.defaultZone,
      transitBucket: BUCKET,
      apiUrl: sim.url,
    };
    const outcome = await executors(configured).get('import_scw').execute(ctx);
    expect(outcome).not.toHaveProperty('skipped');
    const imported = outcome.outputs as unknown as ImportScwOutputs;
    expect(ofMigration('direct-1').images.map(i => i.id)).toEqual([
      imported.imageId,
    ]);
    expect(recorded.map(l => `${l.kind}:${l.id}`).sort()).toEqual(
      [
        `scw_image:${imported.imageId}`,
        `scw_snapshot:${imported.snapshots[0].snapshotId}`,
      ].sort(),
    );

    // verify without a server (vmware2scw.scaleway.verify.createServer: false): the image is checked
    // (available, the disk at its size).
    const verifyCtx = {
      ...ctx,
      stage: 'verify',
      outputs: { ...ctx.outputs, import_scw: outcome.outputs },
    } as StageContext;
    const imageOnly = executors({
      ...configured,
      verify: { createServer: false },
    }).get('verify');
    const checked = await imageOnly.execute(verifyCtx);
    expect(checked.outputs).toMatchObject({
      mode: 'image',
      ok: true,
      imageId: imported.imageId,
      state: 'available',
    });
    expect(ofMigration('direct-1').servers).toEqual([]);

    // A server that fails a check (a private IP asked, none attached) fails verify, every failed
    // check named, and stays listed for the cleanup.
    const [, privateIp] = createScalewayExecutors({
      gateway: gateway(),
      verify: { ip: 'private' },
    });
    const failure = await privateIp.execute(verifyCtx).catch(e => e);
    const [server] = ofMigration('direct-1').servers;
    expect(server.state).toBe('running');
    expect(failure).toMatchObject({
      code: 'VERIFY_CHECKS_FAILED',
      message: expect.stringContaining(
        `server ${server.id} failed its checks: ip: no private IP`,
      ),
      remediation: expect.stringContaining('Scaleway console'),
      details: {
        verification: expect.objectContaining({ serverId: server.id }),
      },
    });
    expect(
      failure.details.verification.checks.filter((c: any) => !c.ok),
    ).toEqual([expect.objectContaining({ id: 'ip' })]);
    expect(recorded).toContainEqual({
      kind: 'scw_server',
      id: server.id,
      where: 'fr-par-1',
    });
  });

  describe.each(databases.eachSupportedId())('on %p', dbId => {
    const suffix = dbId.toLowerCase().replace(/[^a-z0-9]/g, '');

    it('imports, boots and verifies a VM of two disks; cleanup deletes the transit objects; the report lists it all', async () => {
      const vm = testVm(`web-${suffix}`, {
        disks: [
          {
            key: 2000,
            label: 'Hard disk 1',
            capacityBytes: 10 * GiB,
            fileName: '[ds1] web/web.vmdk',
          },
          {
            key: 2001,
            label: 'Hard disk 2',
            capacityBytes: 10 * GiB,
            fileName: '[ds1] web/web_1.vmdk',
          },
        ] as Vm['disks'],
        tags: [{ category: 'env', name: 'prod' }],
      });
      const h = await harness(await databases.init(dbId), [vm]);
      const created = await h.service.createPlan(
        { name: 'scw', yaml: plan([vm.name]) },
        ADMIN,
      );
      const started = await h.service.startBatch(
        { planId: created.id, approveFirstWave: true },
        ADMIN,
      );
      const batchId = started.batch.id;
      await runUntil(
        [h.engine],
        async () =>
          (await h.service.batchStatus(batchId)).batch.state !== 'running',
        120_000,
      );
      const status = await h.service.batchStatus(batchId);
      const m = status.migrations[0];
      expect(m.lastError).toBeUndefined();
      expect(m.state).toBe('succeeded');

      const imported = stageOf<ImportScwOutputs>(m, 'import_scw');
      const verified = stageOf<Extract<VerifyOutputs, { mode: 'server' }>>(
        m,
        'verify',
      );
      const made = ofMigration(m.id);
      // One snapshot per disk, one image, one server: what the outputs name.
      expect(made.snapshots.map(s => s.id).sort()).toEqual(
        imported.snapshots.map(s => s.snapshotId).sort(),
      );
      expect(imported.snapshots.map(s => [s.disk, s.system])).toEqual([
        ['disk-0', true],
        ['disk-1', false],
      ]);
      expect(imported.snapshots.every(s => s.sizeBytes >= 10 * GiB)).toBe(true);
      expect(made.images.map(i => i.id)).toEqual([imported.imageId]);
      const image = made.images[0];
      expect(image.rootSnapshotId).toBe(imported.snapshots[0].snapshotId);
      expect(made.servers.map(s => s.id)).toEqual([verified.serverId]);
      const server = made.servers[0];
      expect(server.name).toBe(vm.name);
      expect(server.state).toBe('running');
      expect(server.commercialType).toBe('POP2-2C-8G');
      expect(server.tags).toEqual(
        expect.arrayContaining(['migrated-from-vmware', 'env=prod']),
      );
      expect(verified).toMatchObject({
        mode: 'server',
        ok: true,
        state: 'running',
        commercialType: 'POP2-2C-8G',
      });
      expect(verified.publicIps).toHaveLength(1);
      expect(verified.publicIps[0]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(verified.checks.map(c => c.id)).toEqual([
        'state',
        'commercial_type',
        'volume_count',
        'volume_size',
        'volume_size',
        'ip',
        'boot_signal',
      ]);
      expect(verified.checks.every(c => c.ok)).toBe(true);

      // The Scaleway resources are the migrated VM now; the transit objects went with cleanup.
      expect(m.leftovers ?? []).toEqual([]);
      for (const d of ['disk-0', 'disk-1'])
        expect(await objectExists(transitKey(m.id, d))).toBe(false);
      const cleanup = stageOf<{ postMigration: Array<{ action: string }> }>(
        m,
        'cleanup',
      );
      expect(cleanup.postMigration).toEqual([
        expect.objectContaining({
          action: 'delete transit objects',
          done: true,
        }),
      ]);

      const offer = offlineOffer('fr-par-1')!;
      const report = await new BatchReport(h.service, {
        catalog: async () => offer,
      }).render(batchId);
      expect(report).toContain(`### ${vm.name} — succeeded`);
      // POP2-2C-8G, two Block volumes of 11 GB (10 GiB rounded up), one public IPv4; 730 h a month.
      const hourly = offer.serverTypes.find(
        t => t.name === 'POP2-2C-8G',
      )!.hourlyPriceEur;
      const monthly =
        Math.round(hourly * 730 * 100) / 100 +
        Math.round(22 * offer.extraPrices.blockStorageGbHourEur * 730 * 100) /
          100 +
        Math.round(offer.extraPrices.flexibleIpv4HourEur * 730 * 100) / 100;
      expect(report).toContain(
        `1 server(s) created, ${monthly.toFixed(2)} EUR a month`,
      );
      for (const s of imported.snapshots)
        expect(report).toContain(`snapshot \`${s.snapshotId}\``);
      expect(report).toContain(`image \`${imported.imageId}\``);
      expect(report).toContain(`server \`${verified.serverId}\``);
      expect(report).toContain(`${verified.publicIps[0]} (public)`);
      expect(report).toMatch(/\| ip \| ok \| a public IP \| \d+\.\d+/);
      expect(report).toMatch(/\| Import to Scaleway \| succeeded \| 1 \|/);
    });

    it('a backend stopped while the import runs: the next one adopts the snapshot (one, not two)', async () => {
      const knex = await databases.init(dbId);
      const vm = testVm(`crash-${suffix}`);
      const a = await harness(knex, [vm], { instance: 'engine-a' });
      const created = await a.service.createPlan(
        { name: 'crash', yaml: plan([vm.name]) },
        ADMIN,
      );
      const started = await a.service.startBatch(
        { planId: created.id, approveFirstWave: true },
        ADMIN,
      );
      const id = started.migrations[0].id;
      const slow = sim.delays.snapshotImportMs;
      sim.delays.snapshotImportMs = 3_000;
      try {
        // Engine A runs up to the import, which Scaleway accepts; A stops before recording its result.
        await runUntil(
          [a.engine],
          async () => ofMigration(id).snapshots.length > 0,
          60_000,
        );
        expect(ofMigration(id).snapshots[0].status).toBe('creating');
        await a.engine.stop();
      } finally {
        sim.delays.snapshotImportMs = slow;
      }
      const b = await harness(knex, [vm], {
        instance: 'engine-b',
        migrate: false,
      });
      await runUntil(
        [b.engine],
        async () =>
          (await b.service.batchStatus(started.batch.id)).batch.state !==
          'running',
        120_000,
      );
      const m = await b.service.migrationView(id);
      expect(m.state).toBe('succeeded');
      const imported = stageOf<ImportScwOutputs>(m, 'import_scw');
      expect(imported.snapshots).toEqual([
        expect.objectContaining({ adopted: true }),
      ]);
      expect(ofMigration(id).snapshots).toHaveLength(1);
      expect(ofMigration(id).images).toHaveLength(1);
      expect(ofMigration(id).servers).toHaveLength(1);
    });

    it('cancelled during the import: the snapshot is listed at once, and the cleanup route removes it and the transit object', async () => {
      const vm = testVm(`cancel-${suffix}`);
      const h = await harness(await databases.init(dbId), [vm]);
      const created = await h.service.createPlan(
        { name: 'cancel', yaml: plan([vm.name]) },
        ADMIN,
      );
      const started = await h.service.startBatch(
        { planId: created.id, approveFirstWave: true },
        ADMIN,
      );
      const id = started.migrations[0].id;
      const fast = sim.delays.snapshotImportMs;
      sim.delays.snapshotImportMs = 2_500;
      try {
        await runUntil(
          [h.engine],
          async () => ofMigration(id).snapshots.length > 0,
          60_000,
        );
      } finally {
        sim.delays.snapshotImportMs = fast;
      }
      await h.service.cancelMigration(id, ADMIN);
      await runUntil(
        [h.engine],
        async () => (await h.service.migrationView(id)).state === 'cancelled',
        60_000,
      );
      await h.engine.idle();
      const snapshot = ofMigration(id).snapshots[0];
      let m = await h.service.migrationView(id);
      expect(m.stages.find(s => s.stage === 'import_scw')?.state).toBe(
        'cancelled',
      );
      expect(m.leftovers).toEqual(
        expect.arrayContaining([
          { kind: 'scw_snapshot', id: snapshot.id, where: 'fr-par-1' },
          expect.objectContaining({ kind: 's3_object' }),
        ]),
      );

      m = await h.service.cleanupLeftovers(id, ADMIN);
      expect(m.leftovers).toEqual([]);
      expect(await objectExists(transitKey(id, 'disk-0'))).toBe(false);
      expect(ofMigration(id).snapshots).toEqual([]);
    });

    it('a two-wave batch whose second VM has a zstd qcow2: refused with Scaleway’s message and a remediation, the report tells both, the cleanup route removes the transit object', async () => {
      const good = testVm(`fine-${suffix}`);
      const vm = testVm(`zstd-${suffix}`);
      const h = await harness(await databases.init(dbId), [good, vm]);
      const yaml = [
        'version: 1',
        'defaults:',
        '  zone: fr-par-1',
        'migrations:',
        `  - vm_name: ${good.name}`,
        '    target_type: POP2-2C-8G',
        '    wave: first',
        `  - vm_name: ${vm.name}`,
        '    target_type: POP2-2C-8G',
        '    wave: second',
        'waves:',
        '  - name: first',
        '    pause_after: none',
        '  - name: second',
        '    pause_after: none',
        'post_migration:',
        '  delete_vmware_snapshot: false',
        '  delete_s3_transit: true',
        '',
      ].join('\n');
      const created = await h.service.createPlan(
        { name: 'two-waves', yaml },
        ADMIN,
      );
      const started = await h.service.startBatch(
        { planId: created.id, approveFirstWave: true },
        ADMIN,
      );
      await runUntil(
        [h.engine],
        async () =>
          (
            await h.service.batchStatus(started.batch.id)
          ).migrations.every(
            x => x.state === 'succeeded' || x.state === 'failed',
          ),
        120_000,
      );
      const status = await h.service.batchStatus(started.batch.id);
      const fine = status.migrations.find(x => x.vmName === good.name)!;
      expect(fine.state).toBe('succeeded');
      const id = status.migrations.find(x => x.vmName === vm.name)!.id;
      let m = await h.service.migrationView(id);
      expect(m.state).toBe('failed');
      expect(m.currentStage).toBe('import_scw');
      expect(m.lastError).toMatchObject({
        code: 'SCW_QCOW2_ZSTD',
        message: expect.stringContaining('Hard disk 1'),
        remediation: expect.stringContaining('compression_type=zlib'),
        details: expect.objectContaining({
          scalewayMessage: expect.stringMatching(/compression/i),
        }),
      });
      expect(JSON.stringify(m.lastError)).not.toContain(SCW.secretKey);
      expect(ofMigration(m.id).snapshots).toEqual([]);
      const key = transitKey(m.id, 'disk-0');
      expect(m.leftovers).toEqual([
        { kind: 's3_object', id: key, where: `${SCW.s3Region}/${BUCKET}` },
      ]);
      expect(await objectExists(key)).toBe(true);

      const report = await new BatchReport(h.service).render(started.batch.id);
      const first = report.indexOf('## Wave 1: first');
      const second = report.indexOf('## Wave 2: second');
      expect(first).toBeGreaterThan(0);
      expect(second).toBeGreaterThan(first);
      const fineAt = report.indexOf(`### ${good.name} — succeeded`);
      const badAt = report.indexOf(`### ${vm.name} — failed`);
      expect(fineAt).toBeGreaterThan(first);
      expect(fineAt).toBeLessThan(second);
      expect(badAt).toBeGreaterThan(second);
      const fineImage = stageOf<ImportScwOutputs>(fine, 'import_scw').imageId;
      expect(report.slice(fineAt, second)).toContain(`image \`${fineImage}\``);
      const badSection = report.slice(
        badAt,
        report.indexOf('## Left to clean up'),
      );
      expect(badSection).toMatch(/\| Import to Scaleway \| failed \| 1 \|/);
      expect(badSection).toContain('**Error** `SCW_QCOW2_ZSTD`');
      expect(badSection).toContain('compression_type=zlib');
      expect(badSection).not.toContain('Scaleway:');
      expect(report).toContain(`- ${vm.name}: s3_object \`${key}\``);
      expect(report).toContain('1 server(s) created');

      m = await h.service.cleanupLeftovers(m.id, ADMIN);
      expect(m.leftovers).toEqual([]);
      expect(await objectExists(key)).toBe(false);
    });

    it('verify out of stock: the snapshot and image stay listed, and cleanup removes them, even one whose record was lost', async () => {
      const knex = await databases.init(dbId);
      const vm = testVm(`stock-${suffix}`, {
        disks: [
          {
            key: 2000,
            label: 'Hard disk 1',
            capacityBytes: 10 * GiB,
            fileName: '[ds1] stock/stock.vmdk',
          },
          {
            key: 2001,
            label: 'Hard disk 2',
            capacityBytes: 10 * GiB,
            fileName: '[ds1] stock/stock_1.vmdk',
          },
        ] as Vm['disks'],
      });
      const h = await harness(knex, [vm]);
      const created = await h.service.createPlan(
        { name: 'stock', yaml: plan([vm.name]) },
        ADMIN,
      );
      sim.setAvailability('POP2-2C-8G', 'shortage');
      let m;
      try {
        const started = await h.service.startBatch(
          { planId: created.id, approveFirstWave: true },
          ADMIN,
        );
        await runUntil(
          [h.engine],
          async () =>
            (await h.service.batchStatus(started.batch.id)).batch.state !==
            'running',
          120_000,
        );
        m = await h.service.migrationView(started.migrations[0].id);
      } finally {
        sim.setAvailability('POP2-2C-8G', 'available');
      }
      expect(m.state).toBe('failed');
      expect(m.currentStage).toBe('verify');
      expect(m.lastError).toMatchObject({
        code: 'SCW_OUT_OF_STOCK',
        message: expect.stringContaining('POP2-2C-8G'),
        remediation: expect.any(String),
      });
      const imported = stageOf<ImportScwOutputs>(m, 'import_scw');
      const made = ofMigration(m.id);
      expect(made.servers).toEqual([]);
      expect(
        (m.leftovers ?? [])
          .filter(l => l.kind.startsWith('scw_'))
          .map(l => `${l.kind}:${l.id}:${l.where}`)
          .sort(),
      ).toEqual(
        [
          `scw_image:${imported.imageId}:fr-par-1`,
          ...imported.snapshots.map(
            sn => `scw_snapshot:${sn.snapshotId}:fr-par-1`,
          ),
        ].sort(),
      );
      const report = await new BatchReport(h.service).render(m.batchId);
      expect(report).toContain(`scw_image \`${imported.imageId}\``);
      expect(report).toContain('`SCW_OUT_OF_STOCK`');

      // The image's record is lost (a crash between its creation and the record): still removed.
      await h.store.updateMigration(m.id, {
        leftovers: (m.leftovers ?? []).filter(l => l.kind !== 'scw_image'),
      });
      m = await h.service.cleanupLeftovers(m.id, ADMIN);
      expect(m.leftovers).toEqual([]);
      expect(ofMigration(m.id)).toEqual({
        snapshots: [],
        images: [],
        servers: [],
        volumes: [],
      });
      expect(await objectExists(transitKey(m.id, 'disk-0'))).toBe(false);
    });
  });
});

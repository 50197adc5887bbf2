import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { VcenterClient } from '@internal/plugin-vmware2scw-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendProcess } from './BackendProcess';
import { LAB, Lab } from './Lab';

/**
 * One Linux VM migrated end to end through the product's real backend process: vcsim whose datastore
 * holds a real VMware-style Debian disk, the conversion runner started as its CLI (TCG), the Swift S3
 * server and the Scaleway API simulator. The backend is killed with SIGKILL twice — during the vCenter
 * snapshot task and during a runner stage — and started again; the batch completes with each side
 * effect done once. This is the one test that runs the heavy conversion (the engine's other behaviour
 * is tested with stand-in executors on SQLite and PostgreSQL).
 */
jest.setTimeout(45 * 60_000);

const TOKEN = 'e2e-static-token-0123456789abcdef0123';
const skip = process.env.VMWARE2SCW_SKIP_E2E === '1';

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

(skip ? describe.skip : describe)(
  'a VM migrated end to end through the backend, killed twice',
  () => {
    let lab: Lab;
    let backend: BackendProcess;
    let dbDir: string;
    const log = (line: string) =>
      process.stdout.write(`${new Date().toISOString()} ${line}\n`);

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${backend.baseUrl}/api/vmware2scw${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok)
        throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
      return res.headers.get('content-type')?.includes('json')
        ? JSON.parse(text)
        : text;
    };

    const waitFor = async <T>(
      what: string,
      probe: () => Promise<T | undefined>,
      timeoutMs: number,
    ): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}\n${backend.tail(80)}`);
        await new Promise(r => setTimeout(r, 500));
      }
    };

    beforeAll(async () => {
      lab = await Lab.start({
        log,
        vcenterMethodDelays: { CreateSnapshot_Task: 8_000 },
      });
      dbDir = await mkdtemp(join(tmpdir(), 'vmware2scw-e2e-db-'));
      const port = await freePort();
      backend = await BackendProcess.create({
        port,
        config: {
          app: { baseUrl: `http://127.0.0.1:${port}` },
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { port },
            database: {
              client: 'better-sqlite3',
              connection: { directory: dbDir },
            },
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token: TOKEN, subject: 'e2e-test' },
                },
              ],
            },
          },
          // The test calls the API as a service: it may do everything (the policy is tested elsewhere).
          permission: { enabled: false },
          vmware2scw: lab.config({
            engine: { tickSeconds: 1, leaseSeconds: 8 },
          }),
          catalog: {
            providers: {
              vmware2scw: {
                schedule: {
                  frequency: { seconds: 15 },
                  timeout: { minutes: 2 },
                },
              },
            },
          },
        },
      });
      await backend.start();
      log(`backend ${backend.baseUrl} up`);
    });

    afterAll(async () => {
      await backend?.dispose();
      await lab?.stop();
      if (dbDir) await rm(dbDir, { recursive: true, force: true });
    });

    it('migrates debian-guest: one snapshot, one runner job per key, one qcow2 object of the disk’s size', async () => {
      const vm = await waitFor(
        'the guest VM in the catalog',
        async () => {
          const r = await api(
            'GET',
            `/vms?filter=${encodeURIComponent(`name:${LAB.guestName}`)}`,
          );
          return r.total === 1 ? r.vms[0] : undefined;
        },
        120_000,
      );
      expect(vm).toMatchObject({
        name: LAB.guestName,
        osFamily: 'linux',
        firmware: 'bios',
      });

      const plan = await api('POST', '/plans', {
        name: 'e2e',
        yaml: [
          'version: 1',
          'migrations:',
          `  - vm_name: ${LAB.guestName}`,
          '    target_type: POP2-2C-8G',
          '    wave: only',
          'waves:',
          '  - name: only',
          '    pause_after: none',
          'post_migration:',
          '  tag_source: migrated',
          '  power_off_source: true',
          '  delete_vmware_snapshot: true',
          '  delete_s3_transit: false',
          '',
        ].join('\n'),
      });
      const started = await api('POST', '/batches', {
        planId: plan.id,
        approveFirstWave: true,
      });
      const batchId: string = started.batch.id;
      const migrationId: string = started.migrations[0].id;
      const stageState = async (stage: string) =>
        ((await api('GET', `/migrations/${migrationId}`)).stages as any[]).find(
          s => s.stage === stage,
        )?.state;

      // Crash 1: in the middle of the vCenter snapshot task (CreateSnapshot_Task answers after 8 s).
      await waitFor(
        'snapshot running',
        async () =>
          (await stageState('snapshot')) === 'running' ? true : undefined,
        120_000,
      );
      await new Promise(r => setTimeout(r, 2_000));
      log('killing the backend during the snapshot task');
      await backend.kill9();
      await backend.start();

      // Crash 2: in the middle of a runner stage.
      await waitFor(
        'adapt_guest running',
        async () =>
          (await stageState('adapt_guest')) === 'running' ? true : undefined,
        15 * 60_000,
      );
      await new Promise(r => setTimeout(r, 5_000));
      log('killing the backend during adapt_guest');
      await backend.kill9();
      await backend.start();

      const status = await waitFor(
        'the batch to end',
        async () => {
          const s = await api('GET', `/batches/${batchId}`);
          return s.batch.state === 'running' ? undefined : s;
        },
        30 * 60_000,
      );
      const m = status.migrations[0];
      log(
        `batch ${status.batch.state}: ${m.stages
          .map((s: any) => `${s.stage}=${s.state}(${s.attempt})`)
          .join(' ')}`,
      );
      expect(status.batch.state).toBe('succeeded');
      expect(m.state).toBe('succeeded');
      for (const stage of [
        'validate',
        'snapshot',
        'export',
        'convert',
        'adapt_guest',
        'ensure_uefi',
        'upload_s3',
        'import_scw',
        'verify',
        'cleanup',
      ])
        expect(m.stages.find((s: any) => s.stage === stage)).toMatchObject({
          state: 'succeeded',
        });

      // Scaleway (the simulator): one snapshot of the disk, one image on it, one server running from
      // it, as the stage outputs record; verify's checks all passed; none listed as a leftover.
      const imported = m.stages.find(
        (s: any) => s.stage === 'import_scw',
      ).outputs;
      const verified = m.stages.find((s: any) => s.stage === 'verify').outputs;
      const UUID =
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      expect(imported.zone).toBe(LAB.zone);
      expect(imported.snapshots).toEqual([
        expect.objectContaining({
          disk: 'disk-0',
          system: true,
          snapshotId: expect.stringMatching(UUID),
        }),
      ]);
      expect(imported.snapshots[0].sizeBytes).toBeGreaterThanOrEqual(
        lab.guest!.bytes,
      );
      expect(imported.imageId).toMatch(UUID);
      expect(verified).toMatchObject({
        mode: 'server',
        ok: true,
        imageId: imported.imageId,
        serverId: expect.stringMatching(UUID),
        serverName: LAB.guestName,
        commercialType: 'POP2-2C-8G',
        state: 'running',
      });
      expect(verified.publicIps).toHaveLength(1);
      expect(verified.checks.length).toBeGreaterThanOrEqual(6);
      expect(verified.checks.filter((c: any) => !c.ok)).toEqual([]);
      // The Scaleway resources are the migrated VM (the transit object stays: delete_s3_transit false).
      expect(
        (m.leftovers ?? []).filter((l: any) => l.kind.startsWith('scw_')),
      ).toEqual([]);
      const tagged = (tags: string[]) =>
        tags.includes(`vmware2scw-migration=${migrationId}`);
      expect(
        lab.scaleway
          .snapshots()
          .filter(s => tagged(s.tags))
          .map(s => s.id),
      ).toEqual([imported.snapshots[0].snapshotId]);
      const images = lab.scaleway.images().filter(i => tagged(i.tags));
      expect(images.map(i => i.id)).toEqual([imported.imageId]);
      expect(images[0].rootSnapshotId).toBe(imported.snapshots[0].snapshotId);
      const servers = lab.scaleway.servers().filter(sv => tagged(sv.tags));
      expect(servers.map(sv => [sv.id, sv.state, sv.imageId])).toEqual([
        [verified.serverId, 'running', imported.imageId],
      ]);

      const events = (await api('GET', `/migrations/${migrationId}/events`))
        .items as any[];
      expect(
        events.filter(e => e.type === 'stage.recovered').map(e => e.stage),
      ).toEqual(expect.arrayContaining(['snapshot', 'adapt_guest']));

      // vCenter: the migration's snapshot existed once and cleanup removed it; post-migration applied.
      const snapshotOut = m.stages.find(
        (s: any) => s.stage === 'snapshot',
      ).outputs;
      expect(snapshotOut.snapshotName).toBe(`vmware2scw-${migrationId}`);
      const vc = VcenterClient.fromConfig({
        url: lab.vcsim.url,
        username: LAB.vcenterUser,
        password: LAB.vcenterPassword,
        insecure: true,
        thumbprint: lab.vcsim.info.thumbprintSha256,
      });
      try {
        const snapshots = await vc.listSnapshots(lab.guest!.vm);
        expect(snapshots.filter(s => s.name.startsWith('vmware2scw-'))).toEqual(
          [],
        );
        const inventory = await vc.fetchInventory({
          vcenterId: LAB.vcenterId,
          includeTags: true,
        });
        const guest = inventory.vms.find(v => v.moref === lab.guest!.vm)!;
        expect(guest.powerState).toBe('poweredOff');
        expect(guest.tags).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ name: 'migrated' }),
          ]),
        );
      } finally {
        await vc.close();
      }

      // Runner: one job per idempotency key, whatever the crashes.
      const jobs = await fetch(`${lab.runner.url}/v1/jobs?vm=${migrationId}`, {
        headers: { authorization: `Bearer ${LAB.runnerToken}` },
      }).then(r => r.json());
      const list = (jobs.jobs ?? jobs.items) as Array<{
        idempotencyKey: string;
      }>;
      const keys = list.map(j => j.idempotencyKey);
      expect(keys.length).toBeGreaterThanOrEqual(6);
      expect(new Set(keys).size).toBe(keys.length);

      // S3: one object, a qcow2 whose virtual size is the disk's.
      const s3 = lab.s3.client();
      const objects = await s3.send(
        new ListObjectsV2Command({
          Bucket: LAB.bucket,
          Prefix: `vmware2scw/${migrationId}/`,
        }),
      );
      expect(objects.Contents?.map(o => o.Key)).toEqual([
        `vmware2scw/${migrationId}/disk-0.qcow2`,
      ]);
      const head = await s3.send(
        new GetObjectCommand({
          Bucket: LAB.bucket,
          Key: `vmware2scw/${migrationId}/disk-0.qcow2`,
          Range: 'bytes=0-63',
        }),
      );
      const header = Buffer.from(await head.Body!.transformToByteArray());
      expect(header.subarray(0, 4).toString('binary')).toBe('QFI\xfb');
      // The disk's size, plus the EFI system partition ensure_uefi appended (the disk had no room).
      const virtualSize = Number(header.readBigUInt64BE(24));
      const esp = m.stages.find((s: any) => s.stage === 'ensure_uefi').outputs
        .result.esp;
      expect(virtualSize).toBeGreaterThanOrEqual(lab.guest!.bytes);
      expect(virtualSize - lab.guest!.bytes).toBeLessThanOrEqual(
        esp.sizeBytes + 2 * 2 ** 20,
      );

      const report: string = await api('GET', `/batches/${batchId}/report`);
      expect(report).toContain(`### ${LAB.guestName} — succeeded`);
      expect(report).toMatch(/\| Adapt guest \| succeeded \| 2 \|/);
      expect(report).toContain(
        `snapshot \`${imported.snapshots[0].snapshotId}\``,
      );
      expect(report).toContain(`image \`${imported.imageId}\``);
      expect(report).toContain(`server \`${verified.serverId}\``);
      expect(report).toContain(`${verified.publicIps[0]} (public)`);
      expect(report).toMatch(/\| Import to Scaleway \| succeeded \| 1 \|/);
      expect(report).toMatch(/\| Verify \| succeeded \| 1 \|/);
      expect(report).toMatch(/\| state \| ok \| running \| running \|/);
    });
  },
);

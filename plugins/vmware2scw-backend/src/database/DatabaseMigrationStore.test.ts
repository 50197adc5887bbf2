import { TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import {
  DatabaseMigrationStore,
  MIGRATIONS_DIR,
} from './DatabaseMigrationStore';
import { testBatch, testVm } from './testFixtures';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
});

const T0 = '2026-12-03T10:00:00.000Z';
const T1 = '2026-12-03T10:01:00.000Z';
const LEASE = '2026-12-03T10:05:00.000Z';

describe.each(databases.eachSupportedId())(
  'DatabaseMigrationStore on %p',
  id => {
    async function makeStore() {
      const knex = await databases.init(id);
      await knex.migrate.latest({ directory: MIGRATIONS_DIR });
      return { store: new DatabaseMigrationStore(knex), knex };
    }

    it('stores plans with their parsed form and lists the newest first', async () => {
      const { store } = await makeStore();
      for (const [suffix, at] of [
        ['a', T0],
        ['b', T1],
      ]) {
        await store.insertPlan({
          id: randomUUID(),
          name: `plan-${suffix}`,
          yaml: 'version: 1\nmigrations: []\n',
          parsed: { version: 1, migrations: [] } as any,
          problems: [],
          zone: 'fr-par-1',
          vmCount: 0,
          waveCount: 0,
          createdBy: 'user:default/jane',
          createdAt: at,
        });
      }
      const plans = await store.listPlans();
      expect(plans.map(p => p.name)).toEqual(['plan-b', 'plan-a']);
      expect(await store.getPlan(plans[0].id)).toMatchObject({
        parsed: { version: 1 },
        createdBy: 'user:default/jane',
      });
    });

    it('writes a batch with its waves, migrations and stage runs at once, and counts by state', async () => {
      const { store } = await makeStore();
      const b = testBatch({ waves: [2, 3] });
      await store.insertBatch(b);
      expect(await store.getLatestBatch()).toMatchObject({
        id: b.batch.id,
        settings: b.batch.settings,
        dryRun: false,
      });
      expect((await store.listWaves(b.batch.id)).map(w => w.state)).toEqual([
        'running',
        'pending',
      ]);
      const counts = await store.countMigrations(b.batch.id);
      expect(counts.batch).toMatchObject({ total: 5, queued: 2, pending: 3 });
      expect(counts.byWave.get(b.waves[1].id)).toMatchObject({
        total: 3,
        pending: 3,
      });
      const m = await store.getMigration(b.migrations[0].id);
      expect(m?.vm.disks[0].capacityBytes).toBe(10 * 2 ** 30);
      expect(m?.pipeline).toHaveLength(10);
      const runs = await store.listStageRuns([m!.id]);
      expect(runs.map(r => r.stage)).toEqual(m!.pipeline);
    });

    it('refuses a half-written batch: a failing insert leaves nothing behind', async () => {
      const { store } = await makeStore();
      const b = testBatch({ waves: [1, 1] });
      // Two waves at one position break a unique constraint after the batch row was written.
      b.waves[1].position = b.waves[0].position;
      const outcome = await store.insertBatch(b).then(
        () => 'written',
        (e: Error) => e.message,
      );
      expect(outcome).toMatch(/UNIQUE|unique/);
      expect(await store.getBatch(b.batch.id)).toBeUndefined();
      expect(await store.listWaves(b.batch.id)).toEqual([]);
    });

    it('claims the next stage of runnable migrations only, within the batch limits', async () => {
      const { store } = await makeStore();
      const b = testBatch({
        waves: [4, 2],
        settings: {
          concurrency: {
            max_total_workers: 3,
            max_concurrent_conversions: 1,
            max_concurrent_uploads: 1,
            max_exports_per_host: 1,
          },
        },
      });
      await store.insertBatch(b);
      const claims = await store.claimStageRuns({
        owner: 'engine-a',
        now: T0,
        leaseUntil: LEASE,
        max: 10,
      });
      // Three workers: three VMs of the running wave start with validate; the second wave waits.
      expect(claims.map(c => c.run.stage)).toEqual([
        'validate',
        'validate',
        'validate',
      ]);
      expect(new Set(claims.map(c => c.migration.waveId))).toEqual(
        new Set([b.waves[0].id]),
      );
      expect(
        claims.every(
          c => c.run.attempt === 1 && c.run.claimedBy === 'engine-a',
        ),
      ).toBe(true);
      expect(claims.every(c => c.migration.state === 'running')).toBe(true);
      // Nothing more to claim: the fourth VM has no worker, the others run their stage.
      expect(
        await store.claimStageRuns({
          owner: 'engine-b',
          now: T0,
          leaseUntil: LEASE,
          max: 10,
        }),
      ).toEqual([]);
    });

    it('counts exports per ESXi host in disks and conversions across batches', async () => {
      const { store } = await makeStore();
      const twoDisks = (name: string) =>
        testVm(name, {
          disks: [
            { key: 1, label: 'Hard disk 1', capacityBytes: 2 ** 30 } as any,
            { key: 2, label: 'Hard disk 2', capacityBytes: 2 ** 30 } as any,
          ],
        });
      const limits = {
        concurrency: {
          max_total_workers: 10,
          max_concurrent_conversions: 1,
          max_concurrent_uploads: 5,
          max_exports_per_host: 3,
        },
      };
      const a = testBatch({
        waves: [2],
        pipeline: ['export', 'convert'],
        vm: twoDisks,
        settings: limits,
      });
      const b = testBatch({
        waves: [1],
        pipeline: ['convert'],
        settings: limits,
      });
      await store.insertBatch(a);
      await store.insertBatch(b);
      const claims = await store.claimStageRuns({
        owner: 'e',
        now: T0,
        leaseUntil: LEASE,
        max: 10,
      });
      // One export of 2 disks fits under 3 disks per host, a second (2 more) does not; one conversion.
      expect(claims.map(c => c.run.stage).sort()).toEqual([
        'convert',
        'export',
      ]);
      const exportRun = claims.find(c => c.run.stage === 'export')!;
      await store.completeStageRun(exportRun.run.id, 'e', {
        state: 'succeeded',
        now: T1,
      });
      // The finished export frees its host; its convert waits for the conversion slot of batch b.
      const next = await store.claimStageRuns({
        owner: 'e',
        now: T1,
        leaseUntil: LEASE,
        max: 10,
      });
      expect(next.map(c => `${c.migration.vmName}:${c.run.stage}`)).toEqual([
        `${a.migrations[1].vmName}:export`,
      ]);
    });

    it('moves a migration on when its stage completes, waits at run_until, fails with the error', async () => {
      const { store } = await makeStore();
      const b = testBatch({
        waves: [2],
        pipeline: ['validate', 'snapshot', 'export'],
      });
      b.migrations[0].stepwise = true;
      b.migrations[0].runUntilPosition = 0;
      await store.insertBatch(b);
      const claims = await store.claimStageRuns({
        owner: 'e',
        now: T0,
        leaseUntil: LEASE,
        max: 2,
      });
      const [stepwise, plain] = [b.migrations[0].id, b.migrations[1].id].map(
        mid => claims.find(c => c.migration.id === mid)!,
      );
      const done = await store.completeStageRun(stepwise.run.id, 'e', {
        state: 'succeeded',
        outputs: { concerns: [] },
        now: T1,
      });
      expect(done?.migration).toMatchObject({
        state: 'waiting',
        nextPosition: 1,
        currentStage: 'snapshot',
      });
      expect(done?.run).toMatchObject({
        state: 'succeeded',
        outputs: { concerns: [] },
        finishedAt: T1,
      });
      const failed = await store.completeStageRun(plain.run.id, 'e', {
        state: 'failed',
        error: {
          code: 'VALIDATE_CRITICAL',
          message: 'RDM disk',
          remediation: 'Convert it',
        },
        now: T1,
      });
      expect(failed?.migration).toMatchObject({
        state: 'failed',
        lastError: { code: 'VALIDATE_CRITICAL', remediation: 'Convert it' },
      });
      // Completing twice, or as another owner, changes nothing.
      expect(
        await store.completeStageRun(plain.run.id, 'e', {
          state: 'succeeded',
          now: T1,
        }),
      ).toBeUndefined();
    });

    it('gives a run back when its owner stops renewing the lease, and refuses the late owner', async () => {
      const { store } = await makeStore();
      const b = testBatch({ waves: [1], pipeline: ['export'] });
      await store.insertBatch(b);
      const [claim] = await store.claimStageRuns({
        owner: 'dead-replica',
        now: T0,
        leaseUntil: '2026-12-03T10:00:30.000Z',
        max: 1,
      });
      expect(
        await store.renewLease(claim.run.id, 'dead-replica', LEASE, {
          disks: [{ disk: 'disk-0', bytesDone: 10, bytesTotal: 100 }],
        }),
      ).toEqual({ held: true, cancelRequested: false });
      expect(
        await store.recoverExpiredLeases('2026-12-03T10:06:00.000Z'),
      ).toHaveLength(1);
      const [again] = await store.claimStageRuns({
        owner: 'live',
        now: T1,
        leaseUntil: LEASE,
        max: 1,
      });
      expect(again.run).toMatchObject({
        id: claim.run.id,
        attempt: 2,
        claimedBy: 'live',
      });
      expect(again.run.progress?.disks[0].bytesDone).toBe(10);
      expect(
        await store.renewLease(claim.run.id, 'dead-replica', LEASE),
      ).toEqual({
        held: false,
        cancelRequested: false,
      });
      expect(
        await store.completeStageRun(claim.run.id, 'dead-replica', {
          state: 'succeeded',
          now: T1,
        }),
      ).toBeUndefined();
    });

    it('does not let an earlier attempt end a later attempt of the same owner', async () => {
      const { store } = await makeStore();
      const b = testBatch({ waves: [1] });
      await store.insertBatch(b);
      const claimOnce = async () =>
        (
          await store.claimStageRuns({
            owner: 'e',
            now: T1,
            leaseUntil: LEASE,
            max: 1,
          })
        )[0];
      const first = await claimOnce();
      await store.releaseStageRun(first.run.id, 'e', T1);
      const second = await claimOnce();
      expect(second.run).toMatchObject({ id: first.run.id, attempt: 2 });
      expect(
        await store.completeStageRun(
          first.run.id,
          'e',
          { state: 'cancelled', now: T1 },
          first.run.attempt,
        ),
      ).toBeUndefined();
      const done = await store.completeStageRun(
        second.run.id,
        'e',
        { state: 'succeeded', now: T1 },
        second.run.attempt,
      );
      expect(done?.run).toMatchObject({ state: 'succeeded', attempt: 2 });
    });

    it('changes a wave only from the expected state (two replicas, one transition)', async () => {
      const { store } = await makeStore();
      const b = testBatch({ waves: [1, 1] });
      await store.insertBatch(b);
      const wave = b.waves[1].id;
      const results = await Promise.all([
        store.updateWave(
          wave,
          { state: 'awaiting_approval' },
          { fromStates: ['pending'] },
        ),
        store.updateWave(
          wave,
          { state: 'running' },
          { fromStates: ['pending'] },
        ),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      await store.insertApproval({
        waveId: wave,
        decision: 'approved',
        actor: 'user:default/ann',
        at: T1,
        comment: 'go',
      });
      expect(await store.listApprovals([wave])).toEqual([
        expect.objectContaining({
          decision: 'approved',
          actor: 'user:default/ann',
          comment: 'go',
        }),
      ]);
      expect(
        await store.updateMigrationsOfWave(wave, ['pending'], 'queued'),
      ).toBe(1);
    });

    it('resets a failed migration from its failed stage, keeping what succeeded', async () => {
      const { store } = await makeStore();
      const b = testBatch({
        waves: [1],
        pipeline: ['validate', 'snapshot', 'export'],
      });
      await store.insertBatch(b);
      const [c1] = await store.claimStageRuns({
        owner: 'e',
        now: T0,
        leaseUntil: LEASE,
        max: 1,
      });
      await store.completeStageRun(c1.run.id, 'e', {
        state: 'succeeded',
        outputs: { ok: true },
        now: T0,
      });
      const [c2] = await store.claimStageRuns({
        owner: 'e',
        now: T0,
        leaseUntil: LEASE,
        max: 1,
      });
      await store.completeStageRun(c2.run.id, 'e', {
        state: 'failed',
        error: { code: 'X', message: 'x', remediation: 'y' },
        now: T0,
      });
      const reset = await store.resetMigration(c1.migration.id, {
        state: 'queued',
        now: T1,
      });
      expect(reset).toMatchObject({
        state: 'queued',
        nextPosition: 1,
        currentStage: 'snapshot',
      });
      const runs = await store.listStageRuns([c1.migration.id]);
      expect(runs.map(r => r.state)).toEqual([
        'succeeded',
        'pending',
        'pending',
      ]);
      expect(runs[0].outputs).toEqual({ ok: true });
      expect(runs[1].error).toBeUndefined();
      const [c3] = await store.claimStageRuns({
        owner: 'e',
        now: T1,
        leaseUntil: LEASE,
        max: 1,
      });
      expect(c3.run).toMatchObject({ stage: 'snapshot', attempt: 2 });
    });

    it('keeps an append-only event trail, read after an id', async () => {
      const { store } = await makeStore();
      const b = testBatch({ waves: [1] });
      await store.insertBatch(b);
      const first = await store.appendEvent({
        actor: 'user:default/ann',
        type: 'wave.approved',
        batchId: b.batch.id,
        waveId: b.waves[0].id,
        message: 'approved wave-1',
        details: { comment: 'go' },
      });
      await store.appendEvent({
        actor: 'engine',
        type: 'stage.started',
        batchId: b.batch.id,
        migrationId: b.migrations[0].id,
        stage: 'validate',
        message: 'validate started',
      });
      const all = await store.listEvents({ batchId: b.batch.id });
      expect(all.map(e => e.type)).toEqual(['wave.approved', 'stage.started']);
      expect(all[0].details).toEqual({ comment: 'go' });
      expect(
        (await store.listEvents({ batchId: b.batch.id, after: first })).map(
          e => e.type,
        ),
      ).toEqual(['stage.started']);
      expect(
        await store.listEvents({ migrationId: b.migrations[0].id }),
      ).toHaveLength(1);
    });
  },
);

/**
 * Engine benchmark: 1,000 VMs in 5 waves through the real engine and store on PostgreSQL, with stand-in
 * stage executors that sleep scaled-down realistic durations (the real executors wait on runners,
 * vCenter and Scaleway; here only the engine's own work is measured). Prints:
 *
 * - transition: from a stage's executor returning to the next stage of the same VM starting, when
 *   the plan's limits leave room (they are set high): the engine's own overhead (record, wake, claim);
 * - status: latency of the batch status read (the API's heaviest: every VM with its stages) and of a
 *   VM's migration status, polled while the batch runs.
 *
 * Last line: `RESULT vms=1000 transitions=... transition_ms_p50=... transition_ms_p95=...
 * status_ms_p50=... status_ms_p95=...` (aim: transition p95 < 20 ms, status p95 < 50 ms).
 *
 * Needs PostgreSQL (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING or
 * postgresql://postgres@127.0.0.1:5432/postgres); creates and drops a database of its own.
 * Run from the repository root: yarn bench:engine [vm count]
 */
import knexFactory from 'knex';
import {
  LINUX_PIPELINE,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import { testVm } from '../plugins/vmware2scw-backend/src/database/testFixtures';
import {
  createEngineHarness,
  standInExecutors,
  type StandInCall,
} from '../plugins/vmware2scw-backend/src/engine/__testUtils__/EngineHarness';

const VMS = Number(process.argv[2] ?? 1000);
const WAVES = 5;
/** Stage durations, ms: real minutes scaled down about 1:1000. */
const DURATION: Record<string, number> = {
  validate: 5,
  snapshot: 60,
  export: 400,
  convert: 150,
  adapt_guest: 300,
  ensure_uefi: 120,
  upload_s3: 350,
  import_scw: 250,
  verify: 200,
  cleanup: 40,
};

function pct(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function main() {
  const admin =
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const dbName = `vmware2scw_bench_${process.pid}`;
  const root = knexFactory({ client: 'pg', connection: admin });
  await root.raw(`CREATE DATABASE ${dbName}`);
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  const knex = knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 2, max: 20 },
  });
  try {
    const calls: StandInCall[] = [];
    const ends = new Map<string, number>();
    const transitions: number[] = [];
    const vms = Array.from({ length: VMS }, (_, i) =>
      testVm(`vm-${String(i).padStart(5, '0')}`, { host: `esxi-${i % 40}` }),
    );
    const executors = standInExecutors({
      stages: LINUX_PIPELINE,
      calls,
      instance: 'bench',
      delayMs: s => DURATION[s] ?? 10,
    }).map(e => ({
      stage: e.stage,
      async execute(ctx: Parameters<typeof e.execute>[0]) {
        const started = performance.now();
        const previous = LINUX_PIPELINE[LINUX_PIPELINE.indexOf(e.stage) - 1] as
          | StageId
          | undefined;
        const end = previous && ends.get(`${ctx.migration.id}:${previous}`);
        if (end) transitions.push(started - end);
        try {
          return await e.execute(ctx);
        } finally {
          ends.set(`${ctx.migration.id}:${e.stage}`, performance.now());
        }
      },
    }));
    const quiet = {
      error: (m: string) => console.error(m),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      child: () => quiet,
    };
    const h = await createEngineHarness({
      knex,
      vms,
      executors,
      instance: 'bench',
      maxConcurrentStages: 400,
      logger: quiet as any,
    });
    const waveYaml = Array.from(
      { length: WAVES },
      (_, w) => `  - name: wave-${w + 1}\n    pause_after: none`,
    ).join('\n');
    const perWave = Math.ceil(VMS / WAVES);
    const entries = vms
      .map(
        (vm, i) =>
          `  - vm_name: ${
            vm.name
          }\n    target_type: POP2-2C-8G\n    wave: wave-${
            Math.floor(i / perWave) + 1
          }`,
      )
      .join('\n');
    const yaml = `version: 1\nconcurrency:\n  max_exports_per_host: 1000\n  max_concurrent_conversions: 1000\n  max_concurrent_uploads: 1000\n  max_total_workers: 1000\nmigrations:\n${entries}\nwaves:\n${waveYaml}\n`;
    const plan = await h.service.createPlan(
      { name: 'bench', yaml },
      'user:default/bench',
    );
    const t0 = performance.now();
    const started = await h.service.startBatch(
      { planId: plan.id, approveFirstWave: true },
      'user:default/bench',
    );
    const batchId = started.batch.id;
    const someMigration = started.migrations[Math.floor(VMS / 2)].id;

    const statusMs: number[] = [];
    const vmStatusMs: number[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        const a = performance.now();
        await h.service.batchStatus(batchId);
        statusMs.push(performance.now() - a);
        const b = performance.now();
        await h.service.migrationView(someMigration);
        vmStatusMs.push(performance.now() - b);
        await new Promise(r => setTimeout(r, 200));
      }
    })();
    const timer = setInterval(
      () => h.engine.tick().catch(() => undefined),
      1000,
    );
    for (;;) {
      await h.engine.tick();
      const batch = await h.store.getBatch(batchId);
      if (batch?.state !== 'running') break;
      await new Promise(r => setTimeout(r, 250));
    }
    const wall = performance.now() - t0;
    done = true;
    clearInterval(timer);
    await poller;
    await h.engine.idle();
    const counts = (await h.store.countMigrations(batchId)).batch;
    await h.engine.stop();

    const ideal = LINUX_PIPELINE.reduce((s, st) => s + (DURATION[st] ?? 10), 0);
    console.log(
      `VMs: ${VMS} in ${WAVES} waves; ${counts.succeeded} succeeded, ${counts.failed} failed`,
    );
    console.log(
      `stage runs executed: ${calls.length} (expected ${
        VMS * LINUX_PIPELINE.length
      })`,
    );
    console.log(
      `wall: ${(wall / 1000).toFixed(1)} s (one VM alone: ${(
        ideal / 1000
      ).toFixed(2)} s of stage time, ${WAVES} waves in sequence)`,
    );
    console.log(
      `transition ms: p50 ${pct(transitions, 50).toFixed(1)} p95 ${pct(
        transitions,
        95,
      ).toFixed(1)} max ${Math.max(...transitions).toFixed(1)} (n=${
        transitions.length
      })`,
    );
    console.log(
      `batch status ms (every VM with its stages): p50 ${pct(
        statusMs,
        50,
      ).toFixed(1)} p95 ${pct(statusMs, 95).toFixed(1)} (n=${statusMs.length})`,
    );
    console.log(
      `migration status ms (one VM): p50 ${pct(vmStatusMs, 50).toFixed(
        1,
      )} p95 ${pct(vmStatusMs, 95).toFixed(1)} (n=${vmStatusMs.length})`,
    );
    console.log(
      `RESULT vms=${VMS} transitions=${
        transitions.length
      } transition_ms_p50=${pct(transitions, 50).toFixed(
        1,
      )} transition_ms_p95=${pct(transitions, 95).toFixed(
        1,
      )} status_ms_p50=${pct(statusMs, 50).toFixed(1)} status_ms_p95=${pct(
        statusMs,
        95,
      ).toFixed(1)} vm_status_ms_p95=${pct(vmStatusMs, 95).toFixed(
        1,
      )} wall_s=${(wall / 1000).toFixed(1)}`,
    );
  } finally {
    await knex.destroy();
    await root.raw(`DROP DATABASE IF EXISTS ${dbName}`);
    await root.destroy();
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});

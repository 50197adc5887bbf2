/**
 * Planning benchmark: 10,000 synthetic VMs (half with 30 days of measured utilisation) through
 * filter → auto-map → plan → estimate, the path the plan builder takes, then parsing the plan YAML
 * back. Prints the time of each step and the peak memory; the last line is
 * `RESULT vms=... total_ms=... peak_mb=... parse_ms=... sized_from_utilisation=...` (targets: the
 * pipeline under 1,000 ms and 300 MB, the parse under 300 ms).
 *
 * Run from the repository root: yarn bench:planning  (or: node --require
 * @backstage/cli/config/nodeTransform.cjs bench/planning.ts [vm count])
 */
import {
  autoMapVms,
  buildPlan,
  estimatePlan,
  offlineOffer,
  parsePlan,
  resolvePlan,
  selectVms,
} from '@internal/plugin-vmware2scw-common';
import os from 'os';
import { syntheticInventory } from './planning.inventory';

const count = Number(process.argv[2] ?? 10_000);
const MB = 1024 * 1024;
let peakHeap = 0;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const timings: Array<[string, number, number]> = [];
function step<T>(name: string, run: () => T): T {
  sample();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const out = run();
  const used = process.cpuUsage(cpu);
  timings.push([
    name,
    performance.now() - start,
    (used.user + used.system) / 1000,
  ]);
  sample();
  return out;
}

const inventory = syntheticInventory(count);
const catalog = offlineOffer('fr-par-1')!;
const filters = {
  filters: ['name:vm-*', 'regex:^vm-\\d{5}$', 'folder:/DC1'],
  maxDiskGb: 100_000,
};

const options = {
  filters,
  autoMap: true,
  catalog,
  sizing: 'optimize' as const,
  waveBy: 'cluster' as const,
  tags: ['migrated-from-vmware'],
  generatedAt: '2026-11-26T00:00:00Z',
};
const selection = step('filter', () => selectVms(inventory, options));
const sized = step('auto-map', () =>
  autoMapVms(selection.vms, catalog, 'optimize'),
);
const { plan, yaml, resolved } = step('plan', () => {
  const built = buildPlan(inventory, selection, sized, options);
  return {
    ...built,
    resolved: resolvePlan({ plan: built.plan, vms: selection.vms, catalog }),
  };
});
const estimate = step('estimate', () =>
  estimatePlan({
    plan,
    vms: selection.vms,
    catalog,
    resolved,
    model: { availableDiskGb: 20_000 },
  }),
);
// Not part of the pipeline (the backend stores the parsed plan next to its YAML), but worth knowing.
const parseStart = performance.now();
const parseCpu = process.cpuUsage();
const reparsed = parsePlan(yaml, { file: 'plan.yaml' });
const parseMs = performance.now() - parseStart;
const parseCpuUsed = process.cpuUsage(parseCpu);
const parseCpuMs = (parseCpuUsed.user + parseCpuUsed.system) / 1000;
if (!reparsed.plan) throw new Error(reparsed.problems[0]?.message);

const total = timings.reduce((s, [, ms]) => s + ms, 0);
const totalCpu = timings.reduce((s, [, , cpu]) => s + cpu, 0);
const peakRss = process.resourceUsage().maxRSS / 1024; // KiB -> MiB
// Wall time is what counts; CPU time tells how much of it other processes took on a busy machine.
for (const [name, ms, cpu] of timings) {
  console.log(
    `${name.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms   (cpu ${cpu.toFixed(
      0,
    )} ms)`,
  );
}
console.log(
  `total     ${total.toFixed(0).padStart(6)} ms   (cpu ${totalCpu.toFixed(
    0,
  )} ms, load average ${os.loadavg()[0].toFixed(1)} on ${
    os.cpus().length
  } cores)`,
);
console.log(
  `selected ${selection.vms.length} VMs, sized ${
    sized.filter(s => s.targetType).length
  }, ` +
    `${resolved.migrations.length} in ${plan.waves.length} waves, ${estimate.totals.migratableCount} migratable, ` +
    `${(estimate.totals.durationSeconds / 3600).toFixed(
      0,
    )} h, ${estimate.totals.monthlyCostEur.toFixed(0)} EUR/month`,
);
console.log(
  `(parsePlan of the ${(yaml.length / 1e6).toFixed(
    1,
  )} MB plan YAML, outside the pipeline: ${parseMs.toFixed(
    0,
  )} ms, cpu ${parseCpuMs.toFixed(0)} ms)`,
);
console.log(
  `peak heap ${(peakHeap / MB).toFixed(0)} MB, peak RSS ${peakRss.toFixed(
    0,
  )} MB`,
);
const sizedFromUtilisation = sized.filter(
  s => s.demand.basis === 'utilization',
).length;
console.log(
  `sized from utilisation: ${sizedFromUtilisation} VMs (${
    sized.filter(s => s.confidence === 'low').length
  } more with too little history, sized on allocation); the estimate's saving against sizing on allocation: ${estimate.totals.monthlyUtilisationSavingEur.toFixed(
    0,
  )} EUR/month over ${estimate.totals.sizedFromUtilisation} migratable VMs`,
);
console.log(
  `RESULT vms=${count} total_ms=${Math.round(total)} peak_mb=${Math.round(
    peakRss,
  )} parse_ms=${Math.round(
    parseMs,
  )} sized_from_utilisation=${sizedFromUtilisation}`,
);

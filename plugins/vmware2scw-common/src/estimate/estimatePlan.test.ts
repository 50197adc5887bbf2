import { offlineOffer } from '../offer/offlineOffer';
import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import {
  disk,
  makeVm,
  measured,
  readmeInventoryVms,
} from '../__fixtures__/vms';
import { parsePlan } from '../plan/PlanParser';
import { estimatePlan } from './estimatePlan';
import { vmMonthlyCost } from './monthlyCost';

const catalog = offlineOffer()!;
const readme = parsePlan(OLD_README_PLAN, { file: 'plan.yaml' });

describe('estimatePlan: the old README plan', () => {
  const est = estimatePlan({
    plan: readme.plan!,
    vms: readmeInventoryVms(),
    catalog,
    locations: readme.locations,
    model: { availableDiskGb: 10000 },
  });

  it('prices each VM: instance hourly × 730 + Block storage + one IPv4, and says what priced it', () => {
    expect(est.pricing).toMatchObject({
      source: 'snapshot',
      pricedAt: '2026-07-30T12:55:08Z',
      zone: 'fr-par-1',
    });
    const prod = est.vms.find(v => v.vmName === 'web-prod-01')!;
    expect(prod.targetType).toBe('POP2-4C-16G');
    expect(prod.targetSource).toBe('plan');
    // 0.147 €/h × 730; 80 + 200 GB × 0.000118 × 730; 0.004 × 730.
    expect(prod.monthlyCost).toEqual({
      instanceEur: 107.31,
      storageEur: 24.12,
      ipv4Eur: 2.92,
      totalEur: 134.35,
      storageGb: 280,
    });
    const sum = est.vms.reduce((s, v) => s + v.monthlyCost.totalEur, 0);
    expect(est.totals.monthlyCostEur).toBeCloseTo(sum, 2);
  });

  it('estimates durations per VM, per wave and in total, waves one after the other', () => {
    expect(est.waves.map(w => [w.name, w.vmCount])).toEqual([
      ['canary', 1],
      ['dev', 3],
      ['production', 1],
    ]);
    expect(est.waves[1].startSeconds).toBe(est.waves[0].durationSeconds);
    expect(est.totals.durationSeconds).toBe(
      est.waves.reduce((s, w) => s + w.durationSeconds, 0),
    );
    const prod = est.vms.find(v => v.vmName === 'web-prod-01')!;
    // 150 GB allocated: export and upload at 620 Mbit/s (≈ 32 min each), convert at 200 MB/s,
    // import 4 min + 150 GB at 100 MB/s, and the fixed stages (1 + 6 + 5 + 1 min).
    const expected =
      2 * (150e9 / (620e6 / 8)) +
      150e9 / 200e6 +
      4 * 60 +
      150e9 / 100e6 +
      13 * 60;
    expect(prod.standaloneSeconds).toBe(Math.round(expected));
    expect(prod.endSeconds! - prod.startSeconds!).toBe(prod.standaloneSeconds);
  });

  it('compares peak scratch space with the available disk', () => {
    // The dev wave runs its three VMs at once: 2 × (40 GiB + 40 GiB + 70 GB) of images.
    const devBytes = 2 * 40 * 2 ** 30 + 70e9;
    expect(est.waves[1].peakScratchBytes).toBe(2 * devBytes);
    expect(est.totals.peakScratchBytes).toBe(2 * devBytes);
    expect(est.totals.scratchFits).toBe(true);
    const tight = estimatePlan({
      plan: readme.plan!,
      vms: readmeInventoryVms(),
      catalog,
      model: { availableDiskGb: 100 },
    });
    expect(tight.totals.scratchFits).toBe(false);
    expect(
      tight.problems.find(p => p.code === 'ESTIMATE_SCRATCH_TOO_SMALL')
        ?.message,
    ).toContain('311.8 GB');
  });

  it('reports warnings from the concern engine', () => {
    expect(est.containsCritical).toBe(false);
    const bios = est.concernTally.find(
      t => t.ruleId === 'scaleway.firmware.bios',
    )!;
    expect(bios.vms).toEqual(['dev-03']);
    expect(JSON.parse(JSON.stringify(est))).toEqual(est);
  });
});

describe('estimatePlan: concurrency and criticals', () => {
  const plan = (workers: number) =>
    parsePlan(
      `version: 1\nconcurrency:\n  max_total_workers: ${workers}\nmigrations:\n  - vm_pattern: "vm-*"\n    wave: w\nwaves:\n  - name: w\n`,
    ).plan!;
  const vms = Array.from({ length: 4 }, (_, i) =>
    makeVm({ name: `vm-${i}`, host: `esxi-${i}`, disks: [disk(2000, 50)] }),
  );

  it('runs VMs one at a time with one worker, faster with more', () => {
    const one = estimatePlan({ plan: plan(1), vms, catalog });
    const per = one.vms[0].standaloneSeconds;
    expect(one.totals.durationSeconds).toBeCloseTo(4 * per, -1);
    const four = estimatePlan({ plan: plan(4), vms, catalog });
    expect(four.totals.durationSeconds).toBeLessThan(
      one.totals.durationSeconds,
    );
    // Still bound by the shared 620 Mbit/s link: 4 × 50 GB go out twice (export, upload).
    expect(four.totals.durationSeconds).toBeGreaterThan(
      (2 * 4 * 50e9) / (620e6 / 8),
    );
  });

  const planWith = (concurrency: string) =>
    parsePlan(
      `version: 1\nconcurrency:\n${concurrency}migrations:\n  - vm_pattern: "vm-*"\n    wave: w\nwaves:\n  - name: w\n`,
    ).plan!;
  // A link so fast that transfers take no time: only the conversion slots can hold VMs back.
  const fastLinks = { linkMbps: 1e9 };

  it('runs at most max_concurrent_conversions conversions at once', () => {
    const per = estimatePlan({ plan: plan(1), vms, catalog, model: fastLinks })
      .vms[0].standaloneSeconds;
    const conv = (n: number) =>
      estimatePlan({
        plan: planWith(
          `  max_total_workers: 4\n  max_concurrent_conversions: ${n}\n`,
        ),
        vms,
        catalog,
        model: fastLinks,
      }).totals.durationSeconds;
    // Conversion of 50 GB at 200 MB/s + 6 min of adapt_guest: 10 min 10 s per VM.
    const convert = 50e9 / 200e6 + 6 * 60;
    expect(conv(4)).toBeCloseTo(per, -1);
    expect(conv(1)).toBeCloseTo(per + 3 * convert, -1);
    expect(conv(2)).toBeCloseTo(per + convert, -1);
  });

  it('runs at most max_concurrent_uploads uploads at once, and at most max_exports_per_host exports per host', () => {
    const sameHost = vms.map(vm => ({ ...vm, host: 'esxi-1' }));
    const run = (concurrency: string, list = vms) =>
      estimatePlan({
        plan: planWith(
          `  max_total_workers: 4\n  max_concurrent_conversions: 4\n${concurrency}`,
        ),
        vms: list,
        catalog,
      }).vms.map(v => v.endSeconds!);
    // One upload at a time: the uploads of the 4 VMs end one link-time apart.
    const upload = 50e9 / (620e6 / 8);
    const oneUpload = run('  max_concurrent_uploads: 1\n');
    const gaps = oneUpload
      .slice(1)
      .map((end, i) => Math.round(end - oneUpload[i]));
    expect(gaps).toHaveLength(3);
    for (const gap of gaps) expect(gap).toBeCloseTo(upload, -1);
    // Four uploads at once share the link: all four end together.
    const four = run('  max_concurrent_uploads: 4\n');
    expect(Math.max(...four) - Math.min(...four)).toBeLessThan(2);
    // One export per host: on one host the exports queue (each then has the link to itself, so the
    // VMs finish one after the other); on four hosts they run together, as with no limit.
    const exportAlone = 50e9 / (620e6 / 8);
    const queued = run('  max_exports_per_host: 1\n', sameHost);
    expect(Math.max(...queued) - Math.min(...queued)).toBeGreaterThan(
      2 * exportAlone,
    );
    expect(run('  max_exports_per_host: 1\n')).toEqual(four);
    expect(run('  max_exports_per_host: 4\n', sameHost)).toEqual(four);
  });

  it('refuses to price a plan with the catalog of another zone', () => {
    const e = estimatePlan({
      plan: parsePlan(
        'version: 1\ndefaults:\n  zone: fr-par-3\nmigrations:\n  - vm_name: vm-0\n',
      ).plan!,
      vms,
      catalog,
    });
    expect(
      e.problems.find(p => p.code === 'ESTIMATE_ZONE_MISMATCH'),
    ).toMatchObject({ severity: 'error', field: 'defaults.zone' });
  });

  it("sizes VMs without target_type with the plan's strategy", () => {
    const e = estimatePlan({ plan: plan(4), vms, catalog });
    // defaults.sizing_strategy is optimize: the cheapest dedicated-vCPU type for 2 vCPU / 4 GiB.
    expect(e.vms[0]).toMatchObject({
      targetType: 'POP2-HC-2C-4G',
      targetSource: 'sizing',
    });
    expect(e.vms[0].sizing?.strategy).toBe('optimize');
  });

  it('leaves a VM with a critical concern out of the schedule and totals, and says the plan contains one', () => {
    const bad = [
      ...vms,
      makeVm({
        name: 'vm-rdm',
        disks: [disk(2000, 20), disk(2001, 100, { rdm: 'physical' })],
      }),
    ];
    const e = estimatePlan({ plan: plan(4), vms: bad, catalog });
    expect(e.containsCritical).toBe(true);
    expect(e.notMigratable).toEqual([
      { vmName: 'vm-rdm', critical: ['Physical-mode RDM disk'] },
    ]);
    expect(e.totals).toMatchObject({ vmCount: 5, migratableCount: 4 });
    expect(
      e.vms.find(v => v.vmName === 'vm-rdm')?.startSeconds,
    ).toBeUndefined();
  });
});

describe('vmMonthlyCost', () => {
  it('rounds volumes up to whole GB, 10 GB at least for the system volume, 5 GB for others', () => {
    const c = vmMonthlyCost(
      makeVm({ disks: [disk(2000, 4), disk(2001, 2.2)] }),
      { hourlyPriceEur: 0.1 },
      catalog,
      { publicIpv4: false },
    );
    expect(c.storageGb).toBe(15);
    expect(c.ipv4Eur).toBe(0);
    expect(c.instanceEur).toBe(73);
  });
});

describe('estimatePlan: sizing from utilisation', () => {
  const shape = { numCpu: 8, memoryMiB: 32768 };
  const vms = [
    makeVm({ ...shape, name: 'idle-01', utilization: measured(5, 10) }),
    makeVm({ ...shape, name: 'busy-01', utilization: measured(90, 85) }),
    makeVm({ ...shape, name: 'unknown-01' }),
  ];
  const planOf = (defaults: string) =>
    parsePlan(
      `version: 1\ndefaults:\n  zone: fr-par-1\n${defaults}migrations:\n  - vm_pattern: "*"\n`,
      { file: 'plan.yaml' },
    );

  it('counts the VMs sized from utilisation and the monthly saving against allocation', () => {
    const parsed = planOf('');
    expect(parsed.problems).toEqual([]);
    const est = estimatePlan({ plan: parsed.plan!, vms, catalog });
    const idle = est.vms.find(v => v.vmName === 'idle-01')!;
    const busy = est.vms.find(v => v.vmName === 'busy-01')!;
    expect(idle.sizing?.demand.basis).toBe('utilization');
    expect(
      est.vms.find(v => v.vmName === 'unknown-01')!.sizing?.demand.basis,
    ).toBe('allocated');
    expect(est.totals.sizedFromUtilisation).toBe(2);
    const saving = [idle, busy].reduce(
      (s, v) =>
        s +
        v.sizing!.allocationBased!.monthlyPriceEur! -
        v.sizing!.monthlyPriceEur!,
      0,
    );
    expect(saving).toBeGreaterThan(0);
    expect(est.totals.monthlyUtilisationSavingEur).toBeCloseTo(saving, 2);
  });

  it("follows the plan's sizing_percentile and comfort_factor", () => {
    const p95 = estimatePlan({ plan: planOf('').plan!, vms, catalog });
    const parsed = planOf('  sizing_percentile: 50\n  comfort_factor: 1\n');
    expect(parsed.problems).toEqual([]);
    const p50 = estimatePlan({ plan: parsed.plan!, vms, catalog });
    const vcpusOf = (e: typeof p95, name: string) =>
      e.vms.find(v => v.vmName === name)!.sizing!.demand.vcpus;
    // busy-01: P95 90% × 1.3 -> all 8 vCPU; P50 45% × 1 -> 4 vCPU.
    expect(vcpusOf(p95, 'busy-01')).toBe(8);
    expect(vcpusOf(p50, 'busy-01')).toBe(4);
    expect(p50.totals.monthlyUtilisationSavingEur).toBeGreaterThan(
      p95.totals.monthlyUtilisationSavingEur,
    );
  });

  it('counts the saving of VMs whose type the plan names (as auto-map writes it), but not under exact', () => {
    const planned = planOf('').plan!;
    planned.migrations = [
      { vm_name: 'idle-01', target_type: 'PRO2-XXS' },
      { vm_name: 'busy-01', target_type: 'PRO2-S' },
      { vm_name: 'unknown-01', target_type: 'PRO2-S' },
    ];
    const sizedOnly = estimatePlan({ plan: planOf('').plan!, vms, catalog });
    const est = estimatePlan({ plan: planned, vms, catalog });
    expect(est.vms.every(v => v.targetSource === 'plan')).toBe(true);
    expect(est.totals.sizedFromUtilisation).toBe(2);
    expect(est.totals.monthlyUtilisationSavingEur).toBe(
      sizedOnly.totals.monthlyUtilisationSavingEur,
    );
    expect(
      est.vms.find(v => v.vmName === 'unknown-01')!.utilisationSavingEur,
    ).toBeUndefined();
    const exact = planOf('  sizing_strategy: exact\n').plan!;
    const none = estimatePlan({ plan: exact, vms, catalog });
    expect(none.totals).toMatchObject({
      sizedFromUtilisation: 0,
      monthlyUtilisationSavingEur: 0,
    });
  });
});

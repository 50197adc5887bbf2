import { offlineCatalog } from '../catalog/offlineSnapshot';
import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { disk, makeVm, readmeInventoryVms } from '../__fixtures__/vms';
import { parsePlan } from '../plan/PlanParser';
import { estimatePlan } from './estimatePlan';
import { vmMonthlyCost } from './monthlyCost';

const catalog = offlineCatalog()!;
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

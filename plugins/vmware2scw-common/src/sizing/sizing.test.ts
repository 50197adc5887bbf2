import fc from 'fast-check';
import { offlineOffer } from '../offer/offlineOffer';
import type { ScalewayOffer, OfferedServerType } from '../offer/ScalewayOffer';
import {
  DEFAULT_SIZING_FAMILIES,
  PRODUCTION_FAMILIES,
  serverTypeFamily,
} from '../offer/serverTypeFamily';
import { disk, makeVm, measured } from '../__fixtures__/vms';
import { createSizer, sizeVm, sizingDemand } from './sizing';

const catalog = offlineOffer('fr-par-1')!;
const windows = {
  osFamily: 'windows' as const,
  guestId: 'windows2022srvNext_64Guest',
};

describe('sizing strategies', () => {
  it('exact: the closest shape, the cheaper one on a tie', () => {
    // 2 vCPU / 8 GiB exists as PRO2-XXS (0.0561) and POP2-2C-8G (0.0735).
    const r = sizeVm(makeVm({ numCpu: 2, memoryMiB: 8192 }), catalog, {
      strategy: 'exact',
    });
    expect(r.targetType).toBe('PRO2-XXS');
    // 3 vCPU / 6 GiB: nothing exact; 4 vCPU / 8 GiB is the smallest excess.
    expect(
      sizeVm(makeVm({ numCpu: 3, memoryMiB: 6144 }), catalog, {
        strategy: 'exact',
      }).targetType,
    ).toBe('PLAY2-MICRO');
  });

  it('cost: the cheapest type with the allocated vCPU and RAM, shared vCPUs included', () => {
    expect(
      sizeVm(makeVm({ numCpu: 1, memoryMiB: 1024 }), catalog, {
        strategy: 'cost',
      }).targetType,
    ).toBe('PLAY2-PICO');
    expect(
      sizeVm(makeVm({ numCpu: 4, memoryMiB: 8192 }), catalog, {
        strategy: 'cost',
      }).targetType,
    ).toBe('PLAY2-MICRO');
  });

  it('optimize: the cheapest dedicated-vCPU type, never PLAY2', () => {
    const r = sizeVm(makeVm({ numCpu: 4, memoryMiB: 8192 }), catalog, {
      strategy: 'optimize',
    });
    expect(r.targetType).toBe('POP2-HC-4C-8G');
    expect(r.reason).toMatch(/dedicated-vCPU/);
    // 2 vCPU / 16 GiB: the high-memory shape is cheaper than a 4-vCPU general-purpose type.
    expect(
      sizeVm(makeVm({ numCpu: 2, memoryMiB: 16384 }), catalog, {
        strategy: 'optimize',
      }).targetType,
    ).toBe('POP2-HM-2C-16G');
  });

  it('optimize right-sizes from the P95 of utilisation with a 1.3 comfort factor, never above allocated', () => {
    // 16 × 20% × 1.3 = 4.16 -> 5 vCPU; 64 GiB × 40% × 1.3 = 33.3 -> 34 GiB.
    const vm = makeVm({
      numCpu: 16,
      memoryMiB: 65536,
      utilization: measured(20, 40),
    });
    expect(sizingDemand(vm, 'optimize')).toMatchObject({
      vcpus: 5,
      memoryMiB: 34 * 1024,
      basis: 'utilization',
      utilisation: { confidence: 'high', used: true, samples: 360 },
    });
    expect(sizingDemand(vm, 'exact').basis).toBe('allocated');
    expect(sizingDemand(vm, 'exact').utilisation).toBeUndefined();
    // Another percentile: the fixture's P50 is half the P95.
    expect(sizingDemand(vm, 'optimize', { percentile: 'p50' })).toMatchObject({
      vcpus: 3,
      memoryMiB: 17 * 1024,
    });
    const busy = makeVm({
      numCpu: 4,
      memoryMiB: 8192,
      utilization: measured(100, undefined),
    });
    expect(sizingDemand(busy, 'optimize')).toMatchObject({
      vcpus: 4,
      memoryMiB: 8192,
    });
    const r = sizeVm(vm, catalog, { strategy: 'optimize' });
    expect(r.targetType).toBe('POP2-HM-6C-48G');
    expect(r.confidence).toBe('high');
    expect(r.reason).toBe(
      'cheapest dedicated-vCPU type with 5 vCPU / 34 GiB (right-sized from utilisation P95 cpu 20% mem 40% over 30 d, 360 samples × 1.3, confidence high) among PRO2/POP2/POP2-HM/POP2-HC',
    );
    // What allocation would have cost: 16 vCPU / 64 GiB.
    expect(r.allocationBased).toEqual({
      type: 'POP2-16C-64G',
      monthlyPriceEur: expect.any(Number),
    });
    expect(r.allocationBased!.monthlyPriceEur!).toBeGreaterThan(
      r.monthlyPriceEur!,
    );
  });

  it('optimize picks a smaller type for an idle VM than for a busy one of the same allocation', () => {
    const shape = { numCpu: 8, memoryMiB: 32768 };
    const idle = sizeVm(
      makeVm({ ...shape, utilization: measured(5, 10) }),
      catalog,
      { strategy: 'optimize' },
    );
    const busy = sizeVm(
      makeVm({ ...shape, utilization: measured(90, 85) }),
      catalog,
      { strategy: 'optimize' },
    );
    expect(idle.vcpus!).toBeLessThan(busy.vcpus!);
    expect(idle.monthlyPriceEur!).toBeLessThan(busy.monthlyPriceEur!);
    expect(busy.targetType).toBe('PRO2-S');
    expect(idle.targetType).toBe('PRO2-XXS');
  });

  it('confidence follows the share of the window covered; low confidence falls back to allocation', () => {
    const shape = { numCpu: 8, memoryMiB: 32768 };
    const demandOver = (days: number) =>
      sizingDemand(
        makeVm({ ...shape, utilization: measured(10, 10, days) }),
        'optimize',
      );
    expect(demandOver(30).utilisation?.confidence).toBe('high');
    expect(demandOver(24).utilisation?.confidence).toBe('high');
    expect(demandOver(15).utilisation?.confidence).toBe('medium');
    expect(demandOver(15).basis).toBe('utilization');
    const low = demandOver(1);
    expect(low).toMatchObject({
      vcpus: 8,
      memoryMiB: 32768,
      basis: 'allocated',
      utilisation: { confidence: 'low', used: false },
    });
    const r = sizeVm(
      makeVm({ ...shape, utilization: measured(10, 10, 1) }),
      catalog,
      { strategy: 'optimize' },
    );
    expect(r.reason).toMatch(
      /as allocated: utilisation P95 cpu 10% mem 10% over 1 d, 12 samples gives low confidence, below medium/,
    );
    expect(r.allocationBased).toBeUndefined();
    // A caller that accepts low confidence sizes from it anyway.
    expect(
      sizingDemand(
        makeVm({ ...shape, utilization: measured(10, 10, 1) }),
        'optimize',
        { minConfidence: 'low' },
      ).basis,
    ).toBe('utilization');
  });

  it("never sizes below the guest OS's minimum", () => {
    const idleWindows = makeVm({
      ...windows,
      numCpu: 4,
      memoryMiB: 16384,
      utilization: measured(1, 1),
    });
    expect(sizingDemand(idleWindows, 'optimize')).toMatchObject({
      vcpus: 1,
      memoryMiB: 2048,
    });
    const idleWin11 = makeVm({
      ...idleWindows,
      guestId: 'windows11_64Guest',
    });
    expect(sizingDemand(idleWin11, 'optimize')).toMatchObject({
      vcpus: 2,
      memoryMiB: 4096,
    });
    expect(
      sizingDemand(
        makeVm({ numCpu: 4, memoryMiB: 8192, utilization: measured(1, 1) }),
        'optimize',
      ),
    ).toMatchObject({ vcpus: 1, memoryMiB: 1024 });
  });

  it('gives Windows guests -WIN types only, and never gives them to others', () => {
    for (const strategy of ['exact', 'optimize', 'cost'] as const) {
      expect(
        sizeVm(makeVm({ ...windows, numCpu: 4, memoryMiB: 16384 }), catalog, {
          strategy,
        }).targetType,
      ).toBe('POP2-4C-16G-WIN');
      expect(
        sizeVm(makeVm({ numCpu: 4, memoryMiB: 16384 }), catalog, { strategy })
          .targetType,
      ).not.toMatch(/-WIN$/);
    }
  });

  it('skips types in shortage: PRO2-M would be cheapest for 16 vCPU / 64 GiB but is out of stock', () => {
    expect(
      catalog.serverTypes.find(t => t.name === 'PRO2-M')?.availability,
    ).toBe('shortage');
    const r = sizeVm(makeVm({ numCpu: 16, memoryMiB: 65536 }), catalog, {
      strategy: 'cost',
    });
    expect(r.targetType).toBe('POP2-16C-64G');
  });

  it('skips end-of-service types even when every family is allowed', () => {
    // START1-XS (end of service) would be the cheapest 1 vCPU / 1 GiB type.
    const r = sizeVm(makeVm({ numCpu: 1, memoryMiB: 1024 }), catalog, {
      strategy: 'cost',
      families: ['*'],
    });
    expect(r.targetType).toBe('DEV1-S');
    expect(r.alternatives.map(a => a.type)).not.toContain('START1-XS');
  });

  it('never picks arm64 or GPU types', () => {
    const all = createSizer(catalog, { strategy: 'cost', families: ['*'] });
    for (const [cpu, mem] of [
      [2, 4096],
      [8, 32768],
      [12, 24576],
      [64, 131072],
    ]) {
      const t = catalog.serverTypes.find(
        x => x.name === all(makeVm({ numCpu: cpu, memoryMiB: mem })).targetType,
      )!;
      expect(t.arch).toBe('x86_64');
      expect(t.gpus).toBe(0);
    }
  });

  it('only offers types of the target zone: no Windows where no -WIN type exists', () => {
    const frPar3: ScalewayOffer = {
      ...catalog,
      zone: 'fr-par-3',
      serverTypes: catalog.serverTypes.filter(
        t => !t.name.endsWith('-WIN') && !t.name.startsWith('PLAY2'),
      ),
    };
    const r = sizeVm(makeVm({ ...windows }), frPar3, { strategy: 'optimize' });
    expect(r.targetType).toBeUndefined();
    expect(r.problem).toMatchObject({ code: 'SIZING_NO_TYPE' });
    expect(r.problem?.remediation).toMatch(/fr-par-1 and fr-par-2/);
    expect(
      sizeVm(makeVm({ numCpu: 1, memoryMiB: 1024 }), frPar3, {
        strategy: 'cost',
      }).targetType,
    ).not.toMatch(/^PLAY2/);
  });

  it('refuses VMs with more than 16 disks (Block volumes per Instance)', () => {
    const vm = makeVm({
      disks: Array.from({ length: 17 }, (_, i) => disk(2000 + i, 10)),
    });
    const r = sizeVm(vm, catalog, { strategy: 'cost' });
    expect(r.targetType).toBeUndefined();
    expect(r.problem?.message).toContain('17 disks');
  });

  it('says when nothing is big enough', () => {
    const r = sizeVm(
      makeVm({ ...windows, numCpu: 64, memoryMiB: 262144 }),
      catalog,
      { strategy: 'exact' },
    );
    expect(r.problem?.message).toMatch(/no Windows \(-WIN\) type in fr-par-1/);
  });

  it('reports prices per hour and per month (730 h) and alternatives', () => {
    const r = sizeVm(makeVm({ numCpu: 4, memoryMiB: 16384 }), catalog, {
      strategy: 'optimize',
    });
    expect(r).toMatchObject({
      targetType: 'PRO2-XS',
      hourlyPriceEur: 0.1122,
      monthlyPriceEur: 81.91,
    });
    expect(r.alternatives.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('keeps out types whose volume constraints do not fit Block-imported disks', () => {
    const pop2 = catalog.serverTypes.find(t => t.name === 'POP2-HC-2C-4G')!;
    const variant = (name: string, extra: Partial<OfferedServerType>) => ({
      ...pop2,
      name,
      hourlyPriceEur: 0.001,
      ...extra,
    });
    const withOddTypes: ScalewayOffer = {
      ...catalog,
      serverTypes: [
        ...catalog.serverTypes,
        // Cheapest of all, but cannot attach Block volumes / insists on local storage.
        variant('POP2-HC-2C-4G-NOBLOCK', { blockStorage: false }),
        variant('POP2-HC-2C-4G-LOCAL', { localVolumesMinBytes: 20e9 }),
      ],
    };
    for (const strategy of ['exact', 'optimize', 'cost'] as const) {
      const r = sizeVm(makeVm({ numCpu: 2, memoryMiB: 4096 }), withOddTypes, {
        strategy,
      });
      expect(r.targetType).not.toMatch(/NOBLOCK|LOCAL/);
      expect(r.alternatives.map(a => a.type).join()).not.toMatch(
        /NOBLOCK|LOCAL/,
      );
    }
  });

  describe('properties, over the whole snapshot', () => {
    const vmArb = fc.record({
      numCpu: fc.integer({ min: 1, max: 72 }),
      memoryMiB: fc.integer({ min: 256, max: 600 * 1024 }),
      osFamily: fc.constantFrom('linux' as const, 'windows' as const),
    });
    /** Every type a strategy may pick for the VM, found the slow and obvious way. */
    const viable = (
      vm: { numCpu: number; memoryMiB: number; osFamily: string },
      families: readonly string[],
    ) =>
      catalog.serverTypes.filter(
        t =>
          families.includes(serverTypeFamily(t.name)) &&
          t.arch === 'x86_64' &&
          t.gpus === 0 &&
          !t.endOfService &&
          t.availability !== 'shortage' &&
          t.blockStorage &&
          t.localVolumesMinBytes === 0 &&
          t.name.endsWith('-WIN') === (vm.osFamily === 'windows') &&
          t.vcpus >= vm.numCpu &&
          t.memoryBytes / 2 ** 20 >= vm.memoryMiB,
      );
    const distance = (
      t: OfferedServerType,
      vm: { numCpu: number; memoryMiB: number },
    ) => t.vcpus / vm.numCpu - 1 + t.memoryBytes / 2 ** 20 / vm.memoryMiB - 1;

    /** The cheapest price among `types`, undefined when there is none. */
    const cheapest = (types: OfferedServerType[]) =>
      types.length ? Math.min(...types.map(t => t.hourlyPriceEur)) : undefined;

    it('cost picks a viable type, and no viable type is cheaper', () => {
      fc.assert(
        fc.property(vmArb, spec => {
          const r = sizeVm(makeVm(spec), catalog, { strategy: 'cost' });
          const fits = viable(spec, DEFAULT_SIZING_FAMILIES);
          // Nothing viable: no type, and a problem saying so.
          expect(r.problem?.code).toBe(
            fits.length ? undefined : 'SIZING_NO_TYPE',
          );
          expect(r.targetType === undefined).toBe(fits.length === 0);
          expect(
            r.targetType === undefined ||
              fits.some(t => t.name === r.targetType),
          ).toBe(true);
          expect(r.hourlyPriceEur).toBe(cheapest(fits));
        }),
        { numRuns: 300 },
      );
    });

    it('optimize (no utilisation) picks the cheapest viable dedicated-vCPU type', () => {
      fc.assert(
        fc.property(vmArb, spec => {
          const r = sizeVm(makeVm(spec), catalog, { strategy: 'optimize' });
          const fits = viable(spec, PRODUCTION_FAMILIES);
          expect(r.targetType === undefined).toBe(fits.length === 0);
          expect(
            r.targetType === undefined ||
              fits.some(t => t.name === r.targetType),
          ).toBe(true);
          expect(r.targetType ?? '').not.toMatch(/^PLAY2/);
          expect(r.hourlyPriceEur).toBe(cheapest(fits));
        }),
        { numRuns: 300 },
      );
    });

    it('exact picks a viable type, and no viable type is closer to the source', () => {
      fc.assert(
        fc.property(vmArb, spec => {
          const r = sizeVm(makeVm(spec), catalog, { strategy: 'exact' });
          const fits = viable(spec, DEFAULT_SIZING_FAMILIES);
          expect(r.targetType === undefined).toBe(fits.length === 0);
          const best = Math.min(...fits.map(t => distance(t, spec)));
          // The closest types; on a tie, the cheaper one.
          const closest = fits.filter(
            t => Math.abs(distance(t, spec) - best) < 1e-12,
          );
          expect(
            r.targetType === undefined ||
              closest.some(t => t.name === r.targetType),
          ).toBe(true);
          expect(r.hourlyPriceEur).toBe(cheapest(closest));
        }),
        { numRuns: 300 },
      );
    });
  });
});

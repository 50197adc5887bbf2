import fc from 'fast-check';
import { makeVm, disk } from '../__fixtures__/vms';
import { PlanningError } from '../problems/PlanningError';
import { compileVmFilters, filterVms } from './filterVms';
import { validateVmFilters } from './VmFilter';

const estate = [
  makeVm({
    name: 'web-prod-01',
    numCpu: 8,
    memoryMiB: 16384,
    host: 'esxi-01.local',
  }),
  makeVm({
    name: 'web-prod-02',
    numCpu: 4,
    memoryMiB: 8192,
    host: 'esxi-02.local',
    cluster: 'prod-cluster-b',
  }),
  makeVm({
    name: 'prod-42',
    folderPath: '/DC1/Production/Windows',
    osFamily: 'windows',
    guestId: 'windows2019srv_64Guest',
    firmware: 'bios',
    host: 'esxi-03.local',
  }),
  makeVm({
    name: 'dev-01',
    folderPath: '/DC1/ProductionOld',
    powerState: 'poweredOff',
    datacenter: 'DC2',
    cluster: 'dev-cluster',
  }),
  makeVm({
    name: 'big-01',
    disks: [disk(2000, 300), disk(2001, 300)],
    memoryMiB: 65536,
    numCpu: 16,
  }),
];
const names = (filters: string[], extra: object = {}) =>
  filterVms(estate, { filters, ...extra }).map(vm => vm.name);

describe("inventory filters (the old tool's table)", () => {
  it('name: is a glob on the VM name', () => {
    expect(names(['name:web-*'])).toEqual(['web-prod-01', 'web-prod-02']);
    expect(names(['name:web-prod-0?'])).toEqual(['web-prod-01', 'web-prod-02']);
  });

  it('regex: is searched in the VM name', () => {
    expect(names(['regex:^prod-\\d+'])).toEqual(['prod-42']);
    expect(names(['regex:prod-\\d+$'])).toEqual([
      'web-prod-01',
      'web-prod-02',
      'prod-42',
    ]);
  });

  it('folder: is a prefix on whole path segments', () => {
    expect(names(['folder:/DC1/Production/Windows'])).toEqual(['prod-42']);
    // /DC1/ProductionOld is not inside /DC1/Production.
    expect(names(['folder:/DC1/Production'])).not.toContain('dev-01');
    expect(names(['folder:/DC1/Production/'])).toContain('web-prod-01');
  });

  it('os: is the OS family', () => {
    expect(names(['os:windows'])).toEqual(['prod-42']);
    expect(names(['os:Linux'])).toHaveLength(4);
  });

  it('host: and cluster: are globs', () => {
    expect(names(['host:esxi-0[12]*'])).toEqual([
      'web-prod-01',
      'web-prod-02',
      'dev-01',
      'big-01',
    ]);
    expect(names(['cluster:prod-*'])).toHaveLength(4);
    expect(names(['cluster:dev-*'])).toEqual(['dev-01']);
  });

  it('dc: is the datacenter name', () => {
    expect(names(['dc:DC2'])).toEqual(['dev-01']);
  });

  it('state: is the power state', () => {
    expect(names(['state:poweredOff'])).toEqual(['dev-01']);
  });

  it('firmware: is bios or efi', () => {
    expect(names(['firmware:bios'])).toEqual(['prod-42']);
    expect(names(['firmware:uefi'])).toHaveLength(4);
  });

  it('--min-cpu / --max-cpu bound the vCPU count, inclusive', () => {
    expect(names([], { minCpu: 8 })).toEqual(['web-prod-01', 'big-01']);
    expect(names([], { maxCpu: 4 })).toEqual([
      'web-prod-02',
      'prod-42',
      'dev-01',
    ]);
    expect(names(['min-cpu:4', 'max-cpu:8'])).toEqual([
      'web-prod-01',
      'web-prod-02',
    ]);
  });

  it('--min-ram is GB of memory', () => {
    expect(names([], { minRamGb: 16 })).toEqual(['web-prod-01', 'big-01']);
  });

  it('--max-disk is GB of total disk', () => {
    expect(names([], { maxDiskGb: 500 })).not.toContain('big-01');
    expect(names([], { maxDiskGb: 600 })).toContain('big-01');
  });

  it('repeated filters are ANDed', () => {
    expect(names(['name:web-*', 'host:esxi-02*'])).toEqual(['web-prod-02']);
    expect(names(['os:linux', 'state:poweredOn'], { minCpu: 4 })).toEqual([
      'web-prod-01',
      'web-prod-02',
      'big-01',
    ]);
  });
});

describe('malformed filters', () => {
  const errorOf = (filters: string[], extra: object = {}) => {
    try {
      compileVmFilters({ filters, ...extra });
    } catch (e) {
      expect(e).toBeInstanceOf(PlanningError);
      return e as PlanningError;
    }
    throw new Error('expected a PlanningError');
  };

  it('names an unknown kind and suggests the right one', () => {
    const e = errorOf(['nmae:web-*']);
    expect(e.code).toBe('FILTER_UNKNOWN');
    expect(e.message).toContain('filter "nmae:web-*"');
    expect(e.problems[0].suggestion).toBe('name:web-*');
  });

  it('names a filter without kind or value', () => {
    expect(errorOf(['web-*']).problems[0]).toMatchObject({
      code: 'FILTER_MALFORMED',
      suggestion: 'name:web-*',
    });
    expect(errorOf(['name:']).problems[0].code).toBe('FILTER_MALFORMED');
  });

  it('rejects unknown enum values with the allowed ones', () => {
    const e = errorOf(['state:running']);
    expect(e.problems[0].code).toBe('FILTER_VALUE_INVALID');
    expect(e.problems[0].remediation).toContain('state:poweredOn');
    expect(errorOf(['os:linx']).problems[0].suggestion).toBe('os:linux');
  });

  it('rejects non-numeric bounds and contradictory ones', () => {
    expect(errorOf(['min-cpu:four']).problems[0].code).toBe(
      'FILTER_VALUE_INVALID',
    );
    expect(errorOf([], { minCpu: 2.5 }).problems[0].message).toContain(
      '--min-cpu 2.5',
    );
    // Contradictory bounds are legal (they match nothing), but a form is told.
    expect(filterVms(estate, { filters: [], minCpu: 8, maxCpu: 4 })).toEqual(
      [],
    );
    expect(validateVmFilters({ minCpu: 8, maxCpu: 4 })[0]).toMatchObject({
      code: 'FILTER_CONTRADICTORY',
      severity: 'warning',
    });
  });

  it('reports every bad filter at once', () => {
    expect(errorOf(['nmae:x', 'regex:(', 'os:bsd']).problems).toHaveLength(3);
  });

  it('rejects an invalid regex, naming it', () => {
    const e = errorOf(['regex:^prod-(\\d+']);
    expect(e.code).toBe('FILTER_REGEX_INVALID');
    expect(e.message).toContain('regex:^prod-(\\d+');
  });

  it('rejects a too long regex', () => {
    expect(errorOf([`regex:${'a'.repeat(300)}`]).code).toBe(
      'FILTER_REGEX_TOO_LONG',
    );
  });

  it('refuses lookarounds and backreferences, saying why', () => {
    const e = errorOf(['regex:^(?!test)']);
    expect(e.remediation).toMatch(/Lookarounds and backreferences/);
    expect(errorOf(['regex:(a)\\1']).code).toBe('FILTER_REGEX_INVALID');
  });

  it('runs catastrophic-backtracking patterns in linear time', () => {
    const vms = Array.from({ length: 200 }, (_, i) =>
      makeVm({ name: `${'a'.repeat(70)}${i}!` }),
    );
    const start = Date.now();
    expect(
      filterVms(vms, { filters: ['regex:^(a+)+$', 'regex:(a|aa)*b'] }),
    ).toEqual([]);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('validates without throwing, for forms', () => {
    expect(validateVmFilters({ filters: ['os:linux'] })).toEqual([]);
    expect(validateVmFilters({ filters: ['os:beos'] })[0].code).toBe(
      'FILTER_VALUE_INVALID',
    );
  });
});

describe('filters, properties', () => {
  const vmArb = fc
    .record({
      name: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
      numCpu: fc.integer({ min: 1, max: 64 }),
      memoryMiB: fc.integer({ min: 512, max: 262144 }),
      powerState: fc.constantFrom(
        'poweredOn',
        'poweredOff',
        'suspended' as const,
      ),
      osFamily: fc.constantFrom('linux', 'windows', 'other' as const),
    })
    .map(r => makeVm(r));

  it('any filter text either compiles or fails with a PlanningError naming it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), text => {
        let error: unknown;
        try {
          compileVmFilters({ filters: [text] });
        } catch (e) {
          error = e;
        }
        expect(
          error === undefined ||
            (error instanceof PlanningError &&
              error.message.includes(`filter "${text}"`)),
        ).toBe(true);
      }),
    );
  });

  it('two filters match exactly the VMs both match (AND)', () => {
    const filterArb = fc.constantFrom(
      'name:*-0?',
      'name:a*',
      'regex:[0-9]$',
      'os:linux',
      'os:windows',
      'state:poweredOn',
      'min-cpu:8',
      'max-cpu:4',
      'min-ram:16',
      'max-disk:30',
    );
    fc.assert(
      fc.property(
        fc.array(vmArb, { maxLength: 20 }),
        filterArb,
        filterArb,
        (vms, a, b) => {
          const fa = compileVmFilters({ filters: [a] });
          const fb = compileVmFilters({ filters: [b] });
          const both = filterVms(vms, { filters: [a, b] });
          expect(both).toEqual(
            vms.filter(vm => fa.matches(vm) && fb.matches(vm)),
          );
        },
      ),
    );
  });

  it('name:<a plain name> selects exactly the VMs of that name', () => {
    fc.assert(
      fc.property(
        fc.array(vmArb, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        (vms, i) => {
          const target = vms[i % vms.length].name;
          expect(
            filterVms(vms, { filters: [`name:${target}`] }).every(
              vm => vm.name === target,
            ),
          ).toBe(true);
          expect(filterVms(vms, { filters: [`name:${target}`] }).length).toBe(
            vms.filter(vm => vm.name === target).length,
          );
        },
      ),
    );
  });
});

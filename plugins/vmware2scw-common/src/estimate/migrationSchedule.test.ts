import { scheduleWave, type SimVm } from './migrationSchedule';

const MB = 1e6;
const limits = {
  workers: 10,
  exportsPerHost: 4,
  conversions: 10,
  uploads: 10,
  exportBytesPerSec: 100 * MB,
  uploadBytesPerSec: 100 * MB,
};
const exportOnly = (bytes: number, host = 'esxi-1'): SimVm => ({
  host,
  scratchBytes: 2 * bytes,
  stages: [
    {
      name: 'export',
      kind: 'transfer',
      link: 'export',
      bytes,
      resource: 'export',
    },
  ],
});

describe('scheduleWave', () => {
  it('one VM alone gets the whole link', () => {
    expect(
      scheduleWave([exportOnly(1000 * MB)], limits).durationSeconds,
    ).toBeCloseTo(10);
  });

  it('concurrent transfers share the link', () => {
    const s = scheduleWave(
      [exportOnly(1000 * MB), exportOnly(1000 * MB)],
      limits,
    );
    expect(s.vms.map(v => v.endSeconds)).toEqual([20, 20]);
    // The small one finishes first, then the big one has the link to itself.
    const t = scheduleWave(
      [exportOnly(500 * MB), exportOnly(1500 * MB)],
      limits,
    );
    expect(t.vms[0].endSeconds).toBeCloseTo(10);
    expect(t.vms[1].endSeconds).toBeCloseTo(20);
  });

  it('limits exports per ESXi host, not across hosts', () => {
    const one = { ...limits, exportsPerHost: 1 };
    const sameHost = scheduleWave(
      [exportOnly(1000 * MB), exportOnly(1000 * MB)],
      one,
    );
    expect(sameHost.vms.map(v => [v.startSeconds, v.endSeconds])).toEqual([
      [0, 10],
      [0, 20],
    ]);
    const twoHosts = scheduleWave(
      [exportOnly(1000 * MB), exportOnly(1000 * MB, 'esxi-2')],
      one,
    );
    expect(twoHosts.durationSeconds).toBeCloseTo(20); // link-bound either way, but both run at once
    expect(twoHosts.vms[1].endSeconds).toBeCloseTo(20);
  });

  it('limits VMs in flight to the workers, in order', () => {
    const fixed = (s: number): SimVm => ({
      host: 'h',
      scratchBytes: 0,
      stages: [{ name: 'verify', kind: 'fixed', seconds: s }],
    });
    const s = scheduleWave([fixed(10), fixed(10), fixed(10)], {
      ...limits,
      workers: 2,
    });
    expect(s.vms.map(v => [v.startSeconds, v.endSeconds])).toEqual([
      [0, 10],
      [0, 10],
      [10, 20],
    ]);
  });

  it('holds scratch space from export to the end of the VM', () => {
    const vm: SimVm = {
      host: 'h',
      scratchBytes: 200,
      stages: [
        {
          name: 'export',
          kind: 'transfer',
          link: 'export',
          bytes: 100,
          resource: 'export',
        },
        { name: 'verify', kind: 'fixed', seconds: 5 },
      ],
    };
    expect(
      scheduleWave([vm, vm, vm], { ...limits, workers: 2 }).peakScratchBytes,
    ).toBe(400);
  });

  it('handles an empty wave and zero-byte disks', () => {
    expect(scheduleWave([], limits).durationSeconds).toBe(0);
    expect(scheduleWave([exportOnly(0)], limits).durationSeconds).toBe(0);
  });
});

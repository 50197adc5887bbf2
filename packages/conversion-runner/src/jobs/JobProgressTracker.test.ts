import { JobProgressTracker } from './JobProgressTracker';

describe('JobProgressTracker', () => {
  it('reports bytes per disk, a smoothed rate and an ETA', () => {
    let now = 0;
    const tracker = new JobProgressTracker(() => now);
    tracker.setPhase('downloading');
    tracker.update('disk-0', 0, 1000 * 1024 * 1024);
    for (let second = 1; second <= 5; second++) {
      now = second * 1000;
      tracker.update('disk-0', second * 100 * 1024 * 1024);
    }
    const snapshot = tracker.snapshot();
    expect(snapshot.phase).toBe('downloading');
    expect(snapshot.disks).toEqual([
      {
        disk: 'disk-0',
        bytesDone: 500 * 1024 * 1024,
        bytesTotal: 1000 * 1024 * 1024,
      },
    ]);
    expect(snapshot.bytesPerSecond).toBe(100 * 1024 * 1024);
    expect(snapshot.etaSeconds).toBe(5);
    expect(snapshot.percent).toBe(50);
  });
});

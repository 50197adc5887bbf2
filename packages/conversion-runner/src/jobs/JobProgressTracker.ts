import type { RunnerJobProgress } from '@internal/plugin-vmware2scw-common';

/**
 * Per-disk byte counters for a job, with a smoothed rate and an ETA. The rate is an exponential
 * moving average over samples at least a second apart, so a burst does not make the ETA jump.
 */
export class JobProgressTracker {
  private phase = 'queued';
  private readonly disks = new Map<
    string,
    { bytesDone: number; bytesTotal?: number }
  >();
  private rate?: number;
  private lastSample?: { at: number; bytes: number };
  private percent?: number;

  constructor(private readonly now: () => number = Date.now) {}

  setPhase(phase: string): void {
    this.phase = phase;
  }

  setPercent(percent: number | undefined): void {
    this.percent = percent;
  }

  update(disk: string, bytesDone: number, bytesTotal?: number): void {
    const entry = this.disks.get(disk) ?? { bytesDone: 0 };
    entry.bytesDone = bytesDone;
    if (bytesTotal !== undefined) entry.bytesTotal = bytesTotal;
    this.disks.set(disk, entry);
    const at = this.now();
    const total = this.totalDone();
    if (!this.lastSample) {
      this.lastSample = { at, bytes: total };
    } else if (at - this.lastSample.at >= 1000) {
      const instant =
        ((total - this.lastSample.bytes) * 1000) / (at - this.lastSample.at);
      this.rate =
        this.rate === undefined ? instant : 0.3 * instant + 0.7 * this.rate;
      this.lastSample = { at, bytes: total };
    }
  }

  snapshot(): RunnerJobProgress {
    const disks = [...this.disks.entries()].map(([disk, value]) => ({
      disk,
      ...value,
    }));
    const known =
      disks.every(d => d.bytesTotal !== undefined) && disks.length > 0;
    const remaining = known
      ? disks.reduce((sum, d) => sum + (d.bytesTotal! - d.bytesDone), 0)
      : undefined;
    const percent =
      this.percent ??
      (known
        ? (100 * this.totalDone()) /
          Math.max(
            1,
            disks.reduce((s, d) => s + d.bytesTotal!, 0),
          )
        : undefined);
    return {
      phase: this.phase,
      disks,
      bytesPerSecond:
        this.rate !== undefined ? Math.round(this.rate) : undefined,
      etaSeconds:
        remaining !== undefined && this.rate && this.rate > 0
          ? Math.round(remaining / this.rate)
          : undefined,
      percent:
        percent !== undefined ? Math.round(percent * 10) / 10 : undefined,
    };
  }

  private totalDone(): number {
    let sum = 0;
    for (const value of this.disks.values()) sum += value.bytesDone;
    return sum;
  }
}

/**
 * Discrete-event simulation of one wave: VMs go through their stages, waiting for workers, slots
 * and link bandwidth as `estimateModel.ts` describes. Plain numbers in, plain numbers out.
 */

/** A concurrency slot a simulated stage holds (the VM's worker is always held). */
export type SimResource = 'export' | 'conversion' | 'upload';

export type SimStage =
  | { name: string; kind: 'fixed'; seconds: number; resource?: SimResource }
  | {
      name: string;
      kind: 'transfer';
      link: 'export' | 'upload';
      bytes: number;
      resource: SimResource;
    };

export interface SimVm {
  /** ESXi host: exports are limited per host. */
  host: string;
  scratchBytes: number;
  stages: SimStage[];
}

export interface ScheduleLimits {
  workers: number;
  exportsPerHost: number;
  conversions: number;
  uploads: number;
  exportBytesPerSec: number;
  uploadBytesPerSec: number;
}

export interface ScheduledVm {
  startSeconds: number;
  endSeconds: number;
}

export interface WaveSchedule {
  vms: ScheduledVm[];
  durationSeconds: number;
  peakScratchBytes: number;
}

/**
 * Transfers sharing a link's capacity equally (processor sharing). Every running flow receives the
 * same service, so one counter of bytes served per flow since the start is enough: a flow that
 * starts when the counter is at `s` with `b` bytes to send is done when the counter reaches `s + b`.
 */
class SharedLink {
  private readonly flows: Array<{ vm: number; doneAt: number }> = [];
  private served = 0;
  private last = 0;
  private readonly epsilon: number;

  constructor(private readonly bytesPerSec: number) {
    // Times grow to millions of seconds, where a double's rounding is worth a fraction of a byte
    // at link speed: anything within a microsecond of transfer counts as done.
    this.epsilon = Math.max(1, bytesPerSec * 1e-6);
  }

  add(vm: number, bytes: number, now: number) {
    this.advance(now);
    this.flows.push({ vm, doneAt: this.served + bytes });
  }

  advance(now: number) {
    if (this.flows.length && now > this.last) {
      this.served += ((now - this.last) * this.bytesPerSec) / this.flows.length;
    }
    this.last = now;
  }

  nextCompletion(): number {
    if (!this.flows.length) return Infinity;
    let min = Infinity;
    for (const f of this.flows) if (f.doneAt < min) min = f.doneAt;
    return (
      this.last +
      (Math.max(0, min - this.served) * this.flows.length) / this.bytesPerSec
    );
  }

  /** Flows finished by now. */
  takeFinished(): number[] {
    const out: number[] = [];
    for (let i = this.flows.length - 1; i >= 0; i--) {
      if (this.flows[i].doneAt - this.served <= this.epsilon) {
        out.push(this.flows[i].vm);
        this.flows.splice(i, 1);
      }
    }
    return out.reverse();
  }
}

/** Binary min-heap of (time, vm) timers, in two parallel arrays (no tuple per timer). */
class TimerHeap {
  private readonly times: number[] = [];
  private readonly vms: number[] = [];

  get size() {
    return this.times.length;
  }

  peek(): number {
    return this.times.length ? this.times[0] : Infinity;
  }

  push(time: number, vm: number) {
    const { times, vms } = this;
    let i = times.length;
    times.push(time);
    vms.push(vm);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] <= time) break;
      times[i] = times[p];
      vms[i] = vms[p];
      i = p;
    }
    times[i] = time;
    vms[i] = vm;
  }

  /** Removes the earliest timer and returns its VM. */
  pop(): number {
    const { times, vms } = this;
    const top = vms[0];
    const lastTime = times.pop()!;
    const lastVm = vms.pop()!;
    const n = times.length;
    if (n) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && times[r] < times[l] ? r : l;
        if (times[m] >= lastTime) break;
        times[i] = times[m];
        vms[i] = vms[m];
        i = m;
      }
      times[i] = lastTime;
      vms[i] = lastVm;
    }
    return top;
  }
}

/** Counted slots with a FIFO of VMs waiting for one. */
class SlotPool {
  private used = 0;
  readonly waiting: number[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  tryTake(): boolean {
    if (this.used >= this.capacity) return false;
    this.used++;
    return true;
  }

  release(): number | undefined {
    this.used--;
    if (this.head < this.waiting.length) {
      this.used++;
      return this.waiting[this.head++];
    }
    return undefined;
  }
}

/**
 * Runs the VMs of one wave, in the given order (priority order), from time 0. Returns when each VM
 * starts and ends, the wave's length and its peak scratch usage.
 */
export function scheduleWave(
  vms: readonly SimVm[],
  limits: ScheduleLimits,
): WaveSchedule {
  const out: ScheduledVm[] = vms.map(() => ({
    startSeconds: 0,
    endSeconds: 0,
  }));
  const stageOf = new Int32Array(vms.length).fill(-1);
  const workers = new SlotPool(limits.workers);
  const conversions = new SlotPool(limits.conversions);
  const uploads = new SlotPool(limits.uploads);
  const hostPools = new Map<string, SlotPool>();
  const poolFor = (vm: number, r: SimResource): SlotPool => {
    if (r === 'conversion') return conversions;
    if (r === 'upload') return uploads;
    const host = vms[vm].host;
    let p = hostPools.get(host);
    if (!p) hostPools.set(host, (p = new SlotPool(limits.exportsPerHost)));
    return p;
  };
  const links = {
    export: new SharedLink(limits.exportBytesPerSec),
    upload: new SharedLink(limits.uploadBytesPerSec),
  };
  const timers = new TimerHeap();
  let now = 0;
  let scratch = 0;
  let peakScratch = 0;
  let nextToStart = 0;
  let finished = 0;
  // VMs that may enter their next stage now, first come first served (keeps priority order).
  let ready: number[] = [];
  function drain() {
    for (let i = 0; i < ready.length; i++) step(ready[i]);
    ready = [];
  }

  function beginStage(vm: number) {
    const stage = vms[vm].stages[stageOf[vm]];
    if (stage.kind === 'transfer' && stage.link === 'export') {
      scratch += vms[vm].scratchBytes;
      if (scratch > peakScratch) peakScratch = scratch;
    }
    if (stage.kind === 'fixed') timers.push(now + stage.seconds, vm);
    else links[stage.link].add(vm, stage.bytes, now);
  }

  /** Moves a VM to its next stage, or finishes it; stages wait for their slot in FIFO order. */
  function step(vm: number) {
    stageOf[vm]++;
    const stages = vms[vm].stages;
    if (stageOf[vm] >= stages.length) {
      out[vm].endSeconds = now;
      finished++;
      if (stages.some(s => s.kind === 'transfer' && s.link === 'export'))
        scratch -= vms[vm].scratchBytes;
      workers.release(); // the next VM in line takes it in admit()
      return;
    }
    const r = stages[stageOf[vm]].resource;
    if (r) {
      const pool = poolFor(vm, r);
      if (!pool.tryTake()) {
        pool.waiting.push(vm);
        return;
      }
    }
    beginStage(vm);
  }

  function endStage(vm: number) {
    const r = vms[vm].stages[stageOf[vm]].resource;
    if (r) {
      const next = poolFor(vm, r).release();
      if (next !== undefined) beginStage(next);
    }
    ready.push(vm);
  }

  /** Starts VMs, in plan order, while workers are free. */
  function admit() {
    while (nextToStart < vms.length && workers.tryTake()) {
      out[nextToStart].startSeconds = now;
      ready.push(nextToStart++);
    }
  }

  admit();

  while (finished < vms.length) {
    while (ready.length) {
      drain();
      admit();
    }
    if (finished >= vms.length) break;
    const t = Math.min(
      timers.peek(),
      links.export.nextCompletion(),
      links.upload.nextCompletion(),
    );
    if (!Number.isFinite(t)) break; // nothing can progress: should not happen with positive limits
    now = Math.max(now, t);
    links.export.advance(now);
    links.upload.advance(now);
    while (timers.size && timers.peek() <= now) endStage(timers.pop());
    for (const vm of links.export.takeFinished()) endStage(vm);
    for (const vm of links.upload.takeFinished()) endStage(vm);
  }
  return { vms: out, durationSeconds: now, peakScratchBytes: peakScratch };
}

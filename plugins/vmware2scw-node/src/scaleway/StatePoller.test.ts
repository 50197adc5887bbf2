import {
  pollUntilSettled,
  systemClock,
  type GatewayClock,
} from './StatePoller';

/** A clock whose sleeps pass instantly, advancing its time. */
function fakeClock(): GatewayClock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      t += ms;
    },
  };
}

const transient = (e: unknown) => e instanceof TypeError;

/** Poll options that settle at once on a fake clock, with `overrides`. */
function options(
  clock: GatewayClock,
  overrides: Partial<Parameters<typeof pollUntilSettled<string>>[0]>,
): Parameters<typeof pollUntilSettled<string>>[0] {
  return {
    read: async () => 'running',
    settled: () => true,
    timeoutMs: 60_000,
    clock,
    delays: { minMs: 10, maxMs: 10 },
    isTransient: transient,
    onTimeout: () => new Error('timeout'),
    ...overrides,
  };
}

describe('pollUntilSettled', () => {
  it('reads with a growing backoff until the value settles', async () => {
    const clock = fakeClock();
    const states = ['creating', 'creating', 'creating', 'available'];
    const seen: string[] = [];
    const value = await pollUntilSettled({
      read: async () => states.shift()!,
      settled: s => s !== 'creating',
      timeoutMs: 60_000,
      clock,
      delays: { minMs: 1000, maxMs: 2000 },
      onRead: s => seen.push(s),
      isTransient: transient,
      onTimeout: () => new Error('timeout'),
    });
    expect(value).toBe('available');
    expect(seen).toEqual(['creating', 'creating', 'creating', 'available']);
    expect(clock.slept).toEqual([1000, 1500, 2000, 2000]);
  });

  it('gives up at the deadline with the last state read', async () => {
    const clock = fakeClock();
    await expect(
      pollUntilSettled({
        read: async () => 'creating',
        settled: () => false,
        timeoutMs: 5000,
        clock,
        delays: { minMs: 1000, maxMs: 1000 },
        isTransient: transient,
        onTimeout: (last, elapsed) =>
          new Error(`still ${last} after ${elapsed} ms`),
      }),
    ).rejects.toThrow('still creating after 5000 ms');
  });

  it('reads again after a few transient errors, and not after others', async () => {
    const clock = fakeClock();
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls <= 3) throw new TypeError('fetch failed');
      return 'running';
    };
    expect(await pollUntilSettled(options(clock, { read: flaky }))).toBe(
      'running',
    );
    const down = async (): Promise<string> => {
      throw new TypeError('fetch failed');
    };
    await expect(
      pollUntilSettled(options(clock, { read: down, maxTransientErrors: 2 })),
    ).rejects.toThrow('fetch failed');
    const gone = async (): Promise<string> => {
      throw new Error('resource not found');
    };
    await expect(
      pollUntilSettled(options(clock, { read: gone })),
    ).rejects.toThrow('resource not found');
  });

  it('stops a real wait as soon as the signal is aborted', async () => {
    const controller = new AbortController();
    const wait = pollUntilSettled({
      read: async () => 'creating',
      settled: () => false,
      timeoutMs: 60_000,
      clock: systemClock,
      delays: { minMs: 30_000, maxMs: 30_000 },
      signal: controller.signal,
      isTransient: transient,
      onTimeout: () => new Error('timeout'),
    });
    setTimeout(() => controller.abort(new Error('stop')), 20);
    // Without the abort, the first sleep alone would outlast the test's timeout.
    await expect(wait).rejects.toThrow('stop');
  });
});

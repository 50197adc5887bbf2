/** Time, injectable: tests run the gateway's waits in milliseconds. */
export interface GatewayClock {
  now(): number;
  /** Resolves after `ms`, rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: GatewayClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface PollDelays {
  /** First wait, and the floor of the backoff (the SDK's waiters use 1 s). */
  minMs: number;
  /** Ceiling of the backoff (the SDK's waiters use 30 s). */
  maxMs: number;
}

export interface PollOptions<T> {
  read: () => Promise<T>;
  /** True once the resource is in a final state (wanted or not). */
  settled: (value: T) => boolean;
  timeoutMs: number;
  clock: GatewayClock;
  delays: PollDelays;
  signal?: AbortSignal;
  /** Called with every value read (progress). */
  onRead?: (value: T) => void;
  /** Errors worth reading again after (network, 5xx, rate limit); others end the wait at once. */
  isTransient: (error: unknown) => boolean;
  /** Transient errors in a row before giving up (default 5). */
  maxTransientErrors?: number;
  /** The error to throw at the deadline, given the last value read. */
  onTimeout: (last: T | undefined, elapsedMs: number) => Error;
}

/**
 * Reads a resource until it settles, with exponential backoff, a deadline and an AbortSignal. The SDK's
 * own waiters are not used: they default to 300 s (an import of 1 GiB took 3.5 min), the Instance ones
 * ignore `stop`, none takes a signal, and their clock cannot be replaced (scaleway.md §6.4).
 */
export async function pollUntilSettled<T>(options: PollOptions<T>): Promise<T> {
  const { clock, delays, signal } = options;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  let delay = delays.minMs;
  let last: T | undefined;
  let transientErrors = 0;
  for (;;) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) throw options.onTimeout(last, clock.now() - started);
    await clock.sleep(Math.min(delay, remaining), signal);
    delay = Math.min(delays.maxMs, Math.ceil(delay * 1.5));
    try {
      last = await options.read();
      transientErrors = 0;
    } catch (error) {
      if (
        signal?.aborted ||
        !options.isTransient(error) ||
        ++transientErrors > (options.maxTransientErrors ?? 5)
      )
        throw error;
      continue;
    }
    options.onRead?.(last);
    if (options.settled(last)) return last;
  }
}

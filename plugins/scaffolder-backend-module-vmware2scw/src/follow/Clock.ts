/** Time as the following actions see it; tests pass a virtual clock so that no test waits for real. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (the caller looks at the signal). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>(resolve => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

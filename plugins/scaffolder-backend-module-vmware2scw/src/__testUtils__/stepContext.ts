import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject, JsonValue } from '@backstage/types';
import type { Clock } from '../follow/Clock';

/** A clock whose sleeps return at once and move time on, so following a long stage takes no real time. */
export function virtualClock(): Clock & { elapsedMs(): number } {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms, signal) => {
      if (!signal?.aborted) now += ms;
    },
    elapsedMs: () => now,
  };
}

/** A virtual clock that cancels the task (aborts `controller`) at its `afterSleeps`-th sleep. */
export function cancellingClock(
  controller: AbortController,
  afterSleeps: number,
): Clock {
  const clock = virtualClock();
  let sleeps = 0;
  return {
    now: clock.now,
    sleep: async (ms, signal) => {
      sleeps += 1;
      if (sleeps === afterSleeps) controller.abort();
      return clock.sleep(ms, signal);
    },
  };
}

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
}

/** A logger that keeps what a step writes to the task log. */
export function recordingLogger(): LoggerService & {
  lines: LogLine[];
  text(): string;
} {
  const lines: LogLine[] = [];
  const logger = {
    lines,
    text: () => lines.map(l => `${l.level}: ${l.message}`).join('\n'),
    error: (message: string) => lines.push({ level: 'error', message }),
    warn: (message: string) => lines.push({ level: 'warn', message }),
    info: (message: string) => lines.push({ level: 'info', message }),
    debug: (message: string) => lines.push({ level: 'debug', message }),
    child: () => logger,
  };
  return logger as unknown as LoggerService & {
    lines: LogLine[];
    text(): string;
  };
}

/**
 * Checkpoints kept in a Map, as the scaffolder keeps them in the task's state: a key that succeeded
 * returns its stored value without running `fn` again.
 */
export function checkpointMap() {
  const saved = new Map<string, JsonValue>();
  async function checkpoint<T extends JsonValue | void>(opts: {
    key: string;
    fn: () => Promise<T> | T;
  }): Promise<T> {
    if (saved.has(opts.key)) return saved.get(opts.key) as T;
    const value = await opts.fn();
    saved.set(opts.key, (value ?? {}) as JsonValue);
    return value;
  }
  return { saved, checkpoint };
}

/** The context of one run of a step: the initiator is user:default/jane. */
export function stepContext<TInput extends JsonObject>(
  input: TInput,
  options: {
    checkpoints?: ReturnType<typeof checkpointMap>;
    isDryRun?: boolean;
    signal?: AbortSignal;
    /** What getInitiatorCredentials returns; user:default/jane by default. */
    credentials?: BackstageCredentials;
  } = {},
) {
  const logger = recordingLogger();
  const outputs: Record<string, unknown> = {};
  const base = createMockActionContext<TInput>({ input, logger });
  // Any outputs: each test passes this context to an action whose outputs are typed from its schema.
  const ctx: ActionContext<TInput, any> = {
    ...base,
    output: (name, value) => {
      outputs[name as string] = value;
    },
    checkpoint: (options.checkpoints ?? checkpointMap()).checkpoint,
    getInitiatorCredentials: async () =>
      options.credentials ?? mockCredentials.user('user:default/jane'),
    isDryRun: options.isDryRun,
    signal: options.signal,
    user: { ref: 'user:default/jane' },
  };
  return { ctx, logger, outputs };
}

import {
  faultFromLocalized,
  VcenterAbortedError,
  VcenterTimeoutError,
} from './faults';
import type { PropertyCollector } from './PropertyCollector';
import type { MoRef, XmlValue } from './VimXml';
import { int, moref, text } from './VimValue';

export interface WaitOptions {
  /** Give up after this long (the task keeps running in vCenter). Default 30 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called when vCenter reports a new progress percentage. */
  onProgress?: (percent: number) => void;
  /** First and maximum polling intervals; the interval doubles up to the maximum. */
  pollMs?: { initial: number; max: number };
}

export interface TaskResult {
  task: MoRef;
  /** `info.result`, e.g. the snapshot MoRef of CreateSnapshot_Task. */
  result?: XmlValue;
  resultRef?: MoRef;
}

/**
 * Waits for a vCenter task by polling `Task.info` with a growing interval. Polling (rather than a
 * WaitForUpdatesEx filter on the shared PropertyCollector) keeps concurrent waits on one session
 * independent; at most one call every two seconds per running task is negligible load.
 */
export class TaskWaiter {
  constructor(private readonly pc: PropertyCollector) {}

  async wait(
    task: MoRef,
    method: string,
    opts: WaitOptions = {},
  ): Promise<TaskResult> {
    const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
    const { initial, max } = opts.pollMs ?? { initial: 100, max: 2_000 };
    const deadline = Date.now() + timeoutMs;
    let interval = initial;
    let lastProgress: number | undefined;

    for (;;) {
      if (opts.signal?.aborted) throw abortedWhile(task, method, opts.signal);
      const content = await this.pc.retrieveOne(
        task,
        ['info.state', 'info.progress', 'info.result', 'info.error'],
        {
          signal: opts.signal,
        },
      );
      const props = content?.props ?? {};
      const state = text(props['info.state']);
      const progress = int(props['info.progress']);
      if (progress !== undefined && progress !== lastProgress) {
        lastProgress = progress;
        opts.onProgress?.(progress);
      }
      if (state === 'success') {
        const result = props['info.result'];
        return { task, result, resultRef: moref(result) };
      }
      if (state === 'error') {
        throw faultFromLocalized(props['info.error'], {
          method,
          task: task.value,
        });
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new VcenterTimeoutError({
          code: 'VCENTER_TASK_TIMEOUT',
          message: `vCenter task ${
            task.value
          } (${method}) did not finish within ${Math.round(
            timeoutMs / 1000,
          )} s (state ${state ?? 'unknown'})`,
          remediation:
            'The task may still complete: check it in the vCenter task list before retrying, so as not to run it twice.',
          method,
          task: task.value,
        });
      }
      try {
        await sleep(Math.min(interval, remaining), opts.signal);
      } catch {
        throw abortedWhile(task, method, opts.signal!);
      }
      interval = Math.min(interval * 2, max);
    }
  }
}

function abortedWhile(
  task: MoRef,
  method: string,
  signal: AbortSignal,
): VcenterAbortedError {
  return new VcenterAbortedError({
    code: 'VCENTER_ABORTED',
    message: `Stopped waiting for vCenter task ${task.value} (${method})`,
    remediation:
      'The wait was canceled by its caller; the task itself keeps running in vCenter.',
    method,
    task: task.value,
    cause: signal.reason,
  });
}

/** Resolves after `ms`, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

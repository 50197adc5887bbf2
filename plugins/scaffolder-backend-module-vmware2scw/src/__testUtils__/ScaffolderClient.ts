import type { JsonObject } from '@backstage/types';

export interface TaskEvent {
  id: number;
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  body: {
    message: string;
    stepId?: string;
    status?: string;
    output?: JsonObject;
  };
}

export interface Task {
  id: string;
  status: 'open' | 'processing' | 'completed' | 'failed' | 'cancelled';
}

export type ScaffolderClient = ReturnType<typeof scaffolderClient>;

/** The scaffolder (and any other plugin) of a running backend, driven over HTTP as the app drives it. */
export function scaffolderClient(
  apiBase: string,
  authorization: () => Promise<string>,
) {
  async function call<T>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<T> {
    const res = await fetch(`${apiBase}${route}`, {
      method,
      headers: {
        authorization: await authorization(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function until<T>(
    what: string,
    timeoutMs: number,
    probe: () => Promise<T | undefined>,
  ) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 250));
    }
  }

  return {
    /** A call to the backend's API, e.g. `call('GET', '/vmware2scw/health')`. */
    call,
    /** Waits until the catalog has read the template. */
    template: (name: string) =>
      until(`template ${name} in the catalog`, 120_000, () =>
        call<JsonObject>(
          'GET',
          `/catalog/entities/by-name/template/default/${name}`,
        ),
      ),
    /** Starts a task of the template with these form values. */
    run: async (name: string, values: JsonObject) =>
      (
        await call<{ id: string }>('POST', '/scaffolder/v2/tasks', {
          templateRef: `template:default/${name}`,
          values,
        })
      ).id,
    /** Waits until the task is over (completed, failed or cancelled). */
    finished: (taskId: string, timeoutMs = 120_000) =>
      until(`task ${taskId} to end`, timeoutMs, async () => {
        const task = await call<Task>('GET', `/scaffolder/v2/tasks/${taskId}`);
        return ['completed', 'failed', 'cancelled'].includes(task.status)
          ? task
          : undefined;
      }),
    events: (taskId: string) =>
      call<TaskEvent[]>('GET', `/scaffolder/v2/tasks/${taskId}/events`),
    retry: (taskId: string) =>
      call<void>('POST', `/scaffolder/v2/tasks/${taskId}/retry`, {}),
  };
}

/** The log lines of one step of a task, in order. */
export function stepLog(events: TaskEvent[], stepId: string): string[] {
  return events
    .filter(e => e.type === 'log' && e.body.stepId === stepId)
    .map(e => e.body.message);
}

/** How each step ended, by step id (the last status the task log gives it). */
export function stepStatuses(events: TaskEvent[]): Record<string, string> {
  const statuses: Record<string, string> = {};
  for (const e of events)
    if (e.type === 'log' && e.body.stepId && e.body.status)
      statuses[e.body.stepId] = e.body.status;
  return statuses;
}

import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import path from 'node:path';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleVmware2scw } from '../module';

/** The repository's templates, as the example app registers them. */
export const TEMPLATES_DIR = path.resolve(__dirname, '../../../../examples/templates');

export interface TaskEvent {
  id: number;
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  body: { message: string; stepId?: string; status?: string; output?: JsonObject };
}

export interface Task {
  id: string;
  status: 'open' | 'processing' | 'completed' | 'failed' | 'cancelled';
}

/**
 * A Backstage backend with the real catalog (reading examples/templates) and the real scaffolder with
 * this module, driven over HTTP as the app drives it, as user:default/jane.
 */
export async function startScaffolder(options: {
  features: BackendFeature[];
  config?: JsonObject;
}) {
  const { config = {} } = options;
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleTemplateKind,
      scaffolderPlugin,
      scaffolderModuleVmware2scw,
      mockServices.rootConfig.factory({
        data: {
          ...config,
          catalog: {
            rules: [{ allow: ['Template', 'Location'] }],
            locations: [
              'migrate-vm-to-scaleway.yaml',
              'plan-migration-from-filters.yaml',
              'request-wave-approval.yaml',
            ].map(f => ({ type: 'file', target: path.join(TEMPLATES_DIR, f) })),
          },
        },
      }),
      ...options.features,
    ],
  });
  const base = `http://localhost:${backend.server.port()}/api`;
  const authorization = mockCredentials.user.header('user:default/jane');

  async function call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 250));
    }
  }

  return {
    backend,
    /** Waits until the catalog has read the template. */
    template: (name: string) =>
      until(`template ${name} in the catalog`, 60_000, () =>
        call<JsonObject>('GET', `/catalog/entities/by-name/template/default/${name}`),
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
        return ['completed', 'failed', 'cancelled'].includes(task.status) ? task : undefined;
      }),
    events: (taskId: string) =>
      call<TaskEvent[]>('GET', `/scaffolder/v2/tasks/${taskId}/events`),
    retry: (taskId: string) => call<void>('POST', `/scaffolder/v2/tasks/${taskId}/retry`, {}),
    cancel: (taskId: string) => call<void>('POST', `/scaffolder/v2/tasks/${taskId}/cancel`),
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

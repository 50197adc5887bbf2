import { request } from 'undici';
import type { RunnerJob } from '@internal/plugin-vmware2scw-common';

/** A minimal client of the runner API for tests and the benchmark (the backend has its own in vmware2scw-node). */
export class RunnerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    // undici directly: tests run with the global fetch disabled (Backstage's jest network guard).
    const response = await request(`${this.baseUrl}${path}`, {
      method: method as 'GET',
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: response.statusCode, body: await response.body.json() };
  }

  async submit(
    kind: string,
    params: unknown,
    idempotencyKey = `${kind}-${Math.random().toString(36).slice(2)}`,
  ): Promise<RunnerJob> {
    const { status, body } = await this.call('POST', '/v1/jobs', {
      idempotencyKey,
      kind,
      params,
    });
    if (status !== 202 && status !== 200)
      throw new Error(`submit ${kind} -> ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Polls until the job leaves queued/running; throws with the job's error and log tail if it did not succeed. */
  async waitFor(
    id: string,
    options: { timeoutMs: number; onProgress?: (job: RunnerJob) => void },
  ): Promise<RunnerJob> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const { body: job } = await this.call('GET', `/v1/jobs/${id}`);
      options.onProgress?.(job);
      if (job.state !== 'queued' && job.state !== 'running') {
        if (job.state !== 'succeeded') {
          const { body: logs } = await this.call('GET', `/v1/jobs/${id}/logs`);
          const tail = (logs.lines as Array<{ line: string }>)
            .slice(-30)
            .map(l => l.line)
            .join('\n');
          throw new Error(
            `job ${job.kind} ${job.state}: ${JSON.stringify(
              job.error,
            )}\n${tail}`,
          );
        }
        return job;
      }
      if (Date.now() > deadline)
        throw new Error(
          `job ${id} (${job.kind}) still ${job.state} after ${options.timeoutMs} ms`,
        );
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }

  async run(
    kind: string,
    params: unknown,
    timeoutMs: number,
    onProgress?: (job: RunnerJob) => void,
  ): Promise<RunnerJob> {
    const job = await this.submit(kind, params);
    return this.waitFor(job.id, { timeoutMs, onProgress });
  }
}

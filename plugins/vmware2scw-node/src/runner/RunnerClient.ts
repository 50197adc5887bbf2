import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  errorBodySchema,
  runnerHealthSchema,
  runnerJobLogsSchema,
  runnerJobSchema,
  Vmware2scwError,
  type RunnerHealth,
  type RunnerJob,
  type RunnerJobKind,
} from '@internal/plugin-vmware2scw-common';
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';

/**
 * Typed client of a conversion runner's job API (`packages/conversion-runner/openapi.yaml`, wire types
 * in `-common`'s `runner/`, shared with the runner): submit a
 * job under an idempotency key, follow it, cancel it, read the runner's health. Responses are parsed
 * (a runner is another host: its answers are checked, not trusted). The bearer token never appears in
 * errors or logs.
 */

export interface RunnerEndpoint {
  id: string;
  url: string;
  token: string;
}

export interface RunnerJobRequest {
  /** `<migration>:<stage>:<disk>`: the same key and params again is the same job. */
  idempotencyKey: string;
  kind: RunnerJobKind;
  params: Record<string, unknown>;
}

/** A runner answered with an error, or could not be reached. */
export class RunnerApiError extends Vmware2scwError {}

/** A job ended in `failed` or `cancelled`: the runner's own code, message and remediation. */
export class RunnerJobFailedError extends Vmware2scwError {
  readonly job: RunnerJob;
  constructor(runnerId: string, job: RunnerJob) {
    super({
      code:
        job.error?.code ??
        (job.state === 'cancelled'
          ? 'RUNNER_JOB_CANCELLED'
          : 'RUNNER_JOB_FAILED'),
      message: `runner ${runnerId}: ${job.kind} job ${job.id} ${job.state}${
        job.error ? `: ${job.error.message}` : ''
      }`,
      remediation:
        job.error?.remediation ??
        'Read the job log on the runner (GET /v1/jobs/{id}/logs) for the failing command.',
      details: { runner: runnerId, jobId: job.id, kind: job.kind },
    });
    this.job = job;
  }
}

export interface RunnerWaitOptions {
  signal?: AbortSignal;
  /** Between two reads of the job; default 1 s. */
  pollMs?: number;
  onProgress?(job: RunnerJob): void;
}

export class RunnerClient {
  readonly id: string;
  private readonly base: URL;
  private readonly token: string;
  private readonly dispatcher: Dispatcher;

  constructor(
    endpoint: RunnerEndpoint,
    private readonly options: {
      logger?: LoggerService;
      dispatcher?: Dispatcher;
      /** Per request, default 30 s. */
      timeoutMs?: number;
    } = {},
  ) {
    this.id = endpoint.id;
    this.base = new URL(endpoint.url.replace(/\/+$/, ''));
    this.token = endpoint.token;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        headersTimeout: options.timeoutMs ?? 30_000,
        bodyTimeout: options.timeoutMs ?? 30_000,
      });
  }

  /** `host:port` of the runner, for messages (never the token). */
  get host(): string {
    return this.base.host;
  }

  async health(signal?: AbortSignal): Promise<RunnerHealth> {
    const { body } = await this.call('GET', '/v1/health', undefined, signal);
    return this.parse(runnerHealthSchema, body, 'health');
  }

  /** Submits a job, or finds the one already submitted under that key (200 instead of 202). */
  async submit(
    job: RunnerJobRequest,
    signal?: AbortSignal,
  ): Promise<RunnerJob> {
    const { body } = await this.call('POST', '/v1/jobs', job, signal);
    return this.parse(runnerJobSchema, body, `job ${job.kind}`);
  }

  async get(jobId: string, signal?: AbortSignal): Promise<RunnerJob> {
    const { body } = await this.call(
      'GET',
      `/v1/jobs/${encodeURIComponent(jobId)}`,
      undefined,
      signal,
    );
    return this.parse(runnerJobSchema, body, `job ${jobId}`);
  }

  async cancel(jobId: string, signal?: AbortSignal): Promise<RunnerJob> {
    const { body } = await this.call(
      'POST',
      `/v1/jobs/${encodeURIComponent(jobId)}/cancel`,
      undefined,
      signal,
    );
    return this.parse(runnerJobSchema, body, `job ${jobId}`);
  }

  /** The last lines of a job's log (for an error report). */
  async logTail(jobId: string, lines = 30): Promise<string[]> {
    const { body } = await this.call(
      'GET',
      `/v1/jobs/${encodeURIComponent(jobId)}/logs`,
    );
    const parsed = runnerJobLogsSchema.safeParse(body);
    return parsed.success
      ? parsed.data.lines.slice(-lines).map(l => l.line)
      : [];
  }

  /**
   * Follows a job to its end. When `signal` aborts, the job is cancelled on the runner and the abort
   * is rethrown; a failed or cancelled job throws {@link RunnerJobFailedError}.
   */
  async wait(
    jobId: string,
    options: RunnerWaitOptions = {},
  ): Promise<RunnerJob> {
    const pollMs = options.pollMs ?? 1000;
    for (;;) {
      if (options.signal?.aborted) {
        await this.cancel(jobId).catch(err =>
          this.options.logger?.warn(
            `runner ${this.id}: could not cancel job ${jobId}: ${err.message}`,
          ),
        );
        throw options.signal.reason ?? new Error('aborted');
      }
      const job = await this.get(jobId);
      options.onProgress?.(job);
      if (job.state === 'succeeded') return job;
      if (job.state === 'failed' || job.state === 'cancelled')
        throw new RunnerJobFailedError(this.id, job);
      await sleep(pollMs, options.signal);
    }
  }

  /** Submits and follows a job (the same key after a crash finds the same job). */
  async run(
    job: RunnerJobRequest,
    options: RunnerWaitOptions = {},
  ): Promise<RunnerJob> {
    const submitted = await this.submit(job, options.signal);
    return this.wait(submitted.id, options);
  }

  private parse<T>(
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    body: unknown,
    what: string,
  ): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new RunnerApiError({
        code: 'RUNNER_BAD_RESPONSE',
        message: `runner ${this.id} (${
          this.host
        }) answered ${what} with an unexpected shape: ${parsed.error.issues
          .slice(0, 3)
          .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}`,
        remediation:
          'Run a runner of the same release as the backend (GET /v1/health shows its version).',
      });
    }
    return parsed.data;
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(
      `${this.base.pathname.replace(/\/$/, '')}${path}`,
      this.base,
    );
    let response;
    try {
      response = await request(url, {
        method,
        dispatcher: this.dispatcher,
        signal,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new RunnerApiError({
        code: 'RUNNER_UNREACHABLE',
        message: `runner ${this.id} (${this.host}) could not be reached: ${
          (err as Error).message
        }`,
        remediation:
          'Check that the runner is started, that its URL in vmware2scw.conversion.runners is right, and the network between the backend and the runner.',
        cause: err,
      });
    }
    const text = await response.body.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.statusCode >= 400) {
      // The runner answers `{ error: { code, message, remediation } }`.
      const err = errorBodySchema.safeParse(
        (parsed as { error?: unknown } | undefined)?.error,
      );
      if (response.statusCode === 401) {
        throw new RunnerApiError({
          code: 'RUNNER_UNAUTHORIZED',
          message: `runner ${this.id} (${this.host}) refused the backend's token`,
          remediation:
            'Set vmware2scw.conversion.runners[].token to the token the runner reads from VMWARE2SCW_RUNNER_TOKEN.',
        });
      }
      throw new RunnerApiError(
        err.success
          ? {
              code: err.data.code,
              message: `runner ${this.id}: ${err.data.message}`,
              remediation: err.data.remediation,
              details: { status: response.statusCode, ...err.data.details },
            }
          : {
              code: 'RUNNER_HTTP_ERROR',
              message: `runner ${this.id} (${this.host}) answered ${method} ${path} with HTTP ${response.statusCode}`,
              remediation: 'Read the runner log for this request.',
              details: { status: response.statusCode },
            },
      );
    }
    return { status: response.statusCode, body: parsed };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

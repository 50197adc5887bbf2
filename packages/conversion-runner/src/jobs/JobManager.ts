import { createHash, randomUUID } from 'crypto';
import { appendFile, readdir, readFile } from 'fs/promises';
import { join } from 'path';
import { RunnerError, toRunnerError } from '../RunnerError';
import { writeJsonAtomic } from '../scratch/AtomicFile';
import { JobKindDefinition, JobServices } from './JobKind';
import {
  JobRecord,
  jobRecordSchema,
  jobSubmissionSchema,
  LogLine,
} from './JobModel';
import { JobProgressTracker } from './JobProgressTracker';

type LiveJob = {
  record: JobRecord;
  params: unknown;
  definition: JobKindDefinition;
  progress: JobProgressTracker;
  abort: AbortController;
  logs: LogLine[];
  nextSeq: number;
  lastPersist: number;
};

/**
 * Accepts jobs (idempotently), runs them with bounded concurrency, and keeps their state, progress
 * and logs. Records are persisted under scratch/jobs so a restarted runner still answers for them;
 * a job that was running when the runner died is reported failed (RUNNER_RESTARTED), never "running".
 */
export class JobManager {
  private readonly kinds: Map<string, JobKindDefinition>;
  private readonly jobs = new Map<string, LiveJob>();
  private readonly byKey = new Map<string, string>();
  private readonly queue: string[] = [];
  private running = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly options: {
      kinds: readonly JobKindDefinition[];
      services: JobServices;
      concurrency: number;
      logLines: number;
    },
  ) {
    this.kinds = new Map(options.kinds.map(k => [k.kind, k]));
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  async init(): Promise<void> {
    const dir = this.options.services.scratch.jobsDir();
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = jobRecordSchema.parse(
          JSON.parse(await readFile(join(dir, name), 'utf8')),
        );
        if (record.state === 'running' || record.state === 'queued') {
          record.state = 'failed';
          record.finishedAt = new Date().toISOString();
          record.error = {
            code: 'RUNNER_RESTARTED',
            message: `The runner restarted while job ${record.id} (${record.kind}) was ${record.state}.`,
            remediation:
              'Submit the stage again with a new idempotency key; export and upload resume from what is on disk.',
          };
          await writeJsonAtomic(join(dir, name), record);
        }
        const definition = this.kinds.get(record.kind);
        if (!definition) continue;
        this.jobs.set(record.id, {
          record,
          params: undefined,
          definition,
          progress: new JobProgressTracker(),
          abort: new AbortController(),
          logs: [],
          nextSeq: 0,
          lastPersist: 0,
        });
        this.byKey.set(record.idempotencyKey, record.id);
      } catch {
        // a corrupt record is skipped; the job files stay for inspection
      }
    }
  }

  /** Returns the job and whether it was created now (false: same idempotency key seen before). */
  submit(body: unknown): { job: JobRecord; created: boolean } {
    const submission = jobSubmissionSchema.safeParse(body);
    if (!submission.success) {
      const issue = submission.error.issues[0];
      throw new RunnerError({
        code: 'INVALID_REQUEST',
        httpStatus: 400,
        message: `Job submission field "${issue.path.join('.') || '(body)'}": ${
          issue.message
        }.`,
        remediation:
          'Send {"idempotencyKey": "...", "kind": "...", "params": {...}} as described in openapi.yaml.',
      });
    }
    const { idempotencyKey, kind, params: rawParams } = submission.data;
    const definition = this.kinds.get(kind);
    if (!definition) {
      throw new RunnerError({
        code: 'UNKNOWN_JOB_KIND',
        httpStatus: 400,
        message: `Job kind "${kind}" is not known to this runner.`,
        remediation: `Use one of: ${this.kindNames().join(
          ', ',
        )}; or upgrade the runner if the backend expects a newer kind.`,
      });
    }
    const parsed = definition.paramsSchema.safeParse(rawParams);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RunnerError({
        code: issue.path.some(p => p === 'vm' || p === 'disk' || p === 'disks')
          ? 'UNSAFE_NAME'
          : 'INVALID_PARAMS',
        httpStatus: 400,
        message: `${kind} params field "${issue.path.join('.')}": ${
          issue.message
        }.`,
        remediation: `Fix that field; openapi.yaml describes the params of ${kind}.`,
      });
    }
    const params = parsed.data;
    const paramsHash = createHash('sha256')
      .update(JSON.stringify({ kind, params }))
      .digest('hex');
    const existingId = this.byKey.get(idempotencyKey);
    if (existingId) {
      const existing = this.jobs.get(existingId)!;
      if (existing.record.paramsHash !== paramsHash) {
        throw new RunnerError({
          code: 'IDEMPOTENCY_CONFLICT',
          httpStatus: 409,
          message: `Idempotency key "${idempotencyKey}" was already used for job ${existingId} with different kind or params.`,
          remediation:
            'Use a new idempotency key for a different job (e.g. "<migration>:<stage>:<attempt>").',
        });
      }
      return { job: this.view(existing), created: false };
    }
    definition.validate?.(params, this.options.services);

    const record: JobRecord = {
      id: randomUUID(),
      idempotencyKey,
      kind,
      vm: definition.vmOf(params),
      state: 'queued',
      params: definition.redact(params),
      paramsHash,
      createdAt: new Date().toISOString(),
      progress: { phase: 'queued', disks: [] },
    };
    const live: LiveJob = {
      record,
      params,
      definition,
      progress: new JobProgressTracker(),
      abort: new AbortController(),
      logs: [],
      nextSeq: 0,
      lastPersist: 0,
    };
    this.jobs.set(record.id, live);
    this.byKey.set(idempotencyKey, record.id);
    this.queue.push(record.id);
    void this.persist(live);
    this.log(live, `accepted ${kind} for VM ${record.vm}`);
    this.pump();
    return { job: this.view(live), created: true };
  }

  get(id: string): JobRecord {
    return this.view(this.require(id));
  }

  list(filter: { vm?: string } = {}): JobRecord[] {
    return [...this.jobs.values()]
      .filter(job => !filter.vm || job.record.vm === filter.vm)
      .map(job => this.view(job))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  logs(id: string, after = -1): LogLine[] {
    return this.require(id).logs.filter(line => line.seq > after);
  }

  cancel(id: string): JobRecord {
    const job = this.require(id);
    if (job.record.state === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(job, 'cancelled');
    } else if (job.record.state === 'running') {
      this.log(job, 'cancel requested');
      job.abort.abort();
    }
    return this.view(job);
  }

  /** Resolves when no job is queued or running (tests, shutdown). */
  async whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>(resolve => this.idle.add(resolve));
  }

  counts(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running };
  }

  private require(id: string): LiveJob {
    const job = this.jobs.get(id);
    if (!job) {
      throw new RunnerError({
        code: 'JOB_NOT_FOUND',
        httpStatus: 404,
        message: `No job with id "${id}" on this runner.`,
        remediation: 'List jobs with GET /v1/jobs; job ids are per runner.',
      });
    }
    return job;
  }

  private view(job: LiveJob): JobRecord {
    return job.record.state === 'running'
      ? { ...job.record, progress: job.progress.snapshot() }
      : { ...job.record };
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const job = this.jobs.get(id)!;
      this.running += 1;
      void this.execute(job).finally(() => {
        this.running -= 1;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  private async execute(job: LiveJob): Promise<void> {
    const { record, definition } = job;
    record.state = 'running';
    record.startedAt = new Date().toISOString();
    job.progress.setPhase('checking scratch space');
    await this.persist(job);
    const services = this.options.services;
    try {
      const needed = await definition.scratchNeeded(job.params, services);
      await services.scratch.assertRoomFor(
        needed,
        `${record.kind} for VM ${record.vm}`,
      );
      this.log(job, `scratch check passed (needs ${needed} bytes)`);
      job.progress.setPhase(record.kind);
      const result = await definition.run(job.params, {
        ...services,
        jobId: record.id,
        signal: job.abort.signal,
        log: line => this.log(job, line),
        progress: job.progress,
      });
      record.result = result;
      this.finish(job, job.abort.signal.aborted ? 'cancelled' : 'succeeded');
    } catch (error) {
      const runnerError = toRunnerError(error);
      record.error = runnerError.toJSON();
      this.log(job, `${runnerError.code}: ${runnerError.message}`);
      this.finish(
        job,
        job.abort.signal.aborted || runnerError.code === 'CANCELLED'
          ? 'cancelled'
          : 'failed',
      );
    }
  }

  private finish(job: LiveJob, state: JobRecord['state']): void {
    job.record.progress = { ...job.progress.snapshot(), phase: state };
    job.record.state = state;
    job.record.finishedAt = new Date().toISOString();
    this.log(job, `job ${state}`);
    void this.persist(job);
  }

  private log(job: LiveJob, line: string): void {
    const entry = { seq: job.nextSeq++, at: new Date().toISOString(), line };
    job.logs.push(entry);
    if (job.logs.length > this.options.logLines) job.logs.shift();
    void appendFile(
      join(this.options.services.scratch.jobsDir(), `${job.record.id}.log`),
      `${entry.at} ${line}\n`,
    ).catch(() => undefined);
    const now = Date.now();
    if (job.record.state === 'running' && now - job.lastPersist > 5000) {
      job.lastPersist = now;
      job.record.progress = job.progress.snapshot();
      void this.persist(job);
    }
  }

  private async persist(job: LiveJob): Promise<void> {
    await writeJsonAtomic(
      join(this.options.services.scratch.jobsDir(), `${job.record.id}.json`),
      job.record,
    ).catch(() => undefined);
  }
}

import { createHash, randomUUID } from 'crypto';
import { appendFile, readdir, readFile, rename, rm, stat } from 'fs/promises';
import { join } from 'path';
import { RunnerError, toRunnerError } from '../RunnerError';
import { writeJsonAtomic } from '../scratch/AtomicFile';
import { JobKindDefinition, JobServices } from './JobKindDefinition';
import {
  runnerJobSchema,
  runnerJobSubmissionSchema,
  type RunnerJob,
  type RunnerLogLine,
} from '@internal/plugin-vmware2scw-common';
import { JobProgressTracker } from './JobProgressTracker';

type LiveJob = {
  record: RunnerJob;
  params: unknown;
  definition: JobKindDefinition;
  progress: JobProgressTracker;
  abort: AbortController;
  logs: RunnerLogLine[];
  nextSeq: number;
  lastPersist: number;
  /** The job's record writes, one after the other: the last write is the last state. */
  persisting: Promise<void>;
  /** Bytes in its log file; past logFileMaxBytes lines stay in memory only. */
  logBytes: number;
};

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

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
  private readonly active = new Set<LiveJob>();
  private running = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly options: {
      kinds: readonly JobKindDefinition[];
      services: JobServices;
      concurrency: number;
      logLines: number;
      /** Default 16 MiB. */
      logFileMaxBytes?: number;
      /** Default 14 days. */
      retentionDays?: number;
      /** The runner's own log (persist failures, unreadable records). */
      log?: (line: string) => void;
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
        const record = runnerJobSchema.parse(
          JSON.parse(await readFile(join(dir, name), 'utf8')),
        );
        const definition = this.kinds.get(record.kind);
        if (!definition) continue;
        const live: LiveJob = {
          record,
          params: undefined,
          definition,
          progress: new JobProgressTracker(),
          abort: new AbortController(),
          logs: await this.readLogTail(record.id),
          nextSeq: 0,
          lastPersist: 0,
          persisting: Promise.resolve(),
          logBytes:
            (await stat(join(dir, `${record.id}.log`)).catch(() => undefined))
              ?.size ?? 0,
        };
        live.nextSeq = (live.logs[live.logs.length - 1]?.seq ?? -1) + 1;
        if (record.state === 'running' || record.state === 'queued') {
          const was = record.state;
          record.state = 'failed';
          record.finishedAt = new Date().toISOString();
          record.error = {
            code: 'RUNNER_RESTARTED',
            message: `The runner restarted while job ${record.id} (${record.kind}) was ${was}.`,
            remediation:
              'Submit it again with the same idempotency key and params: the same job runs again (export and upload resume from what is on disk, the other kinds start over).',
          };
          this.log(
            live,
            `RUNNER_RESTARTED: the runner stopped while this job was ${was}`,
          );
          await writeJsonAtomic(join(dir, name), record);
        }
        this.jobs.set(record.id, live);
        this.byKey.set(record.idempotencyKey, record.id);
      } catch (error) {
        // a record cut by a host crash: set aside (so its key can be used again) and said, not thrown at every call
        const corrupt = join(dir, `${name}.corrupt`);
        await rename(join(dir, name), corrupt).catch(() => undefined);
        this.options.log?.(
          `job record ${join(dir, name)} is unreadable (${
            (error as Error).message.split('\n')[0]
          }); moved to ${corrupt}. Submit that job again with its idempotency key (export and upload resume from scratch files).`,
        );
      }
    }
    await this.prune();
    this.pruneTimer = setInterval(
      () => void this.prune().catch(() => undefined),
      3600 * 1000,
    );
    this.pruneTimer.unref();
  }

  private pruneTimer?: NodeJS.Timeout;

  /**
   * Removes finished jobs (record, log, idempotency key) that ended more than retentionDays ago; queued
   * and running jobs are never touched. Runs at start and every hour.
   */
  async prune(now = Date.now()): Promise<number> {
    const dir = this.options.services.scratch.jobsDir();
    const maxAge = (this.options.retentionDays ?? 14) * 24 * 3600 * 1000;
    let removed = 0;
    for (const [id, job] of this.jobs) {
      const { state, finishedAt, idempotencyKey } = job.record;
      if (!FINISHED.has(state) || !finishedAt) continue;
      if (now - Date.parse(finishedAt) < maxAge) continue;
      await job.persisting;
      this.jobs.delete(id);
      if (this.byKey.get(idempotencyKey) === id)
        this.byKey.delete(idempotencyKey);
      await rm(join(dir, `${id}.json`), { force: true });
      await rm(join(dir, `${id}.log`), { force: true });
      removed += 1;
    }
    if (removed > 0)
      this.options.log?.(
        `removed ${removed} job(s) finished more than ${
          this.options.retentionDays ?? 14
        } day(s) ago`,
      );
    return removed;
  }

  /** The last lines of a job's log file, so a job from before a restart still shows what it did. */
  private async readLogTail(id: string): Promise<RunnerLogLine[]> {
    const text = await readFile(
      join(this.options.services.scratch.jobsDir(), `${id}.log`),
      'utf8',
    ).catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    const first = Math.max(0, lines.length - this.options.logLines);
    return lines.slice(first).map((raw, i) => {
      const space = raw.indexOf(' ');
      return {
        seq: first + i,
        at: space > 0 ? raw.slice(0, space) : '',
        line: space > 0 ? raw.slice(space + 1) : raw,
      };
    });
  }

  /** Returns the job and whether it was created now (false: same idempotency key seen before). */
  submit(body: unknown): { job: RunnerJob; created: boolean } {
    const submission = runnerJobSubmissionSchema.safeParse(body);
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
    // Secrets are not part of a job's identity (nor of the hash returned by the API).
    const paramsHash = createHash('sha256')
      .update(
        JSON.stringify({
          kind,
          params: definition.identity ? definition.identity(params) : params,
        }),
      )
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
      if (
        existing.record.state === 'failed' &&
        existing.record.error?.code === 'RUNNER_RESTARTED'
      ) {
        // The caller could not know how the interrupted job ended: the same job runs again.
        definition.validate?.(params, this.options.services);
        this.requeue(existing, params);
        return { job: this.view(existing), created: true };
      }
      return { job: this.view(existing), created: false };
    }
    definition.validate?.(params, this.options.services);

    const record: RunnerJob = {
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
      persisting: Promise.resolve(),
      logBytes: 0,
    };
    this.jobs.set(record.id, live);
    this.byKey.set(idempotencyKey, record.id);
    this.queue.push(record.id);
    void this.persist(live);
    this.log(live, `accepted ${kind} for VM ${record.vm}`);
    this.pump();
    return { job: this.view(live), created: true };
  }

  private requeue(job: LiveJob, params: unknown): void {
    const { record } = job;
    record.state = 'queued';
    record.params = job.definition.redact(params);
    record.restarts = (record.restarts ?? 0) + 1;
    record.progress = { phase: 'queued', disks: [] };
    delete record.error;
    delete record.result;
    delete record.startedAt;
    delete record.finishedAt;
    job.params = params;
    job.progress = new JobProgressTracker();
    job.abort = new AbortController();
    this.queue.push(record.id);
    this.log(
      job,
      `resubmitted after a runner restart (run ${
        record.restarts + 1
      }): running again`,
    );
    void this.persist(job);
    this.pump();
  }

  get(id: string): RunnerJob {
    return this.view(this.require(id));
  }

  list(filter: { vm?: string } = {}): RunnerJob[] {
    return [...this.jobs.values()]
      .filter(job => !filter.vm || job.record.vm === filter.vm)
      .map(job => this.view(job))
      .sort(
        (a, b) =>
          a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      );
  }

  /** One page of list(), oldest first: `cursor` is the id of the last job of the previous page. */
  page(options: { vm?: string; limit: number; cursor?: string }): {
    jobs: RunnerJob[];
    nextCursor?: string;
  } {
    const all = this.list({ vm: options.vm });
    let start = 0;
    if (options.cursor !== undefined) {
      const at = all.findIndex(job => job.id === options.cursor);
      if (at < 0) {
        throw new RunnerError({
          code: 'INVALID_REQUEST',
          httpStatus: 400,
          message: `cursor "${options.cursor}" is not a job of this runner${
            options.vm ? ` for VM ${options.vm}` : ''
          }.`,
          remediation:
            'Start again without cursor; pass the nextCursor of the previous page.',
        });
      }
      start = at + 1;
    }
    const jobs = all.slice(start, start + options.limit);
    const more = start + options.limit < all.length;
    return more ? { jobs, nextCursor: jobs[jobs.length - 1].id } : { jobs };
  }

  logs(id: string, after = -1): RunnerLogLine[] {
    return this.require(id).logs.filter(line => line.seq > after);
  }

  cancel(id: string): RunnerJob {
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
  /** Resolves when no job is queued or running and every record write has landed. */
  async whenIdle(): Promise<void> {
    if (this.running !== 0 || this.queue.length !== 0)
      await new Promise<void>(resolve => this.idle.add(resolve));
    await Promise.all([...this.jobs.values()].map(job => job.persisting));
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

  private view(job: LiveJob): RunnerJob {
    return job.record.state === 'running'
      ? { ...job.record, progress: job.progress.snapshot() }
      : { ...job.record };
  }

  /**
   * Starts queued jobs in order, up to the concurrency, skipping (for now) a job whose files a running
   * job holds: jobs on the same disk, or a VM-wide job (cleanup, adapt_linux) and any job of that VM,
   * never run at the same time. Different disks of one VM still export and convert in parallel.
   */
  private pump(): void {
    while (this.running < this.options.concurrency) {
      const index = this.queue.findIndex(
        id => !this.conflictsWithRunning(this.jobs.get(id)!),
      );
      if (index < 0) return;
      const [id] = this.queue.splice(index, 1);
      const job = this.jobs.get(id)!;
      this.running += 1;
      this.active.add(job);
      void this.execute(job).finally(() => {
        this.running -= 1;
        this.active.delete(job);
        this.pump();
        if (this.running === 0 && this.queue.length === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  private conflictsWithRunning(job: LiveJob): boolean {
    const mine = this.locksOf(job);
    for (const other of this.active) {
      if (other.record.vm !== job.record.vm) continue;
      const theirs = this.locksOf(other);
      if (!mine || !theirs) return true; // a VM-wide job
      if (mine.some(disk => theirs.includes(disk))) return true;
    }
    return false;
  }

  /** The disks a job works on, or undefined for the whole VM. */
  private locksOf(job: LiveJob): string[] | undefined {
    return job.definition.disksOf?.(job.params);
  }

  private async execute(job: LiveJob): Promise<void> {
    const { record, definition } = job;
    record.state = 'running';
    record.startedAt = new Date().toISOString();
    job.progress.setPhase('checking scratch space');
    await this.persist(job);
    const services = this.options.services;
    const releases: Array<() => void> = [];
    const claimScratch = async (bytes: number, what?: string) => {
      await services.scratch.assertRoomFor(
        bytes,
        what ?? `${record.kind} for VM ${record.vm}`,
      );
      releases.push(services.scratch.reserve(bytes));
    };
    try {
      const needed = await definition.scratchNeeded(job.params, services);
      await claimScratch(needed);
      this.log(job, `scratch check passed (needs ${needed} bytes)`);
      job.progress.setPhase(record.kind);
      const result = await definition.run(job.params, {
        ...services,
        jobId: record.id,
        idempotencyKey: record.idempotencyKey,
        signal: job.abort.signal,
        log: line => this.log(job, line),
        progress: job.progress,
        claimScratch,
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
    } finally {
      for (const release of releases) release();
    }
  }

  private finish(job: LiveJob, state: RunnerJob['state']): void {
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
    const text = `${entry.at} ${line}\n`;
    const max = this.options.logFileMaxBytes ?? 16 * 1024 * 1024;
    if (job.logBytes < max) {
      const capped = job.logBytes + Buffer.byteLength(text) > max;
      const written = capped
        ? `${entry.at} [log file capped at ${max} bytes: later lines are kept in memory only (GET /v1/jobs/${job.record.id}/logs)]\n`
        : text;
      job.logBytes = capped ? max : job.logBytes + Buffer.byteLength(text);
      void appendFile(
        join(this.options.services.scratch.jobsDir(), `${job.record.id}.log`),
        written,
      ).catch(() => undefined);
    }
    const now = Date.now();
    if (job.record.state === 'running' && now - job.lastPersist > 5000) {
      job.lastPersist = now;
      job.record.progress = job.progress.snapshot();
      void this.persist(job);
    }
  }

  /** Queues a write of the record as it is now, after the job's previous writes. */
  private persist(job: LiveJob): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(job.record)) as RunnerJob;
    const path = join(
      this.options.services.scratch.jobsDir(),
      `${job.record.id}.json`,
    );
    job.persisting = job.persisting.then(() =>
      writeJsonAtomic(path, snapshot).catch(error => {
        this.options.log?.(
          `could not persist job ${job.record.id} (${
            snapshot.state
          }) to ${path}: ${(error as Error).message}`,
        );
      }),
    );
    return job.persisting;
  }
}

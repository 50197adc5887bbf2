import { z } from 'zod';
import { errorBodySchema } from '../errors';

/**
 * The conversion runner's job API on the wire (packages/conversion-runner/openapi.yaml): what the
 * runner answers and what `-node`'s RunnerClient parses, defined once.
 */
export const runnerJobStateSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);
export type RunnerJobState = z.infer<typeof runnerJobStateSchema>;

/** POST /v1/jobs body. `params` is validated by the kind's own schema (runnerJobParamsSchemas). */
export const runnerJobSubmissionSchema = z
  .object({
    idempotencyKey: z.string().min(1).max(200),
    kind: z.string().min(1).max(64),
    params: z.unknown(),
  })
  .strict();
export type RunnerJobSubmission = z.infer<typeof runnerJobSubmissionSchema>;

export const runnerDiskProgressSchema = z.object({
  disk: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number().optional(),
});

export const runnerJobProgressSchema = z.object({
  phase: z.string(),
  disks: z.array(runnerDiskProgressSchema),
  bytesPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
  percent: z.number().optional(),
});
export type RunnerJobProgress = z.infer<typeof runnerJobProgressSchema>;

/** A job as the runner stores and returns it. */
export const runnerJobSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  kind: z.string(),
  vm: z.string(),
  state: runnerJobStateSchema,
  /** Parameters with secrets (cookies, tickets) replaced by "***". */
  params: z.unknown(),
  /** sha256 of the parameters without their secrets, to tell a retry from a conflicting reuse of the key. */
  paramsHash: z.string(),
  /** How many times the job was resubmitted after a runner restart interrupted it. */
  restarts: z.number().optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  progress: runnerJobProgressSchema,
  result: z.unknown().optional(),
  error: errorBodySchema.optional(),
});
export type RunnerJob = z.infer<typeof runnerJobSchema>;

export const runnerLogLineSchema = z.object({
  seq: z.number(),
  at: z.string(),
  line: z.string(),
});
export type RunnerLogLine = z.infer<typeof runnerLogLineSchema>;

/** GET /v1/jobs/{id}/logs */
export const runnerJobLogsSchema = z.object({
  lines: z.array(runnerLogLineSchema),
});

/** GET /v1/jobs */
export const runnerJobListSchema = z.object({
  jobs: z.array(runnerJobSchema),
  /** Pass as `cursor` to read the next page; absent on the last page. */
  nextCursor: z.string().optional(),
});

/** Any 4xx/5xx answer of the runner. */
export const runnerErrorResponseSchema = z.object({ error: errorBodySchema });

/** GET /v1/health */
export const runnerHealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  accel: z.object({
    mode: z.enum(['kvm', 'tcg']),
    reason: z.string(),
    probedAt: z.string(),
    probeMs: z.number(),
  }),
  tools: z.record(z.string(), z.string().nullable()),
  scratch: z.object({
    path: z.string(),
    freeBytes: z.number(),
    totalBytes: z.number(),
  }),
  jobs: z.object({ queued: z.number(), running: z.number() }),
  kinds: z.array(z.string()),
  problems: z.array(z.string()),
});
export type RunnerHealth = z.infer<typeof runnerHealthSchema>;

import { z } from 'zod';

export const jobStateSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);
export type JobState = z.infer<typeof jobStateSchema>;

/** POST /v1/jobs body. `params` is validated by the kind's own schema. */
export const jobSubmissionSchema = z
  .object({
    idempotencyKey: z.string().min(1).max(200),
    kind: z.string().min(1).max(64),
    params: z.unknown(),
  })
  .strict();
export type JobSubmission = z.infer<typeof jobSubmissionSchema>;

export const diskProgressSchema = z.object({
  disk: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number().optional(),
});

export const jobProgressSchema = z.object({
  phase: z.string(),
  disks: z.array(diskProgressSchema),
  bytesPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
  percent: z.number().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  remediation: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const jobRecordSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  kind: z.string(),
  vm: z.string(),
  state: jobStateSchema,
  /** Parameters with secrets (cookies, tickets) replaced by "***". */
  params: z.unknown(),
  /** sha256 of the parameters without their secrets, to tell a retry from a conflicting reuse of the key. */
  paramsHash: z.string(),
  /** How many times the job was resubmitted after a runner restart interrupted it. */
  restarts: z.number().optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  progress: jobProgressSchema,
  result: z.unknown().optional(),
  error: jobErrorSchema.optional(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

export const logLineSchema = z.object({
  seq: z.number(),
  at: z.string(),
  line: z.string(),
});
export type LogLine = z.infer<typeof logLineSchema>;

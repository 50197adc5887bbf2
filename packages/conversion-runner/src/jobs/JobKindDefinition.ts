import { z } from 'zod';
import { AccelProbeResult } from '../accel/AccelProbe';
import { RunnerConfig } from '../config/RunnerConfig';
import { AllowedHosts } from '../export/AllowedHosts';
import { ScratchSpace } from '../scratch/ScratchSpace';
import { JobProgressTracker } from './JobProgressTracker';

/** What a job's executor gets: its cancellation signal, its log, its progress, and the runner's services. */
export type JobContext = {
  jobId: string;
  /** The key the job was submitted under: what a partial artifact of this job is recorded against. */
  idempotencyKey: string;
  signal: AbortSignal;
  log: (line: string) => void;
  progress: JobProgressTracker;
  /** Checks free scratch space for `bytes` more (INSUFFICIENT_SCRATCH_SPACE) and holds them until the job ends. */
  claimScratch(bytes: number, what?: string): Promise<void>;
  scratch: ScratchSpace;
  config: RunnerConfig;
  accel: AccelProbeResult;
  allowedHosts: AllowedHosts;
};

/** Services available before a job runs (submission-time checks, scratch estimates). */
export type JobServices = Omit<
  JobContext,
  'jobId' | 'idempotencyKey' | 'signal' | 'log' | 'progress' | 'claimScratch'
>;

/**
 * One kind of job. Kinds are data in a registry, so Windows kinds (clean_tools, inject_virtio,
 * fix_bootloader) are added later by registering more definitions, with no change to the API.
 */
export type JobKindDefinition<P = any> = {
  kind: string;
  description: string;
  paramsSchema: z.ZodType<P, z.ZodTypeDef, unknown>;
  /** The VM the job works on (scratch folder, per-VM listing). */
  vmOf(params: P): string;
  /**
   * The disks whose files the job reads or rewrites; two jobs sharing a disk never run at once. Without
   * it the job holds the whole VM (cleanup, multi-disk guest changes).
   */
  disksOf?(params: P): string[];
  /** Copy of the params safe to store and return (secrets replaced). */
  redact(params: P): unknown;
  /**
   * What makes two submissions the same job (hashed for idempotency): the params without their
   * secrets, so a retry with a refreshed cookie is the same job. Defaults to the params.
   */
  identity?(params: P): unknown;
  /** Submission-time checks (allow-list, names) so a bad job is refused with 4xx, not failed later. */
  validate?(params: P, services: JobServices): void;
  /** Scratch bytes the job will add; checked against free space right before it starts. */
  scratchNeeded(params: P, services: JobServices): Promise<number>;
  run(params: P, context: JobContext): Promise<unknown>;
};

export function defineJobKind<P>(
  definition: JobKindDefinition<P>,
): JobKindDefinition<P> {
  return definition;
}

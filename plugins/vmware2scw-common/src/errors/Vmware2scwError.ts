import { CustomErrorBase } from '@backstage/errors';
import { z } from 'zod';

/**
 * The one error shape of vmware2scw: a stable `code` for programs, a message that names the input at
 * fault (file, line, field, VM), and a `remediation` line saying what to do. Every package's errors
 * (planning, vCenter, Scaleway, runner, engine) extend this base with this one constructor, so the
 * API, the UI, the task log and the report show the same three fields and nobody duck-types them.
 */
export interface Vmware2scwErrorOptions {
  code: string;
  message: string;
  remediation: string;
  /** Safe-to-show structured facts (sizes, ids); never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class Vmware2scwError extends CustomErrorBase {
  readonly code: string;
  readonly remediation: string;
  readonly details?: Record<string, unknown>;

  constructor(options: Vmware2scwErrorOptions) {
    super(options.message, options.cause);
    this.code = options.code;
    this.remediation = options.remediation;
    if (options.details) this.details = options.details;
  }

  /** The wire form: what the backend API, the runner API and stage records carry. */
  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isVmware2scwError(error: unknown): error is Vmware2scwError {
  return error instanceof Vmware2scwError;
}

/** `code`, `message`, `remediation` (+ `details`) as carried over HTTP and stored with a failed stage. */
export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  remediation: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Any thrown value as an error body. A foreign error keeps its message under `fallbackCode` with a
 * generic remediation: callers that know better wrap errors in a `Vmware2scwError` first.
 */
export function toErrorBody(
  error: unknown,
  fallbackCode = 'INTERNAL',
  fallbackRemediation = 'Read the log of the failing step; if it looks like a defect of vmware2scw, report it with that log.',
): ErrorBody {
  if (isVmware2scwError(error)) return error.toBody();
  const parsed = errorBodySchema.safeParse(error);
  if (parsed.success) return parsed.data;
  return {
    code: fallbackCode,
    message: error instanceof Error ? error.message : String(error),
    remediation: fallbackRemediation,
  };
}

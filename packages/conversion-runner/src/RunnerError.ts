/**
 * A failure the runner can explain: a stable `code` for programs, a message naming the bad input,
 * and a remediation line for the person who has to fix it. The API, the job record and the logs
 * all show the same three fields.
 */
export class RunnerError extends Error {
  readonly code: string;
  readonly remediation: string;
  readonly httpStatus: number;
  readonly details?: Record<string, unknown>;

  constructor(options: {
    code: string;
    message: string;
    remediation: string;
    httpStatus?: number;
    details?: Record<string, unknown>;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.name = 'RunnerError';
    this.code = options.code;
    this.remediation = options.remediation;
    this.httpStatus = options.httpStatus ?? 500;
    this.details = options.details;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Any thrown value as a RunnerError, so a job record always carries code + remediation. */
export function toRunnerError(
  error: unknown,
  fallbackCode = 'INTERNAL',
): RunnerError {
  if (error instanceof RunnerError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RunnerError({
    code: fallbackCode,
    message,
    remediation:
      'Read the job log for the failing command; if it is a runner bug, report it with the log.',
    cause: error,
  });
}

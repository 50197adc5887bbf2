import {
  Vmware2scwError,
  type ErrorBody,
} from '@internal/plugin-vmware2scw-common';

/**
 * A failure the runner can explain: vmware2scw's one error shape (a stable `code`, a message naming
 * the bad input, a `remediation` line) plus the HTTP status the API answers with. The API body
 * (`{ error: { code, message, remediation, details? } }`), the job record and the logs all show the
 * same fields.
 */
export class RunnerError extends Vmware2scwError {
  readonly httpStatus: number;

  constructor(options: {
    code: string;
    message: string;
    remediation: string;
    httpStatus?: number;
    details?: Record<string, unknown>;
    cause?: unknown;
  }) {
    super(options);
    this.httpStatus = options.httpStatus ?? 500;
  }

  /** The documented error body (openapi.yaml `Error`). */
  toJSON(): ErrorBody {
    return this.toBody();
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
  if (error instanceof Vmware2scwError) {
    // no `cause`: the base class would append the same message again
    return new RunnerError(error.toBody());
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RunnerError({
    code: fallbackCode,
    message,
    remediation:
      'Read the job log for the failing command; if it is a runner bug, report it with the log.',
  });
}

import {
  Vmware2scwError,
  type Vmware2scwErrorOptions,
} from '../errors/Vmware2scwError';
import type { Problem } from './Problem';

export interface PlanningErrorOptions extends Vmware2scwErrorOptions {
  /** Every problem found, not just the first, so that a caller can show them all at once. */
  problems: Problem[];
}

/**
 * Thrown when input cannot be used at all (a malformed filter, a plan that cannot be edited, a zone
 * without an offer). Carries every problem found; `code`, `message` and `remediation` are those of the
 * first one (see {@link PlanningError.fromProblems}), and the wire body (`toBody()`) carries the whole
 * list under `details.problems`.
 */
export class PlanningError extends Vmware2scwError {
  readonly problems: Problem[];

  constructor(options: PlanningErrorOptions) {
    super({
      ...options,
      details: { ...options.details, problems: options.problems },
    });
    this.problems = options.problems;
  }

  /** The error for a list of problems: code, message and remediation of the first, and how many more. */
  static fromProblems(problems: Problem[], cause?: unknown): PlanningError {
    const first = problems[0];
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return new PlanningError({
      code: first?.code ?? 'INVALID_INPUT',
      message: first ? `${first.message}${more}` : 'invalid input',
      remediation: first?.remediation ?? '',
      problems,
      cause,
    });
  }
}

export function isPlanningError(e: unknown): e is PlanningError {
  return e instanceof PlanningError;
}

import type { Problem } from './Problem';

/**
 * Thrown when input cannot be used at all (a malformed filter, a plan that cannot be edited).
 * Carries every problem found, not just the first, so a caller can show them all at once; `code`,
 * `message` and `remediation` are those of the first problem. `toJSON` makes it safe to return
 * from a REST handler.
 */
export class PlanningError extends Error {
  readonly code: string;
  readonly remediation: string;
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const first = problems[0];
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(first ? `${first.message}${more}` : 'invalid input');
    this.name = 'PlanningError';
    this.code = first?.code ?? 'INVALID_INPUT';
    this.remediation = first?.remediation ?? '';
    this.problems = problems;
  }

  toJSON() {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      problems: this.problems,
    };
  }
}

export function isPlanningError(e: unknown): e is PlanningError {
  return e instanceof PlanningError;
}

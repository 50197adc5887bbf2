import { z } from 'zod';

/**
 * A problem found in user input (a filter, a plan file, an inventory) or in what it asks for.
 * Every function of this package that judges input reports problems in this one shape, so the REST
 * API, the UI and the report show the same text. It is plain data: JSON in, JSON out.
 */
export const problemSeveritySchema = z.enum(['error', 'warning', 'info']);
export type ProblemSeverity = z.infer<typeof problemSeveritySchema>;

export const sourcePositionSchema = z.object({
  /** 1-based line. */
  line: z.number().int().positive(),
  /** 1-based column. */
  column: z.number().int().positive(),
});
export type SourcePosition = z.infer<typeof sourcePositionSchema>;

export const relatedLocationSchema = z.object({
  /** Field path of the other place, e.g. `migrations[0]`. */
  field: z.string(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
});
export type RelatedLocation = z.infer<typeof relatedLocationSchema>;

export const problemSchema = z.object({
  /** Stable identifier for programs (`PLAN_UNKNOWN_KEY`, `FILTER_REGEX_INVALID`, ...). */
  code: z.string(),
  severity: problemSeveritySchema,
  /** Human text that already names the input: `plan.yaml:12:5: migrations[2].wave: ...`. */
  message: z.string(),
  /** What the user should do about it, in one line. */
  remediation: z.string(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  /** Path of the offending field (`migrations[2].target_type`) or the filter text (`regex:^(a`). */
  field: z.string().optional(),
  /** The value or shape that would have been accepted. */
  expected: z.string().optional(),
  /** A close valid value, for "did you mean". */
  suggestion: z.string().optional(),
  /** Other places involved, e.g. the first entry that already selected the same VM. */
  related: z.array(relatedLocationSchema).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export interface ProblemInit {
  code: string;
  severity?: ProblemSeverity;
  /** The sentence itself, without location: the location prefix is added from the fields below. */
  text: string;
  remediation: string;
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  expected?: string;
  suggestion?: string;
  related?: RelatedLocation[];
}

/** Builds a problem whose message starts with `file:line:column: field:` from what is known. */
export function makeProblem(init: ProblemInit): Problem {
  const { text, severity = 'error', ...rest } = init;
  const problem: Problem = {
    code: init.code,
    severity,
    message: `${locationPrefix(init)}${text}`,
    remediation: init.remediation,
  };
  for (const key of [
    'file',
    'line',
    'column',
    'field',
    'expected',
    'suggestion',
    'related',
  ] as const) {
    if (rest[key] !== undefined)
      (problem as Record<string, unknown>)[key] = rest[key];
  }
  return problem;
}

function locationPrefix(init: ProblemInit): string {
  let where = '';
  if (init.file) where += init.file;
  if (init.line !== undefined) {
    where += `${where ? ':' : 'line '}${init.line}`;
    if (init.column !== undefined) where += `:${init.column}`;
  }
  const parts = [where, init.field].filter(Boolean);
  return parts.length ? `${parts.join(': ')}: ` : '';
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some(p => p.severity === 'error');
}

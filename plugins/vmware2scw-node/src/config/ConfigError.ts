import {
  formatKeyPath,
  Vmware2scwError,
  type Vmware2scwErrorOptions,
} from '@internal/plugin-vmware2scw-common';
import { z } from 'zod';

/** One bad key of app-config and what is expected there. */
export interface ConfigIssue {
  /** Full key path: `vmware2scw.vcenters[0].thumbprint`. */
  key: string;
  message: string;
}

export interface ConfigErrorOptions extends Vmware2scwErrorOptions {
  issues: ConfigIssue[];
}

/**
 * A configuration section that cannot be used: every bad key at once, each with what is expected, so that
 * one restart fixes them all. Secret values never appear in the issues. The backend does not start with it.
 */
export class ConfigError extends Vmware2scwError {
  readonly issues: ConfigIssue[];

  constructor(options: ConfigErrorOptions) {
    super({
      ...options,
      details: { ...options.details, issues: options.issues },
    });
    this.issues = options.issues;
  }

  /** The first bad key. */
  get key(): string | undefined {
    return this.issues[0]?.key;
  }
}

/**
 * The options of a {@link ConfigError} for `section`: the message lists every issue, and the
 * remediation points at the schema file that documents the keys.
 */
export function configErrorOptions(
  code: string,
  section: string,
  schemaFile: string,
  issues: ConfigIssue[],
): ConfigErrorOptions {
  const remediation = `Fix these keys in app-config (see ${schemaFile}).`;
  return {
    code,
    message: `Invalid ${section} configuration:\n${issues
      .map(i => `  - ${i.key}: ${i.message}`)
      .join('\n')}\n${remediation}`,
    remediation,
    issues,
  };
}

/** The issues of a failed zod parse of the section at `root`, with their full key paths. */
export function configIssuesOf(
  error: z.ZodError,
  root: ReadonlyArray<string | number>,
): ConfigIssue[] {
  return error.issues.map(issue => ({
    key: formatKeyPath([...root, ...issue.path]),
    message: issueMessage(issue),
  }));
}

function issueMessage(issue: z.ZodIssue): string {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    return `unknown key(s) ${issue.keys
      .map(k => `"${k}"`)
      .join(', ')}: remove them or check the spelling`;
  }
  if (
    issue.code === z.ZodIssueCode.invalid_type &&
    issue.received === 'undefined'
  ) {
    return issue.message.startsWith('required') ? issue.message : 'required';
  }
  return issue.message;
}

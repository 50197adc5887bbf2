import {
  Vmware2scwError,
  type Vmware2scwErrorOptions,
} from '@internal/plugin-vmware2scw-common';

/** Where in an RVTools export a problem sits, and what is wrong there. */
export interface RvtoolsIssue {
  /** File the problem was found in (`rvtools.xlsx`, `RVTools_tabvDisk.csv`). */
  file?: string;
  /** Sheet name as RVTools writes it (`vInfo`, `vDisk`, `vNetwork`, ...). */
  sheet?: string;
  /** 1-based row of the sheet (the header is row 1 in an RVTools export), or line of a CSV file. */
  row?: number;
  /** Column header as RVTools writes it (`CPUs`, `Capacity MiB`). */
  column?: string;
  message: string;
}

export type RvtoolsErrorCode =
  /** The file is not an xlsx workbook or a CSV file that can be read. */
  | 'RVTOOLS_UNREADABLE'
  /** The export, a sheet or a CSV file that is needed could not be found. */
  | 'RVTOOLS_NOT_FOUND'
  /** A required column is absent from a sheet. */
  | 'RVTOOLS_COLUMN_MISSING'
  /** A cell holds a value that cannot mean what the column says (a word in a number column...). */
  | 'RVTOOLS_BAD_VALUE';

const MAX_LISTED = 20;

export interface RvtoolsErrorOptions extends Vmware2scwErrorOptions {
  code: RvtoolsErrorCode;
  issues: RvtoolsIssue[];
}

/**
 * An RVTools export that cannot be imported. The message names each place (file, sheet, row, column)
 * so that the person who exported it can fix the cell or export again; `issues` keeps them structured
 * (and `toBody()` carries them under `details.issues`).
 */
export class RvtoolsError extends Vmware2scwError {
  declare readonly code: RvtoolsErrorCode;
  readonly issues: RvtoolsIssue[];

  constructor(options: RvtoolsErrorOptions) {
    super({
      ...options,
      details: { ...options.details, issues: options.issues },
    });
    this.issues = options.issues;
  }

  /** The error listing `issues` (the first 20 in the message), then what to do. */
  static fromIssues(
    code: RvtoolsErrorCode,
    issues: RvtoolsIssue[],
    remediation: string,
  ): RvtoolsError {
    const listed = issues
      .slice(0, MAX_LISTED)
      .map(i => `  - ${formatRvtoolsIssue(i)}`);
    if (issues.length > MAX_LISTED)
      listed.push(`  - ... and ${issues.length - MAX_LISTED} more`);
    return new RvtoolsError({
      code,
      message: `Cannot import the RVTools export (${issues.length} problem${
        issues.length === 1 ? '' : 's'
      }):\n${listed.join('\n')}\n${remediation}`,
      remediation,
      issues,
    });
  }
}

export function formatRvtoolsIssue(issue: RvtoolsIssue): string {
  const where = [
    issue.file,
    issue.sheet && `sheet ${issue.sheet}`,
    issue.row !== undefined && `row ${issue.row}`,
    issue.column && `column "${issue.column}"`,
  ].filter(Boolean);
  return where.length ? `${where.join(', ')}: ${issue.message}` : issue.message;
}

import { RvtoolsIssue } from './RvtoolsError';
import { RvtoolsColumns, RvtoolsRow } from './RvtoolsTable';

/**
 * Typed values out of one row's cells. A bad value is recorded as an issue naming the sheet, row and
 * column, and read as absent, so that one import reports every bad cell at once.
 */
export class RvtoolsCells<K extends string> {
  constructor(
    private readonly cols: RvtoolsColumns<K>,
    readonly row: RvtoolsRow,
    private readonly issues: RvtoolsIssue[],
  ) {}

  text(key: K): string | undefined {
    return this.cols.get(this.row, key);
  }

  /** A required text cell: an empty one is an issue. */
  requiredText(key: K, what: string): string | undefined {
    const v = this.text(key);
    if (v === undefined) this.bad(key, `empty: expected ${what}`);
    return v;
  }

  /** A number as RVTools or a spreadsheet writes it (`4096`, `4,096`, `4 096`, `1.5`, `1,5`). */
  number(
    key: K,
    opts: { min?: number; integer?: boolean; required?: boolean; what: string },
  ): number | undefined {
    const raw = this.text(key);
    if (raw === undefined) {
      if (opts.required) this.bad(key, `empty: expected ${opts.what}`);
      return undefined;
    }
    const n = parseRvtoolsNumber(raw);
    if (
      n === undefined ||
      (opts.integer && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min)
    ) {
      this.bad(key, `expected ${opts.what}, got "${raw}"`);
      return undefined;
    }
    return n;
  }

  boolean(key: K): boolean | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    const b = parseRvtoolsBoolean(raw);
    if (b === undefined) this.bad(key, `expected True or False, got "${raw}"`);
    return b;
  }

  /** One of a fixed set of values, compared without case; `values` maps what RVTools writes to ours. */
  oneOf<T extends string>(
    key: K,
    values: Record<string, T>,
    what: string,
  ): T | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    const found = values[raw.toLowerCase().replace(/[\s_-]/g, '')];
    if (found === undefined) {
      const expected = [...new Set(Object.values(values))].join(', ');
      this.bad(key, `expected ${what} (${expected}), got "${raw}"`);
    }
    return found;
  }

  bad(key: K, message: string): void {
    this.issues.push({
      file: this.cols.table.file,
      sheet: this.cols.table.sheet,
      row: this.row.row,
      column: this.cols.headerOf(key),
      message,
    });
  }
}

/** `undefined` when the text is not a number. */
export function parseRvtoolsNumber(raw: string): number | undefined {
  let s = raw.replace(/[\s\u00a0\u202f]/g, '');
  if (!s) return undefined;
  const comma = s.lastIndexOf(',');
  const dot = s.lastIndexOf('.');
  if (comma >= 0 && dot >= 0) {
    // Both separators: the last one is the decimal mark (`1,234.5` or `1.234,5`).
    s =
      comma > dot
        ? s.replace(/\./g, '').replace(',', '.')
        : s.replace(/,/g, '');
  } else if (comma >= 0) {
    // `4,096` groups thousands; `1,5` is a decimal comma (French and German locales).
    s = /^-?\d{1,3}(,\d{3})+$/.test(s)
      ? s.replace(/,/g, '')
      : s.replace(',', '.');
  }
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** `undefined` when the text is not a boolean RVTools or a spreadsheet writes. */
export function parseRvtoolsBoolean(raw: string): boolean | undefined {
  switch (raw.trim().toLowerCase()) {
    case 'true':
    case 'yes':
    case '1':
    case 'x':
      return true;
    case 'false':
    case 'no':
    case '0':
      return false;
    default:
      return undefined;
  }
}

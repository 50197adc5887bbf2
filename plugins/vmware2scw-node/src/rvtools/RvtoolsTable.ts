import { RvtoolsIssue } from './RvtoolsError';

/** One sheet of an RVTools export as text cells, whatever file format it came from. */
export interface RvtoolsTable {
  /** File it was read from, for messages. */
  file: string;
  /** Sheet name as RVTools writes it: `vInfo`, `vDisk`, `vNetwork`, ... */
  sheet: string;
  header: string[];
  /** Data rows, each with its 1-based row number in the sheet (or line in the CSV file). */
  rows: RvtoolsRow[];
}

export interface RvtoolsRow {
  row: number;
  cells: string[];
}

/** A column as RVTools names it in xlsx exports, plus the names other RVTools versions and its CSV export use. */
export interface RvtoolsColumn {
  header: string;
  aliases?: readonly string[];
}

/**
 * Finds columns by name whatever their order, tolerating the spellings of RVTools versions: the xlsx
 * headers (`Capacity MiB`) and the CSV export's internal names (`vDiskCapacityMiB`), compared without
 * case, spaces or punctuation.
 */
export class RvtoolsColumns<K extends string> {
  private readonly index = new Map<K, number>();

  constructor(
    readonly table: RvtoolsTable,
    private readonly columns: Record<K, RvtoolsColumn>,
    required: readonly K[],
    issues: RvtoolsIssue[],
  ) {
    const positions = new Map<string, number>();
    const prefix = normalizeHeader(table.sheet);
    table.header.forEach((h, i) => {
      const n = normalizeHeader(h);
      // The CSV export prefixes every header with its sheet (`vInfoCPUs`); the xlsx export does not.
      const names =
        n.startsWith(prefix) && n.length > prefix.length
          ? [n, n.slice(prefix.length)]
          : [n];
      for (const name of names)
        if (!positions.has(name)) positions.set(name, i);
    });
    for (const key of Object.keys(columns) as K[]) {
      const col = columns[key];
      const found = [col.header, ...(col.aliases ?? [])]
        .map(name => positions.get(normalizeHeader(name)))
        .find(i => i !== undefined);
      if (found !== undefined) this.index.set(key, found);
      else if (required.includes(key)) {
        issues.push({
          file: table.file,
          sheet: table.sheet,
          row: 1,
          column: col.header,
          message: `required column "${
            col.header
          }" is missing (columns found: ${table.header
            .filter(Boolean)
            .slice(0, 12)
            .join(', ')}${table.header.length > 12 ? ', ...' : ''})`,
        });
      }
    }
  }

  has(key: K): boolean {
    return this.index.has(key);
  }

  /** Position of the column in the header, if present. */
  position(key: K): number | undefined {
    return this.index.get(key);
  }

  /** The trimmed cell text, or `undefined` when the column is absent or the cell empty. */
  get(row: RvtoolsRow, key: K): string | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const v = (row.cells[i] ?? '').trim();
    return v === '' ? undefined : v;
  }

  /** Header text of a column as found in the file (for messages), or its RVTools name. */
  headerOf(key: K): string {
    const i = this.index.get(key);
    return i === undefined ? this.columns[key].header : this.table.header[i];
  }
}

export function normalizeHeader(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

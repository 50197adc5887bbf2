import { parse } from 'csv-parse/sync';
import { RvtoolsError } from './RvtoolsError';
import { canonicalSheetName } from './RvtoolsXlsxReader';
import { RvtoolsTable } from './RvtoolsTable';

/**
 * RVTools' CSV export writes one file per sheet, `RVTools_tab<sheet>.csv` (`RVTools_tabvInfo.csv`); the
 * sheet of a file comes from that name (a bare `vInfo.csv` is accepted too).
 */
export function sheetOfCsvFileName(fileName: string): string | undefined {
  const m = fileName.match(/(?:^|[/\\])(?:RVTools_tab)?(v[A-Za-z_]+)\.csv$/i);
  return m ? canonicalSheetName(m[1]) : undefined;
}

/** One RVTools CSV file as a text table. Rows are numbered as a spreadsheet shows them (the header is row 1). */
export function readRvtoolsCsv(
  content: Buffer,
  file: string,
  sheet: string,
): RvtoolsTable {
  const text = decode(content);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: delimiterOf(text),
      relax_column_count: true,
      // Blank lines are rows of the sheet too: skipping them here would shift every later row number.
      skip_empty_lines: false,
      bom: true,
    }) as string[][];
  } catch (e) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_UNREADABLE',
      [
        {
          file,
          sheet,
          message: `not a readable CSV file (${(e as Error).message})`,
        },
      ],
      'Export again with RVTools "Export all to csv", or save the sheet as CSV (UTF-8) from a spreadsheet.',
    );
  }
  // Record i is row i + 1 as a spreadsheet opening the file shows it (a quoted multi-line cell is one row);
  // empty rows are dropped after numbering.
  const numbered = records
    .map((cells, i) => ({ row: i + 1, cells }))
    .filter(r => r.cells.some(c => c.trim() !== ''));
  const [header, ...data] = numbered;
  return {
    file,
    sheet,
    header: header?.cells ?? [],
    rows: data,
  };
}

// RVTools writes CSV in the encoding and list separator of the Windows session that ran it.
function decode(content: Buffer): string {
  if (content[0] === 0xff && content[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(content);
  if (content[0] === 0xfe && content[1] === 0xff)
    return new TextDecoder('utf-16be').decode(content);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return new TextDecoder('windows-1252').decode(content);
  }
}

function delimiterOf(text: string): string {
  const firstLine = text
    .slice(0, text.search(/\r?\n|$/))
    .replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map(
    d => [d, firstLine.split(d).length - 1] as const,
  );
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

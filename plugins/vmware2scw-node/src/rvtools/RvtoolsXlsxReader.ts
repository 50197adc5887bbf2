import ExcelJS from 'exceljs';
import { RvtoolsError } from './RvtoolsError';
import { RVTOOLS_SHEETS } from './RvtoolsSheets';
import { RvtoolsRow, RvtoolsTable } from './RvtoolsTable';

/**
 * The sheets of an RVTools xlsx export as text tables. The header is the first non-empty row (row 1 in
 * RVTools' own files); row numbers are those a spreadsheet shows, so messages point at the right cell.
 */
export async function readRvtoolsXlsx(
  content: Buffer,
  file: string,
): Promise<RvtoolsTable[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (e) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_UNREADABLE',
      [{ file, message: `not an xlsx workbook (${(e as Error).message})` }],
      'Use RVTools "Export all to Excel" (an .xlsx file); save an older .xls export as .xlsx first.',
    );
  }
  const tables: RvtoolsTable[] = [];
  workbook.eachSheet(worksheet => {
    let header: string[] | undefined;
    const rows: RvtoolsRow[] = [];
    worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      // row.values is 1-based and sparse: index 0 is always empty.
      const values = Array.isArray(row.values) ? row.values.slice(1) : [];
      const cells = Array.from(values, cellText);
      if (cells.every(c => c.trim() === '')) return;
      if (!header) header = cells;
      else rows.push({ row: rowNumber, cells });
    });
    tables.push({
      file,
      sheet: canonicalSheetName(worksheet.name),
      header: header ?? [],
      rows,
    });
  });
  return tables;
}

/** RVTools' own sheet name for a name read in any case (`vinfo` → `vInfo`); other names are kept. */
export function canonicalSheetName(name: string): string {
  const trimmed = name.trim();
  return (
    RVTOOLS_SHEETS.find(s => s.toLowerCase() === trimmed.toLowerCase()) ??
    trimmed
  );
}

function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map(r => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value)
      return cellText(
        (value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue,
      );
    if ('hyperlink' in value)
      return String((value as ExcelJS.CellHyperlinkValue).text ?? '');
    if ('error' in value) return '';
  }
  return String(value);
}

import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';

/** A sheet to write, with cells as RVTools writes them: text, numbers, and booleans as `True`/`False`. */
export interface RvtoolsSheetData {
  sheet: string;
  header: string[];
  rows: Array<Array<string | number | boolean | undefined>>;
}

/**
 * Writes sheets in RVTools' xlsx layout (header in row 1, one sheet per tab). Used to produce the sample
 * inventory and test fixtures; vmware2scw itself only reads exports.
 */
export async function writeRvtoolsXlsx(
  sheets: RvtoolsSheetData[],
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'vmware2scw';
  // A fixed date keeps the document properties identical from one generation to the next.
  workbook.created = new Date('2026-01-01T00:00:00Z');
  workbook.modified = workbook.created;
  for (const s of sheets) {
    const ws = workbook.addWorksheet(s.sheet);
    ws.addRow(s.header);
    for (const r of s.rows) ws.addRow(r.map(toCell));
    ws.getRow(1).font = { bold: true };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Writes sheets as RVTools' CSV export does: one `RVTools_tab<sheet>.csv` per sheet. */
export function writeRvtoolsCsv(
  sheets: RvtoolsSheetData[],
): Array<{ fileName: string; content: string }> {
  return sheets.map(s => ({
    fileName: `RVTools_tab${s.sheet}.csv`,
    content: stringify([s.header, ...s.rows.map(r => r.map(toCell))], {
      record_delimiter: '\r\n',
    }),
  }));
}

function toCell(v: string | number | boolean | undefined): string | number {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return v;
}

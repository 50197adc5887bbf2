/**
 * RVTools exports (xlsx or CSV) read into the inventory model, so that planning works without vCenter
 * credentials. Writing RVTools-shaped files (the sample estate, test fixtures) is in the `testUtils` entry.
 */
export { readRvtoolsExport } from './RvtoolsExportReader';
export type { ReadRvtoolsExportOptions } from './RvtoolsExportReader';
export { parseRvtoolsTables } from './RvtoolsParser';
export { folderPathOf } from './RvtoolsVmRows';
export type { RvtoolsImport, RvtoolsParseOptions } from './RvtoolsParser';
export { readRvtoolsXlsx } from './RvtoolsXlsxReader';
export { readRvtoolsCsv, sheetOfCsvFileName } from './RvtoolsCsvReader';
export { RvtoolsError, formatRvtoolsIssue } from './RvtoolsError';
export type {
  RvtoolsErrorCode,
  RvtoolsErrorOptions,
  RvtoolsIssue,
} from './RvtoolsError';
export type { RvtoolsTable, RvtoolsRow } from './RvtoolsTable';

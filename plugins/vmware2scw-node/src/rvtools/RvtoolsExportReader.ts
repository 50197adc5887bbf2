import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvtoolsError } from './RvtoolsError';
import { readRvtoolsCsv, sheetOfCsvFileName } from './RvtoolsCsvReader';
import { parseRvtoolsTables, RvtoolsImport } from './RvtoolsParser';
import { RVTOOLS_SHEETS } from './RvtoolsSheets';
import { RvtoolsTable } from './RvtoolsTable';
import { readRvtoolsXlsx } from './RvtoolsXlsxReader';

export interface ReadRvtoolsExportOptions {
  /** Id of the inventory source (every VM's `sourceId`). */
  sourceId: string;
  /** Reads http(s) targets; Backstage's UrlReader (integrations, `backend.reading.allow`). */
  urlReader?: UrlReaderService;
  /** Directory that relative paths start from; the process' working directory by default. */
  baseDir?: string;
  signal?: AbortSignal;
  /** Collection instant when the export does not say (ISO 8601). */
  collectedAt?: string;
}

/**
 * Reads an RVTools export from where configuration says it is:
 * - an `.xlsx` workbook (RVTools "Export all to Excel"),
 * - an `RVTools_tab<sheet>.csv` file, whose sibling sheets (`RVTools_tabvDisk.csv`, ...) are read with it,
 * - a directory holding those CSV files,
 *
 * given as a local path (absolute, relative to `baseDir`, or a `file:` URL) or an http(s) URL read
 * through the UrlReader. Backstage 1.55's UrlReader has no reader for local files, so those are read here.
 */
export async function readRvtoolsExport(
  target: string,
  options: ReadRvtoolsExportOptions,
): Promise<RvtoolsImport> {
  const tables = /^https?:\/\//i.test(target)
    ? await readRemote(target, options)
    : await readLocal(localPath(target, options.baseDir), target);
  return parseRvtoolsTables(tables, {
    sourceId: options.sourceId,
    sourceName: target,
    collectedAt: options.collectedAt,
  });
}

function localPath(target: string, baseDir = process.cwd()): string {
  const p = target.startsWith('file:') ? fileURLToPath(target) : target;
  return path.resolve(baseDir, p);
}

async function readLocal(
  file: string,
  target: string,
): Promise<RvtoolsTable[]> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_NOT_FOUND',
      [{ file: target, message: `no such file or directory (${file})` }],
      "Check the target: a relative path starts from the backend's working directory (packages/backend under `yarn start`).",
    );
  }
  if (stat.isDirectory()) {
    const names = (await fs.readdir(file))
      .filter(n => sheetOfCsvFileName(n))
      .sort();
    return Promise.all(
      names.map(async n =>
        readRvtoolsCsv(
          await fs.readFile(path.join(file, n)),
          n,
          sheetOfCsvFileName(n)!,
        ),
      ),
    );
  }
  if (/\.xlsx$/i.test(file))
    return readRvtoolsXlsx(await fs.readFile(file), path.basename(file));
  if (sheetOfCsvFileName(file)) return readLocal(path.dirname(file), target);
  throw unsupported(target);
}

async function readRemote(
  url: string,
  options: ReadRvtoolsExportOptions,
): Promise<RvtoolsTable[]> {
  if (!options.urlReader)
    throw new Error(
      'readRvtoolsExport: a UrlReader is needed to read an http(s) target',
    );
  const urlReader = options.urlReader;
  const read = async (u: string) =>
    (await urlReader.readUrl(u, { signal: options.signal })).buffer();
  const { pathname } = new URL(url);
  const name = decodeURIComponent(pathname.split('/').pop() ?? '');
  if (/\.xlsx$/i.test(name)) return readRvtoolsXlsx(await read(url), name);
  if (!sheetOfCsvFileName(name)) throw unsupported(url);

  // A URL names one CSV file; its sibling sheets are the same URL with the sheet name swapped.
  const tables: RvtoolsTable[] = [];
  for (const sheet of RVTOOLS_SHEETS) {
    const siblingName = name.replace(
      /(RVTools_tab)?v[A-Za-z_]+(\.csv)$/i,
      `$1${sheet}$2`,
    );
    const sibling = new URL(url);
    sibling.pathname = `${pathname.slice(
      0,
      pathname.lastIndexOf('/') + 1,
    )}${encodeURIComponent(siblingName)}`;
    try {
      tables.push(
        readRvtoolsCsv(await read(sibling.toString()), siblingName, sheet),
      );
    } catch (e) {
      // Sheets other than vInfo are optional: the parser says what their absence means.
      if ((e as Error).name !== 'NotFoundError') throw e;
    }
  }
  return tables;
}

function unsupported(target: string): RvtoolsError {
  return RvtoolsError.fromIssues(
    'RVTOOLS_UNREADABLE',
    [
      {
        file: target,
        message:
          'not an RVTools export: expected an .xlsx file, an RVTools_tab<sheet>.csv file or a directory of them',
      },
    ],
    'Point the target at the RVTools .xlsx export, or at the directory of its "Export all to csv" files.',
  );
}

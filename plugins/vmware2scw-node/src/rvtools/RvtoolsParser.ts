import {
  inventorySchema,
  type Inventory,
} from '@internal/plugin-vmware2scw-common';
import { RvtoolsCells } from './RvtoolsCells';
import { RvtoolsError, type RvtoolsIssue } from './RvtoolsError';
import { joinDetailRows } from './RvtoolsDetailRows';
import { infrastructureOf } from './RvtoolsInfrastructure';
import { openRvtoolsSheets } from './RvtoolsSheetSet';
import { joinUsageRows, utilizationOf } from './RvtoolsUsageRows';
import type { VmetadataColumn } from './RvtoolsSheets';
import type { RvtoolsColumns, RvtoolsTable } from './RvtoolsTable';
import { VmLookup } from './RvtoolsVmLookup';
import { finishVm, readVinfoRows } from './RvtoolsVmRows';

export interface RvtoolsParseOptions {
  /** Id of the inventory source: becomes `source.id` and every VM's `sourceId`. */
  sourceId: string;
  /** File or URL of the export, for `source.name`. */
  sourceName?: string;
  /** Collection instant when the export's vMetaData sheet does not say (ISO 8601). */
  collectedAt?: string;
}

export interface RvtoolsImport {
  inventory: Inventory;
  /** What was missing but did not stop the import (an absent optional sheet...). */
  warnings: string[];
}

/**
 * Maps the sheets of an RVTools export (vInfo, vDisk, vNetwork; vSnapshot, vTools, vUSB and vMetaData when
 * present) to the inventory model. Columns are found by name in any order; a missing required column or a
 * value that cannot be read stops the import with every such place listed (sheet, row, column).
 */
export function parseRvtoolsTables(
  tables: RvtoolsTable[],
  options: RvtoolsParseOptions,
): RvtoolsImport {
  const sheets = openRvtoolsSheets(tables);
  const issues: RvtoolsIssue[] = [];
  const drafts = readVinfoRows(sheets.vinfo, options.sourceId, issues);
  if (sheets.vinfo.table.rows.length === 0)
    throw emptyExport(sheets.vinfo.table);
  const lookup = new VmLookup(
    drafts,
    sheets.vinfo.has('vmId'),
    sheets.vinfo.has('vmUuid'),
  );
  joinDetailRows(sheets, lookup, issues);
  joinUsageRows(sheets, lookup, drafts, issues);
  const metadata = readMetadata(sheets.meta, issues);
  if (issues.length) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_BAD_VALUE',
      issues,
      'Correct these cells (or export again from RVTools); vmware2scw imports an export only when every row can be read.',
    );
  }

  const collectedAt = metadata.collectedAt ?? options.collectedAt;
  for (const d of drafts) {
    finishVm(d);
    const utilization = utilizationOf(d, collectedAt);
    if (utilization) d.vm.utilization = utilization;
  }
  const vms = drafts.map(d => d.vm);
  const inventory = inventorySchema.parse({
    source: {
      kind: 'rvtools',
      id: options.sourceId,
      name: options.sourceName,
      collectedAt,
      version: metadata.version,
    },
    vms,
    ...infrastructureOf(vms),
  });
  return { inventory, warnings: sheets.warnings };
}

/** An empty export would empty the catalog of this source: most likely the wrong file or a failed export. */
function emptyExport(vinfo: RvtoolsTable): RvtoolsError {
  return RvtoolsError.fromIssues(
    'RVTOOLS_BAD_VALUE',
    [
      {
        file: vinfo.file,
        sheet: vinfo.sheet,
        row: 2,
        message: 'no VM rows under the header',
      },
    ],
    'Export again from RVTools connected to the vCenter (an export of an empty vCenter cannot be imported).',
  );
}

/** RVTools version and export time, from the first row of vMetaData. */
function readMetadata(
  meta: RvtoolsColumns<VmetadataColumn> | undefined,
  issues: RvtoolsIssue[],
): { version?: string; collectedAt?: string } {
  const row = meta?.table.rows[0];
  return meta && row ? metadataOf(new RvtoolsCells(meta, row, issues)) : {};
}

function metadataOf(c: RvtoolsCells<VmetadataColumn>): {
  version?: string;
  collectedAt?: string;
} {
  // RVTools writes the local time of the machine that ran it, without a zone: read as UTC so that every
  // backend reads the same instant.
  const created = c.text('createdAt');
  const m = created?.match(
    /^(\d{4})[-/](\d\d)[-/](\d\d)[ T](\d\d:\d\d(?::\d\d)?)$/,
  );
  let t = NaN;
  if (m) t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`);
  else if (created) t = Date.parse(created);
  return {
    version: c.text('version'),
    collectedAt: Number.isNaN(t) ? undefined : new Date(t).toISOString(),
  };
}

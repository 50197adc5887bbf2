import { RvtoolsError, type RvtoolsIssue } from './RvtoolsError';
import {
  VCPU_COLUMNS,
  VCPU_REQUIRED,
  VMEMORY_COLUMNS,
  VMEMORY_REQUIRED,
  type VcpuColumn,
  type VmemoryColumn,
  VDISK_COLUMNS,
  VDISK_REQUIRED,
  VINFO_COLUMNS,
  VINFO_REQUIRED,
  VMETADATA_COLUMNS,
  VNETWORK_COLUMNS,
  VNETWORK_REQUIRED,
  VSNAPSHOT_COLUMNS,
  VSNAPSHOT_REQUIRED,
  VTOOLS_COLUMNS,
  VTOOLS_REQUIRED,
  VUSB_COLUMNS,
  VUSB_REQUIRED,
  type VdiskColumn,
  type VinfoColumn,
  type VmetadataColumn,
  type VnetworkColumn,
  type VsnapshotColumn,
  type VtoolsColumn,
  type VusbColumn,
} from './RvtoolsSheets';
import {
  RvtoolsColumns,
  type RvtoolsColumn,
  type RvtoolsTable,
} from './RvtoolsTable';

/** The sheets of one export with their columns found: vInfo always, the others when present. */
export interface RvtoolsSheetSet {
  vinfo: RvtoolsColumns<VinfoColumn>;
  disk?: RvtoolsColumns<VdiskColumn>;
  net?: RvtoolsColumns<VnetworkColumn>;
  snap?: RvtoolsColumns<VsnapshotColumn>;
  tools?: RvtoolsColumns<VtoolsColumn>;
  usb?: RvtoolsColumns<VusbColumn>;
  cpu?: RvtoolsColumns<VcpuColumn>;
  memory?: RvtoolsColumns<VmemoryColumn>;
  meta?: RvtoolsColumns<VmetadataColumn>;
  /** What is missing but does not stop the import (an absent vDisk or vNetwork sheet). */
  warnings: string[];
}

/**
 * Finds the sheets and, in each, the columns vmware2scw reads. No vInfo sheet, or a required column
 * missing from a sheet, stops the import here: every row of that sheet would be unreadable, so those
 * are reported alone, all at once.
 */
export function openRvtoolsSheets(tables: RvtoolsTable[]): RvtoolsSheetSet {
  const bySheet = new Map(tables.map(t => [t.sheet.toLowerCase(), t]));
  const sheet = (name: string) => bySheet.get(name.toLowerCase());
  const vinfo = sheet('vInfo');
  if (!vinfo) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_NOT_FOUND',
      [
        {
          file:
            [...new Set(tables.map(t => t.file))].join(', ') || 'the export',
          message: `no vInfo sheet (sheets found: ${
            tables.map(t => t.sheet).join(', ') || 'none'
          })`,
        },
      ],
      'Export again from RVTools with "Export all to Excel" (xlsx) or "Export all to csv" (one RVTools_tab<sheet>.csv per sheet).',
    );
  }

  const columnIssues: RvtoolsIssue[] = [];
  const optional = <K extends string>(
    name: string,
    cols: Record<K, RvtoolsColumn>,
    required: readonly K[],
  ) => {
    const t = sheet(name);
    return t && new RvtoolsColumns(t, cols, required, columnIssues);
  };
  const sheets: RvtoolsSheetSet = {
    vinfo: new RvtoolsColumns(
      vinfo,
      VINFO_COLUMNS,
      VINFO_REQUIRED,
      columnIssues,
    ),
    disk: optional('vDisk', VDISK_COLUMNS, VDISK_REQUIRED),
    net: optional('vNetwork', VNETWORK_COLUMNS, VNETWORK_REQUIRED),
    snap: optional('vSnapshot', VSNAPSHOT_COLUMNS, VSNAPSHOT_REQUIRED),
    tools: optional('vTools', VTOOLS_COLUMNS, VTOOLS_REQUIRED),
    usb: optional('vUSB', VUSB_COLUMNS, VUSB_REQUIRED),
    cpu: optional('vCPU', VCPU_COLUMNS, VCPU_REQUIRED),
    memory: optional('vMemory', VMEMORY_COLUMNS, VMEMORY_REQUIRED),
    meta: optional<VmetadataColumn>('vMetaData', VMETADATA_COLUMNS, []),
    warnings: [],
  };
  if (columnIssues.length) {
    throw RvtoolsError.fromIssues(
      'RVTOOLS_COLUMN_MISSING',
      columnIssues,
      'Export the sheet again with RVTools 4.x, or rename the column to the name RVTools gives it.',
    );
  }
  if (!sheets.disk)
    sheets.warnings.push(
      'no vDisk sheet: the VMs are imported without disks, so sizes and disk concerns are unknown',
    );
  if (!sheets.net)
    sheets.warnings.push(
      'no vNetwork sheet: the VMs are imported without network adapters',
    );
  return sheets;
}

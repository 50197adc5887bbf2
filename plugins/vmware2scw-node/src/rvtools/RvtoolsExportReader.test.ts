import { createMockDirectory } from '@backstage/backend-test-utils';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  Inventory,
  vmTotalDiskBytes,
} from '@internal/plugin-vmware2scw-common';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RvtoolsError } from './RvtoolsError';
import { readRvtoolsExport } from './RvtoolsExportReader';
import { parseRvtoolsTables } from './RvtoolsParser';
import { rvtoolsSampleSheets } from './testing/RvtoolsSample';
import {
  RvtoolsSheetData,
  writeRvtoolsCsv,
  writeRvtoolsXlsx,
} from './testing/RvtoolsWriter';

const EXAMPLES = path.resolve(__dirname, '../../../../examples/inventory');
const SAMPLE_XLSX = path.join(EXAMPLES, 'rvtools-sample.xlsx');
const SAMPLE_CSV_DIR = path.join(EXAMPLES, 'rvtools-sample-csv');
const TIB = 2 ** 40;

// exceljs reads and writes whole workbooks: seconds on a busy 2-core machine.
jest.setTimeout(30_000);

async function errorOf(p: Promise<unknown>): Promise<RvtoolsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RvtoolsError) return e;
    throw e;
  }
  throw new Error('expected an RvtoolsError');
}

/** A cell as the CSV export writes it. */
function cellText(c: string | number | boolean | undefined): string {
  if (typeof c === 'boolean') return c ? 'True' : 'False';
  return String(c ?? '');
}

describe('readRvtoolsExport on the sample in examples/inventory', () => {
  let sample: Inventory;
  beforeAll(async () => {
    sample = (await readRvtoolsExport(SAMPLE_XLSX, { sourceId: 'sample' }))
      .inventory;
  });

  it('has ~50 VMs of mixed OS, firmware and size', () => {
    const count = (f: (vm: Inventory['vms'][number]) => boolean) =>
      sample.vms.filter(f).length;
    expect(sample.vms).toHaveLength(54);
    expect(sample.source).toMatchObject({
      kind: 'rvtools',
      id: 'sample',
      version: '4.7.1.4',
      collectedAt: '2026-01-15T09:30:00.000Z',
    });
    expect(count(vm => vm.osFamily === 'linux')).toBeGreaterThan(25);
    expect(count(vm => vm.osFamily === 'windows')).toBeGreaterThan(10);
    expect(count(vm => vm.osFamily === 'other')).toBe(1);
    expect(count(vm => vm.firmware === 'bios')).toBeGreaterThan(10);
    expect(count(vm => vm.firmware === 'efi')).toBeGreaterThan(10);
    expect(Math.min(...sample.vms.map(vm => vm.numCpu))).toBe(1);
    expect(Math.max(...sample.vms.map(vm => vm.memoryMiB))).toBe(512 * 1024);
    expect(new Set(sample.vms.map(vm => vm.datacenter))).toEqual(
      new Set(['DC-PAR', 'DC-AMS']),
    );
  });

  it('has the VMs a migration must flag', () => {
    const names = (f: (vm: Inventory['vms'][number]) => boolean) =>
      sample.vms.filter(f).map(vm => vm.name);
    expect(names(vm => vm.disks.some(d => d.rdm !== 'none'))).toEqual([
      'db-prod-02',
    ]);
    expect(
      names(vm => vm.disks.some(d => d.sharing === 'sharingMultiWriter')),
    ).toEqual(['DB_Cluster_Node-A', 'DB_Cluster_Node-B']);
    expect(
      names(vm => vm.disks.some(d => d.diskMode.startsWith('independent'))),
    ).toEqual(expect.arrayContaining(['hadoop-01', 'DB_Cluster_Node-A']));
    expect(names(vm => vm.snapshotCount > 0)).toEqual([
      'web-cache-01',
      'mongo-01',
    ]);
    expect(names(vm => vm.disks.length > 16)).toEqual(['pg-analytics-01']);
    expect(names(vm => vm.disks.some(d => d.capacityBytes > TIB))).toEqual(
      expect.arrayContaining([
        'db-prod-01',
        'fs-01',
        'hadoop-01',
        'sap-hana-01',
      ]),
    );
    expect(
      names(vm => vm.specialDevices.some(d => d.kind === 'usb_device')),
    ).toEqual(['print-01']);
    expect(names(vm => !/^[a-z0-9-]+$/.test(vm.name))).toEqual([
      'Web Front (old)',
      'DB_Cluster_Node-A',
      'DB_Cluster_Node-B',
    ]);
    expect(
      names(
        vm =>
          vm.osFamily === 'windows' && vm.firmware === 'bios' && !vm.template,
      ),
    ).toEqual(
      expect.arrayContaining([
        'ad-dc-01',
        'exch-01',
        'win-legacy-01',
        'print-01',
      ]),
    );
    expect(names(vm => vm.toolsStatus === 'toolsNotInstalled')).toEqual([
      'win-legacy-01',
    ]);
    expect(names(vm => vm.toolsStatus === 'toolsOld')).toEqual(['citrix-01']);
    expect(names(vm => vm.template)).toEqual([
      'template-debian12',
      'template-win2022',
    ]);
    expect(names(vm => vm.customAttributes.Owner !== undefined)).toHaveLength(
      4,
    );
  });

  it('reads the same VMs from the CSV export (a directory, or one of its files)', async () => {
    const fromDir = await readRvtoolsExport(SAMPLE_CSV_DIR, {
      sourceId: 'sample',
    });
    const fromFile = await readRvtoolsExport(
      pathToFileURL(
        path.join(SAMPLE_CSV_DIR, 'RVTools_tabvDisk.csv'),
      ).toString(),
      {
        sourceId: 'sample',
      },
    );
    expect(fromDir.inventory.vms).toEqual(sample.vms);
    expect(fromFile.inventory.vms).toEqual(sample.vms);
  });

  it('is what the generator writes today (run examples/inventory/generate-rvtools-sample.ts after changing it)', () => {
    const generated = rvtoolsSampleSheets().map(s => ({
      file: 'generated',
      sheet: s.sheet,
      header: s.header,
      rows: s.rows.map((r, i) => ({ row: i + 2, cells: r.map(cellText) })),
    }));
    expect(
      parseRvtoolsTables(generated, { sourceId: 'sample' }).inventory.vms,
    ).toEqual(sample.vms);
  });

  it('sums disk sizes as RVTools reports them', () => {
    const db = sample.vms.find(vm => vm.name === 'db-prod-01')!;
    expect(vmTotalDiskBytes(db)).toBe((100 + 2048 + 500) * 2 ** 30);
  });
});

describe('readRvtoolsExport on handcrafted files', () => {
  const dir = createMockDirectory();
  const vinfo = (rows: Array<Array<string | number>>): RvtoolsSheetData => ({
    sheet: 'vInfo',
    header: ['VM', 'Powerstate', 'CPUs', 'Memory', 'VM ID'],
    rows,
  });

  beforeEach(() => dir.clear());

  it('names the xlsx sheet, row and column of a bad cell', async () => {
    const xlsx = await writeRvtoolsXlsx([
      vinfo([
        ['a', 'poweredOn', 2, 2048, 'vm-1'],
        ['b', 'poweredOn', 'four', 2048, 'vm-2'],
      ]),
      {
        sheet: 'vDisk',
        header: ['VM', 'VM ID', 'Disk', 'Capacity MiB'],
        rows: [['a', 'vm-1', 'Hard disk 1', '10 GB']],
      },
    ]);
    dir.addContent({ 'bad.xlsx': xlsx });
    const e = await errorOf(
      readRvtoolsExport(dir.resolve('bad.xlsx'), { sourceId: 'fx' }),
    );
    expect(e.code).toBe('RVTOOLS_BAD_VALUE');
    expect(e.issues).toEqual([
      {
        file: 'bad.xlsx',
        sheet: 'vInfo',
        row: 3,
        column: 'CPUs',
        message: 'expected a whole number of vCPUs, at least 1, got "four"',
      },
      {
        file: 'bad.xlsx',
        sheet: 'vDisk',
        row: 2,
        column: 'Capacity MiB',
        message: 'expected the disk capacity in MiB, got "10 GB"',
      },
    ]);
  });

  it('names the CSV file of a missing column', async () => {
    dir.addContent(
      Object.fromEntries(
        writeRvtoolsCsv([
          {
            sheet: 'vInfo',
            header: ['VM', 'CPUs', 'Memory'],
            rows: [['a', 1, 1]],
          },
        ]).map(f => [f.fileName, f.content]),
      ),
    );
    const e = await errorOf(readRvtoolsExport(dir.path, { sourceId: 'fx' }));
    expect(e.code).toBe('RVTOOLS_COLUMN_MISSING');
    expect(e.message).toContain(
      'RVTools_tabvInfo.csv, sheet vInfo, row 1, column "Powerstate"',
    );
  });

  it('reads semicolon-separated CSV with a BOM and decimal commas, as a French Windows writes it', async () => {
    dir.addContent({
      'RVTools_tabvInfo.csv': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          'VM;Powerstate;CPUs;Memory;Folder;Datacenter\r\n"Serveur d\'été";poweredOn;2;4096;Prod;DC1\r\n',
        ),
      ]),
      'RVTools_tabvDisk.csv':
        "VM;Disk;Capacity MiB\r\nServeur d'été;Hard disk 1;1024,5\r\n",
    });
    const { inventory } = await readRvtoolsExport(dir.path, { sourceId: 'fx' });
    expect(inventory.vms[0]).toMatchObject({
      name: "Serveur d'été",
      folderPath: '/DC1/Prod',
      numCpu: 2,
    });
    expect(inventory.vms[0].disks[0].capacityBytes).toBe(
      Math.round(1024.5 * 2 ** 20),
    );
  });

  it('numbers CSV rows as a spreadsheet shows them, across blank rows and multi-line notes', async () => {
    dir.addContent({
      'RVTools_tabvInfo.csv':
        'VM,Powerstate,CPUs,Memory,Annotation\r\n' +
        'a,poweredOn,2,2048,"line 1\r\nline 2"\r\n' + // row 2
        ',,,,\r\n' + // row 3, blank in a spreadsheet
        '\r\n' + // row 4
        'b,poweredOn,two,2048,\r\n', // row 5
    });
    const e = await errorOf(readRvtoolsExport(dir.path, { sourceId: 'fx' }));
    expect(e.issues).toEqual([
      {
        file: 'RVTools_tabvInfo.csv',
        sheet: 'vInfo',
        row: 5,
        column: 'CPUs',
        message: 'expected a whole number of vCPUs, at least 1, got "two"',
      },
    ]);
  });

  it('refuses an export without any VM row, which would empty the catalog', async () => {
    dir.addContent({
      'RVTools_tabvInfo.csv': 'VM,Powerstate,CPUs,Memory\r\n',
    });
    const e = await errorOf(readRvtoolsExport(dir.path, { sourceId: 'fx' }));
    expect(e.code).toBe('RVTOOLS_BAD_VALUE');
    expect(e.message).toContain(
      'RVTools_tabvInfo.csv, sheet vInfo, row 2: no VM rows under the header',
    );
  });

  it('reads a UTF-16 CSV file (RVTools on some Windows setups)', async () => {
    const text =
      '\ufeffVM,Powerstate,CPUs,Memory\r\nnaïve-01,poweredOff,1,512\r\n';
    dir.addContent({ 'vInfo.csv': Buffer.from(text, 'utf16le') });
    const { inventory } = await readRvtoolsExport(dir.path, { sourceId: 'fx' });
    expect(inventory.vms.map(vm => vm.name)).toEqual(['naïve-01']);
  });

  it('says when the file is missing, or is not an export', async () => {
    const missing = await errorOf(
      readRvtoolsExport('nope/rvtools.xlsx', {
        sourceId: 'fx',
        baseDir: dir.path,
      }),
    );
    expect(missing.code).toBe('RVTOOLS_NOT_FOUND');
    expect(missing.message).toContain(path.join(dir.path, 'nope/rvtools.xlsx'));

    dir.addContent({ 'fake.xlsx': 'not a zip', 'notes.txt': 'hello' });
    expect(
      (
        await errorOf(
          readRvtoolsExport(dir.resolve('fake.xlsx'), { sourceId: 'fx' }),
        )
      ).code,
    ).toBe('RVTOOLS_UNREADABLE');
    expect(
      (
        await errorOf(
          readRvtoolsExport(dir.resolve('notes.txt'), { sourceId: 'fx' }),
        )
      ).code,
    ).toBe('RVTOOLS_UNREADABLE');
  });
});

describe('readRvtoolsExport over http(s)', () => {
  function reader(
    files: Record<string, Buffer | string>,
  ): UrlReaderService & { urls: string[] } {
    const urls: string[] = [];
    return {
      urls,
      async readUrl(url: string) {
        urls.push(url);
        const content = files[url];
        if (content === undefined)
          throw new NotFoundError(`could not read ${url}, 404 Not Found`);
        return { buffer: async () => Buffer.from(content) };
      },
      readTree: jest.fn(),
      search: jest.fn(),
    } as unknown as UrlReaderService & { urls: string[] };
  }

  it('reads an xlsx URL through the UrlReader', async () => {
    const xlsx = await writeRvtoolsXlsx(rvtoolsSampleSheets());
    const urlReader = reader({
      'https://files.example.test/exports/rvtools.xlsx': xlsx,
    });
    const { inventory } = await readRvtoolsExport(
      'https://files.example.test/exports/rvtools.xlsx',
      { sourceId: 's', urlReader },
    );
    expect(inventory.vms).toHaveLength(54);
  });

  it('reads the sibling sheets of a CSV URL, skipping those that do not exist', async () => {
    const csv = Object.fromEntries(
      writeRvtoolsCsv([
        {
          sheet: 'vInfo',
          header: ['VM', 'Powerstate', 'CPUs', 'Memory'],
          rows: [['a', 'poweredOn', 1, 1024]],
        },
        {
          sheet: 'vDisk',
          header: ['VM', 'Disk', 'Capacity MiB'],
          rows: [['a', 'Hard disk 1', 2048]],
        },
      ]).map(f => [`https://files.example.test/x/${f.fileName}`, f.content]),
    );
    const urlReader = reader(csv);
    const { inventory, warnings } = await readRvtoolsExport(
      'https://files.example.test/x/RVTools_tabvInfo.csv',
      { sourceId: 's', urlReader },
    );
    expect(inventory.vms[0].disks[0].capacityBytes).toBe(2 * 2 ** 30);
    expect(warnings).toEqual([expect.stringContaining('no vNetwork sheet')]);
    expect(urlReader.urls).toContain(
      'https://files.example.test/x/RVTools_tabvNetwork.csv',
    );
  });
});

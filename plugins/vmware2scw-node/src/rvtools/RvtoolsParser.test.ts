import {
  offlineOffer,
  sizeVm,
  vmTotalDiskBytes,
} from '@internal/plugin-vmware2scw-common';
import { RvtoolsError } from './RvtoolsError';
import { parseRvtoolsTables } from './RvtoolsParser';
import { folderPathOf } from './RvtoolsVmRows';
import { RvtoolsTable } from './RvtoolsTable';

/** A sheet from a header and rows, numbered as a spreadsheet shows them (header = row 1). */
function table(
  sheet: string,
  header: string[],
  rows: string[][],
  file = 'fixture.xlsx',
): RvtoolsTable {
  return {
    file,
    sheet,
    header,
    rows: rows.map((cells, i) => ({ row: i + 2, cells })),
  };
}

const GIB = 2 ** 30;

function parseError(tables: RvtoolsTable[]): RvtoolsError {
  try {
    parseRvtoolsTables(tables, { sourceId: 'fx' });
  } catch (e) {
    if (e instanceof RvtoolsError) return e;
    throw e;
  }
  throw new Error('expected an RvtoolsError');
}

describe('parseRvtoolsTables', () => {
  it('reads VMs, disks and NICs whatever the column order, with optional columns missing', () => {
    const { inventory, warnings } = parseRvtoolsTables(
      [
        table(
          'vInfo',
          [
            'Memory',
            'VM',
            'CPUs',
            'Powerstate',
            'Firmware',
            'Datacenter',
            'Folder',
            'OS according to the configuration file',
            'VM ID',
          ],
          [
            [
              '8192',
              'web-01',
              '4',
              'poweredOn',
              'efi',
              'DC1',
              'Production/Web',
              'Debian GNU/Linux 12 (64-bit)',
              'vm-10',
            ],
            [
              '4,096',
              'Win%2fOld',
              '2',
              'poweredOff',
              '',
              'DC1',
              '',
              'Microsoft Windows Server 2016 (64-bit)',
              'vm-11',
            ],
          ],
        ),
        table(
          'vDisk',
          [
            'Capacity MiB',
            'VM ID',
            'Disk',
            'VM',
            'Raw',
            'Raw Com. Mode',
            'Disk Mode',
            'Sharing mode',
            'Path',
            'Controller',
            'Unit #',
          ],
          [
            [
              '40960',
              'vm-10',
              'Hard disk 1',
              'web-01',
              'False',
              '',
              'persistent',
              'sharingNone',
              '[ds1] web-01/web-01.vmdk',
              'SCSI controller 0',
              '0',
            ],
            [
              '1048576',
              'vm-10',
              'Hard disk 2',
              'web-01',
              'True',
              'physicalMode',
              'independent_persistent',
              'sharingMultiWriter',
              '',
              'SCSI controller 1',
              '2',
            ],
            [
              '20480',
              'vm-11',
              'Hard disk 1',
              'Win/Old',
              '',
              '',
              '',
              '',
              '',
              'IDE 0',
              '0',
            ],
          ],
        ),
        table(
          'vNetwork',
          [
            'VM',
            'VM ID',
            'Adapter',
            'Network',
            'Connected',
            'Mac Address',
            'IPv4 Address',
          ],
          [
            [
              'web-01',
              'vm-10',
              'Vmxnet3',
              'VLAN10',
              'True',
              '00:50:56:AA:BB:CC',
              '10.0.0.5, 10.0.1.5',
            ],
          ],
        ),
      ],
      { sourceId: 'fx', sourceName: 'fixture.xlsx' },
    );

    expect(warnings).toEqual([]);
    expect(inventory.source).toMatchObject({
      kind: 'rvtools',
      id: 'fx',
      name: 'fixture.xlsx',
    });
    const [web, win] = inventory.vms;
    expect(web).toMatchObject({
      sourceId: 'fx',
      moref: 'vm-10',
      name: 'web-01',
      folderPath: '/DC1/Production/Web',
      osFamily: 'linux',
      firmware: 'efi',
      numCpu: 4,
      memoryMiB: 8192,
      ipAddresses: ['10.0.0.5', '10.0.1.5'],
      nics: [
        {
          type: 'vmxnet3',
          network: 'VLAN10',
          connected: true,
          macAddress: '00:50:56:aa:bb:cc',
        },
      ],
    });
    expect(web.disks).toEqual([
      expect.objectContaining({
        key: 2000,
        label: 'Hard disk 1',
        capacityBytes: 40 * GIB,
        datastore: 'ds1',
        rdm: 'none',
      }),
      expect.objectContaining({
        key: 2001,
        capacityBytes: 1024 * GIB,
        rdm: 'physical',
        diskMode: 'independent_persistent',
        sharing: 'sharingMultiWriter',
        controller: { type: 'scsi', busNumber: 1, unitNumber: 2 },
      }),
    ]);
    // vSphere's escaped slash is shown as a slash; an empty firmware cell is vSphere's default, BIOS.
    expect(win).toMatchObject({
      name: 'Win/Old',
      osFamily: 'windows',
      firmware: 'bios',
      memoryMiB: 4096,
      folderPath: '/DC1',
    });
    expect(win.disks[0].controller).toMatchObject({ type: 'ide' });
    expect(vmTotalDiskBytes(win)).toBe(20 * GIB);
    expect(inventory.datastores.map(d => d.name)).toEqual(['ds1']);
    expect(inventory.networks.map(n => n.name)).toEqual(['VLAN10']);
  });

  it("reads the CSV export's internal column names (vInfoVMName, vDiskCapacityMiB, ...)", () => {
    const { inventory } = parseRvtoolsTables(
      [
        table(
          'vInfo',
          [
            'vInfoVMName',
            'vInfoPowerstate',
            'vInfoCPUs',
            'vInfoMemory',
            'vInfoDataCenter',
            'vInfoOS',
            'vInfoUUID',
          ],
          [
            [
              'db-01',
              'poweredOn',
              '8',
              '32768',
              'DC2',
              'Red Hat Enterprise Linux 9 (64-bit)',
              '5003aaaa-0000-0000-0000-000000000001',
            ],
          ],
          'RVTools_tabvInfo.csv',
        ),
        table(
          'vDisk',
          ['vDiskVMName', 'vDiskName', 'vDiskCapacityMiB'],
          [['db-01', 'Hard disk 1', '102400']],
          'RVTools_tabvDisk.csv',
        ),
        table(
          'vNetwork',
          ['vNetworkVMName', 'vNetworkAdapter', 'vNetworkName'],
          [['db-01', 'E1000E', 'VLAN20']],
          'RVTools_tabvNetwork.csv',
        ),
      ],
      { sourceId: 'fx' },
    );
    expect(inventory.vms[0]).toMatchObject({
      name: 'db-01',
      // Without a VM ID column, the VM UUID identifies the VM.
      moref: '5003aaaa-0000-0000-0000-000000000001',
      datacenter: 'DC2',
      osFamily: 'linux',
      disks: [expect.objectContaining({ capacityBytes: 100 * GIB })],
      nics: [expect.objectContaining({ type: 'e1000e', network: 'VLAN20' })],
    });
  });

  it('keeps custom attribute columns (between Annotation and Datacenter) for owner rules', () => {
    const { inventory } = parseRvtoolsTables(
      [
        table(
          'vInfo',
          [
            'VM',
            'Powerstate',
            'CPUs',
            'Memory',
            'Annotation',
            'Owner',
            'Cost Center',
            'Datacenter',
            'Some future column',
          ],
          [
            [
              'app-01',
              'poweredOn',
              '1',
              '1024',
              'notes',
              'team-web',
              '',
              'DC1',
              'x',
            ],
          ],
        ),
      ],
      { sourceId: 'fx' },
    );
    expect(inventory.vms[0].customAttributes).toEqual({ Owner: 'team-web' });
    expect(inventory.vms[0].annotation).toBe('notes');
  });

  it('takes snapshots, VMware Tools and USB devices from their sheets', () => {
    const { inventory } = parseRvtoolsTables(
      [
        table(
          'vInfo',
          ['VM', 'Powerstate', 'CPUs', 'Memory', 'Guest state'],
          [
            ['a', 'poweredOn', '1', '1024', 'running'],
            ['b', 'poweredOn', '1', '1024', 'notRunning'],
          ],
        ),
        table(
          'vSnapshot',
          ['VM', 'Name'],
          [
            ['a', 's1'],
            ['a', 's2'],
          ],
        ),
        table('vTools', ['VM', 'Tools'], [['a', 'toolsOld']]),
        table('vUSB', ['VM', 'Device Type'], [['b', 'HASP dongle']]),
      ],
      { sourceId: 'fx' },
    );
    const [a, b] = inventory.vms;
    expect(a).toMatchObject({
      snapshotCount: 2,
      toolsStatus: 'toolsOld',
      specialDevices: [],
    });
    // No vTools row for b: vInfo's guest state says the tools do not answer.
    expect(b).toMatchObject({
      snapshotCount: 0,
      toolsStatus: 'toolsNotRunning',
      specialDevices: [{ kind: 'usb_device', label: 'HASP dongle' }],
    });
  });

  describe('usage columns', () => {
    const usageTables = () => [
      table(
        'vInfo',
        ['VM', 'Powerstate', 'CPUs', 'Memory', 'Active Memory'],
        [
          ['idle', 'poweredOn', '8', '32768', ''],
          ['busy', 'poweredOn', '8', '32768', ''],
          ['info-only', 'poweredOn', '2', '4096', '1024'],
          ['off', 'poweredOff', '2', '4096', '0'],
          ['none', 'poweredOn', '2', '4096', ''],
        ],
      ),
      // Overall / Max MHz: 5 % and 90 %; "none" has no usage at all.
      table(
        'vCPU',
        ['VM', 'CPUs', 'Max', 'Overall'],
        [
          ['idle', '8', '20,000', '1000'],
          ['busy', '8', '20000', '18000'],
          ['off', '2', '5000', '0'],
        ],
      ),
      table(
        'vMemory',
        ['VM', 'Size MiB', 'Consumed', 'Active'],
        [
          ['idle', '32768', '30000', '3277'],
          ['busy', '32768', '32768', '27853'],
        ],
      ),
      table(
        'vMetaData',
        ['RVTools version', 'xlsx creation datetime'],
        [['4.6.1', '2026-11-02 09:30:00']],
      ),
    ];

    it('reads vCPU, vMemory and vInfo usage as one point in time', () => {
      const { inventory } = parseRvtoolsTables(usageTables(), {
        sourceId: 'fx',
      });
      const byName = new Map(inventory.vms.map(v => [v.name, v]));
      expect(byName.get('idle')!.utilization).toEqual({
        source: 'rvtools',
        from: '2026-11-02T09:30:00.000Z',
        to: '2026-11-02T09:30:00.000Z',
        windowSeconds: 0,
        intervalSeconds: 20,
        samples: 1,
        cpu: { p50: 5, p90: 5, p95: 5, p99: 5, max: 5 },
        memoryActive: { p50: 10, p90: 10, p95: 10, p99: 10, max: 10 },
        memoryConsumed: {
          p50: 91.6,
          p90: 91.6,
          p95: 91.6,
          p99: 91.6,
          max: 91.6,
        },
      });
      expect(byName.get('busy')!.utilization?.cpu?.p95).toBe(90);
      // No vMemory row: vInfo's Active Memory.
      expect(byName.get('info-only')!.utilization).toMatchObject({
        memoryActive: { p95: 25 },
      });
      expect(byName.get('info-only')!.utilization?.cpu).toBeUndefined();
      expect(byName.get('off')!.utilization).toBeUndefined();
      expect(byName.get('none')!.utilization).toBeUndefined();
    });

    it('optimize sizes the idle VM smaller than the busy one once low confidence is accepted', () => {
      const { inventory } = parseRvtoolsTables(usageTables(), {
        sourceId: 'fx',
      });
      const catalog = offlineOffer('fr-par-1')!;
      const [idle, busy] = inventory.vms;
      const accepting = {
        strategy: 'optimize' as const,
        minConfidence: 'low' as const,
      };
      const idleType = sizeVm(idle, catalog, accepting);
      const busyType = sizeVm(busy, catalog, accepting);
      expect(idleType.vcpus!).toBeLessThan(busyType.vcpus!);
      expect(idleType.monthlyPriceEur!).toBeLessThan(busyType.monthlyPriceEur!);
      expect(idleType.confidence).toBe('low');
      expect(idleType.reason).toMatch(
        /utilisation P95 cpu 5% mem 10% at one point in time, 1 sample/,
      );
      // By default one snapshot is too little to shrink a VM on: allocation, and why.
      const byDefault = sizeVm(idle, catalog, { strategy: 'optimize' });
      expect(byDefault.demand).toMatchObject({ vcpus: 8, basis: 'allocated' });
      expect(byDefault.reason).toMatch(/as allocated: .* gives low confidence/);
    });

    it('imports without the usage sheets or columns, and reports a bad usage cell', () => {
      const [vinfo] = usageTables();
      const { inventory } = parseRvtoolsTables(
        [vinfo, table('vCPU', ['VM', 'CPUs'], [['idle', '8']])],
        { sourceId: 'fx' },
      );
      expect(inventory.vms[0].utilization).toBeUndefined();
      const e = parseError([
        vinfo,
        table('vCPU', ['VM', 'Max', 'Overall'], [['idle', '20000', 'lots']]),
      ]);
      expect(e.message).toMatch(/vCPU.*row 2.*Overall.*"lots"/s);
    });
  });

  it('warns, but imports, when vDisk or vNetwork is absent', () => {
    const { inventory, warnings } = parseRvtoolsTables(
      [
        table(
          'vInfo',
          ['VM', 'Powerstate', 'CPUs', 'Memory'],
          [['a', 'poweredOn', '1', '1024']],
        ),
      ],
      { sourceId: 'fx' },
    );
    expect(inventory.vms[0].disks).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining('no vDisk sheet'),
      expect.stringContaining('no vNetwork sheet'),
    ]);
  });

  it('names the sheet and the missing required columns', () => {
    const e = parseError([
      table(
        'vInfo',
        ['VM', 'Powerstate', 'Memory'],
        [['a', 'poweredOn', '1024']],
      ),
      table('vDisk', ['VM', 'Disk'], []),
    ]);
    expect(e.code).toBe('RVTOOLS_COLUMN_MISSING');
    expect(e.issues).toEqual([
      expect.objectContaining({ sheet: 'vInfo', column: 'CPUs' }),
      expect.objectContaining({ sheet: 'vDisk', column: 'Capacity MiB' }),
    ]);
    expect(e.message).toContain(
      'fixture.xlsx, sheet vInfo, row 1, column "CPUs": required column "CPUs" is missing',
    );
  });

  it('lists every bad value with its sheet, row and column', () => {
    const e = parseError([
      table(
        'vInfo',
        ['VM', 'Powerstate', 'CPUs', 'Memory', 'Firmware'],
        [
          ['a', 'poweredOn', 'two', '1024', 'bios'],
          ['b', 'running', '2', '-5', 'uefi'],
          ['', 'poweredOn', '2', '1024', 'pxe'],
        ],
      ),
      table(
        'vDisk',
        ['VM', 'Disk', 'Capacity MiB', 'Disk Mode'],
        [
          ['b', 'Hard disk 1', 'lots', 'persistent'],
          ['zz', 'Hard disk 1', '10', 'persistent'],
          ['b', 'Hard disk 2', '10', 'sometimes'],
        ],
      ),
    ]);
    expect(e.code).toBe('RVTOOLS_BAD_VALUE');
    const where = e.issues.map(i => `${i.sheet}!${i.row}!${i.column}`);
    expect(where).toEqual([
      'vInfo!2!CPUs',
      'vInfo!3!Powerstate',
      'vInfo!3!Memory',
      'vInfo!4!VM',
      'vInfo!4!Firmware',
      'vDisk!2!Capacity MiB',
      'vDisk!3!VM',
      'vDisk!4!Disk Mode',
    ]);
    expect(e.message).toContain(
      'sheet vInfo, row 2, column "CPUs": expected a whole number of vCPUs, at least 1, got "two"',
    );
    expect(e.message).toContain(
      'sheet vDisk, row 3, column "VM": no VM named "zz" in vInfo',
    );
    expect(e.message).toContain('Correct these cells');
  });

  it('asks for the VM ID column when two VMs share a name', () => {
    const e = parseError([
      table(
        'vInfo',
        ['VM', 'Powerstate', 'CPUs', 'Memory', 'Folder'],
        [
          ['web', 'poweredOn', '1', '1024', 'A'],
          ['web', 'poweredOn', '1', '1024', 'B'],
        ],
      ),
    ]);
    expect(e.issues[0]).toMatchObject({
      sheet: 'vInfo',
      row: 3,
      message: expect.stringContaining('appears twice (rows 2 and 3)'),
    });
  });

  it('says that a vInfo sheet is needed', () => {
    const e = parseError([table('vHost', ['Host'], [])]);
    expect(e.code).toBe('RVTOOLS_NOT_FOUND');
    expect(e.message).toContain('no vInfo sheet (sheets found: vHost)');
  });
});

describe('folderPathOf', () => {
  it.each([
    ['DC1', 'Production/Web', '/DC1/Production/Web'],
    ['DC1', '/DC1/vm/Production/Web', '/DC1/Production/Web'],
    ['DC1', '', '/DC1'],
    [undefined, 'Lab', '/Lab'],
    [undefined, undefined, '/'],
  ])('%s + %s -> %s', (dc, folder, expected) => {
    expect(folderPathOf(dc, folder)).toBe(expected);
  });
});

import { inventorySchema, vmSchema, vmTotalDiskBytes } from './model';
import { osFamilyOf } from './guestOs';

const minimalVm = {
  sourceId: 'vc1',
  moref: 'vm-42',
  name: 'web-01',
  powerState: 'poweredOn',
  osFamily: 'linux',
  firmware: 'bios',
  numCpu: 2,
  memoryMiB: 4096,
};

describe('inventory model', () => {
  it('fills defaults a source may not know', () => {
    const vm = vmSchema.parse({
      ...minimalVm,
      disks: [{ key: 2000, label: 'Hard disk 1', capacityBytes: 10 * 2 ** 30 }],
    });
    expect(vm.folderPath).toBe('/');
    expect(vm.disks[0]).toMatchObject({
      diskMode: 'persistent',
      rdm: 'none',
      sharing: 'sharingNone',
    });
    expect(vm.snapshotCount).toBe(0);
    expect(vm.toolsStatus).toBe('unknown');
    expect(vmTotalDiskBytes(vm)).toBe(10 * 2 ** 30);
  });

  it('rejects a VM without vCPU or with an unknown power state, naming the field', () => {
    const res = vmSchema.safeParse({
      ...minimalVm,
      numCpu: 0,
      powerState: 'on',
    });
    expect(res.success).toBe(false);
    const paths = res.success
      ? []
      : res.error.issues.map(i => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['numCpu', 'powerState']));
  });

  it('parses an inventory with its source', () => {
    const inv = inventorySchema.parse({
      source: { kind: 'rvtools', id: 'sample' },
      vms: [minimalVm],
    });
    expect(inv.hosts).toEqual([]);
    expect(inv.vms[0].name).toBe('web-01');
  });
});

describe('osFamilyOf', () => {
  it.each([
    ['windows2019srv_64Guest', undefined, 'windows'],
    ['windows9Server64Guest', undefined, 'windows'],
    ['debian12_64Guest', undefined, 'linux'],
    ['rhel9_64Guest', undefined, 'linux'],
    ['ubuntu64Guest', undefined, 'linux'],
    ['other5xLinux64Guest', undefined, 'linux'],
    ['freebsd13_64Guest', undefined, 'other'],
    [undefined, 'Microsoft Windows Server 2022 (64-bit)', 'windows'],
    [undefined, 'Red Hat Enterprise Linux 8 (64-bit)', 'linux'],
    [undefined, 'Ubuntu Linux (64-bit)', 'linux'],
    [undefined, 'FreeBSD 13 (64-bit)', 'other'],
    ['', '', 'other'],
  ])('%s / %s -> %s', (id, name, family) => {
    expect(osFamilyOf(id, name)).toBe(family);
  });
});

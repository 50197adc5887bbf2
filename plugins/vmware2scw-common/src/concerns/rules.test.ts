import { readFileSync } from 'fs';
import { join } from 'path';
import { findServerType, type ScalewayOffer } from '../offer/ScalewayOffer';
import { offlineOffer } from '../offer/offlineOffer';
import { disk, makeVm } from '../__fixtures__/vms';
import { sizeVm } from '../sizing/sizing';
import type { ConcernContext } from './ConcernRule';
import { describeConcernRules, evaluateConcerns } from './evaluateConcerns';
import { CONCERN_RULES } from './rules';

const catalog = offlineOffer('fr-par-1')!;
const target = (name: string) => ({
  name,
  type: findServerType(catalog, name),
});
const win = {
  osFamily: 'windows' as const,
  guestId: 'windows2019srv_64Guest',
  guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
};
const noWinCatalog: ScalewayOffer = {
  ...catalog,
  zone: 'nl-ams-1',
  serverTypes: catalog.serverTypes.filter(t => !t.name.endsWith('-WIN')),
};

/** For each rule: a context that must trigger it. */
const TRIGGERS: Record<string, () => ConcernContext> = {
  'vmware.disk.rdm.physical': () => ({
    vm: makeVm({
      disks: [disk(2000, 20), disk(2001, 100, { rdm: 'physical' })],
    }),
  }),
  'vmware.disk.rdm.detected': () => ({
    vm: makeVm({
      disks: [disk(2000, 20), disk(2001, 100, { rdm: 'virtual' })],
    }),
  }),
  'vmware.disk_mode.independent': () => ({
    vm: makeVm({
      disks: [disk(2000, 20, { diskMode: 'independent_persistent' })],
    }),
  }),
  'vmware.disk.shared.detected': () => ({
    vm: makeVm({
      disks: [
        disk(2000, 20),
        disk(2001, 50, { sharing: 'sharingMultiWriter' }),
      ],
    }),
  }),
  'vmware.passthrough_device.detected': () => ({
    vm: makeVm({
      specialDevices: [{ kind: 'pci_passthrough', label: 'PCI device 0' }],
    }),
  }),
  'vmware.device.sriov.detected': () => ({
    vm: makeVm({
      nics: [{ label: 'Network adapter 1', network: 'VLAN-9', type: 'sriov' }],
    }),
  }),
  'vmware.usb_controller.detected': () => ({
    vm: makeVm({
      specialDevices: [
        { kind: 'usb_controller', label: 'USB xHCI controller' },
      ],
    }),
  }),
  'vmware.tpm.detected': () => ({ vm: makeVm({ ...win, tpm: true }) }),
  'vmware.secure_boot.enabled': () => ({ vm: makeVm({ secureBoot: true }) }),
  'vmware.cpu_memory.hotplug.enabled': () => ({
    vm: makeVm({ cpuHotAdd: true }),
  }),
  'vmware.snapshot.detected': () => ({ vm: makeVm({ snapshotCount: 2 }) }),
  'vmware.consolidation_needed': () => ({
    vm: makeVm({ consolidationNeeded: true }),
  }),
  'vmware.disk.capacity.invalid': () => ({
    vm: makeVm({ disks: [disk(2000, 20), disk(2001, 0)] }),
  }),
  'vmware.datastore.missing': () => ({
    vm: makeVm({
      disks: [{ key: 2000, label: 'Hard disk 1', capacityBytes: 20e9 }],
    }),
  }),
  'vmware.os.unsupported': () => ({
    vm: makeVm({ osFamily: 'other', guestId: 'freebsd13_64Guest' }),
  }),
  'vmware.os.version.unsupported': () => ({
    vm: makeVm({ guestId: 'debian10Guest' }),
  }),
  'vmware.vm.name.invalid': () => ({ vm: makeVm({ name: 'WEB_Prod 01' }) }),
  'vmware.vm_missing_ip.detected': () => ({ vm: makeVm({ ipAddresses: [] }) }),
  'vmware.tools.not_running': () => ({
    vm: makeVm({ toolsStatus: 'toolsNotRunning' }),
  }),
  'scaleway.disk.too_large': () => ({
    vm: makeVm({ disks: [disk(2000, 20), disk(2001, 2 ** 40 / 1e9)] }),
  }),
  'scaleway.disk.too_small': () => ({
    vm: makeVm({ disks: [disk(2000, 20), disk(2001, 0.5)] }),
  }),
  'scaleway.disk.system.too_small': () => ({
    vm: makeVm({ disks: [disk(2000, 8), disk(2001, 50)] }),
  }),
  'scaleway.disk.count.exceeded': () => ({
    vm: makeVm({
      disks: Array.from({ length: 17 }, (_, i) => disk(2000 + i, 10)),
    }),
  }),
  'scaleway.firmware.bios': () => ({ vm: makeVm({ firmware: 'bios' }) }),
  'scaleway.firmware.bios.windows': () => ({
    vm: makeVm({ ...win, firmware: 'bios' }),
  }),
  'scaleway.firmware.bios.windows.unsupported': () => ({
    vm: makeVm({
      osFamily: 'windows',
      guestId: 'winNetStandardGuest',
      firmware: 'bios',
    }),
  }),
  'scaleway.windows.zone_without_win_types': () => ({
    vm: makeVm(win),
    catalog: noWinCatalog,
  }),
  'scaleway.network.multiple_nics': () => ({
    vm: makeVm({
      nics: [
        { network: 'VLAN-100', type: 'vmxnet3' },
        { network: 'VLAN-200', type: 'vmxnet3' },
      ],
    }),
  }),
  'scaleway.target.none': () => {
    const vm = makeVm({ numCpu: 128, memoryMiB: 1024 * 1024 });
    return {
      vm,
      catalog,
      sizing: sizeVm(vm, catalog, { strategy: 'optimize' }),
    };
  },
  'scaleway.target.unknown': () => ({
    vm: makeVm(),
    catalog,
    target: target('POP2-4C-61G'),
  }),
  'scaleway.windows.target_not_win': () => ({
    vm: makeVm(win),
    catalog,
    target: target('POP2-4C-16G'),
  }),
  'scaleway.target.end_of_service': () => ({
    vm: makeVm(),
    catalog,
    target: target('START1-M'),
  }),
  'scaleway.target.arch': () => ({
    vm: makeVm(),
    catalog,
    target: target('BASIC2-A2C-4G'),
  }),
  'scaleway.target.volume_constraints': () => ({
    vm: makeVm(),
    catalog,
    target: {
      name: 'OLD1-S',
      type: {
        ...findServerType(catalog, 'DEV1-S')!,
        name: 'OLD1-S',
        blockStorage: false,
        localVolumesMinBytes: 20e9,
      },
    },
  }),
  'scaleway.target.shortage': () => ({
    vm: makeVm(),
    catalog,
    target: target('PRO2-M'),
  }),
  'scaleway.target.scarce': () => ({
    vm: makeVm(),
    catalog,
    target: target('COMPUTE3-X12C-24G'),
  }),
  'scaleway.target.undersized': () => ({
    vm: makeVm({ numCpu: 8, memoryMiB: 32768 }),
    catalog,
    target: target('POP2-4C-16G'),
  }),
  'scaleway.target.windows_licence_unused': () => ({
    vm: makeVm(),
    catalog,
    target: target('POP2-4C-16G-WIN'),
  }),
};

describe('concern rules', () => {
  it('every rule has a trigger case in this test', () => {
    expect(Object.keys(TRIGGERS).sort()).toEqual(
      CONCERN_RULES.map(r => r.id).sort(),
    );
  });

  it('a clean VM on a fitting type has no concern', () => {
    const report = evaluateConcerns({
      vm: makeVm(),
      catalog,
      target: target('PRO2-XXS'),
    });
    expect(report.concerns).toEqual([]);
    expect(report.migratable).toBe(true);
  });

  it.each(CONCERN_RULES.map(r => [r.id, r.severity] as const))(
    '%s (%s) triggers on its case',
    (id, severity) => {
      const report = evaluateConcerns(TRIGGERS[id]());
      const found = report.concerns.filter(c => c.ruleId === id);
      expect(found.length).toBeGreaterThan(0);
      expect(found[0].severity).toBe(severity);
      expect(found[0].assessment.length).toBeGreaterThan(10);
      expect(report.migratable).toBe(
        report.concerns.every(c => c.severity !== 'critical'),
      );
      expect(severity !== 'critical' || !report.migratable).toBe(true);
    },
  );

  it('names the disk a per-disk concern is about', () => {
    const report = evaluateConcerns(TRIGGERS['vmware.disk.rdm.physical']());
    expect(report.concerns[0]).toMatchObject({
      subject: 'Hard disk 2',
      severity: 'critical',
    });
  });

  it('reads a 1 TiB disk as above the 1 TB import limit (decimal units)', () => {
    const c = evaluateConcerns(
      TRIGGERS['scaleway.disk.too_large'](),
    ).concerns.find(x => x.ruleId === 'scaleway.disk.too_large');
    expect(c?.assessment).toContain('1099.5 GB');
  });

  it('suggests the type the user probably meant', () => {
    const c = evaluateConcerns(TRIGGERS['scaleway.target.unknown']())
      .concerns[0];
    expect(c.assessment).toContain('did you mean POP2-4C-16G');
  });

  it('judges a target given by name only, as the validate stage knows it, like one with its type', () => {
    const vm = makeVm({ ...win, numCpu: 8, memoryMiB: 32768 });
    const ids = (r: ReturnType<typeof evaluateConcerns>) =>
      r.concerns.map(c => c.ruleId).sort();
    for (const name of [
      'PRO2-M',
      'POP2-4C-16G',
      'START1-M',
      'POP2-8C-32G-WIN',
    ]) {
      const byName = evaluateConcerns({ vm, catalog, target: { name } });
      expect(ids(byName)).toEqual(
        ids(evaluateConcerns({ vm, catalog, target: target(name) })),
      );
    }
    expect(
      ids(evaluateConcerns({ vm, catalog, target: { name: 'PRO2-M' } })),
    ).toContain('scaleway.target.shortage');
    expect(
      evaluateConcerns({ vm, catalog, target: { name: 'POP2-8C-32G-WIN' } })
        .migratable,
    ).toBe(true);
  });

  it('gives no "not offered" verdict without the catalog to look the type up in', () => {
    const r = evaluateConcerns({
      vm: makeVm(),
      target: { name: 'POP2-4C-16G' },
    });
    expect(r.concerns).toEqual([]);
    expect(r.migratable).toBe(true);
  });

  it('proposes an RFC 1123 Instance name', () => {
    const c = evaluateConcerns(TRIGGERS['vmware.vm.name.invalid']())
      .concerns[0];
    expect(c.assessment).toContain('"web-prod-01"');
  });

  it('warns about MBR2GPT limits for older Windows on BIOS', () => {
    const vm = makeVm({
      osFamily: 'windows',
      guestId: 'windows8Server64Guest',
      firmware: 'bios',
    });
    const c = evaluateConcerns({ vm }).concerns.find(
      x => x.ruleId === 'scaleway.firmware.bios.windows',
    );
    expect(c?.assessment).toMatch(
      /MBR2GPT does not convert this Windows version offline/,
    );
  });

  it('skips target rules when no target is known, and tools rules for powered-off VMs', () => {
    const off = makeVm({
      powerState: 'poweredOff',
      toolsStatus: 'toolsNotRunning',
      ipAddresses: [],
    });
    expect(evaluateConcerns({ vm: off }).concerns).toEqual([]);
  });

  it('sorts critical concerns first and counts them', () => {
    const vm = makeVm({
      snapshotCount: 1,
      disks: [disk(2000, 20), disk(2001, 50, { rdm: 'physical' })],
    });
    const r = evaluateConcerns({ vm });
    expect(r.concerns[0].severity).toBe('critical');
    expect(r.counts).toEqual({ critical: 1, warning: 1, info: 0 });
  });

  it('describes the rules as data, with a version', () => {
    const d = describeConcernRules();
    expect(d.rulesVersion).toBeGreaterThanOrEqual(1);
    expect(d.rules[0]).not.toHaveProperty('check');
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('every rule is listed in the package README', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    for (const r of CONCERN_RULES) expect(readme).toContain(`\`${r.id}\``);
  });
});

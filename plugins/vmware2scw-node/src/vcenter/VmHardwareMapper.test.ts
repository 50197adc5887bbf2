import fs from 'node:fs';
import path from 'node:path';
import { parseObjectContents } from './PropertyCollector';
import { parseSoapBody } from './VimXml';
import {
  allocatedBytesByDisk,
  guestIpAddresses,
  mapHardware,
  type NetworkNames,
} from './VmHardwareMapper';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

const networks: NetworkNames = {
  byMoref: v =>
    ({ 'network-11': 'VM Network', 'dvportgroup-30': 'PG-Prod-VLAN120' }[v]),
  byPortgroupKey: k => ({ 'dvportgroup-30': 'PG-Prod-VLAN120' }[k]),
  byOpaqueId: () => undefined,
};

function vmProps(file: string, response: string, moref: string) {
  const body = parseSoapBody(fixture(file));
  const objects = parseObjectContents(
    (body[response] as Record<string, never>).returnval,
  );
  return objects.find(o => o.obj.value === moref)!.props;
}

describe('mapHardware', () => {
  it('maps the recorded vCenter 8 vCLS VM: one thin PVSCSI disk on vSAN, no NIC', () => {
    const p = vmProps(
      'RetrievePropertiesEx-vms-page1.xml',
      'RetrievePropertiesExResponse',
      'vm-19',
    );
    const hw = mapHardware(p['config.hardware'], networks);
    expect(hw.disks).toEqual([
      {
        key: 2000,
        label: 'Hard disk 1',
        capacityBytes: 2147483648,
        thin: true,
        datastore: 'vsanDatastore',
        fileName:
          '[vsanDatastore] 3b307865-804d-7d05-3a9d-0625178fc4c6/vCLS-8f66678f-3d69-4b58-a4c7-bae62203b573.vmdk',
        diskMode: 'persistent',
        rdm: 'none',
        sharing: 'sharingNone',
        controller: {
          type: 'scsi',
          model: 'ParaVirtualSCSIController',
          busNumber: 0,
          unitNumber: 0,
        },
        changeId: undefined,
        allocatedBytes: undefined,
      },
    ]);
    expect(hw.nics).toEqual([]);
    expect(hw.specialDevices).toEqual([]);
    expect(hw.tpm).toBe(false);
  });

  it('maps an RDM in virtual mode with multi-writer sharing, CBT change ids, a vTPM and a DV port group NIC', () => {
    const p = vmProps(
      'RetrievePropertiesEx-vms-page1.xml',
      'RetrievePropertiesExResponse',
      'vm-1001',
    );
    const hw = mapHardware(
      p['config.hardware'],
      networks,
      allocatedBytesByDisk(p.layoutEx),
    );
    const [os, rdm] = hw.disks;
    expect(os).toMatchObject({
      capacityBytes: 107374182400,
      thin: false,
      datastore: 'DS 01 (prod)',
      changeId: '52 de 41 8f 0a 3c 6d 71-1a 2b 3c 4d 5e 6f 70 81/12',
      controller: {
        type: 'scsi',
        model: 'VirtualLsiLogicSASController',
        busNumber: 0,
        unitNumber: 0,
      },
      // base flat + snapshot delta, capped at capacity
      allocatedBytes: 107374182400,
    });
    expect(rdm).toMatchObject({
      rdm: 'virtual',
      diskMode: 'independent_persistent',
      sharing: 'sharingMultiWriter',
      controller: { type: 'scsi', busNumber: 1, unitNumber: 0 },
    });
    expect(rdm.thin).toBeUndefined();
    expect(hw.nics).toEqual([
      {
        label: 'Network adapter 1',
        network: 'PG-Prod-VLAN120',
        type: 'vmxnet3',
        macAddress: '00:50:56:a0:1b:2c',
        connected: true,
      },
    ]);
    expect(hw.tpm).toBe(true);
  });

  it('flags host-bound devices: vGPU, dynamic passthrough, SR-IOV, USB controller and device', () => {
    const p = vmProps(
      'ContinueRetrievePropertiesEx-vms-page2.xml',
      'ContinueRetrievePropertiesExResponse',
      'vm-1002',
    );
    const hw = mapHardware(p['config.hardware'], networks);
    expect(hw.specialDevices).toEqual([
      { kind: 'sriov', label: 'Network adapter 2' },
      { kind: 'vgpu', label: 'PCI device 0' },
      { kind: 'pci_passthrough', label: 'PCI device 1' },
      { kind: 'usb_controller', label: 'USB controller' },
      { kind: 'usb_device', label: 'USB 1' },
    ]);
    expect(hw.nics.map(n => [n.type, n.network, n.connected])).toEqual([
      ['e1000', 'VM Network', false],
      ['sriov', 'PG-Prod-VLAN120', undefined],
    ]);
    // capacityInKB only (old hosts, vcsim 0.24.2), IDE and SATA controllers
    expect(
      hw.disks.map(d => [d.capacityBytes, d.controller?.type, d.diskMode]),
    ).toEqual([
      [42949672960, 'ide', 'independent_nonpersistent'],
      [1073741824, 'sata', 'persistent'],
    ]);
  });

  it('lists guest IPs once, the primary first', () => {
    const p = vmProps(
      'RetrievePropertiesEx-vms-page1.xml',
      'RetrievePropertiesExResponse',
      'vm-1001',
    );
    expect(guestIpAddresses(p['guest.ipAddress'], p['guest.net'])).toEqual([
      '10.120.4.21',
      'fe80::250:56ff:fea0:1b2c',
      '10.120.4.22',
    ]);
    expect(guestIpAddresses(undefined, undefined)).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { vmSchema } from '@internal/plugin-vmware2scw-common';
import { decodeEntityName, InventoryMapper } from './InventoryMapper';
import { parseObjectContents } from './PropertyCollector';
import { parseSoapBody } from './VimXml';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

function objects(file: string, response: string) {
  const body = parseSoapBody(fixture(file));
  return parseObjectContents(
    (body[response] as Record<string, never>).returnval,
  );
}

const graph = objects(
  'RetrievePropertiesEx-graph.xml',
  'RetrievePropertiesExResponse',
);
const page1 = objects(
  'RetrievePropertiesEx-vms-page1.xml',
  'RetrievePropertiesExResponse',
);
const page2 = objects(
  'ContinueRetrievePropertiesEx-vms-page2.xml',
  'ContinueRetrievePropertiesExResponse',
);
const mapper = new InventoryMapper(graph, {
  vcenterId: 'vc-paris',
  customFieldNames: new Map([
    [101, 'owner'],
    [102, 'cost-center'],
  ]),
});

function vm(moref: string) {
  const o = [...page1, ...page2].find(x => x.obj.value === moref)!;
  const r = mapper.mapVm(o);
  if ('skipped' in r) throw new Error(r.skipped);
  return vmSchema.parse(r.vm);
}

describe('InventoryMapper', () => {
  it('places a VM from its parent chain: datacenter, folder path below the vm folder, cluster, host, pool', () => {
    const sql = vm('vm-1001');
    expect(sql).toMatchObject({
      sourceId: 'vc-paris',
      moref: 'vm-1001',
      name: 'sql-prod-01',
      datacenter: 'Paris-DC',
      folderPath: '/Paris-DC/Production/SQL & Data',
      cluster: 'Cluster-A',
      host: 'esx02.lab.example',
      resourcePool: 'Resources',
    });
    expect(vm('vm-19').folderPath).toBe('/Paris-DC/vCLS');
    const legacy = vm('vm-1002');
    expect(legacy.folderPath).toBe('/Paris-DC');
    expect(legacy.cluster).toBeUndefined();
    expect(legacy.host).toBe('esx03.lab.example');
  });

  it('maps the VM facts a migration plan needs', () => {
    const sql = vm('vm-1001');
    expect(sql).toMatchObject({
      instanceUuid: '5030f1e2-d3c4-b5a6-9788-796a5b4c3d2e',
      biosUuid: '4230a1b2-c3d4-e5f6-0718-293a4b5c6d7e',
      powerState: 'poweredOn',
      template: false,
      guestId: 'windows2019srv_64Guest',
      osFamily: 'windows',
      firmware: 'efi',
      secureBoot: true,
      tpm: true,
      numCpu: 8,
      coresPerSocket: 2,
      memoryMiB: 32768,
      snapshotCount: 2,
      consolidationNeeded: true,
      toolsStatus: 'toolsOld',
      cbtEnabled: true,
      cpuHotAdd: true,
      memoryHotAdd: false,
      ipAddresses: ['10.120.4.21', 'fe80::250:56ff:fea0:1b2c', '10.120.4.22'],
      guestHostname: 'sql-prod-01.corp.example',
      customAttributes: { owner: 'team-dba', 'cost-center': 'CC-42' },
      hardwareVersion: 'vmx-19',
    });
    expect(sql.disks).toHaveLength(2);

    const vcls = vm('vm-19');
    expect(vcls).toMatchObject({
      osFamily: 'linux',
      firmware: 'bios',
      toolsStatus: 'toolsOk',
      snapshotCount: 0,
    });

    const legacy = vm('vm-1002');
    expect(legacy).toMatchObject({
      powerState: 'poweredOff',
      toolsStatus: 'toolsNotInstalled',
      osFamily: 'linux',
    });
    expect(legacy.annotation).toBeUndefined();
    expect(legacy.specialDevices.map(d => d.kind)).toContain('vgpu');
  });

  it('shows VM names as typed: vSphere escapes / \\ and % in entity names', () => {
    expect(decodeEntityName('web%2f01 %5c old %25 done %252f')).toBe(
      'web/01 \\ old % done %2f',
    );
    const [sql] = page1.filter(o => o.obj.value === 'vm-1001');
    const renamed = {
      ...sql,
      props: { ...sql.props, name: 'SQL%2fData 50%25' },
    };
    const r = mapper.mapVm(renamed);
    expect('vm' in r && r.vm.name).toBe('SQL/Data 50%');
    // folder names keep their escapes: / separates the path
    expect('vm' in r && r.vm.folderPath).toBe(
      '/Paris-DC/Production/SQL & Data',
    );
  });

  it('leaves out a VM without a readable configuration, saying why', () => {
    const orphan = page2.find(o => o.obj.value === 'vm-1003')!;
    expect(mapper.mapVm(orphan)).toEqual({
      skipped: 'VM lost-on-nfs (vm-1003) has no readable configuration',
    });
  });

  it('maps hosts, clusters, datastores and networks', () => {
    expect(mapper.hosts()).toContainEqual({
      moref: 'host-17',
      name: 'esx02.lab.example',
      datacenter: 'Paris-DC',
      cluster: 'Cluster-A',
      cpuModel: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
      numCpuCores: 64,
      memoryBytes: 549755813888,
      version: '8.0.2',
      connectionState: 'connected',
      inMaintenanceMode: true,
    });
    expect(
      mapper.hosts().find(h => h.moref === 'host-51')?.cluster,
    ).toBeUndefined();
    expect(mapper.clusters()).toEqual([
      {
        moref: 'domain-c8',
        name: 'Cluster-A',
        datacenter: 'Paris-DC',
        hosts: ['esx01.lab.example', 'esx02.lab.example'],
        drsEnabled: true,
        haEnabled: true,
      },
    ]);
    expect(
      mapper.datastores().find(d => d.name === 'DS 01 (prod)'),
    ).toMatchObject({
      type: 'VMFS',
      capacityBytes: 4397778075648,
      freeBytes: 1099511627776,
      datacenter: 'Paris-DC',
    });
    expect(mapper.networks()).toEqual([
      {
        moref: 'network-11',
        name: 'VM Network',
        kind: 'standard',
        vlanId: undefined,
      },
      {
        moref: 'dvportgroup-30',
        name: 'PG-Prod-VLAN120',
        kind: 'distributed',
        vlanId: 120,
      },
      {
        moref: 'dvportgroup-31',
        name: 'DSwitch-DVUplinks-29',
        kind: 'distributed',
        vlanId: undefined,
      },
    ]);
  });

  it('gives the datacenter path with its parent folders, as /folder URLs need it', () => {
    expect(
      mapper.datacenterPath({ type: 'VirtualMachine', value: 'group-v201' }),
    ).toBe('Europe/Paris-DC');
  });
});

import type http from 'node:http';
import { Agent } from 'undici';
import {
  NoPermissionError,
  VcenterConfigError,
  VcenterHttpError,
} from './faults';
import {
  FakeVcenter,
  soapResponse,
  type FakeRoute,
} from './testing/FakeVcenter';
import { vc8Fixture, vc8Handlers } from './testing/Vc8Fixtures';
import { VcenterClient } from './VcenterClient';

/** vAPI tagging routes answering like vCenter's /rest endpoint. */
function taggingRoutes(opts: { failLogin?: boolean } = {}): FakeRoute {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.startsWith('/rest/')) return false;
    const json = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify({ value }));
    };
    const url = new URL(req.url, 'http://x');
    let body = '';
    req.on('data', c => {
      body += c;
    });
    req.on('end', () => {
      if (url.pathname === '/rest/com/vmware/cis/session') {
        const ok =
          req.headers.authorization ===
          `Basic ${Buffer.from('svc@vsphere.local:p4ss').toString('base64')}`;
        if (opts.failLogin || !ok) return json(401);
        return json(200, 'vapi-token');
      }
      if (req.headers['vmware-api-session-id'] !== 'vapi-token')
        return json(401);
      if (url.searchParams.get('~action') === 'list-attached-tags-on-objects') {
        const ids = (JSON.parse(body).object_ids as Array<{ id: string }>).map(
          o => o.id,
        );
        return json(
          200,
          ids.map(id => ({
            object_id: { id, type: 'VirtualMachine' },
            tag_ids:
              id === 'vm-1001'
                ? ['urn:vmomi:InventoryServiceTag:t1:GLOBAL']
                : [],
          })),
        );
      }
      if (
        url.pathname.endsWith(
          '/tagging/tag/id:urn:vmomi:InventoryServiceTag:t1:GLOBAL',
        )
      ) {
        return json(200, {
          id: 't1',
          name: 'team-dba',
          category_id: 'urn:vmomi:InventoryServiceCategory:c1:GLOBAL',
        });
      }
      if (
        url.pathname.endsWith(
          '/tagging/category/id:urn:vmomi:InventoryServiceCategory:c1:GLOBAL',
        )
      ) {
        return json(200, { id: 'c1', name: 'Owner' });
      }
      return json(404);
    });
    return true;
  };
}

describe('VcenterClient (vCenter 8 fixtures)', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  let client: VcenterClient;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });
  afterAll(() => dispatcher.close());

  const connect = (url = fake.origin, logger?: never) =>
    VcenterClient.create({
      url,
      username: 'svc@vsphere.local',
      password: 'p4ss',
      dispatcher,
      allowPlainHttp: true, // FakeVcenter speaks plain HTTP
      logger,
    });

  it('reads a paged inventory (token + Continue) into the model, with tags and custom attributes', async () => {
    fake = await FakeVcenter.start(vc8Handlers(), [taggingRoutes()]);
    client = connect();
    const { inventory, skippedVms, warnings } = await client.readInventory({
      vcenterId: 'vc-paris',
      pageSize: 2,
    });

    expect(inventory.source).toMatchObject({
      kind: 'vcenter',
      id: 'vc-paris',
      name: '127.0.0.1',
      version: '8.0.2.0',
    });
    expect(inventory.vms.map(v => v.moref)).toEqual([
      'vm-19',
      'vm-1001',
      'vm-1002',
    ]);
    expect(skippedVms).toEqual([
      'VM lost-on-nfs (vm-1003) has no readable configuration',
    ]);
    expect(warnings).toHaveLength(1);
    const sql = inventory.vms.find(v => v.name === 'sql-prod-01')!;
    expect(sql.tags).toEqual([{ category: 'Owner', name: 'team-dba' }]);
    expect(sql.customAttributes).toEqual({
      owner: 'team-dba',
      'cost-center': 'CC-42',
    });
    expect(inventory.clusters.map(c => c.name)).toEqual(['Cluster-A']);
    expect(inventory.hosts).toHaveLength(3);
    expect(inventory.datastores).toHaveLength(2);
    expect(inventory.networks).toHaveLength(3);

    expect(fake.calls.map(c => c.method)).toEqual([
      'RetrieveServiceContent',
      'Login',
      'RetrievePropertiesEx', // custom field names
      'CreateContainerView',
      'RetrievePropertiesEx', // parent graph
      'DestroyView',
      'CreateContainerView',
      'RetrievePropertiesEx', // VMs, page 1 with a token
      'ContinueRetrievePropertiesEx', // page 2
      'DestroyView',
    ]);
    expect(client.soapCallCount).toBe(10);
    expect(fake.calls[7].body).toContain('<maxObjects>2</maxObjects>');
    // every call after Login carries the quoted cookie
    expect(new Set(fake.calls.slice(2).map(c => c.cookie))).toEqual(
      new Set([
        'vmware_soap_session="c737032e9fee84b0ba8da187603eaf99a4a5d791"',
      ]),
    );
  });

  it('still returns the inventory when tags cannot be read, with a warning', async () => {
    fake = await FakeVcenter.start(vc8Handlers(), [
      taggingRoutes({ failLogin: true }),
    ]);
    client = connect();
    const { inventory, warnings } = await client.readInventory({
      vcenterId: 'vc-paris',
    });
    expect(inventory.vms).toHaveLength(3);
    expect(inventory.vms.every(v => v.tags.length === 0)).toBe(true);
    expect(warnings.join('\n')).toMatch(
      /vSphere tags could not be read.*HTTP 401/,
    );
  });

  it('logs in again and re-reads everything when the session dies mid-inventory', async () => {
    let first = true;
    fake = await FakeVcenter.start(
      vc8Handlers({
        ContinueRetrievePropertiesEx: () => {
          if (first) {
            first = false;
            return {
              raw: true,
              status: 500,
              body: vc8Fixture('NotAuthenticated.xml'),
            };
          }
          return {
            raw: true,
            body: vc8Fixture('ContinueRetrievePropertiesEx-vms-page2.xml'),
          };
        },
      }),
      [taggingRoutes()],
    );
    client = connect();
    const inv = await client.fetchInventory({
      vcenterId: 'vc-paris',
      includeTags: false,
    });
    expect(inv.vms).toHaveLength(3);
    expect(fake.count('Login')).toBe(2);
  });

  it('never writes the password into logs or errors', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({
        Login: () => ({
          raw: true,
          status: 500,
          body: vc8Fixture('Login-InvalidLogin.xml'),
        }),
      }),
    );
    const lines: string[] = [];
    const log = (...args: unknown[]) => lines.push(JSON.stringify(args));
    const logger = {
      debug: log,
      info: log,
      warn: log,
      error: log,
      child: () => logger,
    } as never;
    client = connect(fake.origin, logger);
    const err = await client.fetchInventory({ vcenterId: 'x' }).catch(e => e);
    expect(err.code).toBe('VCENTER_INVALID_LOGIN');
    const everything = [
      ...lines,
      err.message,
      err.stack,
      err.remediation,
      JSON.stringify(err),
    ].join('\n');
    expect(everything).not.toContain('p4ss');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('follows CBT areas over several QueryChangedDiskAreas calls', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({
        QueryChangedDiskAreas: req => {
          const start = Number(
            /<startOffset>(\d+)<\/startOffset>/.exec(req.body)![1],
          );
          const half = 1024 * 1024;
          return soapResponse(
            'QueryChangedDiskAreas',
            `<returnval><startOffset>${start}</startOffset><length>${half}</length><changedArea><start>${start}</start><length>65536</length></changedArea><changedArea><start>${
              start + 131072
            }</start><length>4096</length></changedArea></returnval>`,
          );
        },
      }),
    );
    client = connect();
    const areas = await client.allChangedDiskAreas(
      'vm-1001',
      'snapshot-1208',
      2000,
      '*',
      2 * 1024 * 1024,
    );
    expect(areas).toEqual([
      { start: 0, length: 65536 },
      { start: 131072, length: 4096 },
      { start: 1048576, length: 65536 },
      { start: 1179648, length: 4096 },
    ]);
    const q = fake.calls.filter(c => c.method === 'QueryChangedDiskAreas');
    expect(q).toHaveLength(2);
    expect(q[0].body).toContain(
      '<_this type="VirtualMachine">vm-1001</_this><snapshot type="VirtualMachineSnapshot">snapshot-1208</snapshot><deviceKey>2000</deviceKey><startOffset>0</startOffset><changeId>*</changeId>',
    );
  });

  it('sets a custom attribute, creating its definition only when missing', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({
        AddCustomFieldDef: () =>
          soapResponse(
            'AddCustomFieldDef',
            '<returnval><key>150</key><name>migrated-to</name><type>string</type><managedObjectType>VirtualMachine</managedObjectType></returnval>',
          ),
        SetField: () => soapResponse('SetField'),
      }),
    );
    client = connect();
    await client.setCustomAttribute('vm-1001', 'owner', 'team-x');
    await client.setCustomAttribute(
      'vm-1001',
      'migrated-to',
      'scaleway fr-par-1',
    );
    const sets = fake.calls
      .filter(c => c.method === 'SetField')
      .map(c => c.body);
    expect(sets[0]).toContain(
      '<entity type="VirtualMachine">vm-1001</entity><key>101</key><value>team-x</value>',
    );
    expect(sets[1]).toContain('<key>150</key><value>scaleway fr-par-1</value>');
    expect(fake.count('AddCustomFieldDef')).toBe(1);
  });

  it('never sets a custom attribute under a guessed key', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({
        AddCustomFieldDef: () =>
          soapResponse(
            'AddCustomFieldDef',
            '<returnval><name>migrated-to</name></returnval>',
          ),
        SetField: () => soapResponse('SetField'),
      }),
    );
    client = connect();
    await expect(
      client.setCustomAttribute('vm-1001', 'migrated-to', 'x'),
    ).rejects.toMatchObject({ code: 'VCENTER_BAD_RESPONSE' });
    expect(fake.count('SetField')).toBe(0);
  });

  it('finds the datacenter path of a VM in a vApp (no parent folder) through its vApp', async () => {
    // moref -> [name, parent, extra props]
    const tree: Record<string, [string, string | undefined, string?]> = {
      'vm-7': [
        'app-01',
        undefined,
        '<propSet><name>parentVApp</name><val type="VirtualApp" xsi:type="ManagedObjectReference">resgroup-v9</val></propSet>',
      ],
      'resgroup-v9': ['shop-vapp', 'ResourcePool:resgroup-8'],
      'resgroup-8': ['Resources', 'ClusterComputeResource:domain-c8'],
      'domain-c8': ['Cluster-A', 'Folder:group-h4'],
      'group-h4': ['host', 'Datacenter:datacenter-3'],
      'datacenter-3': ['Paris DC', 'Folder:group-f1'],
      'group-f1': ['Europe', 'Folder:group-d1'],
      'group-d1': ['Datacenters', undefined],
    };
    fake = await FakeVcenter.start(
      vc8Handlers({
        RetrievePropertiesEx: req => {
          const [, type, id] = /<obj type="(\w+)">([^<]+)<\/obj>/.exec(
            req.body,
          )!;
          const [name, parent, extra] = tree[id];
          const [ptype, pid] = parent?.split(':') ?? [];
          return soapResponse(
            'RetrievePropertiesEx',
            `<returnval><objects><obj type="${type}">${id}</obj><propSet><name>name</name><val xsi:type="xsd:string">${name}</val></propSet>${
              parent
                ? `<propSet><name>parent</name><val type="${ptype}" xsi:type="ManagedObjectReference">${pid}</val></propSet>`
                : ''
            }${extra ?? ''}</objects></returnval>`,
          );
        },
      }),
    );
    client = connect();
    const dcPath = await client.datacenterPath('vm-7');
    expect(dcPath).toBe('Europe/Paris DC');
    expect(
      client.datastoreDownloadUrl({
        fileName: '[Stockage é (prod)] app 01/app 01#1-flat.vmdk',
        datacenterPath: dcPath,
      }),
    ).toBe(
      `${fake.origin}/folder/app%2001/app%2001%231-flat.vmdk?dcPath=Europe/Paris%20DC&dsName=Stockage%20%C3%A9%20(prod)`,
    );
  });

  it('treats powering off an already-off VM as done', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({
        RetrievePropertiesEx: () =>
          soapResponse(
            'RetrievePropertiesEx',
            '<returnval><objects><obj type="VirtualMachine">vm-1002</obj><propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOff</val></propSet></objects></returnval>',
          ),
      }),
    );
    client = connect();
    await expect(client.powerOff('vm-1002')).resolves.toEqual({
      alreadyOff: true,
    });
    expect(fake.count('PowerOffVM_Task')).toBe(0);
  });

  it('downloads /folder URLs with the session cookie and a Range, and only from the vCenter', async () => {
    const data = Buffer.alloc(1000, 7);
    const folder: FakeRoute = (req, res) => {
      if (!req.url?.startsWith('/folder/')) return false;
      const url = new URL(req.url, 'http://x');
      if (!req.headers.cookie?.startsWith('vmware_soap_session="')) {
        res.writeHead(401).end();
      } else if (
        url.pathname !== '/folder/legacy%20app/legacy-app-flat.vmdk' ||
        url.searchParams.get('dsName') !== 'DS 01 (prod)' ||
        url.searchParams.get('dcPath') !== 'Europe/Paris-DC'
      ) {
        res.writeHead(404).end();
      } else {
        res
          .writeHead(206, { 'content-range': 'bytes 10-19/1000' })
          .end(data.subarray(10, 20));
      }
      return true;
    };
    fake = await FakeVcenter.start(vc8Handlers(), [folder]);
    client = connect();
    const url = client.datastoreDownloadUrl({
      fileName: '[DS 01 (prod)] legacy app/legacy-app-flat.vmdk',
      datacenterPath: 'Europe/Paris-DC',
    });
    expect(url).toBe(
      `${fake.origin}/folder/legacy%20app/legacy-app-flat.vmdk?dcPath=Europe/Paris-DC&dsName=DS%2001%20(prod)`,
    );
    const file = await client.openDatastoreFile(url, {
      range: { start: 10, end: 19 },
    });
    expect(file.status).toBe(206);
    expect(Buffer.from(await file.body.arrayBuffer())).toEqual(
      data.subarray(10, 20),
    );

    const missing = await client
      .openDatastoreFile(url.replace('legacy-app-flat', 'nope'))
      .catch(e => e);
    expect(missing).toBeInstanceOf(VcenterHttpError);
    expect(missing.code).toBe('VCENTER_FILE_NOT_FOUND');
    await expect(
      client.openDatastoreFile('https://evil.example/folder/x'),
    ).rejects.toBeInstanceOf(VcenterConfigError);
  });

  it('takes a 403 on a datastore download for a missing privilege, not for a lost session', async () => {
    const folder: FakeRoute = (req, res) => {
      if (!req.url?.startsWith('/folder/')) return false;
      res.writeHead(req.headers.cookie ? 403 : 401).end();
      return true;
    };
    fake = await FakeVcenter.start(vc8Handlers(), [folder]);
    client = connect();
    const url = client.datastoreDownloadUrl({
      fileName: '[DS1] db/db-flat.vmdk',
      datacenterPath: 'DC1',
    });
    const err = await client.openDatastoreFile(url).catch(e => e);
    expect(err).toBeInstanceOf(NoPermissionError);
    expect(err.code).toBe('VCENTER_NO_PERMISSION');
    expect(err.remediation).toMatch(/Browse datastore/);
    expect(fake.count('Login')).toBe(1);
  });

  it('rejects bad options early', () => {
    expect(() =>
      VcenterClient.create({ url: 'vcenter', username: 'u', password: 'p' }),
    ).toThrow(VcenterConfigError);
    expect(() =>
      VcenterClient.create({ url: 'https://vc', username: 'u', password: '' }),
    ).toThrow(/password/);
    expect(() =>
      VcenterClient.create({
        url: 'https://vc',
        username: 'u',
        password: 'p',
        insecure: true,
      }),
    ).toThrow(/thumbprint/);
    // Plain HTTP would send the password in clear: refused unless a test opts in.
    const plain = (() => {
      try {
        VcenterClient.create({
          url: 'http://admin:hunter2@vc.example/sdk',
          username: 'u',
          password: 'p',
        });
      } catch (e) {
        return e as VcenterConfigError;
      }
      return undefined;
    })();
    expect(plain).toBeInstanceOf(VcenterConfigError);
    expect(plain?.code).toBe('VCENTER_PLAIN_HTTP');
    expect(plain?.message).toContain('http://vc.example/sdk');
    expect(`${plain?.message}${plain?.remediation}`).not.toContain('hunter2');
    expect(() =>
      VcenterClient.create({
        url: 'vc.example:443',
        username: '',
        password: 'p',
      }),
    ).toThrow(/No user name or password configured for vCenter/);
    const c = VcenterClient.create({
      url: 'https://vc.example/',
      username: 'u',
      password: 'p',
    });
    expect(c.sdkUrl.href).toBe('https://vc.example/sdk');
    void c.close();
  });
});

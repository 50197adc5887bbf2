import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  AmbiguousSnapshotError,
  InvalidLoginError,
  MethodNotFoundError,
  VcenterTlsError,
} from './faults';
import { flatExtentPath } from './DatastorePath';
import { Vcsim, vcsimDisabled } from './testing/Vcsim';
import { VcenterClient } from './VcenterClient';

/**
 * Integration tests against vcsim 0.24.2 (govmomi's simulator from Debian), started by the tests on a
 * free port. Paths vcsim does not serve (export leases, CBT, paging tokens) are covered against
 * FakeVcenter in NfcLease.test.ts and VcenterClient.test.ts.
 */
const describeVcsim = vcsimDisabled ? describe.skip : describe;
const USER = 'svc-vmware2scw@vsphere.local';
const PASSWORD = 'S3cr3t!<&>"pw';
const PLANTED = 1024 * 1024;

describeVcsim('VcenterClient against vcsim', () => {
  let vcsim: Vcsim;
  let client: VcenterClient;

  beforeAll(async () => {
    vcsim = await Vcsim.start({
      stage: true,
      username: USER,
      password: PASSWORD,
      plant: [`LocalDS_0:DC0_H0_VM0/disk1-flat.vmdk=${PLANTED}`],
      countCalls: true,
    });
    client = VcenterClient.create({
      url: vcsim.url,
      username: USER,
      password: PASSWORD,
      insecure: true,
      thumbprintSha256: vcsim.info.thumbprintSha256,
    });
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await vcsim?.stop();
  });

  it('logs in and out with the session cookie', async () => {
    await client.login();
    expect((await client.downloadHeaders()).cookie).toMatch(
      /^vmware_soap_session=/,
    );
    expect((await client.about()).apiVersion).toBe('6.5');
    await client.logout();
  });

  it('refuses a bad password with InvalidLoginError and never repeats it', async () => {
    const bad = VcenterClient.create({
      url: vcsim.url,
      username: USER,
      password: 'not-the-Passw0rd',
      insecure: true,
      thumbprintSha256: vcsim.info.thumbprintSha256,
    });
    const err = await bad.login().catch(e => e);
    await bad.close();
    expect(err).toBeInstanceOf(InvalidLoginError);
    expect(err.vcenterMessage).toBe('Login failure');
    expect(`${err.message}${err.stack}`).not.toContain('not-the-Passw0rd');
  });

  it("reads running VMs' utilisation from vcsim's PerformanceManager in bounded round trips", async () => {
    const before = client.soapCallCount;
    const { inventory, warnings } = await client.readInventory({
      vcenterId: 'vcsim',
      includeTags: false,
      utilisation: { batchSize: 1 },
    });
    const calls = client.soapCallCount - before;
    const running = inventory.vms.filter(
      v => v.powerState === 'poweredOn' && !v.template,
    );
    expect(running.length).toBeGreaterThanOrEqual(2);
    // vcsim's VM metrics (QueryAvailablePerfMetric) leave out disk.usage: said, and the rest read.
    expect(warnings).toEqual([
      expect.stringMatching(
        /^vCenter statistics at the 7200-second interval lack disk.usage.average: raise the statistics level/,
      ),
    ]);
    // The inventory's calls (at most 10), then one property read, one QueryAvailablePerfMetric and
    // one QueryPerf per running VM (batches of 1 here).
    expect(calls).toBeLessThanOrEqual(10 + 2 + running.length);
    for (const vm of running) {
      // vcsim lists no historical intervals: vCenter's defaults, 30 days every 2 hours.
      expect(vm.utilization).toMatchObject({
        source: 'vcenter',
        intervalSeconds: 7200,
        samples: 360,
        windowSeconds: 30 * 86400,
      });
      // vcsim's recorded cpu.usage.average series: a few percent, never idle for a whole month.
      const cpu = vm.utilization!.cpu!;
      expect(cpu.p95).toBeGreaterThan(0);
      expect(cpu.p95).toBeLessThan(100);
      expect(cpu.p50).toBeLessThanOrEqual(cpu.p95);
      expect(cpu.p95).toBeLessThanOrEqual(cpu.max);
      expect(vm.utilization!.memoryActive).toBeDefined();
      expect(vm.utilization!.diskBytesPerSec).toBeUndefined();
      expect(vm.utilization!.networkBytesPerSec!.max).toBeGreaterThan(0);
    }
    for (const vm of inventory.vms.filter(v => v.powerState !== 'poweredOn'))
      expect(vm.utilization).toBeUndefined();
    // Without the option, no statistics are read.
    const plain = await client.readInventory({
      vcenterId: 'vcsim',
      includeTags: false,
    });
    expect(plain.inventory.vms.every(v => !v.utilization)).toBe(true);
  });

  it('reads the whole inventory, mapping every staged feature', async () => {
    const staged = vcsim.info.staged!;
    const before = client.soapCallCount;
    const { inventory, skippedVms } = await client.readInventory({
      vcenterId: 'vcsim',
    });
    expect(skippedVms).toEqual([]);
    expect(inventory.vms).toHaveLength(vcsim.info.vms);
    // login, content, custom fields, 2 x (view, retrieve, destroy): no paging on vcsim 0.24.2
    expect(client.soapCallCount - before).toBeLessThanOrEqual(10);

    const rich = inventory.vms.find(v => v.moref === staged.richVm)!;
    expect(rich).toMatchObject({
      name: staged.richVmName,
      folderPath: staged.folderPath,
      datacenter: 'DC0',
      host: 'DC0_H0',
      powerState: 'poweredOn',
      guestId: 'rhel7_64Guest',
      osFamily: 'linux',
      firmware: 'efi',
      secureBoot: true,
      tpm: true,
      numCpu: 4,
      coresPerSocket: 2,
      memoryMiB: 8192,
      cbtEnabled: true,
      cpuHotAdd: true,
      memoryHotAdd: true,
      snapshotCount: 1,
      ipAddresses: ['10.20.30.40'],
      guestHostname: 'web-01.example.internal',
      customAttributes: { [staged.customField]: staged.customValue },
      tags: [{ category: staged.tagCategory, name: staged.tagName }],
      annotation: 'staged by the vmware2scw vcsim launcher',
    });
    expect(rich.cluster).toBeUndefined(); // standalone host
    const rdm = rich.disks.find(d => d.rdm !== 'none')!;
    expect(rdm).toMatchObject({
      rdm: 'physical',
      diskMode: 'independent_persistent',
      capacityBytes: 20 * 2 ** 30,
    });
    const shared = rich.disks.find(d => d.sharing === 'sharingMultiWriter')!;
    expect(shared).toMatchObject({
      thin: false,
      diskMode: 'independent_persistent',
      capacityBytes: 2 * 2 ** 30,
    });
    const boot = rich.disks.find(
      d => d.fileName === '[LocalDS_0] DC0_H0_VM0/disk1.vmdk',
    )!;
    // vcsim 0.24.2 reports capacityInKB only
    expect(boot).toMatchObject({
      capacityBytes: 1024 * 1024,
      datastore: 'LocalDS_0',
      controller: { type: 'scsi' },
    });
    expect(rich.nics.map(n => [n.type, n.network])).toEqual([
      ['e1000', 'DC0_DVPG0'],
      ['e1000e', 'VM Network'],
    ]);
    expect(rich.specialDevices.map(d => d.kind).sort()).toEqual([
      'pci_passthrough',
      'usb_controller',
    ]);

    expect(
      inventory.vms.find(v => v.moref === staged.poweredOffVm)?.powerState,
    ).toBe('poweredOff');
    expect(
      inventory.vms.find(v => v.moref === staged.templateVm)?.template,
    ).toBe(true);
    // (the staged template is DC0_C0_RP0_VM0: templates have no resource pool)
    const clustered = inventory.vms.find(v => v.name === 'DC0_C0_RP0_VM1')!;
    expect(clustered).toMatchObject({
      cluster: 'DC0_C0',
      folderPath: '/DC0',
      resourcePool: 'Resources',
    });

    expect(inventory.clusters).toEqual([
      expect.objectContaining({
        name: 'DC0_C0',
        datacenter: 'DC0',
        hosts: ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2'],
      }),
    ]);
    expect(inventory.hosts).toHaveLength(4);
    expect(inventory.datastores).toEqual([
      expect.objectContaining({ name: 'LocalDS_0', datacenter: 'DC0' }),
    ]);
    expect(inventory.networks.map(n => n.name)).toEqual(
      expect.arrayContaining(['VM Network', 'DC0_DVPG0']),
    );
  });

  it('creates, finds and removes a snapshot by name', async () => {
    const vm = vcsim.info.staged!.poweredOffVm;
    const name = 'vmware2scw-migration-42';
    expect(await client.findSnapshot(vm, name)).toBeUndefined();
    const created = await client.createSnapshot(vm, name, {
      description: 'before migration',
    });
    expect(created).toMatchObject({
      name,
      description: 'before migration',
      current: true,
    });
    expect(created.snapshot.type).toBe('VirtualMachineSnapshot');
    expect((await client.findSnapshot(vm, name))?.snapshot).toEqual(
      created.snapshot,
    );

    const disks = await client.snapshotDisks(created.snapshot);
    expect(disks.map(d => d.key)).toContain(
      (
        await client.fetchInventory({ vcenterId: 'x', includeTags: false })
      ).vms.find(v => v.moref === vm)!.disks[0].key,
    );

    await client.removeSnapshot(created.snapshot);
    expect(await client.findSnapshot(vm, name)).toBeUndefined();
  });

  it('refuses to pick between two snapshots of the same name', async () => {
    const vm = vcsim.info.staged!.poweredOffVm;
    const before = (await vcsim.calls()).CreateSnapshot_Task ?? 0;
    const a = await client.createSnapshot(vm, 'dup');
    const b = await client.createSnapshot(vm, 'dup');
    // The launcher counts calls (what the end-to-end tests use to tell a side effect was done once).
    expect((await vcsim.calls()).CreateSnapshot_Task).toBe(before + 2);
    await expect(client.findSnapshot(vm, 'dup')).rejects.toBeInstanceOf(
      AmbiguousSnapshotError,
    );
    await client.removeSnapshot(b.snapshot);
    await client.removeSnapshot(a.snapshot);
  });

  it('downloads a planted datastore file over /folder with Range, using the session cookie', async () => {
    const vm = vcsim.info.staged!.richVm;
    const inventory = await client.fetchInventory({
      vcenterId: 'vcsim',
      includeTags: false,
    });
    const disk = inventory.vms
      .find(v => v.moref === vm)!
      .disks.find(d => d.fileName?.endsWith('disk1.vmdk'))!;
    const datacenterPath = await client.datacenterPath(vm);
    expect(datacenterPath).toBe('DC0');

    const url = client.datastoreDownloadUrl({
      fileName: flatExtentPath(disk.fileName!),
      datacenterPath,
    });
    expect(url).toBe(
      `${
        new URL(vcsim.url).origin
      }/folder/DC0_H0_VM0/disk1-flat.vmdk?dcPath=DC0&dsName=LocalDS_0`,
    );

    const file = await client.openDatastoreFile(url, {
      range: { start: 1000, end: 1999 },
    });
    expect(file.status).toBe(206);
    expect(file.headers['content-range']).toBe(`bytes 1000-1999/${PLANTED}`);
    const bytes = Buffer.from(await file.body.arrayBuffer());
    expect(bytes).toHaveLength(1000);
    expect([...bytes].every((b, i) => b === (1000 + i) % 251)).toBe(true);

    const whole = await client.openDatastoreFile(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.body.arrayBuffer())).toHaveLength(PLANTED);

    await expect(
      client.openDatastoreFile(url.replace('dcPath=DC0', 'dcPath=DC9')),
    ).rejects.toMatchObject({ code: 'VCENTER_FILE_NOT_FOUND' });
  });

  it('marks a migrated VM with a custom attribute and a tag, then powers it off (twice)', async () => {
    const vm = vcsim.info.staged!.richVm;
    await client.setCustomAttribute(
      vm,
      'vmware2scw.migrated-to',
      'fr-par-1/srv-1234',
    );
    await client.tagVm(vm, { category: 'vmware2scw', name: 'migrated' });
    await client.tagVm(vm, { category: 'vmware2scw', name: 'migrated' });
    const after = (
      await client.fetchInventory({ vcenterId: 'vcsim' })
    ).vms.find(v => v.moref === vm)!;
    expect(after.customAttributes['vmware2scw.migrated-to']).toBe(
      'fr-par-1/srv-1234',
    );
    expect(after.tags).toEqual(
      expect.arrayContaining([{ category: 'vmware2scw', name: 'migrated' }]),
    );

    await expect(client.powerOff(vm)).resolves.toEqual({ alreadyOff: false });
    await expect(client.powerOff(vm)).resolves.toEqual({ alreadyOff: true });
  });

  it('says plainly what vcsim 0.24.2 does not implement', async () => {
    const err = await client
      .exportVm(vcsim.info.staged!.poweredOffVm)
      .catch(e => e);
    expect(err).toBeInstanceOf(MethodNotFoundError);
    expect(err.code).toBe('VCENTER_METHOD_NOT_SUPPORTED');
  });

  it('verifies TLS: pinned thumbprint, configured CA, and refusals', async () => {
    const attempt = async (opts: {
      insecure?: boolean;
      thumbprintSha256?: string;
      ca?: string;
    }) => {
      const c = VcenterClient.create({
        url: vcsim.url,
        username: USER,
        password: PASSWORD,
        ...opts,
      });
      try {
        await c.login();
        return 'ok';
      } finally {
        await c.close().catch(() => undefined);
      }
    };
    await expect(attempt({ ca: vcsim.info.certPem })).resolves.toBe('ok');
    const untrusted = await attempt({}).catch(e => e);
    expect(untrusted).toBeInstanceOf(VcenterTlsError);
    expect(untrusted.code).toBe('VCENTER_TLS_UNTRUSTED');
    const wrong = vcsim.info.thumbprintSha256.replace(
      /^../,
      vcsim.info.thumbprintSha256.startsWith('00') ? '11' : '00',
    );
    const pinned = await attempt({
      insecure: true,
      thumbprintSha256: wrong,
    }).catch(e => e);
    expect(pinned).toBeInstanceOf(VcenterTlsError);
    expect(pinned.code).toBe('VCENTER_TLS_THUMBPRINT_MISMATCH');
  });
});

describeVcsim(
  'VcenterClient against a larger vcsim with expiring sessions',
  () => {
    let vcsim: Vcsim;
    beforeAll(async () => {
      // 2 datacenters x (1 standalone host + 2 clusters) x 25 VMs = 150 VMs; sessions expire after 1 s idle.
      vcsim = await Vcsim.start({
        datacenters: 2,
        clustersPerDatacenter: 2,
        hostsPerCluster: 2,
        vmsPerHost: 25,
        idleTimeout: '1s',
      });
    }, 240_000);
    afterAll(() => vcsim?.stop());

    it('reads every VM of every datacenter although vcsim ignores maxObjects (no token)', async () => {
      const client = VcenterClient.create({
        url: vcsim.url,
        username: 'u',
        password: 'p',
        ca: vcsim.info.certPem,
      });
      try {
        const inv = await client.fetchInventory({
          vcenterId: 'big',
          pageSize: 20,
          includeTags: false,
        });
        expect(inv.vms).toHaveLength(150);
        expect(new Set(inv.vms.map(v => v.datacenter))).toEqual(
          new Set(['DC0', 'DC1']),
        );
        expect(new Set(inv.vms.map(v => v.moref)).size).toBe(150);
        expect(inv.clusters).toHaveLength(4);
      } finally {
        await client.close();
      }
    });

    it('logs in again by itself after the session expired', async () => {
      const info: string[] = [];
      const logger = {
        info: (m: string) => info.push(m),
        debug: () => {},
        warn: () => {},
        error: () => {},
        child: () => logger,
      } as unknown as LoggerService;
      const client = VcenterClient.create({
        url: vcsim.url,
        username: 'u',
        password: 'p',
        ca: vcsim.info.certPem,
        logger,
      });
      try {
        await client.fetchInventory({ vcenterId: 'big', includeTags: false });
        await new Promise(r => setTimeout(r, 2_500));
        const inv = await client.fetchInventory({
          vcenterId: 'big',
          includeTags: false,
        });
        expect(inv.vms).toHaveLength(150);
        expect(info.filter(m => m.startsWith('Logged in'))).toHaveLength(2);
        expect(
          info.some(m => /session lost \(NotAuthenticated\)/.test(m)),
        ).toBe(true);
      } finally {
        await client.close();
      }
    }, 30_000);
  },
);

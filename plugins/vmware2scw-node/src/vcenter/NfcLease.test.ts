import { Agent } from 'undici';
import {
  InvalidPowerStateError,
  InvalidStateError,
  NfcLeaseError,
} from './faults';
import { resolveDeviceUrl } from './NfcLease';
import {
  FakeVcenter,
  soapFault,
  soapResponse,
  type FakeRequest,
} from './testing/FakeVcenter';
import { vc8Fixture, vc8Handlers } from './testing/Vc8Fixtures';
import { VcenterClient } from './VcenterClient';

const LEASE =
  'session[52b6e8f1-4c0a-7d3e-91a2-6f0c3d5e8b47]52a3bf2e-6d3c-2b7a-1f0e-9d8c7b6a5f4e';

/** Handlers for an export whose lease initializes, becomes ready, and expects keep-alives. */
function exportHandlers(
  opts: { leaseTimeoutSec?: number; failWith?: string } = {},
) {
  let stateCalls = 0;
  const progress: Array<{ at: number; percent: number }> = [];
  const handlers = vc8Handlers({
    ExportVm: () =>
      soapResponse(
        'ExportVm',
        `<returnval type="HttpNfcLease">${LEASE}</returnval>`,
      ),
    ExportSnapshot: () =>
      soapResponse(
        'ExportSnapshot',
        `<returnval type="HttpNfcLease">${LEASE}</returnval>`,
      ),
    RetrievePropertiesEx: (req: FakeRequest) => {
      if (req.body.includes('<pathSet>state</pathSet>')) {
        stateCalls++;
        if (opts.failWith) {
          return soapResponse(
            'RetrievePropertiesEx',
            `<returnval><objects><obj type="HttpNfcLease">${LEASE}</obj><propSet><name>state</name><val xsi:type="HttpNfcLeaseState">error</val></propSet><propSet><name>error</name><val xsi:type="LocalizedMethodFault"><fault xsi:type="SystemError"><reason>${opts.failWith}</reason></fault><localizedMessage>A general system error occurred: ${opts.failWith}</localizedMessage></val></propSet></objects></returnval>`,
          );
        }
        return {
          raw: true,
          body: vc8Fixture(
            stateCalls < 2
              ? 'HttpNfcLease-initializing.xml'
              : 'HttpNfcLease-ready.xml',
          ),
        };
      }
      const info = vc8Fixture('HttpNfcLease-info.xml');
      return {
        raw: true,
        body: info.replace(
          '<leaseTimeout>300</leaseTimeout>',
          `<leaseTimeout>${opts.leaseTimeoutSec ?? 300}</leaseTimeout>`,
        ),
      };
    },
    HttpNfcLeaseProgress: req => {
      progress.push({
        at: Date.now(),
        percent: Number(/<percent>(\d+)<\/percent>/.exec(req.body)![1]),
      });
      return soapResponse('HttpNfcLeaseProgress');
    },
    HttpNfcLeaseComplete: () => soapResponse('HttpNfcLeaseComplete'),
    HttpNfcLeaseAbort: () => soapResponse('HttpNfcLeaseAbort'),
    HttpNfcLeaseGetManifest: () =>
      soapResponse(
        'HttpNfcLeaseGetManifest',
        '<returnval><key>/vm-1002/VirtualIDEController0:0</key><sha1>1f0e</sha1><size>401604608</size><disk>true</disk><capacity>42949672960</capacity><populatedSize>3221225472</populatedSize></returnval>',
      ),
  });
  return { handlers, progress };
}

describe('NfcLease', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  let client: VcenterClient;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });
  afterAll(() => dispatcher.close());
  const connect = () =>
    VcenterClient.create({
      url: fake.origin,
      username: 'u',
      password: 'p',
      dispatcher,
      allowPlainHttp: true, // FakeVcenter speaks plain HTTP
    });

  it('replaces the * host of device URLs with the vCenter host', () => {
    expect(
      resolveDeviceUrl('https://*/nfc/52a3/disk-0.vmdk', 'vc.example:8443'),
    ).toBe('https://vc.example:8443/nfc/52a3/disk-0.vmdk');
    expect(resolveDeviceUrl('https://*:443/nfc/x', 'vc.example:8443')).toBe(
      'https://vc.example:443/nfc/x',
    );
    expect(
      resolveDeviceUrl('https://esx03.lab.example/nfc/x', 'vc.example'),
    ).toBe('https://esx03.lab.example/nfc/x');
  });

  it('waits for the lease, exposes its files, keeps it alive within the timeout and completes it', async () => {
    const { handlers, progress } = exportHandlers({ leaseTimeoutSec: 1 });
    fake = await FakeVcenter.start(handlers);
    client = connect();
    const lease = await client.exportVm('vm-1002');
    const host = new URL(fake.origin).host;
    expect(lease.deviceUrls.map(d => [d.url, d.disk, d.fileSize])).toEqual([
      [
        `https://${host}/nfc/52a3bf2e-6d3c-2b7a-1f0e-9d8c7b6a5f4e/disk-0.vmdk`,
        true,
        undefined,
      ],
      [
        'https://esx03.lab.example/nfc/52a3bf2e-6d3c-2b7a-1f0e-9d8c7b6a5f4e/disk-1.vmdk',
        true,
        undefined,
      ],
      [
        `https://${host}/nfc/52a3bf2e-6d3c-2b7a-1f0e-9d8c7b6a5f4e/nvram`,
        false,
        8684,
      ],
    ]);
    expect(lease.deviceUrls[0].sslThumbprint).toBe(
      '9A:0B:7C:1D:2E:3F:40:51:62:73:84:95:A6:B7:C8:D9:EA:FB:0C:1D',
    );
    expect(lease.totalDiskCapacityBytes).toBe(42991616 * 1024);
    expect(lease.entity).toEqual({ type: 'VirtualMachine', value: 'vm-1002' });
    expect(await lease.manifest()).toEqual([
      expect.objectContaining({
        key: '/vm-1002/VirtualIDEController0:0',
        size: 401604608,
        populatedSize: 3221225472,
      }),
    ]);

    const opened = Date.now();
    lease.setProgress(55);
    await new Promise(r => setTimeout(r, 1_300));
    await lease.complete();
    const afterComplete = progress.length;
    await new Promise(r => setTimeout(r, 400));

    // a 1 s lease is renewed every 250 ms: never a gap near the timeout
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const times = [opened, ...progress.map(p => p.at)];
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.max(...gaps)).toBeLessThan(1_000);
    expect(progress.every(p => p.percent === 55)).toBe(true);
    expect(progress.length).toBe(afterComplete);
    expect(fake.count('HttpNfcLeaseComplete')).toBe(1);
    await lease.abort(); // no-op after complete
    expect(fake.count('HttpNfcLeaseAbort')).toBe(0);
  });

  it('logs in again when the session expires under the keep-alive, and keeps the lease', async () => {
    const { handlers, progress } = exportHandlers({ leaseTimeoutSec: 1 });
    const renewed: Array<string | undefined> = [];
    fake = await FakeVcenter.start({
      ...handlers,
      // The first session expires once the lease is open: vCenter answers NotAuthenticated.
      HttpNfcLeaseProgress: req => {
        if (req.cookie?.endsWith('1"')) {
          return {
            raw: true,
            status: 500,
            body: vc8Fixture('NotAuthenticated.xml'),
          };
        }
        renewed.push(req.cookie);
        return handlers.HttpNfcLeaseProgress(req);
      },
    });
    client = connect();
    const lease = await client.exportVm('vm-1002');
    await new Promise(r => setTimeout(r, 800));
    expect(fake.count('Login')).toBe(2);
    expect(lease.error).toBeUndefined();
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(new Set(renewed).size).toBe(1);
    await lease.complete();
    expect(fake.count('HttpNfcLeaseComplete')).toBe(1);
    expect(fake.count('HttpNfcLeaseAbort')).toBe(0);
  });

  it('never sends a keep-alive while the previous one is still waiting for its answer', async () => {
    const { handlers } = exportHandlers({ leaseTimeoutSec: 1 });
    let inFlight = 0;
    let most = 0;
    fake = await FakeVcenter.start({
      ...handlers,
      HttpNfcLeaseProgress: async req => {
        most = Math.max(most, ++inFlight);
        // Slower than the 250 ms keep-alive period of a 1 s lease.
        await new Promise(r => setTimeout(r, 600));
        inFlight--;
        return handlers.HttpNfcLeaseProgress(req);
      },
    });
    client = connect();
    const lease = await client.exportVm('vm-1002');
    await new Promise(r => setTimeout(r, 1_500));
    await lease.complete();
    expect(lease.keepAliveCount).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
  });

  it('aborts the lease when the transfer fails, and completes it when it succeeds', async () => {
    const { handlers } = exportHandlers();
    fake = await FakeVcenter.start(handlers);
    client = connect();
    await expect(
      client.withExportLease({ snapshot: 'snapshot-1208' }, async () => {
        throw new Error('disk write failed');
      }),
    ).rejects.toThrow('disk write failed');
    expect(fake.count('HttpNfcLeaseAbort')).toBe(1);
    expect(fake.calls.find(c => c.method === 'ExportSnapshot')!.body).toContain(
      '<_this type="VirtualMachineSnapshot">snapshot-1208</_this>',
    );

    const n = await client.withExportLease(
      { vm: 'vm-1002' },
      async lease => lease.deviceUrls.length,
    );
    expect(n).toBe(3);
    expect(fake.count('HttpNfcLeaseComplete')).toBe(1);
  });

  it('aborts the lease when vCenter refuses to complete it, rather than leaving it to block the VM', async () => {
    const { handlers } = exportHandlers();
    fake = await FakeVcenter.start({
      ...handlers,
      HttpNfcLeaseComplete: () =>
        soapFault('InvalidState', 'The lease is not in the ready state.'),
    });
    client = connect();
    const err = await client
      .withExportLease({ vm: 'vm-1002' }, async () => 'copied')
      .catch(e => e);
    expect(err).toBeInstanceOf(InvalidStateError);
    expect(fake.count('HttpNfcLeaseAbort')).toBe(1);
  });

  it('ends a lease that failed before the caller got it', async () => {
    const { handlers } = exportHandlers();
    fake = await FakeVcenter.start({
      ...handlers,
      RetrievePropertiesEx: req =>
        req.body.includes('<pathSet>info</pathSet>')
          ? soapFault('SystemError', 'vpxd is restarting')
          : handlers.RetrievePropertiesEx(req),
    });
    client = connect();
    const err = await client.exportVm('vm-1002').catch(e => e);
    expect(err.vcenterMessage).toBe('vpxd is restarting');
    expect(fake.count('HttpNfcLeaseAbort')).toBe(1);
    expect(fake.count('HttpNfcLeaseProgress')).toBe(0);
  });

  it('reports a lease that went to error with vCenter words', async () => {
    const { handlers } = exportHandlers({
      failWith: 'Host esx03 disconnected',
    });
    fake = await FakeVcenter.start(handlers);
    client = connect();
    const err = await client.exportVm('vm-1002').catch(e => e);
    expect(err).toBeInstanceOf(NfcLeaseError);
    expect(err.message).toMatch(
      /Export lease .* failed.*Host esx03 disconnected/,
    );
  });

  it('raises InvalidPowerState when ExportVm is asked for a running VM', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({
        ExportVm: () =>
          soapFault(
            'InvalidPowerState',
            'The attempted operation cannot be performed in the current state (Powered on).',
            '<requestedState>poweredOff</requestedState><existingState>poweredOn</existingState>',
          ),
      }),
    );
    client = connect();
    const err = await client.exportVm('vm-1001').catch(e => e);
    expect(err).toBeInstanceOf(InvalidPowerStateError);
    expect(err.existingState).toBe('poweredOn');
  });
});

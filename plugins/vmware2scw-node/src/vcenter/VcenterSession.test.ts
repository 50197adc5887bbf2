import fs from 'node:fs';
import path from 'node:path';
import { Agent } from 'undici';
import {
  InvalidLoginError,
  NotAuthenticatedError,
  VcenterAbortedError,
} from './faults';
import { SoapTransport } from './SoapTransport';
import {
  FakeVcenter,
  soapResponse,
  type FakeRequest,
} from './testing/FakeVcenter';
import { VcenterSession } from './VcenterSession';
import { xml } from './VimXml';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

describe('VcenterSession', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  let sessions = 0;
  afterEach(() => fake?.close());
  afterAll(() => dispatcher.close());

  const handlers = (
    extra: Record<string, (r: FakeRequest) => unknown> = {},
  ) => ({
    RetrieveServiceContent: () => ({
      raw: true,
      body: fixture('RetrieveServiceContent.xml'),
    }),
    Login: (r: FakeRequest) => {
      if (!r.body.includes('<password>p&amp;ss</password>')) {
        return {
          raw: true,
          status: 500,
          body: fixture('Login-InvalidLogin.xml'),
        };
      }
      sessions++;
      return {
        raw: true,
        body: fixture('Login.xml'),
        headers: {
          'set-cookie': `vmware_soap_session="s${sessions}"; Path=/; HttpOnly; Secure;`,
        },
      };
    },
    Logout: () => soapResponse('Logout'),
    ...extra,
  });

  const session = (password = 'p&ss') =>
    new VcenterSession(
      new SoapTransport({ sdkUrl: new URL(fake.sdkUrl), dispatcher }),
      { username: 'svc', password },
    );

  it('logs in with the escaped password and switches to the server API version', async () => {
    fake = await FakeVcenter.start(handlers() as never);
    const s = session();
    const user = await s.login();
    expect(user.userName).toBe('VSPHERE.LOCAL\\svc-vmware2scw');
    expect(fake.calls.map(c => [c.method, c.soapAction])).toEqual([
      ['RetrieveServiceContent', '"urn:vim25/6.5"'],
      ['Login', '"urn:vim25/8.0.2.0"'],
    ]);
    await s.logout();
    expect(fake.calls[2]).toMatchObject({
      method: 'Logout',
      cookie: 'vmware_soap_session="s1"',
    });
  });

  it('fails with InvalidLoginError on a bad password, and never shows the password', async () => {
    fake = await FakeVcenter.start(handlers() as never);
    const err = await session('wrong-Pa55')
      .login()
      .catch(e => e);
    expect(err).toBeInstanceOf(InvalidLoginError);
    expect(`${err.message} ${err.stack}`).not.toContain('wrong-Pa55');
    expect(JSON.stringify(session('wrong-Pa55'))).not.toContain('wrong-Pa55');
  });

  it('logs in again once when the session was lost, and re-runs the operation', async () => {
    let calls = 0;
    fake = await FakeVcenter.start(
      handlers({
        CurrentTime: r => {
          calls++;
          // The first session "expires" after one call.
          if (r.cookie === 'vmware_soap_session="s1"' && calls > 1) {
            return {
              raw: true,
              status: 500,
              body: fixture('NotAuthenticated.xml'),
            };
          }
          return soapResponse(
            'CurrentTime',
            '<returnval>2026-11-20T09:00:00Z</returnval>',
          );
        },
      }) as never,
    );
    sessions = 0;
    const s = session();
    const soap = (s as unknown as { soap: SoapTransport }).soap;
    const op = () =>
      s.run(() =>
        soap.call(
          'CurrentTime',
          xml`<_this type="ServiceInstance">ServiceInstance</_this>`,
        ),
      );
    await op();
    await op();
    expect(fake.calls.map(c => c.method)).toEqual([
      'RetrieveServiceContent',
      'Login',
      'CurrentTime',
      'CurrentTime',
      'Login',
      'CurrentTime',
    ]);
    expect(fake.calls[5].cookie).toBe('vmware_soap_session="s2"');
  });

  it('shares one Login between concurrent callers and gives up after one retry', async () => {
    fake = await FakeVcenter.start(
      handlers({
        CurrentTime: () => ({
          raw: true,
          status: 500,
          body: fixture('NotAuthenticated.xml'),
        }),
      }) as never,
    );
    const s = session();
    await Promise.all([s.login(), s.login(), s.login()]);
    expect(fake.count('Login')).toBe(1);
    const soap = (s as unknown as { soap: SoapTransport }).soap;
    await expect(
      s.run(() => soap.call('CurrentTime', xml``)),
    ).rejects.toBeInstanceOf(NotAuthenticatedError);
    expect(fake.count('Login')).toBe(2);
  });

  it('logs the replaced session out when it logs in again', async () => {
    sessions = 0;
    fake = await FakeVcenter.start(handlers() as never);
    const s = session();
    await s.login();
    await s.login();
    expect(fake.calls.map(c => [c.method, c.cookie])).toEqual([
      ['RetrieveServiceContent', undefined],
      ['Login', undefined],
      ['Logout', 'vmware_soap_session="s1"'],
      ['Login', undefined],
    ]);
    await s.logout();
    expect(fake.calls[4]).toMatchObject({
      method: 'Logout',
      cookie: 'vmware_soap_session="s2"',
    });
  });

  it('does not tie a shared login to the first caller: its abort stops only its own wait', async () => {
    const base = handlers();
    fake = await FakeVcenter.start({
      ...base,
      Login: async (r: FakeRequest) => {
        await new Promise(resolve => setTimeout(resolve, 300));
        return base.Login(r);
      },
    } as never);
    const s = session();
    const first = new AbortController();
    const aborted = s.login(first.signal).catch(e => e);
    const other = s.login();
    setTimeout(() => first.abort(), 50);
    expect(await aborted).toBeInstanceOf(VcenterAbortedError);
    await expect(other).resolves.toMatchObject({
      userName: 'VSPHERE.LOCAL\\svc-vmware2scw',
    });
    expect(s.isLoggedIn).toBe(true);
    expect(fake.count('Login')).toBe(1);
  });
});

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import {
  FakeVcenter,
  soapFault,
  soapResponse,
  vc8Envelope,
} from './testing/FakeVcenter';
import {
  InvalidLoginError,
  VcenterAbortedError,
  VcenterHttpError,
  VcenterProtocolError,
} from './faults';
import { SoapTransport } from './SoapTransport';
import { parseSoapBody, xml } from './VimXml';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

describe('SoapTransport', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  afterEach(() => fake?.close());
  afterAll(() => dispatcher.close());

  const transport = () =>
    new SoapTransport({ sdkUrl: new URL(fake.sdkUrl), dispatcher });

  it('posts the method with SOAPAction for the API version and echoes the quoted session cookie', async () => {
    fake = await FakeVcenter.start({
      Login: () => ({
        raw: true,
        body: fixture('Login.xml'),
        headers: {
          'set-cookie':
            'vmware_soap_session="7bea48466ca72276d54d979e86c48fb254b0f4ec"; Path=/; HttpOnly; Secure;',
        },
      }),
      Logout: () => soapResponse('Logout'),
    });
    const soap = transport();
    soap.apiVersion = '8.0.2.0';
    const res = await soap.call('Login', xml`<userName>u</userName>`);
    expect(res.returnval).toBeDefined();
    expect(soap.sessionCookie).toBe(
      'vmware_soap_session="7bea48466ca72276d54d979e86c48fb254b0f4ec"',
    );
    await soap.call('Logout', xml``);
    expect(fake.calls[0].soapAction).toBe('"urn:vim25/8.0.2.0"');
    expect(fake.calls[0].cookie).toBeUndefined();
    expect(fake.calls[1].cookie).toBe(
      'vmware_soap_session="7bea48466ca72276d54d979e86c48fb254b0f4ec"',
    );
    expect(fake.calls[1].body).toContain(
      '<soapenv:Body><Logout xmlns="urn:vim25"></Logout></soapenv:Body>',
    );
    expect(soap.callCount).toBe(2);
  });

  it('raises a typed error for a SOAP fault, with vCenter message and no request content', async () => {
    fake = await FakeVcenter.start({
      Login: () => ({
        raw: true,
        status: 500,
        body: fixture('Login-InvalidLogin.xml'),
      }),
    });
    const err = await transport()
      .call('Login', xml`<password>${'s3cret-p@ss'}</password>`)
      .catch(e => e);
    expect(err).toBeInstanceOf(InvalidLoginError);
    expect(err.vcenterMessage).toBe(
      'Cannot complete login due to an incorrect user name or password.',
    );
    expect(
      JSON.stringify({ m: err.message, s: err.stack, r: err.remediation }),
    ).not.toContain('s3cret');
  });

  it('reports a non-SOAP HTTP answer (proxy, 503) as VcenterHttpError with the status', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(503).end('<html>maintenance</html>'),
    );
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const soap = new SoapTransport({
      sdkUrl: new URL(`http://127.0.0.1:${port}/sdk`),
      dispatcher,
    });
    const err = await soap.call('RetrieveServiceContent', xml``).catch(e => e);
    expect(err).toBeInstanceOf(VcenterHttpError);
    expect(err.status).toBe(503);
    expect(err.remediation).toMatch(/retry/);
    server.close();
  });

  it('reports a 200 that is not SOAP as a protocol error, and an unreachable host as such', async () => {
    fake = await FakeVcenter.start({ X: () => ({ raw: true, body: 'hello' }) });
    const err = await transport()
      .call('X', xml``)
      .catch(e => e);
    expect(err).toBeInstanceOf(VcenterProtocolError);

    const down = new SoapTransport({
      sdkUrl: new URL('http://127.0.0.1:1/sdk'),
      dispatcher,
    });
    const unreachable = await down.call('X', xml``).catch(e => e);
    expect(unreachable).toBeInstanceOf(VcenterHttpError);
    expect(unreachable.code).toBe('VCENTER_UNREACHABLE');
  });

  it('raises MethodNotFound for methods the server lacks, and stops on abort', async () => {
    fake = await FakeVcenter.start({
      Slow: () =>
        new Promise(r => setTimeout(() => r(soapResponse('Slow')), 2_000)),
      Missing: () =>
        soapFault(
          'MethodNotFound',
          'VirtualMachine:vm-1 does not implement: ExportVm',
        ),
    });
    const soap = transport();
    await expect(soap.call('Missing', xml``)).rejects.toMatchObject({
      code: 'VCENTER_METHOD_NOT_SUPPORTED',
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(
      soap.call('Slow', xml``, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(VcenterAbortedError);
  });

  it('refuses an answer larger than its limit without reading it whole', async () => {
    const big = `<returnval>${'x'.repeat(64 * 1024)}</returnval>`;
    fake = await FakeVcenter.start({
      CurrentTime: () => soapResponse('CurrentTime', big),
    });
    const soap = new SoapTransport({
      sdkUrl: new URL(fake.sdkUrl),
      dispatcher,
      maxResponseBytes: 16 * 1024,
    });
    const err = await soap.call('CurrentTime', xml``).catch(e => e);
    expect(err).toBeInstanceOf(VcenterProtocolError);
    expect(err.code).toBe('VCENTER_RESPONSE_TOO_LARGE');
    // The default limit reads it.
    await expect(transport().call('CurrentTime', xml``)).resolves.toBeDefined();
  });

  it('refuses an answer that declares a DOCTYPE or entities, without expanding them', async () => {
    const laughs =
      '<!DOCTYPE Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>';
    fake = await FakeVcenter.start({
      CurrentTime: () => ({
        raw: true,
        body: vc8Envelope(
          '<CurrentTimeResponse xmlns="urn:vim25"><returnval>&b;</returnval></CurrentTimeResponse>',
        ).replace('?>', `?>${laughs}`),
      }),
    });
    const err = await transport()
      .call('CurrentTime', xml``)
      .catch(e => e);
    expect(err).toBeInstanceOf(VcenterProtocolError);
    expect(err.code).toBe('VCENTER_BAD_RESPONSE');
    expect(err.message).toMatch(/DOCTYPE/);
    expect(() =>
      parseSoapBody(`${laughs}<Envelope><Body>&b;</Body></Envelope>`),
    ).toThrow(/DOCTYPE/);
  });
});

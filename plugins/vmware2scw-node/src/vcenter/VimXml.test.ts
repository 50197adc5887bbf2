import fs from 'node:fs';
import path from 'node:path';
import {
  escapeXml,
  morefXml,
  parseSoapBody,
  RawXml,
  soapEnvelope,
  xml,
} from './VimXml';
import { at, list, moref, text, xsiType } from './VimValue';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

describe('VimXml', () => {
  it('escapes every interpolated value, so a password cannot break the envelope', () => {
    const password = `p&ss<word>"'`;
    const body = xml`<password>${password}</password>`;
    expect(body.value).toBe(
      '<password>p&amp;ss&lt;word&gt;&quot;&apos;</password>',
    );
    expect(escapeXml('a&b')).toBe('a&amp;b');
  });

  it('nests templates without escaping them twice and drops undefined parts', () => {
    const inner = xml`<name>${'a & b'}</name>`;
    const outer = xml`<x>${inner}${undefined}${[
      xml`<i>1</i>`,
      xml`<i>2</i>`,
    ]}</x>`;
    expect(outer.value).toBe('<x><name>a &amp; b</name><i>1</i><i>2</i></x>');
    expect(
      morefXml('_this', { type: 'VirtualMachine', value: 'vm-1' }).value,
    ).toBe('<_this type="VirtualMachine">vm-1</_this>');
  });

  it('wraps a method in an envelope declaring xsi', () => {
    const env = soapEnvelope(new RawXml('<Logout xmlns="urn:vim25"/>'));
    expect(env).toContain(
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    );
    expect(env).toContain(
      '<soapenv:Body><Logout xmlns="urn:vim25"/></soapenv:Body>',
    );
  });

  it('keeps xsi:type and the MoRef type apart whatever the attribute order and prefix', () => {
    const vc8 = parseSoapBody(
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><FetchResponse xmlns="urn:vim25"><returnval type="Folder" xsi:type="ManagedObjectReference">group-v8</returnval></FetchResponse></soapenv:Body></soapenv:Envelope>`,
    );
    // vcsim 0.24.2: XMLSchema-instance prefix, reversed order
    const vcsim = parseSoapBody(
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><FetchResponse xmlns="urn:vim25"><returnval xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference" type="HostSystem">host-21</returnval></FetchResponse></soapenv:Body></soapenv:Envelope>`,
    );
    const a = at(vc8.FetchResponse, 'returnval');
    const b = at(vcsim.FetchResponse, 'returnval');
    expect(xsiType(a)).toBe('ManagedObjectReference');
    expect(moref(a)).toEqual({ type: 'Folder', value: 'group-v8' });
    expect(xsiType(b)).toBe('ManagedObjectReference');
    expect(moref(b)).toEqual({ type: 'HostSystem', value: 'host-21' });
  });

  it('forces vim25 arrays even with one element, and decodes character references', () => {
    const body = parseSoapBody(fixture('RetrievePropertiesEx-vms-page1.xml'));
    const objects = list(
      at(body.RetrievePropertiesExResponse, 'returnval', 'objects'),
    );
    expect(objects).toHaveLength(2);
    const vm19 = objects[0];
    expect(Array.isArray(at(vm19, 'propSet'))).toBe(true);
    const hardware = list(at(vm19, 'propSet')).find(
      p => text(at(p, 'name')) === 'config.hardware',
    );
    const devices = at(hardware, 'val', 'device');
    expect(Array.isArray(devices)).toBe(true);
    // VirtualPCIController.device is an int[] named like VirtualHardware.device
    const pci = list(devices).find(d => xsiType(d) === 'VirtualPCIController');
    expect(list(at(pci, 'device')).map(text)).toEqual(['500', '12000', '1000']);

    const sql = objects[1];
    const annotation = list(at(sql, 'propSet')).find(
      p => text(at(p, 'name')) === 'config.annotation',
    );
    expect(text(at(annotation, 'val'))).toBe(
      'SQL Server 2019 \u2013 owner: DBA team <dba@example.com>',
    );
  });

  it('keeps numbers as strings (64-bit sizes do not lose precision in the parser)', () => {
    const body = parseSoapBody(fixture('RetrievePropertiesEx-graph.xml'));
    const objects = list(
      at(body.RetrievePropertiesExResponse, 'returnval', 'objects'),
    );
    const host = objects.find(o => moref(at(o, 'obj'))?.value === 'host-16');
    const mem = list(at(host, 'propSet')).find(
      p => text(at(p, 'name')) === 'summary.hardware.memorySize',
    );
    expect(text(at(mem, 'val'))).toBe('549755813888');
  });

  it('rejects what is not a SOAP envelope', () => {
    expect(() =>
      parseSoapBody('<html><body>proxy login</body></html>'),
    ).toThrow(/not a SOAP envelope/);
  });
});

describe('VimXml arrays that depend on their parent', () => {
  it('makes GuestNicInfo.ipAddress an array even with one address, but not GuestInfo.ipAddress', () => {
    const body = parseSoapBody(
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><R><val><ipAddress>10.0.0.1</ipAddress><net><ipAddress>10.0.0.2</ipAddress></net><GuestNicInfo><ipAddress>10.0.0.3</ipAddress></GuestNicInfo></val></R></soapenv:Body></soapenv:Envelope>`,
    );
    const val = at(body.R, 'val');
    expect(at(val, 'ipAddress')).toBe('10.0.0.1');
    expect(at(val, 'net', 'ipAddress')).toEqual(['10.0.0.2']);
    expect(at(val, 'GuestNicInfo', 'ipAddress')).toEqual(['10.0.0.3']);
  });
});

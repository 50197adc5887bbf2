import fs from 'node:fs';
import path from 'node:path';
import { Agent } from 'undici';
import { NotAuthenticatedError } from './faults';
import {
  PropertyCollector,
  specSetXml,
  splitRetrieveResult,
} from './PropertyCollector';
import { SoapTransport } from './SoapTransport';
import { FakeVcenter, soapResponse } from './testing/FakeVcenter';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

const PC = { type: 'PropertyCollector', value: 'propertyCollector' };
const VIEW = { type: 'ContainerView', value: 'session[1]view' };
const spec = {
  propSet: [{ type: 'VirtualMachine', pathSet: ['name', 'config.hardware'] }],
  objectSet: [
    {
      obj: VIEW,
      skip: true,
      selectSet: [
        {
          name: 'traverseView',
          type: 'ContainerView',
          path: 'view',
          skip: false,
        },
      ],
    },
  ],
};

describe('PropertyCollector', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  afterEach(() => fake?.close());
  afterAll(() => dispatcher.close());
  const collector = () =>
    new PropertyCollector(
      new SoapTransport({ sdkUrl: new URL(fake.sdkUrl), dispatcher }),
      PC,
    );

  it('writes the filter spec in WSDL element order', () => {
    expect(specSetXml(spec).value).toBe(
      '<specSet><propSet><type>VirtualMachine</type><all>false</all><pathSet>name</pathSet><pathSet>config.hardware</pathSet></propSet>' +
        '<objectSet><obj type="ContainerView">session[1]view</obj><skip>true</skip>' +
        '<selectSet xsi:type="TraversalSpec"><name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
        '</objectSet></specSet>',
    );
  });

  it('follows the token with ContinueRetrievePropertiesEx until the last page', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => ({
        raw: true,
        body: fixture('RetrievePropertiesEx-vms-page1.xml'),
      }),
      ContinueRetrievePropertiesEx: () => ({
        raw: true,
        body: fixture('ContinueRetrievePropertiesEx-vms-page2.xml'),
      }),
    });
    const pages: string[][] = [];
    for await (const page of collector().retrievePages(spec, {
      maxObjects: 2,
    })) {
      pages.push(page.map(o => o.obj.value));
    }
    expect(pages).toEqual([
      ['vm-19', 'vm-1001'],
      ['vm-1002', 'vm-1003'],
    ]);
    expect(fake.calls[0].body).toContain(
      '<options><maxObjects>2</maxObjects></options>',
    );
    expect(fake.calls[1].body).toContain('<token>1</token>');
    expect(fake.count('CancelRetrievePropertiesEx')).toBe(0);
  });

  it('keeps following tokens for as long as they come, even across an empty page', async () => {
    const vm = (i: number) =>
      `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">vm ${i}</val></propSet></objects>`;
    // token -> [objects of the page, next token]
    const pages: Record<string, [number[], string | undefined]> = {
      '': [[1, 2], 'a'],
      a: [[3, 4], 'b'],
      b: [[], 'c'],
      c: [[5], undefined],
    };
    const answer = (method: string, token: string) => {
      const [vms, next] = pages[token];
      return soapResponse(
        method,
        `<returnval>${next ? `<token>${next}</token>` : ''}${vms
          .map(vm)
          .join('')}</returnval>`,
      );
    };
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => answer('RetrievePropertiesEx', ''),
      ContinueRetrievePropertiesEx: req =>
        answer(
          'ContinueRetrievePropertiesEx',
          /<token>([^<]*)<\/token>/.exec(req.body)![1],
        ),
    });
    const all = await collector().retrieveAll(spec, { maxObjects: 2 });
    expect(all.map(o => o.obj.value)).toEqual([
      'vm-1',
      'vm-2',
      'vm-3',
      'vm-4',
      'vm-5',
    ]);
    expect(
      fake.calls
        .filter(c => c.method === 'ContinueRetrievePropertiesEx')
        .map(c => /<token>([^<]*)<\/token>/.exec(c.body)![1]),
    ).toEqual(['a', 'b', 'c']);
    expect(fake.count('CancelRetrievePropertiesEx')).toBe(0);
  });

  it('cancels the server-side result set when the consumer stops early', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => ({
        raw: true,
        body: fixture('RetrievePropertiesEx-vms-page1.xml'),
      }),
      CancelRetrievePropertiesEx: () =>
        soapResponse('CancelRetrievePropertiesEx'),
    });
    for await (const page of collector().retrievePages(spec)) {
      expect(page).toHaveLength(2);
      break;
    }
    expect(fake.count('CancelRetrievePropertiesEx')).toBe(1);
    expect(fake.calls[1].body).toContain('<token>1</token>');
  });

  it('turns a NotAuthenticated missingSet (HTTP 200) into NotAuthenticatedError', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => ({
        raw: true,
        body: fixture('RetrievePropertiesEx-missingSet-NotAuthenticated.xml'),
      }),
    });
    await expect(collector().retrieveAll(spec)).rejects.toBeInstanceOf(
      NotAuthenticatedError,
    );
  });

  it('treats other missing properties as unset', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () =>
        soapResponse(
          'RetrievePropertiesEx',
          '<returnval><objects><obj type="VirtualMachine">vm-7</obj><propSet><name>name</name><val xsi:type="xsd:string">web</val></propSet><missingSet><path>config.hardware</path><fault><fault xsi:type="NoPermission"><object type="VirtualMachine">vm-7</object><privilegeId>System.Read</privilegeId></fault><localizedMessage>Permission to perform this operation was denied.</localizedMessage></fault></missingSet></objects></returnval>',
        ),
    });
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as never;
    const pc = new PropertyCollector(
      new SoapTransport({ sdkUrl: new URL(fake.sdkUrl), dispatcher }),
      PC,
      logger,
    );
    const [o] = await pc.retrieveAll(spec);
    expect(o.props.name).toBeDefined();
    expect(o.props['config.hardware']).toBeUndefined();
    expect(o.missing[0]).toMatchObject({
      path: 'config.hardware',
      faultType: 'NoPermission',
    });
    expect(warnings[0]).toMatch(
      /VirtualMachine.config.hardware \(NoPermission\)/,
    );
  });
});

describe('splitRetrieveResult', () => {
  const answer = (objects: string, token = '') =>
    `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="x"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>${token}${objects}</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>`;
  const obj = (i: number) =>
    `<objects><obj type="VirtualMachine">vm-${i}</obj></objects>`;

  it('cuts big answers into parseable slices of 100 objects and finds the token', () => {
    const text = answer(
      Array.from({ length: 250 }, (_, i) => obj(i)).join('\n'),
      '<token>7</token>',
    );
    const { token, slices } = splitRetrieveResult(text, 'RetrievePropertiesEx');
    expect(token).toBe('7');
    expect(
      slices!.map(
        ([a, b]) => (text.slice(a, b).match(/<objects>/g) ?? []).length,
      ),
    ).toEqual([100, 100, 50]);
    expect(text.slice(...slices![2]).endsWith('vm-249</obj></objects>')).toBe(
      true,
    );
  });

  it('declines answers it cannot cut safely', () => {
    expect(
      splitRetrieveResult(answer(''), 'RetrievePropertiesEx').slices,
    ).toBeUndefined();
    // an <objects> element inside a value, right where the 100th slice boundary would fall
    const inner = `<objects><obj type="X">a</obj><propSet><val><objects>1</objects></val></propSet></objects>`;
    const objs = [...Array.from({ length: 99 }, (_, i) => obj(i)), inner].join(
      '',
    );
    expect(
      splitRetrieveResult(answer(objs), 'RetrievePropertiesEx').slices,
    ).toBeUndefined();
    // the same element away from a boundary is kept whole in its slice
    const { slices } = splitRetrieveResult(
      answer(inner),
      'RetrievePropertiesEx',
    );
    expect(slices).toHaveLength(1);
  });
});

import { XMLParser } from 'fast-xml-parser';

/**
 * The vim25 SOAP wire format: writing request bodies and parsing responses.
 *
 * Parsed nodes keep vSphere's typing information under two distinct keys, because fast-xml-parser
 * with `removeNSPrefix` merges them into one (`<val xsi:type="ManagedObjectReference" type="HostSystem">`):
 * - `@_xsiType`: the XML Schema instance type, whatever its prefix (`xsi:` on vCenter,
 *   `XMLSchema-instance:` on vcsim);
 * - `@_type`: the plain `type` attribute, i.e. the managed object type of a MoRef.
 * Element names lose their namespace prefix (`soapenv:Body` -> `Body`); values stay strings.
 */

/** A parsed XML element: child elements by name, attributes under `@_`, text under `#text`. */
export interface XmlNode {
  [name: string]: XmlValue | undefined;
}
export type XmlValue = string | XmlNode | XmlValue[];

/** A fragment of XML that must not be escaped again when interpolated into {@link xml}. */
export class RawXml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text and attribute content (user strings, passwords, names) for XML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, c => XML_ESCAPES[c]);
}

type XmlPart =
  | string
  | number
  | boolean
  | RawXml
  | undefined
  | null
  | XmlPart[];

/**
 * Tagged template for request bodies: interpolated values are escaped unless they are {@link RawXml}
 * (the result of another `xml` template), so no caller can forget to escape a user-supplied string.
 * `undefined`/`null` render as nothing; arrays are concatenated.
 */
export function xml(
  strings: TemplateStringsArray,
  ...values: XmlPart[]
): RawXml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1];
  }
  return new RawXml(out);
}

function render(value: XmlPart): string {
  if (value === undefined || value === null) return '';
  if (value instanceof RawXml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeXml(String(value));
}

/** A managed object reference, `{ type: 'VirtualMachine', value: 'vm-42' }`. */
export interface MoRef {
  type: string;
  value: string;
}

/** `<name type="...">value</name>` */
export function morefXml(name: string, ref: MoRef): RawXml {
  return new RawXml(
    `<${name} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${name}>`,
  );
}

/** The SOAP envelope around one method element. `xsi` is declared for `xsi:type` in TraversalSpecs. */
export function soapEnvelope(body: RawXml): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${body.value}</soapenv:Body></soapenv:Envelope>`
  );
}

/**
 * Elements that vim25 declares as arrays. A one-element array looks like a scalar on the wire, so
 * the parser must be told. Names are matched without their parent, except where the same name is a
 * scalar elsewhere (noted below).
 */
const ARRAY_ELEMENTS = new Set([
  // PropertyCollector
  'objects',
  'propSet',
  'missingSet',
  'pathSet',
  // ArrayOfXxx wrappers as returned in propSet values
  'ManagedObjectReference',
  'string',
  'int',
  'long',
  'OptionValue',
  'CustomFieldValue',
  'CustomFieldDef',
  'Tag',
  'GuestNicInfo',
  'VirtualDevice',
  // VirtualHardware.device (VirtualDevice[]) and VirtualController.device (int[])
  'device',
  'extraConfig',
  'customValue',
  'field',
  'tag',
  // snapshots
  'rootSnapshotList',
  'childSnapshotList',
  // guest info
  'net',
  // NFC leases and CBT
  'deviceUrl',
  'hostMap',
  'changedArea',
  // faults
  'faultMessage',
  'arg',
  'datastoreUrl',
]);

/** Arrays only under a given parent: `ipAddress` is a scalar in GuestInfo but string[] in GuestNicInfo. */
const ARRAY_UNDER: Record<string, Set<string>> = {
  ipAddress: new Set(['net', 'GuestNicInfo', 'ipConfig', 'dnsConfig']),
};

const parser = new XMLParser({
  ignoreAttributes: (name: string) =>
    name === 'xmlns' || name.startsWith('xmlns:'),
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  // vcsim (Go's encoder) writes &#34; &#xA; ...: decode numeric character references too.
  htmlEntities: true,
  transformTagName: (name: string) => {
    const colon = name.indexOf(':');
    return colon < 0 ? name : name.slice(colon + 1);
  },
  transformAttributeName: (name: string) =>
    name !== '@_type' && name.endsWith(':type') ? '@_xsiType' : name,
  // A path object instead of a path string: fast-xml-parser otherwise builds the string for every
  // tag, attribute and value, which costs more than the parse itself on large inventories.
  jPath: false,
  isArray: (name: string, path: unknown) => {
    if (ARRAY_ELEMENTS.has(name)) return true;
    const parents = ARRAY_UNDER[name];
    return parents ? parents.has(parentTag(name, path)) : false;
  },
});

/** The parent element name of `name`, from fast-xml-parser's path (string or matcher). */
function parentTag(name: string, path: unknown): string {
  let tags: string[] = [];
  if (typeof path === 'string') {
    tags = path.split('.');
  } else if (typeof (path as { toArray?: unknown })?.toArray === 'function') {
    tags = (path as { toArray(): string[] }).toArray();
  }
  const local = tags.map(t => t.slice(t.indexOf(':') + 1));
  if (local[local.length - 1] === name) local.pop();
  return local[local.length - 1] ?? '';
}

/**
 * Parses a SOAP response and returns the content of its Body. A document type declaration is refused
 * before parsing: vim25 never sends one, and its entities are how a hostile answer would make the parser
 * expand text without bound.
 */
export function parseSoapBody(text: string): XmlNode {
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) {
    throw new Error('response declares a DOCTYPE or entities');
  }
  const doc = parser.parse(text) as XmlNode;
  const envelope = doc.Envelope as XmlNode | undefined;
  const body = envelope?.Body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error('response is not a SOAP envelope');
  }
  return body;
}

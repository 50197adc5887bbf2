import type { MoRef, XmlNode, XmlValue } from './VimXml';

/**
 * Typed reads of parsed vim25 values. vSphere omits unset properties instead of sending nil, so every
 * reader returns `undefined` for an absent value rather than throwing; numbers and booleans arrive as
 * strings (the parser keeps them so) and are converted here.
 */

export function isNode(v: XmlValue | undefined): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value as a list: vim25 arrays with one element may arrive as a scalar. */
export function list(v: XmlValue | undefined): XmlValue[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

/** The single value, taking the first when an array arrived where one value was expected. */
export function one(v: XmlValue | undefined): XmlValue | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A child element of a node. */
export function child(
  v: XmlValue | undefined,
  name: string,
): XmlValue | undefined {
  const n = one(v);
  return isNode(n) ? n[name] : undefined;
}

/** Follows a path of child elements: `at(device, 'backing', 'fileName')`. */
export function at(
  v: XmlValue | undefined,
  ...path: string[]
): XmlValue | undefined {
  let cur = v;
  for (const name of path) {
    cur = child(cur, name);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function text(v: XmlValue | undefined): string | undefined {
  const n = one(v);
  if (n === undefined) return undefined;
  if (typeof n === 'string') return n;
  if (isNode(n)) {
    const t = n['#text'];
    if (t === undefined) return ''; // an element with attributes only
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

export function int(v: XmlValue | undefined): number | undefined {
  const t = text(v);
  if (t === undefined || t.trim() === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

export function bool(v: XmlValue | undefined): boolean | undefined {
  const t = text(v);
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** The XML Schema type of a value (`VirtualDisk`, `ManagedObjectReference`, `xsd:string` ...). */
export function xsiType(v: XmlValue | undefined): string | undefined {
  const n = one(v);
  if (!isNode(n)) return undefined;
  const t = n['@_xsiType'];
  return typeof t === 'string' ? t : undefined;
}

/** A managed object reference: the element text plus its plain `type` attribute. */
export function moref(v: XmlValue | undefined): MoRef | undefined {
  const n = one(v);
  if (!isNode(n)) return undefined;
  const type = n['@_type'];
  const value = n['#text'];
  if (typeof type !== 'string' || typeof value !== 'string') return undefined;
  return { type, value };
}

/** The list of MoRefs of an `ArrayOfManagedObjectReference` value. */
export function morefList(v: XmlValue | undefined): MoRef[] {
  const n = one(v);
  const items =
    isNode(n) && n.ManagedObjectReference !== undefined
      ? n.ManagedObjectReference
      : v;
  return list(items)
    .map(moref)
    .filter((r): r is MoRef => r !== undefined);
}

/** The items of an `ArrayOfXxx` property value: `<val xsi:type="ArrayOfGuestNicInfo"><GuestNicInfo>`. */
export function arrayItems(
  v: XmlValue | undefined,
  itemName: string,
): XmlValue[] {
  const n = one(v);
  return isNode(n) ? list(n[itemName]) : [];
}

export function morefKey(ref: MoRef): string {
  return `${ref.type}:${ref.value}`;
}

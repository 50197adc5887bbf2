import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  badResponse,
  faultFromLocalized,
  NotAuthenticatedError,
  VcenterAbortedError,
  type VcenterError,
} from './faults';
import type { SoapTransport } from './SoapTransport';
import {
  morefXml,
  parseSoapBody,
  RawXml,
  xml,
  type MoRef,
  type XmlValue,
} from './VimXml';
import { at, list, moref, text } from './VimValue';

const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface PropertySpec {
  type: string;
  all?: boolean;
  pathSet?: string[];
}

export interface TraversalSpec {
  name?: string;
  type: string;
  path: string;
  skip?: boolean;
  selectSet?: Array<TraversalSpec | { name: string }>;
}

export interface ObjectSpec {
  obj: MoRef;
  skip?: boolean;
  selectSet?: TraversalSpec[];
}

export interface PropertyFilterSpec {
  propSet: PropertySpec[];
  objectSet: ObjectSpec[];
}

export interface MissingProperty {
  path: string;
  faultType?: string;
  message?: string;
  error?: VcenterError;
}

/** One object of a RetrieveResult; absent (unset) properties are simply not in `props`. */
export interface ObjectContent {
  obj: MoRef;
  props: Record<string, XmlValue>;
  missing: MissingProperty[];
}

export interface RetrieveOptions {
  /** Objects per page; vCenter may return fewer, and vcsim 0.24.2 ignores it. */
  maxObjects?: number;
  signal?: AbortSignal;
}

/**
 * RetrievePropertiesEx with paging: the first call, then ContinueRetrievePropertiesEx while the
 * result carries a `token`. Permission gaps show as `missingSet` entries, not faults; a
 * NotAuthenticated there means the session died mid-retrieval and is raised as such.
 */
export class PropertyCollector {
  private readonly warned = new Set<string>();

  constructor(
    private readonly soap: SoapTransport,
    readonly ref: MoRef,
    private readonly logger?: LoggerService,
  ) {}

  /** Yields one page of objects at a time, so that callers can map and drop raw XML as they go. */
  async *retrievePages(
    spec: PropertyFilterSpec,
    opts: RetrieveOptions = {},
  ): AsyncGenerator<ObjectContent[]> {
    const { signal } = opts;
    const options = opts.maxObjects
      ? xml`<options><maxObjects>${opts.maxObjects}</maxObjects></options>`
      : xml`<options/>`;
    let answer = await this.soap.callRaw(
      'RetrievePropertiesEx',
      xml`${morefXml('_this', this.ref)}${specSetXml(spec)}${options}`,
      { signal },
    );
    let method = 'RetrievePropertiesEx';
    let token: string | undefined;
    try {
      for (;;) {
        const result = splitRetrieveResult(answer, method);
        token = result.token;
        if (result.slices) {
          // Large answers (vcsim ignores maxObjects) are parsed a slice of objects at a time.
          for (const [from, to] of result.slices) {
            const chunk = `<soapenv:Envelope xmlns:soapenv="${SOAPENV}"><soapenv:Body><Chunk><returnval>${answer.slice(
              from,
              to,
            )}</returnval></Chunk></soapenv:Body></soapenv:Envelope>`;
            yield this.checkMissing(
              parseObjectContents(at(parseSoapBody(chunk).Chunk, 'returnval')),
            );
          }
        } else {
          const res = this.soap.parseResponse(method, 200, answer);
          token = text(at(res.returnval, 'token')) || undefined;
          yield this.checkMissing(parseObjectContents(res.returnval));
        }
        if (!token) return;
        if (signal?.aborted) throw aborted(signal);
        method = 'ContinueRetrievePropertiesEx';
        answer = await this.soap.callRaw(
          method,
          xml`${morefXml('_this', this.ref)}<token>${token}</token>`,
          { signal },
        );
      }
    } finally {
      // Stopped early (error, abort, consumer break): free the server-side result set.
      if (token) await this.cancel(token);
    }
  }

  async retrieveAll(
    spec: PropertyFilterSpec,
    opts: RetrieveOptions = {},
  ): Promise<ObjectContent[]> {
    const all: ObjectContent[] = [];
    for await (const page of this.retrievePages(spec, opts)) all.push(...page);
    return all;
  }

  /** Properties of one object; `undefined` when vCenter returned nothing for it. */
  async retrieveOne(
    obj: MoRef,
    pathSet: string[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<ObjectContent | undefined> {
    const objects = await this.retrieveAll(
      { propSet: [{ type: obj.type, pathSet }], objectSet: [{ obj }] },
      opts,
    );
    return objects.find(o => o.obj.value === obj.value);
  }

  private async cancel(token: string): Promise<void> {
    try {
      await this.soap.call(
        'CancelRetrievePropertiesEx',
        xml`${morefXml('_this', this.ref)}<token>${token}</token>`,
      );
    } catch {
      // Best effort: the result set expires with the session anyway.
    }
  }

  private checkMissing(objects: ObjectContent[]): ObjectContent[] {
    for (const o of objects) {
      for (const m of o.missing) {
        if (m.error instanceof NotAuthenticatedError) throw m.error;
        const key = `${o.obj.type}.${m.path}:${m.faultType}`;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          this.logger?.warn(
            `vCenter did not return ${o.obj.type}.${m.path} (${
              m.faultType
            }); treating it as unset. ${m.error?.remediation ?? ''}`,
          );
        }
      }
    }
    return objects;
  }
}

const OBJECTS_PER_CHUNK = 100;
const CLOSE_OBJECTS = '</objects>';

function occurrences(
  haystack: string,
  needle: string,
  from: number,
  to: number,
): number {
  let n = 0;
  for (
    let i = haystack.indexOf(needle, from);
    i >= 0 && i < to;
    i = haystack.indexOf(needle, i + 1)
  ) {
    n++;
  }
  return n;
}

/**
 * Finds slices of up to 100 `<objects>` elements in the XML of a RetrievePropertiesEx /
 * ContinueRetrievePropertiesEx answer, each parseable alone. Parsing a 25 MB answer in one go costs a
 * third more CPU (and far more memory) than parsing it slice by slice. Returns no slices when the
 * answer does not have the expected shape; the caller then parses it whole.
 */
export function splitRetrieveResult(
  xmlText: string,
  method: string,
): { token?: string; slices?: Array<[number, number]> } {
  const responseAt = xmlText.indexOf(`<${method}Response`);
  const first = xmlText.indexOf('<objects>', responseAt);
  if (responseAt < 0 || xmlText.includes(':Fault>') || first < 0) return {};
  const last = xmlText.lastIndexOf('</objects>');
  if (last < first) return {};
  // RetrieveResult is (token?, objects*): the token sits outside the objects.
  const outside = xmlText.slice(responseAt, first) + xmlText.slice(last);
  const token = /<token>([^<]*)<\/token>/.exec(outside)?.[1] || undefined;
  const slices: Array<[number, number]> = [];
  for (let start = first; start >= 0 && start <= last; ) {
    let end = start;
    let count = 0;
    while (count < OBJECTS_PER_CHUNK) {
      const close = xmlText.indexOf(CLOSE_OBJECTS, end);
      if (close < 0 || close > last) break;
      end = close + CLOSE_OBJECTS.length;
      count++;
    }
    // An <objects> element nested in a property value would make the cut unsafe: parse whole.
    if (count === 0 || occurrences(xmlText, '<objects>', start, end) !== count)
      return {};
    slices.push([start, end]);
    start = xmlText.indexOf('<objects>', end);
  }
  return { token, slices };
}

/** The objects of a `RetrieveResult` (`returnval` of RetrievePropertiesEx / Continue...). */
export function parseObjectContents(
  result: XmlValue | undefined,
): ObjectContent[] {
  return list(at(result, 'objects')).map(o => {
    const obj = moref(at(o, 'obj'));
    if (!obj) throw badResponse('RetrievePropertiesEx', 'the obj of an object');
    const props: Record<string, XmlValue> = {};
    for (const p of list(at(o, 'propSet'))) {
      const name = text(at(p, 'name'));
      const val = at(p, 'val');
      if (name !== undefined && val !== undefined) props[name] = val;
    }
    const missing = list(at(o, 'missingSet')).map(m => {
      const error = faultFromLocalized(at(m, 'fault'), {
        method: 'RetrievePropertiesEx',
      });
      return {
        path: text(at(m, 'path')) ?? '',
        faultType: error.faultType,
        message: error.message,
        error,
      };
    });
    return { obj, props, missing };
  });
}

function aborted(signal: AbortSignal): VcenterAbortedError {
  return new VcenterAbortedError({
    code: 'VCENTER_ABORTED',
    message: 'Property retrieval was aborted',
    remediation: 'The operation was canceled by its caller.',
    cause: signal.reason,
  });
}

/** `<specSet>`, elements in WSDL order: propSet (type, all, pathSet), objectSet (obj, skip, selectSet). */
export function specSetXml(
  spec: PropertyFilterSpec,
  element = 'specSet',
): RawXml {
  const propSet = spec.propSet.map(
    p =>
      xml`<propSet><type>${p.type}</type><all>${p.all ?? false}</all>${(
        p.pathSet ?? []
      ).map(path => xml`<pathSet>${path}</pathSet>`)}</propSet>`,
  );
  const objectSet = spec.objectSet.map(
    o =>
      xml`<objectSet>${morefXml('obj', o.obj)}<skip>${o.skip ?? false}</skip>${(
        o.selectSet ?? []
      ).map(s => traversalXml(s))}</objectSet>`,
  );
  return new RawXml(
    `<${element}>${xml`${propSet}${objectSet}`.value}</${element}>`,
  );
}

function traversalXml(s: TraversalSpec | { name: string }): RawXml {
  if (!('type' in s)) return xml`<selectSet><name>${s.name}</name></selectSet>`;
  return xml`<selectSet xsi:type="TraversalSpec">${
    s.name ? xml`<name>${s.name}</name>` : undefined
  }<type>${s.type}</type><path>${s.path}</path><skip>${
    s.skip ?? false
  }</skip>${(s.selectSet ?? []).map(traversalXml)}</selectSet>`;
}

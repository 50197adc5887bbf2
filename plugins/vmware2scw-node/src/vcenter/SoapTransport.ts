import type { LoggerService } from '@backstage/backend-plugin-api';
import { request, type Dispatcher } from 'undici';
import {
  VcenterAbortedError,
  VcenterError,
  VcenterHttpError,
  VcenterProtocolError,
  badResponse,
  faultFromSoapFault,
} from './faults';
import {
  formatLimit,
  MAX_SOAP_RESPONSE_BYTES,
  readBodyText,
} from './ResponseLimit';
import { tlsErrorOf } from './TlsPolicy';
import { RawXml, parseSoapBody, soapEnvelope, type XmlNode } from './VimXml';
import { isNode } from './VimValue';

export const SESSION_COOKIE = 'vmware_soap_session';

export interface SoapTransportOptions {
  /** The SDK endpoint, `https://vcenter.example.com/sdk`. */
  sdkUrl: URL;
  dispatcher: Dispatcher;
  logger?: LoggerService;
  /** Per-request limit for headers and body; inventory pages of big estates take a while. */
  requestTimeoutMs?: number;
  /** Largest answer read, default {@link MAX_SOAP_RESPONSE_BYTES}; a larger one is refused. */
  maxResponseBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * One vim25 SOAP endpoint: posts method envelopes, keeps the session cookie, turns faults into typed
 * errors and counts round trips. It knows nothing about sessions or retries (VcenterSession does).
 */
export class SoapTransport {
  readonly sdkUrl: URL;
  readonly dispatcher: Dispatcher;
  private readonly logger?: LoggerService;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private cookie?: string;
  private calls = 0;
  /** `SOAPAction: urn:vim25/<version>`; vCenter serializes its answers for that version. */
  apiVersion = '6.5';

  constructor(opts: SoapTransportOptions) {
    this.sdkUrl = opts.sdkUrl;
    this.dispatcher = opts.dispatcher;
    this.logger = opts.logger;
    this.timeoutMs = opts.requestTimeoutMs ?? 300_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? MAX_SOAP_RESPONSE_BYTES;
  }

  /** SOAP round trips sent so far (all methods, including logins and failed calls). */
  get callCount(): number {
    return this.calls;
  }

  /**
   * The `Cookie` header value of the current session, as vCenter set it (quoted on real vCenter),
   * also accepted by the `/folder` and `/nfc` HTTP endpoints.
   */
  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  clearSession(): void {
    this.cookie = undefined;
  }

  /**
   * Calls `method` with the given body (the children of the method element, `_this` first) and
   * returns the `<method>Response` element.
   */
  async call(
    method: string,
    body: RawXml,
    opts: CallOptions = {},
  ): Promise<XmlNode> {
    const { status, text } = await this.post(method, body, opts);
    return this.parseResponse(method, status, text);
  }

  /**
   * Like {@link SoapTransport.call} but returns the raw XML of a successful answer, for callers that
   * parse large answers piecewise (PropertyCollector). Faults still become typed errors.
   */
  async callRaw(
    method: string,
    body: RawXml,
    opts: CallOptions = {},
  ): Promise<string> {
    const { status, text } = await this.post(method, body, opts);
    // Faults come with HTTP 500; a 200 is parsed by the caller.
    if (status !== 200) this.parseResponse(method, status, text);
    return text;
  }

  /** Parses an answer: the `<method>Response` element, or the typed error it carries. */
  parseResponse(method: string, status: number, text: string): XmlNode {
    let parsed: XmlNode;
    try {
      parsed = parseSoapBody(text);
    } catch (err) {
      if (status !== 200) throw this.httpError(status, method);
      throw new VcenterProtocolError({
        code: 'VCENTER_BAD_RESPONSE',
        message: `vCenter answered ${method} with something that is not a SOAP envelope`,
        remediation: `Check that the URL ${this.sdkUrl.origin}/sdk is a vCenter or ESXi SDK endpoint (no proxy login page in between).`,
        method,
        cause: err,
      });
    }
    if (parsed.Fault !== undefined)
      throw faultFromSoapFault(parsed.Fault, method);
    if (status !== 200) throw this.httpError(status, method);
    const response = parsed[`${method}Response`];
    if (response === undefined)
      throw badResponse(method, `a ${method}Response element`);
    return isNode(response) ? response : {};
  }

  private async post(
    method: string,
    body: RawXml,
    opts: CallOptions,
  ): Promise<{ status: number; text: string }> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(method)) {
      throw new Error(`invalid SOAP method name ${method}`);
    }
    const envelope = soapEnvelope(
      new RawXml(`<${method} xmlns="urn:vim25">${body.value}</${method}>`),
    );
    const headers: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: `"urn:vim25/${this.apiVersion}"`,
    };
    if (this.cookie) headers.cookie = this.cookie;

    const started = Date.now();
    this.calls++;
    try {
      const res = await request(this.sdkUrl, {
        method: 'POST',
        headers,
        body: envelope,
        dispatcher: this.dispatcher,
        signal: opts.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      this.keepCookie(res.headers['set-cookie']);
      const text = await readBodyText(res, this.maxResponseBytes);
      if (text === undefined) throw this.tooLarge(method);
      // vim25 never declares a DTD: one here could only define entities for the parser to expand.
      if (/<!(DOCTYPE|ENTITY)/i.test(text)) throw this.withDtd(method);
      this.logger?.debug(
        `vCenter SOAP ${method} -> ${res.statusCode} in ${
          Date.now() - started
        } ms`,
      );
      return { status: res.statusCode, text };
    } catch (err) {
      throw this.transportError(err, method, opts.signal);
    }
  }

  private keepCookie(setCookie: string | string[] | undefined): void {
    for (const header of typeof setCookie === 'string'
      ? [setCookie]
      : setCookie ?? []) {
      const pair = header.split(';')[0].trim();
      if (pair.startsWith(`${SESSION_COOKIE}=`)) this.cookie = pair;
    }
  }

  private tooLarge(method: string): VcenterProtocolError {
    return new VcenterProtocolError({
      code: 'VCENTER_RESPONSE_TOO_LARGE',
      message: `vCenter's answer to ${method} is larger than ${formatLimit(
        this.maxResponseBytes,
      )}; it was not read`,
      remediation: `Read the inventory in smaller pages (pageSize), or check that ${this.sdkUrl.origin}/sdk reaches the vCenter SDK directly (no proxy in between).`,
      method,
    });
  }

  private withDtd(method: string): VcenterProtocolError {
    return new VcenterProtocolError({
      code: 'VCENTER_BAD_RESPONSE',
      message: `vCenter's answer to ${method} carries a DOCTYPE or entity declaration, which vim25 never sends; it was not parsed`,
      remediation: `Check that ${this.sdkUrl.origin}/sdk reaches the vCenter SDK directly (no proxy or other server in between).`,
      method,
    });
  }

  private httpError(status: number, method: string): VcenterHttpError {
    return new VcenterHttpError({
      code: 'VCENTER_HTTP_ERROR',
      message: `vCenter answered ${method} with HTTP ${status}`,
      remediation:
        status === 503
          ? 'vCenter services are starting or overloaded: retry in a few minutes.'
          : `Check that ${this.sdkUrl.origin}/sdk reaches the vCenter SDK directly (proxies, load balancers).`,
      method,
      status,
    });
  }

  private transportError(
    err: unknown,
    method: string,
    signal?: AbortSignal,
  ): VcenterError {
    if (signal?.aborted) {
      return new VcenterAbortedError({
        code: 'VCENTER_ABORTED',
        message: `${method} was aborted`,
        remediation: 'The operation was canceled by its caller.',
        method,
        cause: signal.reason,
      });
    }
    const tls = tlsErrorOf(err, this.sdkUrl.host);
    if (tls) return tls;
    if (err instanceof VcenterError) return err;
    return new VcenterHttpError({
      code: 'VCENTER_UNREACHABLE',
      message: `Could not reach vCenter ${this.sdkUrl.host} for ${method}`,
      remediation:
        'Check the vCenter URL, DNS, firewall (TCP 443) and that vCenter is running.',
      method,
      cause: err,
    });
  }
}

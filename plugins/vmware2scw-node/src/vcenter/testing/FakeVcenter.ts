import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP server answering vim25 SOAP calls with canned, vCenter-8-shaped envelopes, for the
 * paths vcsim 0.24.2 does not serve (ExportVm / ExportSnapshot leases, QueryChangedDiskAreas,
 * RetrievePropertiesEx paging tokens) and for fault injection. Handlers are chosen by SOAP method.
 */
export interface FakeRequest {
  method: string;
  body: string;
  cookie?: string;
  soapAction?: string;
}

export interface FakeResponse {
  status?: number;
  /** The XML inside `<soapenv:Body>`; wrapped in a vCenter 8 style envelope unless `raw`. */
  body: string;
  /** `body` is a whole envelope (a recorded-style fixture file). */
  raw?: boolean;
  headers?: Record<string, string>;
}

export type FakeHandler = (
  req: FakeRequest,
) => FakeResponse | Promise<FakeResponse>;

/** Non-SOAP routes (`/folder`, `/nfc`, `/rest`): return true when handled. */
export type FakeRoute = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => boolean;

export class FakeVcenter {
  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
    readonly calls: FakeRequest[],
  ) {}

  static async start(
    handlers: Record<string, FakeHandler>,
    routes: FakeRoute[] = [],
  ): Promise<FakeVcenter> {
    const calls: FakeRequest[] = [];
    const server = http.createServer((req, res) => {
      for (const route of routes) if (route(req, res)) return;
      if (req.method !== 'POST' || !req.url?.startsWith('/sdk')) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const method = /<(?:\w+:)?Body>\s*<(\w+)/.exec(body)?.[1] ?? '';
        const call: FakeRequest = {
          method,
          body,
          cookie: req.headers.cookie,
          soapAction: req.headers.soapaction as string | undefined,
        };
        calls.push(call);
        const handler = handlers[method];
        const out: FakeResponse = handler
          ? await handler(call)
          : soapFault(
              'MethodNotFound',
              `fake vCenter does not implement ${method}`,
            );
        res.writeHead(out.status ?? 200, {
          'content-type': 'text/xml; charset=utf-8',
          ...out.headers,
        });
        res.end(out.raw ? out.body : vc8Envelope(out.body));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new FakeVcenter(server, `http://127.0.0.1:${port}`, calls);
  }

  get sdkUrl(): string {
    return `${this.origin}/sdk`;
  }

  count(method: string): number {
    return this.calls.filter(c => c.method === method).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

/** Envelope as vCenter 8 writes it: `xsi` declared on the Envelope, line breaks around the Body. */
export function vc8Envelope(inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"\n' +
    ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n' +
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
    `<soapenv:Body>\n${inner}\n</soapenv:Body>\n</soapenv:Envelope>`
  );
}

/** `<MethodResponse xmlns="urn:vim25">inner</MethodResponse>` */
export function soapResponse(method: string, inner = ''): FakeResponse {
  return {
    body: `<${method}Response xmlns="urn:vim25">${inner}</${method}Response>`,
  };
}

/** A SOAP fault as vCenter sends it (HTTP 500). */
export function soapFault(
  type: string,
  message: string,
  detail = '',
): FakeResponse {
  return {
    status: 500,
    body:
      `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${message}</faultstring>` +
      `<detail><${type}Fault xmlns="urn:vim25" xsi:type="${type}">${detail}</${type}Fault></detail></soapenv:Fault>`,
  };
}

import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'http';
import { randomUUID } from 'crypto';
import type { AddressInfo } from 'net';
import { fetch as undiciFetch } from 'undici';
import { apiJson } from '../testing/ApiJson';
import { catalogAnswer, recordedServerTypes } from '../testing/CatalogRoutes';

/**
 * A local stand-in for the Scaleway Instance API's catalog endpoints, answering as the real API did
 * when recorded (fr-par-1, 2026-07-30): `products/servers` and `products/servers/availability`, maps
 * keyed by type name in name order, 50 entries per page unless `per_page` says otherwise (at most
 * 100), the total in `X-Total-Count` and not in the body, a `Link` header with first/previous/next/
 * last, a `Content-Type` of exactly `application/json`, and bodies written as the API writes them
 * (`{"key": value, ...}` with spaces). Each type's body is the recorded one, field for field and in
 * the recorded key order: the domain's figures from the offline snapshot, the rest (deprecated
 * `monthly_price`, `gpu_info`, `alt_names`, scratch storage, ...) from `testing/recordedWireFields.ts`.
 */
export interface FakeInstanceApi {
  url: string;
  requests: string[];
  /** Next responses fail with this status (a JSON error body), while > 0. */
  failNext(status: number, times?: number): void;
  /** Replaces the Content-Type header (to check the SDK's strictness). */
  contentType: string;
  /** Types to leave out of the availability list. */
  hideAvailability: Set<string>;
  close(): Promise<void>;
}

export async function startFakeInstanceApi(): Promise<FakeInstanceApi> {
  const types = recordedServerTypes();
  const state = {
    requests: [] as string[],
    failures: [] as number[],
    contentType: 'application/json',
    hideAvailability: new Set<string>(),
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = apiJson(body);
    // Node adds `Date`; the gateway's own headers follow the recording.
    res.writeHead(status, {
      'Content-Length': String(Buffer.byteLength(text)),
      'Content-Type': state.contentType,
      ...headers,
      Server: 'Scaleway API Gateway (fake)',
      'X-Request-Id': randomUUID(),
    });
    res.end(text);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    state.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://fake');
    const m =
      /^\/instance\/v1\/zones\/([a-z]{2}-[a-z]{3}-\d)\/products\/servers(\/availability)?$/.exec(
        url.pathname,
      );
    if (!req.headers['x-auth-token']) {
      send(res, 401, {
        message: 'authentication is denied',
        method: 'api_key',
        reason: 'invalid_argument',
        type: 'denied_authentication',
      });
      return;
    }
    const failure = state.failures.shift();
    if (failure) {
      send(res, failure, { message: 'internal error', type: 'internal_error' });
      return;
    }
    if (req.method !== 'GET' || !m) {
      send(res, 404, {
        message: 'resource is not found',
        resource: 'path',
        type: 'not_found',
      });
      return;
    }
    if (m[1] !== 'fr-par-1') {
      send(res, 404, {
        message: `zone ${m[1]} is not found`,
        type: 'not_found',
      });
      return;
    }
    const answer = catalogAnswer(url.pathname, url.searchParams, {
      types,
      hideAvailability: state.hideAvailability,
    })!;
    send(res, answer.status, answer.body, answer.headers);
  };

  const server: Server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    failNext: (status, times = 1) =>
      state.failures.push(...Array(times).fill(status)),
    get contentType() {
      return state.contentType;
    },
    set contentType(v: string) {
      state.contentType = v;
    },
    hideAvailability: state.hideAvailability,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/**
 * A real HTTP client for the SDK in tests: Backstage's jest setup blocks the global `fetch`, so
 * requests to the local fake go through undici instead.
 */
export const testHttpClient = (async (
  input: RequestInfo | URL,
  init?: RequestInit,
) => {
  const req = input instanceof Request ? input : new Request(input, init);
  const response = await undiciFetch(req.url, {
    method: req.method,
    headers: Object.fromEntries(req.headers),
  });
  return response as unknown as Response;
}) as typeof fetch;

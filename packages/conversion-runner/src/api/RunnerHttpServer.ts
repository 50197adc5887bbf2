import {
  createServer,
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from 'http';
import { createServer as createTlsServer, Server as TlsServer } from 'https';
import { AddressInfo } from 'net';
import { RunnerError, toRunnerError } from '../RunnerError';
import { JobManager } from '../jobs/JobManager';
import { hasValidBearer } from './BearerAuth';
import { HealthReport } from './HealthReport';

const MAX_BODY = 1024 * 1024;

type RunnerOperation =
  | 'getHealth'
  | 'submitJob'
  | 'listJobs'
  | 'getJob'
  | 'getJobLogs'
  | 'cancelJob';

/**
 * The routes the server answers, with the query parameters each reads: the table openapi.yaml is
 * checked against (src/api/openapi.test.ts).
 */
export const RUNNER_ROUTES: ReadonlyArray<{
  method: 'GET' | 'POST';
  path: string;
  operation: RunnerOperation;
  query: readonly string[];
}> = [
  { method: 'GET', path: '/v1/health', operation: 'getHealth', query: [] },
  { method: 'POST', path: '/v1/jobs', operation: 'submitJob', query: [] },
  {
    method: 'GET',
    path: '/v1/jobs',
    operation: 'listJobs',
    query: ['vm', 'limit', 'cursor'],
  },
  { method: 'GET', path: '/v1/jobs/{id}', operation: 'getJob', query: [] },
  {
    method: 'GET',
    path: '/v1/jobs/{id}/logs',
    operation: 'getJobLogs',
    query: ['after'],
  },
  {
    method: 'POST',
    path: '/v1/jobs/{id}/cancel',
    operation: 'cancelJob',
    query: [],
  },
];

/**
 * The runner's HTTP API (openapi.yaml): every route needs the bearer token; errors are
 * {code, message, remediation} with a matching status.
 */
export class RunnerHttpServer {
  private server?: Server | TlsServer;

  constructor(
    private readonly options: {
      token: string;
      jobs: JobManager;
      health: () => Promise<HealthReport>;
      log?: (line: string) => void;
      /** PEM certificate and key: the API is served over https. */
      tls?: { cert: string; key: string };
    },
  ) {}

  async listen(
    port: number,
    host: string,
  ): Promise<{ port: number; host: string; url: string }> {
    const listener: RequestListener = (request, response) => {
      // handle() answers every error itself; this catch is the last line of defence so that
      // no request, however malformed, turns into an unhandled rejection that ends the process.
      this.handle(request, response).catch(error => {
        this.options.log?.(
          `request handling failed: ${(error as Error)?.message ?? error}`,
        );
        if (!response.headersSent) {
          send(response, 500, {
            error: toRunnerError(error).toJSON(),
          });
        } else {
          response.destroy();
        }
      });
    };
    const { tls } = this.options;
    this.server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key }, listener)
      : createServer(listener);
    // a client that sends garbage the HTTP parser refuses: answer 400 and close, never crash
    this.server.on('clientError', (error, socket) => {
      if (
        socket.writable &&
        !(error as { code?: string }).code?.startsWith('ECONN')
      ) {
        socket.end(
          'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
        );
      } else {
        socket.destroy();
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    const printable =
      address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      port: address.port,
      host: address.address,
      url: `${tls ? 'https' : 'http'}://${printable}:${address.port}`,
    };
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>(resolve => this.server!.close(() => resolve()));
    this.server.closeAllConnections?.();
  }

  private async handle(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const started = Date.now();
    let url: URL | undefined;
    try {
      url = parseTarget(request.url);
      if (!hasValidBearer(request, this.options.token)) {
        response.setHeader(
          'www-authenticate',
          'Bearer realm="vmware2scw-runner"',
        );
        throw new RunnerError({
          code: 'UNAUTHENTICATED',
          httpStatus: 401,
          message: `${request.method} ${url.pathname} needs a valid "Authorization: Bearer <token>" header.`,
          remediation:
            'Configure the backend with the same token as the runner (env VMWARE2SCW_RUNNER_TOKEN by default).',
        });
      }
      await this.route(request, response, url);
    } catch (error) {
      const runnerError = toRunnerError(error);
      send(response, runnerError.httpStatus, { error: runnerError.toJSON() });
    } finally {
      this.options.log?.(
        `${request.method} ${printablePath(url, request.url)} ${
          response.statusCode
        } ${Date.now() - started}ms`,
      );
    }
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '');
    for (const route of RUNNER_ROUTES) {
      const match = routePattern(route.path).exec(path);
      if (match && request.method === route.method) {
        await this.handlers[route.operation]({
          request,
          response,
          query: url.searchParams,
          id: match[1],
        });
        return;
      }
    }
    throw new RunnerError({
      code: 'NOT_FOUND',
      httpStatus: 404,
      message: `No route ${request.method} ${url.pathname}.`,
      remediation:
        'See openapi.yaml in the conversion-runner package for the routes.',
    });
  }

  private readonly handlers: Record<
    RunnerOperation,
    (call: {
      request: IncomingMessage;
      response: ServerResponse;
      query: URLSearchParams;
      id?: string;
    }) => Promise<void>
  > = {
    getHealth: async ({ response }) =>
      send(response, 200, await this.options.health()),
    submitJob: async ({ request, response }) => {
      const { job, created } = this.options.jobs.submit(
        await readJson(request),
      );
      send(response, created ? 202 : 200, job);
    },
    listJobs: async ({ response, query }) =>
      send(
        response,
        200,
        this.options.jobs.page({
          vm: query.get('vm') ?? undefined,
          limit: pageLimit(query.get('limit')),
          cursor: query.get('cursor') ?? undefined,
        }),
      ),
    getJob: async ({ response, id }) =>
      send(response, 200, this.options.jobs.get(id!)),
    getJobLogs: async ({ response, query, id }) => {
      const after = Number(query.get('after') ?? -1);
      send(response, 200, {
        lines: this.options.jobs.logs(id!, Number.isFinite(after) ? after : -1),
      });
    },
    cancelJob: async ({ response, id }) =>
      send(response, 202, this.options.jobs.cancel(id!)),
  };
}

/** `/v1/jobs/{id}/logs` -> a pattern capturing the job id (a UUID). */
function routePattern(path: string): RegExp {
  return new RegExp(`^${path.replace('{id}', '([0-9a-f-]{36})')}$`);
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

function pageLimit(value: string | null): number {
  if (value === null) return DEFAULT_PAGE;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RunnerError({
      code: 'INVALID_REQUEST',
      httpStatus: 400,
      message: `limit ${JSON.stringify(
        value.slice(0, 20),
      )} is not an integer from 1 to ${MAX_PAGE}.`,
      remediation: `Leave limit out (${DEFAULT_PAGE} jobs per page) or pass 1..${MAX_PAGE}; follow nextCursor for the next page.`,
    });
  }
  return limit;
}

/**
 * The request target as a URL on a fixed base. A target such as `//`, `///` or `\\` is not a
 * valid path (`new URL` would read it as a host), so anything but an origin-form path is a 400.
 */
function parseTarget(target: string | undefined): URL {
  const raw = target ?? '/';
  const invalid = () =>
    new RunnerError({
      code: 'INVALID_REQUEST',
      httpStatus: 400,
      message: `The request target ${JSON.stringify(
        raw.slice(0, 200),
      )} is not a path.`,
      remediation:
        'Send an origin-form target such as /v1/health (see openapi.yaml).',
    });
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) {
    throw invalid();
  }
  try {
    return new URL(raw, 'http://runner');
  } catch {
    throw invalid();
  }
}

function printablePath(url: URL | undefined, raw: string | undefined): string {
  if (url) return url.pathname;
  return JSON.stringify((raw ?? '').slice(0, 80));
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('cache-control', 'no-store');
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      throw new RunnerError({
        code: 'INVALID_REQUEST',
        httpStatus: 413,
        message: 'Request body over 1 MiB.',
        remediation:
          'Job params are small JSON objects; check what is being sent.',
      });
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new RunnerError({
      code: 'INVALID_REQUEST',
      httpStatus: 400,
      message: 'The request body is not valid JSON.',
      remediation: 'Send a JSON object with content-type application/json.',
    });
  }
}

import { createReadStream } from 'fs';
import { stat } from 'fs/promises';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';

/**
 * Serves disk files the way ESXi's datastore browser does: GET /folder/<path>?dcPath=...&dsName=...,
 * a session cookie (or service ticket cookie) required, Range requests honoured. It can cut the
 * connection after N bytes of the first response, to prove that export resumes with Range.
 */
export class DatastoreHttpServer {
  readonly requests: Array<{
    path: string;
    range?: string;
    ifRange?: string;
    cookie?: string;
  }> = [];
  private dropped = false;
  private stalledOnce = false;
  private readonly stall = deferred();
  private readonly unstall = deferred();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(options: {
    files: Record<string, string>;
    cookie: string;
    dropFirstResponseAfterBytes?: number;
    /** Sends this many bytes of the first response, then waits for release() (the client sees a stalled transfer). */
    stallFirstResponseAfterBytes?: number;
  }): Promise<DatastoreHttpServer> {
    const state: { instance?: DatastoreHttpServer } = {};
    const server = createServer(async (request, response) => {
      const instance = state.instance!;
      const url = new URL(request.url ?? '/', 'http://datastore');
      instance.requests.push({
        path: url.pathname,
        range: request.headers.range,
        ifRange: request.headers['if-range'] as string | undefined,
        cookie: request.headers.cookie,
      });
      if (
        !(request.headers.cookie ?? '').split(/;\s*/).includes(options.cookie)
      ) {
        response
          .writeHead(401, { 'content-type': 'text/plain' })
          .end('unauthorized');
        return;
      }
      const name = decodeURIComponent(url.pathname.replace(/^\/folder\//, ''));
      const file = options.files[name];
      if (
        !url.pathname.startsWith('/folder/') ||
        !file ||
        !url.searchParams.get('dsName')
      ) {
        response.writeHead(404).end();
        return;
      }
      const { size, mtime, mtimeMs } = await stat(file);
      const validators = {
        etag: `"${size.toString(16)}-${mtimeMs.toString(16)}"`,
        'last-modified': mtime.toUTCString(),
      };
      let start = 0;
      let end = size - 1;
      const ifRange = request.headers['if-range'];
      // If-Range: the range applies only if the file is still the one the client has a part of
      const range =
        ifRange === undefined ||
        ifRange === validators.etag ||
        ifRange === validators['last-modified']
          ? request.headers.range?.match(/^bytes=(\d+)-(\d*)$/)
          : undefined;
      if (range) {
        start = Number(range[1]);
        end = range[2] ? Number(range[2]) : size - 1;
        if (start >= size) {
          response
            .writeHead(416, {
              'content-range': `bytes */${size}`,
              ...validators,
            })
            .end();
          return;
        }
        response.writeHead(206, {
          'content-type': 'application/octet-stream',
          'content-length': String(end - start + 1),
          'content-range': `bytes ${start}-${end}/${size}`,
          'accept-ranges': 'bytes',
          ...validators,
        });
      } else {
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': String(size),
          'accept-ranges': 'bytes',
          ...validators,
        });
      }
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      const stream = createReadStream(file, {
        start,
        end,
        highWaterMark: 1024 * 1024,
      });
      const dropAt = !instance.dropped
        ? options.dropFirstResponseAfterBytes
        : undefined;
      const stallAt = !instance.stalledOnce
        ? options.stallFirstResponseAfterBytes
        : undefined;
      if (stallAt !== undefined) instance.stalledOnce = true;
      let sent = 0;
      stream.on('data', (chunk: Buffer) => {
        if (
          stallAt !== undefined &&
          sent <= stallAt &&
          sent + chunk.length > stallAt
        ) {
          // send up to the stall point, hold the rest until release() (or until the client goes away)
          const first = stallAt - sent;
          response.write(chunk.subarray(0, first));
          sent += chunk.length;
          stream.pause();
          instance.stall.resolve();
          void instance.unstall.promise.then(() => {
            if (response.destroyed) return;
            response.write(chunk.subarray(first));
            stream.resume();
          });
          return;
        }
        if (dropAt !== undefined && sent + chunk.length > dropAt) {
          instance.dropped = true;
          response.write(chunk.subarray(0, dropAt - sent));
          stream.destroy();
          setTimeout(() => response.socket?.destroy(), 50);
          return;
        }
        sent += chunk.length;
        if (!response.write(chunk)) {
          stream.pause();
          response.once('drain', () => stream.resume());
        }
      });
      stream.on('end', () => response.end());
      response.on('close', () => stream.destroy());
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = server.address() as AddressInfo;
    state.instance = new DatastoreHttpServer(
      server,
      `http://127.0.0.1:${port}`,
    );
    return state.instance;
  }

  /** Resolves once the first response has stalled (stallFirstResponseAfterBytes). */
  stalled(): Promise<void> {
    return this.stall.promise;
  }

  /** Lets a stalled response continue. */
  release(): void {
    this.unstall.resolve();
  }

  /** URL of a file as vSphere hands it out for a datastore download. */
  folderUrl(name: string): string {
    return `${this.baseUrl}/folder/${encodeURIComponent(
      name,
    )}?dcPath=ha-datacenter&dsName=datastore1`;
  }

  async stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>(res => {
    resolve = res;
  });
  return { promise, resolve };
}

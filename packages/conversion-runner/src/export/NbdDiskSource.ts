import { existsSync } from 'fs';
import { chmod, mkdir, rm } from 'fs/promises';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { join } from 'path';
import { pipeline } from 'stream/promises';
import { Dispatcher } from 'undici';
import { RunnerError } from '../RunnerError';
import { runTool } from '../tools/ToolRunner';
import { AllowedHosts } from './AllowedHosts';
import { openDiskSource, redactUrl } from './DiskSource';

/** A unix socket path must fit in sockaddr_un (108 bytes with its NUL). */
const MAX_SOCKET_PATH = 100;

export type NbdDiskSourceOptions = {
  url: URL;
  /** Cookie / ticket headers: they stay in this process (the proxy adds them), never in nbdkit's args or files. */
  headers: Record<string, string>;
  allowedHosts: AllowedHosts;
  /** Verified TLS or a pinned thumbprint (createDiskAgent); closed by stop(). */
  dispatcher: Dispatcher;
  /** A private (0700) folder for the two sockets; the NBD socket path is what overlays name as backing. */
  dir: string;
  name: string;
  log: (line: string) => void;
};

/**
 * Random access to a datastore `/folder` disk (the `-flat.vmdk` extent, read as raw) without
 * downloading it: nbdkit's curl plugin serves it as a read-only NBD export on a unix socket and fetches
 * each block when it is read, with bounded `Range` requests. Its HTTP goes to a proxy in this process
 * (on another unix socket) that forwards each request with the existing source rules: the cookie or
 * ticket added only here (so it is in no process's arguments, environment or file), redirects only to
 * allow-listed hosts, verified TLS or the pinned thumbprint. The proxy counts what the source sent.
 * A qcow2 overlay whose backing file is `uri` receives every write; the export itself is read-only.
 */
export class NbdDiskSource {
  /** Bytes of disk data the source sent (bodies of GET responses). */
  bytesFetched = 0;
  requests = 0;
  private stopping = false;

  private constructor(
    readonly socket: string,
    readonly size: number,
    private readonly proxy: Server,
    private readonly proxySocket: string,
    private readonly stopNbdkit: AbortController,
    private readonly exited: Promise<unknown>,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** What qemu opens: `qemu-img create -b <uri> -F raw`. */
  get uri(): string {
    return `nbd+unix:///?socket=${this.socket}`;
  }

  /**
   * A qcow2 overlay on this source (no data: every write of the later stages lands in it, reads of
   * what was not written go to the source).
   */
  async createOverlay(file: string): Promise<void> {
    await runTool('qemu-img', [
      'create',
      '-f',
      'qcow2',
      '-o',
      'compat=1.1',
      '-b',
      this.uri,
      '-F',
      'raw',
      file,
    ]);
  }

  static async start(options: NbdDiskSourceOptions): Promise<NbdDiskSource> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    await chmod(options.dir, 0o700);
    const socket = join(options.dir, `${options.name}.nbd`);
    const proxySocket = join(options.dir, `${options.name}.http`);
    if (socket.length > MAX_SOCKET_PATH) {
      throw new RunnerError({
        code: 'SCRATCH_PATH_TOO_LONG',
        message: `The NBD socket ${socket} is longer than ${MAX_SOCKET_PATH} bytes (a unix socket path limit).`,
        remediation:
          'Use a shorter scratch folder path for the runner (config scratch.root).',
      });
    }
    await rm(socket, { force: true });
    await rm(proxySocket, { force: true });
    const stats = { bytes: 0, requests: 0 };
    const size = await probeSize(options);
    const proxy = createServer(
      (request, response) =>
        void forward(options, size, stats, request, response),
    );
    await new Promise<void>((resolve, reject) => {
      proxy.once('error', reject);
      proxy.listen(proxySocket, () => resolve());
    });
    await chmod(proxySocket, 0o600);
    const stop = new AbortController();
    const stderr: string[] = [];
    const exited = runTool(
      'nbdkit',
      [
        '--foreground',
        '--readonly',
        '--exit-with-parent',
        '--unix',
        socket,
        // a dropped connection is reopened and the read retried, instead of failing the guest's I/O
        '--filter=retry',
        'curl',
        // the host part is a placeholder: the connection goes to the proxy's socket
        'url=http://source.invalid/disk',
        `unix-socket-path=${proxySocket}`,
        'retry-delay=1',
        'retries=5',
      ],
      {
        signal: stop.signal,
        timeoutMs: 7 * 24 * 3600 * 1000,
        captureStdout: false,
        onLine: line => {
          stderr.push(line);
          if (stderr.length > 20) stderr.shift();
          options.log(`nbdkit: ${line}`);
        },
      },
    );
    exited.catch(() => undefined);
    const source = new NbdDiskSource(
      socket,
      size,
      proxy,
      proxySocket,
      stop,
      exited,
      options.dispatcher,
    );
    Object.defineProperty(source, 'bytesFetched', { get: () => stats.bytes });
    Object.defineProperty(source, 'requests', { get: () => stats.requests });
    const deadline = Date.now() + 30_000;
    let gone: unknown;
    void exited.then(
      () => (gone = new Error('nbdkit exited')),
      error => (gone = error),
    );
    while (!existsSync(socket)) {
      if (gone !== undefined || Date.now() > deadline) {
        await source.stop();
        throw new RunnerError({
          code: 'EXPORT_FAILED',
          message: `nbdkit did not serve ${redactUrl(options.url)}: ${
            gone instanceof Error ? gone.message : 'no socket after 30 s'
          }${stderr.length ? ` (${stderr.join(' | ')})` : ''}`,
          remediation:
            'Check that nbdkit and its curl plugin are installed (scripts/system-deps.sh), or export with access "download".',
        });
      }
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    options.log(
      `serving ${redactUrl(options.url)} (${size} bytes) on ${socket}`,
    );
    return source;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopNbdkit.abort();
    await this.exited.catch(() => undefined);
    await new Promise<void>(resolve => {
      this.proxy.close(() => resolve());
      this.proxy.closeAllConnections();
    });
    await rm(this.socket, { force: true });
    await rm(this.proxySocket, { force: true });
    await this.dispatcher.close().catch(() => undefined);
  }
}

/** The disk's size from a one-byte range (the same request shape as every later read). */
async function probeSize(options: NbdDiskSourceOptions): Promise<number> {
  const opened = await openDiskSource(options, 0, undefined, 0);
  if (opened.kind !== 'body') throw new Error('the source holds no bytes');
  const ranged = opened.response.statusCode === 206;
  await opened.response.body.dump();
  if (!ranged || opened.total === undefined) {
    throw new RunnerError({
      code: 'SOURCE_NOT_SEEKABLE',
      message: `${redactUrl(options.url)} ignored a Range request (HTTP ${
        opened.response.statusCode
      }): blocks cannot be fetched on demand.`,
      remediation:
        'Export with source access "download" (the whole disk is downloaded first).',
    });
  }
  return opened.total;
}

/**
 * One nbdkit request sent on to the source: HEAD is answered with the size probed at start, a GET with
 * a bounded Range is forwarded (its end clamped to the disk: nbdkit's curl plugin asks for one byte
 * past the block and keeps what it asked for).
 */
async function forward(
  options: NbdDiskSourceOptions,
  size: number,
  stats: { bytes: number; requests: number },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    stats.requests++;
    const range = String(request.headers.range ?? '').match(
      /^bytes=(\d+)-(\d+)$/,
    );
    if (!range && request.method !== 'HEAD') {
      response.writeHead(400).end('only bounded ranges are served');
      return;
    }
    if (request.method === 'HEAD' || !range) {
      response
        .writeHead(200, {
          'content-length': String(size),
          'accept-ranges': 'bytes',
        })
        .end();
      return;
    }
    const offset = Number(range[1]);
    const end = Math.min(Number(range[2]), size - 1);
    const opened = await openDiskSource(options, offset, undefined, end);
    if (opened.kind !== 'body' || opened.response.statusCode !== 206) {
      if (opened.kind === 'body') await opened.response.body.dump();
      response.writeHead(416).end();
      return;
    }
    response.writeHead(206, {
      'content-length': String(end - offset + 1),
      'content-range': `bytes ${offset}-${end}/${size}`,
      'accept-ranges': 'bytes',
    });
    opened.response.body.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    await pipeline(opened.response.body, response);
  } catch (error) {
    options.log(
      `source read failed: ${
        error instanceof RunnerError ? error.message : (error as Error).message
      }`,
    );
    if (!response.headersSent) response.writeHead(502).end();
    else response.destroy();
  }
}

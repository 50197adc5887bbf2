import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';

const run = promisify(execFile);

/**
 * A real S3-compatible server for tests, demos and benchmarks: OpenStack Swift (Debian packages
 * swift-proxy, swift-account, swift-container, swift-object, memcached) with its s3api middleware,
 * on loopback ports, one replica, data in a temp folder. It implements multipart upload with
 * ListParts/ListMultipartUploads/Abort, checks Content-MD5 (BadDigest), builds multipart ETags as
 * S3 does, caps uploads at 1000 parts like Scaleway and answers GetBucketLocation with its region.
 *
 * Shared by the conversion runner's upload tests, the Scaleway simulator (which reads the uploaded
 * qcow2 from it, as Scaleway's import reads the bucket) and the engine's end-to-end tests.
 */
export class SwiftS3Server {
  private constructor(
    readonly endpoint: string,
    readonly region: string,
    readonly credentials: { accessKeyId: string; secretAccessKey: string },
    private readonly dir: string,
    private readonly children: ChildProcess[],
  ) {}

  static async start(
    options: { region?: string } = {},
  ): Promise<SwiftS3Server> {
    const region = options.region ?? 'fr-par';
    const dir = await mkdtemp(join(tmpdir(), 'vmware2scw-swift-'));
    await mkdir(join(dir, 'node', 'd1'), { recursive: true });
    const [proxy, account, container, object, memcache] = await freePorts(5);
    const children: ChildProcess[] = [];
    const server = new SwiftS3Server(
      `http://127.0.0.1:${proxy}`,
      region,
      { accessKeyId: 'vmware2scw:tester', secretAccessKey: 'testing-secret' },
      dir,
      children,
    );
    try {
      const common = (port: number) =>
        `[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = ${port}\nswift_dir = ${dir}\ndevices = ${join(
          dir,
          'node',
        )}\nmount_check = false\nworkers = 0\nuser = root\nlog_udp_host = 127.0.0.1\nlog_udp_port = 9\n`;
      for (const [name, port] of [
        ['account', account],
        ['container', container],
        ['object', object],
      ] as const) {
        const builder = join(dir, `${name}.builder`);
        await run('swift-ring-builder', [builder, 'create', '6', '1', '1']);
        await run('swift-ring-builder', [
          builder,
          'add',
          `r1z1-127.0.0.1:${port}/d1`,
          '1',
        ]);
        // Exits 1 with a warning ("balance ... more than 1%") on a one-device ring: not an error.
        await run('swift-ring-builder', [builder, 'rebalance']).catch(
          () => undefined,
        );
        await writeFile(
          join(dir, `${name}-server.conf`),
          `${common(
            port,
          )}[pipeline:main]\npipeline = ${name}-server\n[app:${name}-server]\nuse = egg:swift#${name}\n`,
        );
      }
      await writeFile(
        join(dir, 'proxy-server.conf'),
        `${common(
          proxy,
        )}[pipeline:main]\npipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth slo dlo proxy-logging proxy-server\n` +
          `[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n` +
          `[filter:catch_errors]\nuse = egg:swift#catch_errors\n[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n` +
          `[filter:healthcheck]\nuse = egg:swift#healthcheck\n[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n` +
          `[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:${memcache}\n` +
          `[filter:listing_formats]\nuse = egg:swift#listing_formats\n` +
          `[filter:s3api]\nuse = egg:swift#s3api\nlocation = ${region}\n` +
          `[filter:tempauth]\nuse = egg:swift#tempauth\nuser_vmware2scw_tester = testing-secret .admin\n` +
          `[filter:slo]\nuse = egg:swift#slo\n[filter:dlo]\nuse = egg:swift#dlo\n`,
      );
      children.push(
        spawn(
          'memcached',
          [
            '-u',
            'root',
            '-l',
            '127.0.0.1',
            '-p',
            String(memcache),
            '-U',
            '0',
            '-m',
            '64',
          ],
          { stdio: 'ignore' },
        ),
      );
      for (const name of ['account', 'container', 'object', 'proxy']) {
        children.push(
          spawn(`swift-${name}-server`, [join(dir, `${name}-server.conf`)], {
            stdio: 'ignore',
          }),
        );
      }
      for (const child of children) child.on('error', () => undefined);
      await server.waitHealthy(60_000);
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /** An S3 client for this server (path-style addressing, as loopback endpoints need). */
  client(): S3Client {
    return new S3Client({
      endpoint: this.endpoint,
      region: this.region,
      forcePathStyle: true,
      credentials: this.credentials,
    });
  }

  /**
   * Creates a bucket. On a loaded machine the proxy can answer 503 ("Please reduce your request rate")
   * while its account and container servers are still warming up: that is retried for up to 30 s.
   */
  async createBucket(bucket: string): Promise<void> {
    const client = this.client();
    const deadline = Date.now() + 30_000;
    try {
      for (;;) {
        try {
          await client.send(new CreateBucketCommand({ Bucket: bucket }));
          return;
        } catch (error) {
          const status = (error as { $metadata?: { httpStatusCode?: number } })
            .$metadata?.httpStatusCode;
          if (status !== 503 || Date.now() > deadline) throw error;
          await new Promise(r => setTimeout(r, 500));
        }
      }
    } finally {
      client.destroy();
    }
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const child of this.children) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `a Swift process exited early: ${child.spawnfile} (${
              child.exitCode ?? child.signalCode
            }); are the Debian packages swift-proxy, swift-account, swift-container, swift-object and memcached installed?`,
          );
      }
      try {
        const response = await request(`${this.endpoint}/healthcheck`);
        await response.body.dump();
        if (response.statusCode === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise(resolve => setTimeout(resolve, 300));
    }
    throw new Error(
      `Swift did not become healthy at ${this.endpoint} within ${timeoutMs} ms`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        child =>
          new Promise<void>(resolve => {
            if (
              child.pid === undefined ||
              child.exitCode !== null ||
              child.signalCode !== null
            ) {
              resolve();
              return;
            }
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>(resolve => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map(server => (server.address() as AddressInfo).port);
  await Promise.all(
    servers.map(server => new Promise(resolve => server.close(resolve))),
  );
  return ports;
}

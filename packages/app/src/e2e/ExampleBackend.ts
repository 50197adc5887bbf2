import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The repository root (this file is packages/app/src/e2e/ExampleBackend.ts). */
export const REPO = resolve(__dirname, '../../../..');

/** A TCP port nothing listens on now (the system picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Fails when something already listens on the port: its health answer would be taken for this backend's
 * (a backend left running by an earlier, killed run made a whole browser test wait on the wrong backend).
 */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `port ${port} is already in use (${err.code}): stop what listens on it (ss -ltnp 'sport = :${port}') or choose another with VMWARE2SCW_E2E_PORT`,
        ),
      ),
    );
    server.listen(port, () => server.close(() => resolveFree()));
  });
}

export interface ExampleBackendOptions {
  port: number;
  /** Directory for the SQLite files: kept across restarts, so a batch survives a change of user. */
  dataDir: string;
  /** Who the guest sign-in is (user:default/guest is on the platform team, user:default/jane is not). */
  userEntityRef: string;
  /** More config files, e.g. the lab's (vCenter simulator, runner, S3, Scaleway simulator). */
  extraConfigs?: string[];
}

/**
 * packages/backend as `yarn start` runs it (app-config.yaml), on its own port and data directory, serving
 * the built app (packages/app/dist) itself so that one port is the whole product.
 */
export class ExampleBackend {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly options: ExampleBackendOptions) {}

  get baseUrl(): string {
    return `http://localhost:${this.options.port}`;
  }

  async start(timeoutMs = 300_000): Promise<void> {
    const { port, dataDir, userEntityRef } = this.options;
    mkdirSync(join(dataDir, 'sqlite'), { recursive: true });
    const config = join(dataDir, `e2e-${port}.yaml`);
    writeFileSync(
      config,
      JSON.stringify({
        app: { baseUrl: this.baseUrl },
        backend: {
          baseUrl: this.baseUrl,
          listen: { port },
          cors: { origin: this.baseUrl },
          database: {
            client: 'better-sqlite3',
            connection: { directory: join(dataDir, 'sqlite') },
          },
        },
        auth: {
          providers: {
            guest: { userEntityRef, dangerouslyAllowOutsideDevelopment: true },
          },
        },
      }),
    );
    const args = [
      '--require',
      join(REPO, 'node_modules/@backstage/cli/config/nodeTransform.cjs'),
      'src/index.ts',
      '--config',
      join(REPO, 'app-config.yaml'),
      '--config',
      config,
      ...(this.options.extraConfigs ?? []).flatMap(c => ['--config', c]),
    ];
    await assertPortFree(port);
    this.output = '';
    const child = spawn(process.execPath, args, {
      cwd: join(REPO, 'packages/backend'),
      env: { ...process.env, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // Never outlives the test process, even when Jest force-exits it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(
          `the example backend exited (${child.exitCode}):\n${this.output}`,
        );
      try {
        const res = await fetch(`${this.baseUrl}/api/vmware2scw/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 1000));
    }
    await this.stop();
    throw new Error(
      `the example backend did not answer within ${timeoutMs} ms:\n${this.output}`,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise(r => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** The last lines the backend printed, for a failure message. */
  logTail(): string {
    return this.output.slice(-4000);
  }

  /** A token for the guest user, as the app's sign-in gets it. */
  async guestToken(): Promise<string> {
    const res = await fetch(
      `${this.baseUrl}/api/auth/guest/refresh?env=development`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    if (!res.ok) throw new Error(`guest sign-in refused: ${res.status}`);
    const body = (await res.json()) as {
      backstageIdentity: { token: string };
    };
    return body.backstageIdentity.token;
  }

  async get<T>(path: string): Promise<{ status: number; body?: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${await this.guestToken()}` },
    });
    return {
      status: res.status,
      body: res.ok ? ((await res.json()) as T) : undefined,
    };
  }

  /**
   * Why the migration engine cannot be driven yet, or undefined when it can: the routes the browser test
   * uses must answer (they are in openapi.yaml; the router serves them once the engine lands).
   */
  async engineMissing(): Promise<string | undefined> {
    for (const path of [
      '/api/vmware2scw/plans',
      '/api/vmware2scw/batches',
      '/api/vmware2scw/vms?limit=1',
    ]) {
      const { status } = await this.get(path);
      if (status !== 200)
        return `GET ${path} answers ${status}: the vmware2scw backend does not serve the migration engine's routes yet`;
    }
    return undefined;
  }

  /**
   * Waits until the catalog holds VM entities (the sample inventory is ingested on a schedule) and the
   * guest's platform-team membership is known (examples/org.yaml); returns the VMs' entity names and
   * vSphere names (the entity's title, what the filters match).
   */
  async waitForVms(
    wanted: (vm: { entityName: string; vmName: string }) => boolean = () =>
      true,
    timeoutMs = 300_000,
  ): Promise<{ entityName: string; vmName: string }[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { body } = await this.get<{
        items: { metadata: { name: string; title?: string } }[];
      }>(
        '/api/catalog/entities/by-query?filter=kind=resource,spec.type=virtual-machine&limit=100&fields=metadata.name,metadata.title',
      );
      const team = await this.get(
        '/api/catalog/entities/by-name/group/default/platform-team',
      );
      const vms =
        body?.items.map(e => ({
          entityName: e.metadata.name,
          vmName: e.metadata.title ?? e.metadata.name,
        })) ?? [];
      const found = vms.filter(wanted);
      if (found.length > 0 && team.status === 200) return found;
      await new Promise(r => setTimeout(r, 3000));
    }
    throw new Error('the VM entity the test needs did not reach the catalog');
  }
}

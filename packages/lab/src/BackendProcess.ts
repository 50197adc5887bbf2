import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');

/**
 * The product's backend (`packages/backend`) in a process of its own, as an operator runs it, with
 * extra configuration (the lab, a database, a static token for the test's API calls). It can be
 * killed with SIGKILL and started again on the same database.
 */
export class BackendProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  private constructor(
    readonly baseUrl: string,
    private readonly configFile: string,
    private readonly work: string,
  ) {}

  static async create(options: {
    port: number;
    config: Record<string, unknown>;
  }): Promise<BackendProcess> {
    const work = await mkdtemp(join(tmpdir(), 'vmware2scw-backend-'));
    const configFile = join(work, 'app-config.e2e.yaml');
    // JSON is YAML: the config is written as is.
    await writeFile(configFile, JSON.stringify(options.config, null, 2));
    return new BackendProcess(
      `http://127.0.0.1:${options.port}`,
      configFile,
      work,
    );
  }

  async start(timeoutMs = 180_000): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        join(REPO, 'packages/backend/src/index.ts'),
        '--config',
        join(REPO, 'app-config.yaml'),
        '--config',
        this.configFile,
      ],
      {
        cwd: join(REPO, 'packages/backend'),
        env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 3000)
        this.output.splice(0, this.output.length - 3000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(
          `backend exited with ${child.exitCode}:\n${this.tail(60)}`,
        );
      }
      const ok = await fetch(`${this.baseUrl}/api/vmware2scw/health`)
        .then(r => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline)
        throw new Error(`backend did not start:\n${this.tail(60)}`);
      await new Promise(r => setTimeout(r, 500));
    }
  }

  /** kill -9: no shutdown hook runs, leases stay as they were. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(r => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.work, { recursive: true, force: true });
  }

  tail(lines: number): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}

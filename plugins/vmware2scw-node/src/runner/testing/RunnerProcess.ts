import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A conversion runner as an operator starts it (`bin/vmware2scw-runner.js --config runner.yaml`), in
 * its own process, for the tests, the lab and the benchmarks of the backend side. The runner is found
 * in the monorepo (`packages/conversion-runner`) or at `VMWARE2SCW_RUNNER_BIN`.
 */
export interface RunnerProcessOptions {
  token: string;
  /** Hosts (`host[:port]`) the runner may download from. */
  allowedHosts: string[];
  /** Scratch folder; a temporary one (removed at stop) when absent. */
  scratchDir?: string;
  /** `tcg` skips the KVM probe (this machine's KVM is unusable). */
  accel?: 'auto' | 'kvm' | 'tcg';
  /** Extra YAML lines for the config file (s3, guest, jobs …). */
  extraConfig?: string[];
  /** Extra environment (S3 keys named by the config). */
  env?: Record<string, string>;
}

export class RunnerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly output: string[],
    private readonly work: string,
    private readonly ownsScratch: boolean,
    readonly scratchDir: string,
  ) {}

  static binary(): string {
    return (
      process.env.VMWARE2SCW_RUNNER_BIN ??
      resolve(
        resolvePackagePath('@internal/plugin-vmware2scw-node'),
        '../../packages/conversion-runner/bin/vmware2scw-runner.js',
      )
    );
  }

  static async start(options: RunnerProcessOptions): Promise<RunnerProcess> {
    const work = await mkdtemp(join(tmpdir(), 'vmware2scw-runner-'));
    const scratchDir = options.scratchDir ?? join(work, 'scratch');
    const config = join(work, 'runner.yaml');
    await writeFile(
      config,
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `scratch: { dir: ${JSON.stringify(scratchDir)}, reserveBytes: 0 }`,
        `allowedHosts: ${JSON.stringify(options.allowedHosts)}`,
        `accel: { mode: ${options.accel ?? 'tcg'} }`,
        ...(options.extraConfig ?? []),
        '',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      [RunnerProcess.binary(), '--config', config],
      {
        env: {
          ...process.env,
          ...options.env,
          VMWARE2SCW_RUNNER_TOKEN: options.token,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`runner did not start:\n${output.join('')}`)),
        120_000,
      );
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.length > 2000) output.splice(0, output.length - 2000);
        const match = output.join('').match(/listening on (https?:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          ok(match[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', code => {
        clearTimeout(timer);
        fail(new Error(`runner exited ${code}:\n${output.join('')}`));
      });
    });
    child.removeAllListeners('exit');
    return new RunnerProcess(
      child,
      url,
      output,
      work,
      options.scratchDir === undefined,
      scratchDir,
    );
  }

  /** SIGTERM and wait; removes the temporary config (and scratch, when it made it). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise(r => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.work, { recursive: true, force: true });
    if (!this.ownsScratch) return;
  }
}

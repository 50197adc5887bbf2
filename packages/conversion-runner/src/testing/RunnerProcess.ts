import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { packageRoot } from '../PackageRoot';

/** The runner as an operator starts it: bin/vmware2scw-runner.js with a config file, in its own process. */
export class RunnerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly output: string[],
  ) {}

  static async start(
    config: string,
    token: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<RunnerProcess> {
    const child = spawn(
      process.execPath,
      [join(packageRoot(), 'bin', 'vmware2scw-runner.js'), '--config', config],
      {
        env: { ...env, VMWARE2SCW_RUNNER_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`runner did not start:\n${output.join('')}`)),
        60_000,
      );
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = output.join('').match(/listening on (https?:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', code => {
        clearTimeout(timer);
        reject(new Error(`runner exited ${code}:\n${output.join('')}`));
      });
    });
    child.removeAllListeners('exit');
    return new RunnerProcess(child, url, output);
  }

  /** Still running (not exited, not killed by a signal). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9: no handler runs, nothing is flushed or renamed by the runner. */
  async kill9(): Promise<void> {
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

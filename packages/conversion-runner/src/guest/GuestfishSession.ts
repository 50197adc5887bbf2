import { spawn } from 'child_process';
import execa from 'execa';
import { readdir, readFile, rm, writeFile } from 'fs/promises';
import { join } from 'path';
import { RunnerError } from '../RunnerError';
import { toolEnv } from '../tools/ToolEnv';
import { runTool } from '../tools/ToolRunner';

/**
 * One libguestfs appliance driven command by command (guestfish --listen / --remote): the appliance is
 * launched once per job whatever the number of steps, and every step is an argument array.
 */
export class GuestfishSession {
  private constructor(
    private readonly pid: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly signal?: AbortSignal,
    private readonly log?: (line: string) => void,
    private readonly pidFile?: string,
  ) {}

  static async start(options: {
    disks: Array<{ path: string; format: string }>;
    env: NodeJS.ProcessEnv;
    network?: boolean;
    signal?: AbortSignal;
    log?: (line: string) => void;
    /**
     * Where to note the daemon's PID while the session is open: the daemon outlives a killed runner
     * (it is not our child any more), and reapStaleGuestfish() stops it at the next start.
     */
    pidFile?: string;
  }): Promise<GuestfishSession> {
    const args = ['--listen', ...(options.network ? ['--network'] : [])];
    for (const disk of options.disks)
      args.push(`--format=${disk.format}`, '-a', disk.path);
    const stdout = await listen(args, options.env);
    const pid = stdout.match(/GUESTFISH_PID=(\d+)/)?.[1];
    if (!pid) {
      throw new RunnerError({
        code: 'TOOL_FAILED',
        message: `guestfish --listen did not report its PID: ${stdout.slice(
          0,
          200,
        )}`,
        remediation:
          'Check that libguestfs-tools is installed ("libguestfs-test-tool").',
      });
    }
    if (options.pidFile) await writeFile(options.pidFile, `${pid}\n`);
    const session = new GuestfishSession(
      pid,
      options.env,
      options.signal,
      options.log,
      options.pidFile,
    );
    try {
      await session.run('run');
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  async run(command: string, ...args: string[]): Promise<string> {
    this.log?.(`guestfish ${command} ${args.join(' ')}`.trim());
    const { stdout } = await runTool(
      'guestfish',
      [`--remote=${this.pid}`, '--', command, ...args],
      {
        env: this.env,
        signal: this.signal,
        onLine: line => this.log?.(`  ${line}`),
      },
    );
    return stdout;
  }

  /** Lines of output, without empty ones. */
  async lines(command: string, ...args: string[]): Promise<string[]> {
    return (await this.run(command, ...args)).split('\n').filter(Boolean);
  }

  async close(): Promise<void> {
    await execa('guestfish', [`--remote=${this.pid}`, '--', 'exit'], {
      env: toolEnv(this.env),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    if (this.pidFile) await rm(this.pidFile, { force: true });
  }
}

/**
 * Stops guestfish daemons (and so their appliances) that sessions of a killed runner left behind:
 * the PIDs noted in `<dir>/*.guestfish.pid`, each checked to still be a "guestfish --listen".
 */
export async function reapStaleGuestfish(
  dir: string,
  log: (line: string) => void,
): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.guestfish.pid')) continue;
    const file = join(dir, name);
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    const cmdline = pid
      ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      : '';
    const args = cmdline.split('\0');
    if (args.some(a => a.endsWith('guestfish')) && args.includes('--listen')) {
      log(
        `stopping guestfish ${pid} left by a job of a previous runner (${name})`,
      );
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await rm(file, { force: true });
  }
}

/**
 * Starts `guestfish --listen`, which forks a daemon that keeps the inherited stdout open: wait for the
 * parent's exit (not for the pipes to close) and keep what it printed.
 */
function listen(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('guestfish', args, {
      env: toolEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', code => {
      // give the last chunk a moment, then stop listening to the daemon's copy of the pipes
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        if (code === 0) resolve(output);
        else
          reject(
            new RunnerError({
              code: 'TOOL_FAILED',
              message: `guestfish --listen exited ${code}: ${output.slice(
                0,
                300,
              )}`,
              remediation: 'Check libguestfs with "libguestfs-test-tool".',
            }),
          );
      }, 100);
    });
  });
}

/** Parses guestfish's struct list output (e.g. part-list) into records. */
export function parseGuestfishStructs(
  output: string,
): Array<Record<string, string>> {
  const records: Array<Record<string, string>> = [];
  let current: Record<string, string> | undefined;
  for (const line of output.split('\n')) {
    if (/^\[\d+\] = \{/.test(line.trim())) {
      current = {};
      records.push(current);
      continue;
    }
    const match = line.match(/^\s*([a-z_]+):\s*(.*)$/);
    if (match && current) current[match[1]] = match[2];
  }
  return records;
}

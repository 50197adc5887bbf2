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
    private readonly daemon: DaemonOutput,
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
    const daemon = await listen(args, options.env);
    const stdout = daemon.text();
    const pid = stdout.match(/GUESTFISH_PID=(\d+)/)?.[1];
    if (!pid) {
      daemon.stop();
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
      daemon,
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
    const commandLine = `guestfish ${command} ${args.join(' ')}`.trim();
    this.log?.(commandLine);
    const mark = this.daemon.lineCount();
    try {
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
    } catch (error) {
      if (!(error instanceof RunnerError) || error.code !== 'TOOL_FAILED')
        throw error;
      // The remote client only gets an exit status: the reason (libguestfs' error, with parted's,
      // mkfs's... own text) is written by the daemon to its stderr, which this session keeps reading.
      const said = await this.daemon.linesSince(mark);
      for (const line of said) this.log?.(`  ${line}`);
      const client = error.message.replace(/^[\s\S]*?failed \(/, '(');
      throw new RunnerError({
        code: 'TOOL_FAILED',
        message: `${summarize(commandLine)} failed: ${
          said.length > 0 ? said.slice(-8).join('\n') : client
        }`,
        remediation:
          'Read the job log for the full output of guestfish; the text above is what the appliance reported.',
        // no `cause`: the client's own message ("(no output)") would be appended
        details: { ...error.details, command },
      });
    }
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
    this.daemon.stop();
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

function summarize(commandLine: string): string {
  return commandLine.length > 200
    ? `${commandLine.slice(0, 197)}...`
    : commandLine;
}

/**
 * What the guestfish daemon writes to the pipes it inherited (its errors go to stderr), kept for the
 * whole session: a failed command is explained by the lines the daemon wrote meanwhile.
 */
class DaemonOutput {
  private readonly lines: string[] = [];
  private dropped = 0;
  private partial = '';
  private readonly waiters = new Set<() => void>();

  constructor(private readonly streams: Array<NodeJS.ReadableStream>) {
    for (const stream of streams) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.add(chunk));
      stream.on('error', () => undefined);
    }
  }

  private add(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const part of parts) if (part.length > 0) this.lines.push(part);
    // a long session must not grow the runner's memory: keep the last lines only
    if (this.lines.length > 2000) {
      const cut = this.lines.length - 1000;
      this.lines.splice(0, cut);
      this.dropped += cut;
    }
    for (const wake of this.waiters) wake();
  }

  text(): string {
    return [...this.lines, this.partial].join('\n');
  }

  lineCount(): number {
    return this.dropped + this.lines.length;
  }

  /**
   * Lines written since `mark`, waiting a moment for them: the daemon answers the client and writes
   * its stderr at about the same time. Waits up to `maxMs`, and `settleMs` after the last line.
   */
  async linesSince(mark: number, maxMs = 1000, settleMs = 100) {
    const deadline = Date.now() + maxMs;
    let seen = -1;
    while (Date.now() < deadline && seen !== this.lineCount()) {
      seen = this.lineCount();
      await this.nextLine(seen > mark ? settleMs : maxMs);
    }
    if (this.partial) {
      this.lines.push(this.partial);
      this.partial = '';
    }
    return this.lines.slice(Math.max(0, mark - this.dropped));
  }

  /** Resolves at the next line written, or after `ms`. */
  private nextLine(ms: number): Promise<void> {
    return new Promise<void>(resolve => {
      const pending: { timer?: ReturnType<typeof setTimeout> } = {};
      const done = () => {
        clearTimeout(pending.timer);
        this.waiters.delete(done);
        resolve();
      };
      pending.timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  stop(): void {
    for (const stream of this.streams)
      (stream as unknown as { destroy(): void }).destroy();
  }
}

/**
 * Starts `guestfish --listen`, which forks a daemon that keeps the inherited stdout and stderr open:
 * wait for the parent's exit (not for the pipes to close) and keep reading what the daemon writes.
 */
function listen(args: string[], env: NodeJS.ProcessEnv): Promise<DaemonOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('guestfish', args, {
      env: toolEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new DaemonOutput([child.stdout, child.stderr]);
    // the daemon's pipes must not keep the runner's event loop alive
    for (const stream of [child.stdout, child.stderr])
      (stream as unknown as { unref?(): void }).unref?.();
    child.on('error', reject);
    child.on('exit', code => {
      // give the last chunk a moment
      setTimeout(() => {
        if (code === 0) resolve(output);
        else {
          output.stop();
          reject(
            new RunnerError({
              code: 'TOOL_FAILED',
              message: `guestfish --listen exited ${code}: ${output
                .text()
                .slice(0, 300)}`,
              remediation: 'Check libguestfs with "libguestfs-test-tool".',
            }),
          );
        }
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

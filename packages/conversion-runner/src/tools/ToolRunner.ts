import execa from 'execa';
import { existsSync } from 'fs';
import { RunnerError } from '../RunnerError';
import { toolEnv } from './ToolEnv';

export type ToolLog = (line: string) => void;

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find(path =>
  existsSync(path),
);

export type ToolRunOptions = {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Called for each output line (stdout and stderr). */
  onLine?: ToolLog;
  /** Keep stdout in the result (default true). */
  captureStdout?: boolean;
  /** Default 12 h: no tool may hang a job forever. */
  timeoutMs?: number;
  /** Captured stdout above this fails the tool (default 16 MiB); nothing else of the output is kept. */
  maxStdoutBytes?: number;
};

const DEFAULT_TIMEOUT_MS = 12 * 60 * 60 * 1000;
const DEFAULT_MAX_STDOUT = 16 * 1024 * 1024;
/** A line longer than this is cut (a tool printing without newlines cannot grow the runner's memory). */
const MAX_LINE = 64 * 1024;

/**
 * Starts host tools (qemu-img, virt-customize, guestfish, ...) with argument arrays, never through a
 * shell: a VM-derived value can only ever be one argument. Abort kills the tool (TERM, then KILL).
 */
export async function runTool(
  file: string,
  args: readonly string[],
  options: ToolRunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  if (options.signal?.aborted) {
    throw cancelledError(file);
  }
  // With setpriv, the tool gets SIGTERM if the runner dies (kill -9 included): no orphan keeps writing
  // a file or holding an appliance after the job it belonged to is gone.
  const [command, commandArgs] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', file, ...args]]
    : [file, [...args]];
  const child = execa(command, commandArgs, {
    env: toolEnv(options.env),
    extendEnv: false,
    reject: false,
    all: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stdin: 'ignore',
    // the output is consumed line by line below; execa keeps none of it
    buffer: false,
  });
  const onAbort = () => child.kill('SIGTERM', { forceKillAfterTimeout: 5000 });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const stdoutChunks: string[] = [];
  const stderrTail: string[] = [];
  const maxStdout = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
  let stdoutBytes = 0;
  let tooMuchOutput = false;
  const stdoutDone = splitLines(child.stdout, line => {
    if (options.captureStdout !== false && !tooMuchOutput) {
      stdoutBytes += line.length + 1;
      if (stdoutBytes > maxStdout) {
        tooMuchOutput = true;
        stdoutChunks.length = 0;
        child.kill('SIGTERM', { forceKillAfterTimeout: 5000 });
      } else stdoutChunks.push(line);
    }
    options.onLine?.(line);
  });
  const stderrDone = splitLines(child.stderr, line => {
    stderrTail.push(line);
    if (stderrTail.length > 200) stderrTail.shift();
    options.onLine?.(line);
  });
  // every line read, not only the process gone: with buffer: false the exit can come first
  const [result] = await Promise.all([child, stdoutDone, stderrDone]);
  options.signal?.removeEventListener('abort', onAbort);
  if (options.signal?.aborted) {
    throw cancelledError(file);
  }
  if (tooMuchOutput) {
    throw new RunnerError({
      code: 'TOOL_FAILED',
      message: `${file} ${summarizeArgs(
        args,
      )} printed more than ${maxStdout} bytes; it was stopped.`,
      remediation: `Read the job log; an input that makes ${file} print this much is not a disk image the runner can handle.`,
      details: { tool: file },
    });
  }
  if (result.exitCode !== 0 || result.failed) {
    const tail = stderrTail.slice(-8).join('\n');
    throw new RunnerError({
      code: 'TOOL_FAILED',
      message: `${file} ${summarizeArgs(args)} failed (${
        result.timedOut
          ? 'timed out'
          : `exit ${result.exitCode ?? result.signal}`
      }): ${tail || '(no output)'}`,
      remediation: `Read the job log for the full output of ${file}; check that the tool is installed and the input file is intact.`,
      details: { tool: file, exitCode: result.exitCode },
    });
  }
  return { stdout: stdoutChunks.join('\n'), stderr: stderrTail.join('\n') };
}

function splitLines(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
): Promise<void> {
  if (!stream) return Promise.resolve();
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    // qemu-img -p redraws its progress with \r: treat it as a line end too.
    const parts = buffer.split(/\r\n|\n|\r/);
    buffer = parts.pop() ?? '';
    for (const part of parts)
      if (part.length > 0) onLine(part.slice(0, MAX_LINE));
    if (buffer.length > MAX_LINE) {
      onLine(
        `${buffer.slice(0, MAX_LINE)} [line cut at ${MAX_LINE} characters]`,
      );
      buffer = '';
    }
  });
  return new Promise(resolve => {
    const done = () => {
      if (buffer.length > 0) onLine(buffer);
      buffer = '';
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/** Log-friendly command line: long arguments are shortened, nothing is interpreted. */
export function summarizeArgs(args: readonly string[]): string {
  return args
    .map(a => (a.length > 120 ? `${a.slice(0, 117)}...` : a))
    .map(a => JSON.stringify(a))
    .join(' ');
}

export function cancelledError(what: string): RunnerError {
  return new RunnerError({
    code: 'CANCELLED',
    httpStatus: 409,
    message: `The job was cancelled while ${what} was running.`,
    remediation:
      'Submit the job again (with a new idempotency key) when you want it to run.',
  });
}

import execa from 'execa';
import { toolEnv } from '../tools/ToolEnv';
import { AccelProbeResult } from '../accel/AccelProbe';
import { ScratchSpace } from '../scratch/ScratchSpace';

export type HealthReport = {
  status: 'ok' | 'degraded';
  version: string;
  accel: AccelProbeResult;
  tools: Record<string, string | null>;
  scratch: { path: string; freeBytes: number; totalBytes: number };
  jobs: { queued: number; running: number };
  kinds: string[];
  problems: string[];
};

/** Tools the job kinds start, with the argument that prints their version. */
const TOOLS: Array<[name: string, args: string[]]> = [
  ['qemu-img', ['--version']],
  ['qemu-system-x86_64', ['--version']],
  ['virt-customize', ['--version']],
  ['guestfish', ['--version']],
];

/** Tool versions, probed once (first line of "--version", or null when missing). */
export async function probeToolVersions(): Promise<
  Record<string, string | null>
> {
  const entries = await Promise.all(
    TOOLS.map(async ([name, args]) => {
      const result = await execa(name, args, {
        reject: false,
        timeout: 15_000,
        stdin: 'ignore',
        env: toolEnv(),
        extendEnv: false,
      }).catch(() => undefined);
      const first =
        result && result.exitCode === 0
          ? `${result.stdout}`.split('\n')[0].trim()
          : null;
      return [name, first] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export async function buildHealthReport(options: {
  version: string;
  accel: AccelProbeResult;
  tools: Record<string, string | null>;
  scratch: ScratchSpace;
  jobs: { queued: number; running: number };
  kinds: string[];
}): Promise<HealthReport> {
  const scratch = await options.scratch.usage();
  const problems = Object.entries(options.tools)
    .filter(([, version]) => version === null)
    .map(
      ([name]) =>
        `${name} is missing: install qemu-utils, qemu-system-x86 and libguestfs-tools`,
    );
  return {
    status: problems.length === 0 ? 'ok' : 'degraded',
    version: options.version,
    accel: options.accel,
    tools: options.tools,
    scratch,
    jobs: options.jobs,
    kinds: options.kinds,
    problems,
  };
}

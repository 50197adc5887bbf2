import { readFile } from 'fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RunnerError } from '../RunnerError';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** The runner's configuration file (YAML). Secrets are never written here: only the names of the env variables holding them. */
export const runnerConfigFileSchema = z
  .object({
    listen: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(7480),
        /** Serve the API over TLS (PEM files): needed as soon as the backend is on another host. */
        tls: z
          .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
          .strict()
          .optional(),
      })
      .default({}),
    auth: z
      .object({
        /** Name of the env variable holding the bearer token. */
        tokenEnv: z.string().default('VMWARE2SCW_RUNNER_TOKEN'),
      })
      .default({}),
    scratch: z
      .object({
        dir: z.string().default('/var/lib/vmware2scw/scratch'),
        /** Kept free on top of what a job needs, so the host never fills up completely. */
        reserveBytes: z.number().int().nonnegative().default(GiB),
      })
      .default({}),
    /** Hosts the runner may fetch disks from: "esxi-01.lab", "*.vsphere.local", "10.0.0.5:8443". */
    allowedHosts: z.array(z.string().min(1)).default([]),
    s3: z
      .object({
        /** "{region}" is replaced by the job's region, e.g. "https://s3.{region}.scw.cloud". */
        endpoint: z.string().default('https://s3.{region}.scw.cloud'),
        forcePathStyle: z.boolean().default(false),
        accessKeyIdEnv: z.string().default('SCW_ACCESS_KEY'),
        secretAccessKeyEnv: z.string().default('SCW_SECRET_KEY'),
        /** Upper bound of part buffers held in memory by one upload (parts × queue). */
        maxMemoryBytes: z
          .number()
          .int()
          .min(5 * MiB)
          .default(512 * MiB),
        queueSize: z.number().int().min(1).max(16).default(4),
        /**
         * Preferred part size; never below ceil(size/1000) nor 5 MiB. Fewer, larger parts cost the
         * server less per byte (bench: 16 -> 32 MiB parts took ~10% off the upload to Swift).
         */
        partSizeBytes: z
          .number()
          .int()
          .min(5 * MiB)
          .max(5 * GiB)
          .default(32 * MiB),
      })
      .default({}),
    jobs: z
      .object({
        concurrency: z.number().int().min(1).max(32).default(2),
        logLines: z.number().int().min(100).default(2000),
        /** A job's log file stops growing here (a tool printing in a loop cannot fill scratch). */
        logFileMaxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(16 * MiB),
        /** Finished jobs (record and log) are removed this many days after they ended. */
        retentionDays: z.number().min(0.001).default(14),
      })
      .default({}),
    accel: z
      .object({
        /** auto: probe KVM once at start and fall back to TCG. */
        mode: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
        probeTimeoutMs: z.number().int().min(500).default(8000),
      })
      .default({}),
    guest: z
      .object({
        /**
         * Give the libguestfs appliance a network. Off by default: the adaptation runs the guest's own
         * tools (apt-get, update-initramfs, GRUB), and with a network a compromised guest reaches what
         * the runner host reaches (its own API on loopback included).
         */
        network: z.boolean().default(false),
        /**
         * Where the packages the adaptation installs (qemu-guest-agent; grub-efi-amd64-bin for a BIOS
         * Debian guest) come from. Never the guest's own sources: either a host folder of .deb/.rpm files
         * copied into the guest for the adaptation, or one apt source line (needs network: true).
         */
        packages: z
          .object({
            dir: z.string().min(1).optional(),
            aptSource: z
              .string()
              .regex(
                /^deb(\s+\[[^\]'"\n]*\])?(\s+[^\s'"\\]+){3,}$/,
                'must be one line "deb [options] <uri> <suite> <component>..." without quotes',
              )
              .optional(),
          })
          .strict()
          .default({}),
        /** Size of the EFI system partition ensure_uefi creates. */
        espSizeMiB: z.number().int().min(64).max(2048).default(256),
      })
      .default({}),
  })
  .strict();

export type RunnerConfigFile = z.infer<typeof runnerConfigFileSchema>;

/** The resolved configuration: the file plus env overrides plus the secrets read from env. */
export type RunnerConfig = RunnerConfigFile & {
  token: string;
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
};

/**
 * Reads the YAML file named by `VMWARE2SCW_RUNNER_CONFIG` (or `path`), applies env overrides
 * (VMWARE2SCW_RUNNER_HOST/PORT, VMWARE2SCW_SCRATCH_DIR, VMWARE2SCW_ALLOWED_HOSTS) and resolves secrets.
 */
export async function loadRunnerConfig(
  env: NodeJS.ProcessEnv = process.env,
  path: string | undefined = env.VMWARE2SCW_RUNNER_CONFIG,
): Promise<RunnerConfig> {
  let raw: unknown = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new RunnerError({
        code: 'CONFIG_UNREADABLE',
        message: `Cannot read the runner config file ${path}: ${
          (error as Error).message
        }`,
        remediation:
          'Fix VMWARE2SCW_RUNNER_CONFIG or the --config argument to point at a readable YAML file.',
      });
    }
    raw = parseYaml(text) ?? {};
  }
  return resolveRunnerConfig(raw, env, path ?? '(defaults)');
}

export function resolveRunnerConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  source = '(inline)',
): RunnerConfig {
  const parsed = runnerConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunnerError({
      code: 'CONFIG_INVALID',
      message: `Runner config ${source}: field "${issue.path.join('.')}" ${
        issue.message
      }`,
      remediation:
        'Correct that field; packages/conversion-runner/README.md lists every setting with its default.',
    });
  }
  const config = parsed.data;
  if (env.VMWARE2SCW_RUNNER_HOST)
    config.listen.host = env.VMWARE2SCW_RUNNER_HOST;
  if (env.VMWARE2SCW_RUNNER_PORT)
    config.listen.port = Number(env.VMWARE2SCW_RUNNER_PORT);
  if (env.VMWARE2SCW_SCRATCH_DIR)
    config.scratch.dir = env.VMWARE2SCW_SCRATCH_DIR;
  if (env.VMWARE2SCW_ALLOWED_HOSTS) {
    config.allowedHosts = env.VMWARE2SCW_ALLOWED_HOSTS.split(',')
      .map(h => h.trim())
      .filter(Boolean);
  }

  if (config.guest.packages.aptSource && !config.guest.network) {
    throw new RunnerError({
      code: 'CONFIG_INVALID',
      message: `Runner config ${source}: guest.packages.aptSource is set but guest.network is false; the appliance could not reach it.`,
      remediation:
        'Set guest.network: true (read what it exposes in the README), or use guest.packages.dir with the .deb files instead.',
    });
  }
  const token = env[config.auth.tokenEnv];
  if (!token || token.length < 16) {
    throw new RunnerError({
      code: 'TOKEN_MISSING',
      message: `The bearer token env variable ${config.auth.tokenEnv} is ${
        token ? 'shorter than 16 characters' : 'not set'
      }.`,
      remediation: `Set ${config.auth.tokenEnv} to a random secret of at least 16 characters (e.g. "openssl rand -hex 32") and give the same value to the vmware2scw backend.`,
    });
  }
  const accessKeyId = env[config.s3.accessKeyIdEnv];
  const secretAccessKey = env[config.s3.secretAccessKeyEnv];
  return {
    ...config,
    token,
    s3Credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey }
        : undefined,
  };
}

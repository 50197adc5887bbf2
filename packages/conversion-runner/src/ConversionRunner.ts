import { isLoopbackHostname } from '@internal/plugin-vmware2scw-common';
import { readFileSync } from 'fs';
import { readFile } from 'fs/promises';
import { join } from 'path';
import { AccelProbeResult, probeAccel } from './accel/AccelProbe';
import { buildHealthReport, probeToolVersions } from './api/HealthReport';
import { RunnerHttpServer } from './api/RunnerHttpServer';
import { RunnerConfig } from './config/RunnerConfig';
import { RunnerError } from './RunnerError';
import { AllowedHosts } from './export/AllowedHosts';
import { reapStaleGuestfish } from './guest/GuestfishSession';
import { JobKindDefinition } from './jobs/JobKindDefinition';
import { builtInJobKinds } from './jobs/builtInJobKinds';
import { JobManager } from './jobs/JobManager';
import { packageRoot } from './PackageRoot';
import { ScratchSpace } from './scratch/ScratchSpace';

export type StartedRunner = {
  url: string;
  port: number;
  accel: AccelProbeResult;
  jobs: JobManager;
  close(): Promise<void>;
};

/** Wires config, scratch, the KVM/TCG probe (once per start), the job manager and the HTTP API. */
export async function startConversionRunner(
  config: RunnerConfig,
  options: {
    log?: (line: string) => void;
    kinds?: readonly JobKindDefinition[];
    accel?: AccelProbeResult;
  } = {},
): Promise<StartedRunner> {
  const log = options.log ?? (() => undefined);
  // Files the runner and its tools (qemu-img, virt-sparsify, ...) create are private: 0600 / 0700.
  process.umask(0o077);
  const scratch = new ScratchSpace({
    root: config.scratch.dir,
    reserveBytes: config.scratch.reserveBytes,
  });
  await scratch.init();
  await reapStaleGuestfish(scratch.jobsDir(), log);
  const accel =
    options.accel ??
    (await probeAccel({
      mode: config.accel.mode,
      timeoutMs: config.accel.probeTimeoutMs,
    }));
  log(`accelerator: ${accel.mode} (${accel.reason})`);
  const tools = await probeToolVersions();
  const jobs = new JobManager({
    kinds: options.kinds ?? builtInJobKinds,
    services: {
      scratch,
      config,
      accel,
      allowedHosts: new AllowedHosts(config.allowedHosts),
    },
    concurrency: config.jobs.concurrency,
    logLines: config.jobs.logLines,
    logFileMaxBytes: config.jobs.logFileMaxBytes,
    retentionDays: config.jobs.retentionDays,
    log,
  });
  await jobs.init();
  const version = JSON.parse(
    readFileSync(join(packageRoot(), 'package.json'), 'utf8'),
  ).version as string;
  const server = new RunnerHttpServer({
    tls: await readTlsFiles(config),
    token: config.token,
    jobs,
    health: () =>
      buildHealthReport({
        version,
        accel,
        tools,
        scratch,
        jobs: jobs.counts(),
        kinds: jobs.kindNames(),
      }),
    log,
  });
  const { url, port } = await server.listen(
    config.listen.port,
    config.listen.host,
  );
  log(`conversion runner listening on ${url} (scratch ${scratch.root})`);
  if (!config.listen.tls && !isLoopbackHostname(config.listen.host))
    log(
      `warning: the API listens on ${config.listen.host} without TLS: tokens and cookies cross the network in clear; set listen.tls (README, "Running behind TLS")`,
    );
  return {
    url,
    port,
    accel,
    jobs,
    close: async () => {
      await server.close();
      // background flushes of finished artifacts: let them land before the process goes away
      await scratch.settled();
    },
  };
}

async function readTlsFiles(
  config: RunnerConfig,
): Promise<{ cert: string; key: string } | undefined> {
  const { tls } = config.listen;
  if (!tls) return undefined;
  const read = async (field: string, path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new RunnerError({
        code: 'CONFIG_UNREADABLE',
        message: `Cannot read listen.tls.${field} ${path}: ${
          (error as Error).message
        }`,
        remediation:
          'Point listen.tls.certFile and listen.tls.keyFile at readable PEM files (the key readable by the runner only).',
      });
    }
  };
  return {
    cert: await read('certFile', tls.certFile),
    key: await read('keyFile', tls.keyFile),
  };
}

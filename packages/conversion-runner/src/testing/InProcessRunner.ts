import { join } from 'path';
import { resolveRunnerConfig } from '../config/RunnerConfig';
import { startConversionRunner, StartedRunner } from '../ConversionRunner';
import { RunnerClient } from './RunnerClient';

/** The runner started in the test process on a loopback port (TCG, no probe), with a client of its API. */
export async function startInProcessRunner(options: {
  work: string;
  token: string;
  allowedHosts?: string[];
  config?: Record<string, unknown>;
  /** More environment for the config (e.g. the S3 credentials its s3 section names). */
  env?: Record<string, string>;
}): Promise<{ runner: StartedRunner; client: RunnerClient; scratch: string }> {
  const scratch = join(options.work, 'scratch');
  const runner = await startConversionRunner(
    resolveRunnerConfig(
      {
        listen: { port: 0 },
        scratch: { dir: scratch, reserveBytes: 0 },
        allowedHosts: options.allowedHosts ?? ['127.0.0.1'],
        ...options.config,
      },
      { ...options.env, VMWARE2SCW_RUNNER_TOKEN: options.token },
    ),
    {
      accel: {
        mode: 'tcg',
        reason: 'test',
        probedAt: new Date().toISOString(),
        probeMs: 0,
      },
    },
  );
  return {
    runner,
    client: new RunnerClient(runner.url, options.token),
    scratch,
  };
}

import { loadRunnerConfig } from './config/RunnerConfig';
import { startConversionRunner } from './ConversionRunner';
import { RunnerError } from './RunnerError';

/** `vmware2scw-runner [--config runner.yaml]`: loads config (+ env), probes KVM/TCG, serves the API until SIGTERM. */
export async function runConversionRunnerCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  try {
    const index = argv.indexOf('--config');
    const path = index >= 0 ? argv[index + 1] : env.VMWARE2SCW_RUNNER_CONFIG;
    const config = await loadRunnerConfig(env, path);
    const log = (line: string) =>
      process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    // A stray rejection (a request handler or a background flush that nobody awaited) is logged and
    // the runner keeps serving: Node's default would end the process and every running job with it.
    process.on('unhandledRejection', reason => {
      log(
        `unhandled rejection (runner keeps serving): ${
          reason instanceof Error ? reason.stack ?? reason.message : reason
        }`,
      );
    });
    const runner = await startConversionRunner(config, { log });
    const stop = async () => {
      await runner.close();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (error) {
    if (error instanceof RunnerError) {
      process.stderr.write(
        `${error.code}: ${error.message}\n  remediation: ${error.remediation}\n`,
      );
    } else {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
    }
    process.exit(1);
  }
}

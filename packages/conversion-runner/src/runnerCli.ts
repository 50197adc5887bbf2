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
    const runner = await startConversionRunner(config, {
      log: line =>
        process.stdout.write(`${new Date().toISOString()} ${line}\n`),
    });
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

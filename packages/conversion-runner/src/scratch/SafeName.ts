import {
  isRunnerSafeName,
  RUNNER_SAFE_NAME,
} from '@internal/plugin-vmware2scw-common';
import { RunnerError } from '../RunnerError';

/** Throws UNSAFE_NAME (400) unless `value` can be part of a scratch path (see isRunnerSafeName). */
export function assertSafeName(field: string, value: string): string {
  if (!isRunnerSafeName(value)) {
    throw new RunnerError({
      code: 'UNSAFE_NAME',
      httpStatus: 400,
      message: `${field} "${value}" is not a safe name: it must match ${RUNNER_SAFE_NAME.source} and contain no "..".`,
      remediation: `Pass an identifier such as the VM's moref ("vm-1234") or instance UUID, and disk labels like "disk-0"; the backend maps display names to these ids.`,
    });
  }
  return value;
}

import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { Vmware2scwError } from '@internal/plugin-vmware2scw-common';
import { readVmware2scwConfig } from '@internal/plugin-vmware2scw-node';

/** How the vmware2scw actions follow the engine and whom they notify (`scaffolder.vmware2scw`). */
export interface ActionSettings {
  /** Between two reads of a migration being followed. */
  pollIntervalMs: number;
  /** At most this long between two progress lines of a running stage. */
  progressIntervalMs: number;
  /** A progress line also each time a stage moves on by this many percent. */
  progressPercentStep: number;
  /** How long one step may follow the engine before it gives its worker slot back. */
  maxWaitMs: number;
  /** Who is asked to approve a wave when the step names nobody. */
  approvers: string[];
}

export const DEFAULT_ACTION_SETTINGS: ActionSettings = {
  pollIntervalMs: 3_000,
  progressIntervalMs: 15_000,
  progressPercentStep: 10,
  maxWaitMs: 12 * 3_600_000,
  approvers: [],
};

const KEY = 'scaffolder.vmware2scw';

/**
 * Reads `scaffolder.vmware2scw`, falling back to the defaults; approvers default to
 * `vmware2scw.permissions.admins`, the people the default policy lets approve waves.
 */
export function readActionSettings(config: Config): ActionSettings {
  const section = config.getOptionalConfig(KEY);
  const duration = (key: string, fallback: number, min: number) => {
    if (!section?.has(key)) return fallback;
    const ms = durationToMilliseconds(readDurationFromConfig(section, { key }));
    if (!(ms >= min))
      throw invalid(key, `must be at least ${min / 1000} second(s)`);
    return ms;
  };
  const settings: ActionSettings = {
    pollIntervalMs: duration(
      'pollInterval',
      DEFAULT_ACTION_SETTINGS.pollIntervalMs,
      500,
    ),
    progressIntervalMs: duration(
      'progressInterval',
      DEFAULT_ACTION_SETTINGS.progressIntervalMs,
      1_000,
    ),
    progressPercentStep:
      section?.getOptionalNumber('progressPercentStep') ??
      DEFAULT_ACTION_SETTINGS.progressPercentStep,
    maxWaitMs: duration('maxWait', DEFAULT_ACTION_SETTINGS.maxWaitMs, 60_000),
    approvers:
      section?.getOptionalStringArray('approvers') ??
      readVmware2scwConfig(config).permissions.admins,
  };
  if (
    !(settings.progressPercentStep > 0 && settings.progressPercentStep <= 100)
  )
    throw invalid('progressPercentStep', 'must be between 1 and 100');
  return settings;
}

function invalid(key: string, what: string) {
  return new Vmware2scwError({
    code: 'SCAFFOLDER_CONFIG_INVALID',
    message: `${KEY}.${key} ${what}`,
    remediation: `Fix ${KEY}.${key} in app-config (see plugins/scaffolder-backend-module-vmware2scw/config.d.ts) or remove it to use the default.`,
  });
}

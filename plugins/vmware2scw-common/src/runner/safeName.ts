import { z } from 'zod';

/**
 * Names that come from vSphere (VM ids, disk labels) end up in the runner's scratch paths. Only a
 * conservative alphabet is accepted, so a name can never climb out of its folder (`..`, `/`, NUL,
 * leading dot).
 */
export const RUNNER_SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isRunnerSafeName(value: string): boolean {
  return RUNNER_SAFE_NAME.test(value) && !value.includes('..');
}

/** zod type for a name that will become part of a path on the runner. */
export const runnerSafeNameSchema = z.string().refine(isRunnerSafeName, {
  message:
    'must be 1-128 characters of letters, digits, ".", "_" or "-", start with a letter or digit, and contain no ".."',
});

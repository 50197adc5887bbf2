import { z } from 'zod';
import { RunnerError } from '../RunnerError';

/**
 * Names that come from vSphere (VM ids, disk labels) end up in scratch paths. Only a conservative
 * alphabet is accepted, so a name can never climb out of its folder (`..`, `/`, NUL, leading dot).
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeName(value: string): boolean {
  return SAFE_NAME.test(value) && !value.includes('..');
}

export function assertSafeName(field: string, value: string): string {
  if (!isSafeName(value)) {
    throw new RunnerError({
      code: 'UNSAFE_NAME',
      httpStatus: 400,
      message: `${field} "${value}" is not a safe name: it must match ${SAFE_NAME.source} and contain no "..".`,
      remediation: `Pass an identifier such as the VM's moref ("vm-1234") or instance UUID, and disk labels like "disk-0"; the backend maps display names to these ids.`,
    });
  }
  return value;
}

/** zod type for a name that will become part of a path. */
export const safeNameSchema = z.string().refine(isSafeName, {
  message:
    'must be 1-128 characters of letters, digits, ".", "_" or "-", start with a letter or digit, and contain no ".."',
});

/**
 * Certificate thumbprints, in the one form every package compares: SHA-1 (as vSphere shows ESXi hosts'
 * and NFC leases' `sslThumbprint`) or SHA-256, written `AA:BB:...` or `aabb...`, any case.
 */
export type ThumbprintAlgorithm = 'sha1' | 'sha256';

export interface Thumbprint {
  algorithm: ThumbprintAlgorithm;
  /** Lower-case hex without separators, for comparison. */
  hex: string;
}

const SIZES: Record<ThumbprintAlgorithm, number> = { sha1: 40, sha256: 64 };

/**
 * Parses a thumbprint; `undefined` when the value is not 40 (SHA-1) or 64 (SHA-256) hex digits, with
 * optional `:` or space separators. Pass `algorithm` to accept only that size.
 */
export function parseThumbprint(
  value: string,
  algorithm?: ThumbprintAlgorithm,
): Thumbprint | undefined {
  const stripped = value.trim().replace(/[\s:]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(stripped)) return undefined;
  const hex = stripped.toLowerCase();
  const found = (Object.keys(SIZES) as ThumbprintAlgorithm[]).find(
    a => SIZES[a] === hex.length,
  );
  if (!found || (algorithm && found !== algorithm)) return undefined;
  return { algorithm: found, hex };
}

/** `AA:BB:...`, upper case: how the README and vSphere display one. */
export function formatThumbprint(thumbprint: Thumbprint): string {
  return thumbprint.hex.toUpperCase().match(/../g)!.join(':');
}

/** True when a certificate fingerprint (any of the accepted spellings) equals the pin. */
export function thumbprintMatches(pin: Thumbprint, seen: string): boolean {
  const other = parseThumbprint(seen, pin.algorithm);
  return other !== undefined && other.hex === pin.hex;
}

/** The remediation text for a bad or missing thumbprint, shared by the config reader and the runner. */
export const THUMBPRINT_REMEDIATION =
  'Copy the certificate fingerprint from `openssl s_client -connect <host>:443 </dev/null | openssl x509 -noout -fingerprint -sha256` (or the SHA-1 thumbprint vSphere shows for an ESXi host).';

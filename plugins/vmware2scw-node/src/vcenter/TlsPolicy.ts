import {
  formatThumbprint,
  parseThumbprint,
  THUMBPRINT_REMEDIATION,
  thumbprintMatches,
  type Thumbprint,
  type ThumbprintAlgorithm,
} from '@internal/plugin-vmware2scw-common';
import { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { VcenterConfigError, VcenterTlsError } from './faults';

/**
 * How the client trusts a vCenter (or ESXi) certificate.
 *
 * - Default: full verification against Node's CA store, or against `ca` when given (a private CA).
 * - A configured thumbprint is always used: with verification on, the certificate must also match it;
 *   with `insecure: true`, the chain is not verified but the certificate must match it (and `insecure`
 *   without a thumbprint is refused: it would trust anything). Node does not call `checkServerIdentity`
 *   when `rejectUnauthorized` is false, so the comparison happens here, on every new connection, before
 *   any byte of the request is sent. Thumbprints are read and compared by `@internal/plugin-vmware2scw-common`
 *   (`parseThumbprint`, `thumbprintMatches`), as the conversion runner does.
 */
export interface TlsOptions {
  insecure?: boolean;
  /** SHA-256 thumbprint of the server certificate, `AA:BB:...` (colons optional, any case). */
  thumbprintSha256?: string;
  /** SHA-1 thumbprint (`HttpNfcLeaseDeviceUrl.sslThumbprint` of ESXi hosts). */
  thumbprintSha1?: string;
  /** PEM CA certificate(s) to verify against instead of Node's default store. */
  ca?: string | string[];
}

export interface DispatcherOptions extends TlsOptions {
  connectTimeoutMs?: number;
  /** Concurrent connections per origin. */
  connections?: number;
}

/** Canonical `AA:BB:...` upper-case form; throws on anything that is not a thumbprint of that size. */
export function normalizeThumbprint(
  value: string,
  algorithm: ThumbprintAlgorithm,
): string {
  return formatThumbprint(pinOf(value, algorithm));
}

function pinOf(value: string, algorithm: ThumbprintAlgorithm): Thumbprint {
  const pin = parseThumbprint(value, algorithm);
  if (!pin) {
    throw new VcenterConfigError({
      code: 'VCENTER_BAD_THUMBPRINT',
      message: `The configured ${algorithm.toUpperCase()} thumbprint is not ${
        algorithm === 'sha256' ? 64 : 40
      } hex digits`,
      remediation: THUMBPRINT_REMEDIATION,
    });
  }
  return pin;
}

/** Checks the options and returns a description safe to log. */
export function describeTls(opts: TlsOptions): string {
  const pin = opts.thumbprintSha256
    ? 'pinned SHA-256 thumbprint'
    : opts.thumbprintSha1 && 'pinned SHA-1 thumbprint';
  if (opts.insecure) return pin || 'no verification';
  const verify = opts.ca
    ? 'verify against configured CA'
    : 'verify against system CAs';
  return pin ? `${verify} and ${pin}` : verify;
}

/** An undici dispatcher applying the TLS policy to every connection it opens. */
export function createDispatcher(opts: DispatcherOptions): Agent {
  const timeout = opts.connectTimeoutMs ?? 30_000;
  const connections = opts.connections ?? 8;
  if (opts.insecure && !opts.thumbprintSha256 && !opts.thumbprintSha1) {
    throw new VcenterConfigError({
      code: 'VCENTER_INSECURE_WITHOUT_THUMBPRINT',
      message: '`insecure` is set but no certificate thumbprint is configured',
      remediation:
        'Set thumbprintSha256 to the vCenter certificate thumbprint: insecure mode pins that certificate instead of trusting any.',
    });
  }
  let pin: Thumbprint | undefined;
  if (opts.thumbprintSha256) pin = pinOf(opts.thumbprintSha256, 'sha256');
  else if (opts.thumbprintSha1) pin = pinOf(opts.thumbprintSha1, 'sha1');
  const verify = !opts.insecure;
  if (!pin) {
    return new Agent({
      connections,
      connect: { rejectUnauthorized: true, ca: opts.ca, timeout },
    });
  }

  // No TLS session cache: a resumed session would skip the certificate we want to look at.
  const base = buildConnector({
    rejectUnauthorized: verify,
    ...(verify && opts.ca ? { ca: opts.ca } : {}),
    timeout,
    maxCachedSessions: 0,
  });
  const expected = pin;
  const connect: buildConnector.connector = (options, callback) => {
    base(options, (err, socket) => {
      if (err) {
        callback(err, null);
        return;
      }
      const problem = pinProblem(socket, expected, options.hostname);
      if (problem) {
        socket.destroy();
        callback(problem, null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({ connections, connect });
}

function pinProblem(
  socket: unknown,
  expected: Thumbprint,
  hostname: string,
): VcenterTlsError | undefined {
  if (!(socket instanceof TLSSocket)) {
    return new VcenterTlsError({
      code: 'VCENTER_TLS_REQUIRED',
      message: `A certificate thumbprint is pinned for ${hostname} but the connection is not TLS`,
      remediation: 'Use an https:// URL for the vCenter.',
    });
  }
  const cert = socket.getPeerCertificate();
  const actual =
    expected.algorithm === 'sha256' ? cert?.fingerprint256 : cert?.fingerprint;
  if (!actual || !thumbprintMatches(expected, actual)) {
    return new VcenterTlsError({
      code: 'VCENTER_TLS_THUMBPRINT_MISMATCH',
      message: `The certificate of ${hostname} does not match the pinned ${expected.algorithm.toUpperCase()} thumbprint (it presented ${
        actual ?? 'no certificate'
      })`,
      remediation:
        'If the vCenter certificate was renewed on purpose, update the configured thumbprint; otherwise something is intercepting the connection.',
    });
  }
  return undefined;
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** Maps a TLS verification failure from Node/undici to a typed error; other errors pass through. */
export function tlsErrorOf(
  err: unknown,
  host: string,
): VcenterTlsError | undefined {
  if (err instanceof VcenterTlsError) return err;
  const code = (err as { code?: string } | undefined)?.code;
  const causeCode = (
    (err as { cause?: { code?: string } } | undefined)?.cause ?? {}
  ).code;
  const tlsCode = [code, causeCode].find(c => c && TLS_VERIFY_CODES.has(c));
  if (!tlsCode) {
    const cause = (err as { cause?: unknown } | undefined)?.cause;
    return cause instanceof VcenterTlsError ? cause : undefined;
  }
  return new VcenterTlsError({
    code: 'VCENTER_TLS_UNTRUSTED',
    message: `The certificate of ${host} is not trusted (${tlsCode})`,
    remediation:
      'Give the vCenter CA certificate (ca), or set insecure: true with thumbprintSha256 to pin this certificate.',
    cause: err,
  });
}

import { TLSSocket } from 'tls';
import { Agent, buildConnector } from 'undici';
import {
  parseThumbprint,
  THUMBPRINT_REMEDIATION,
  thumbprintMatches,
  type Thumbprint,
} from '@internal/plugin-vmware2scw-common';
import { RunnerError } from '../RunnerError';

/**
 * Throws INVALID_THUMBPRINT (400) unless the value is a SHA-1 or SHA-256 fingerprint (`AA:BB:...` or
 * hex, as -common's tls/thumbprint.ts reads them for the vCenter client too); returns it parsed.
 */
export function assertThumbprint(field: string, value: string): Thumbprint {
  const pin = parseThumbprint(value);
  if (!pin) {
    throw new RunnerError({
      code: 'INVALID_THUMBPRINT',
      httpStatus: 400,
      message: `${field} is not a SHA-1 (20 bytes) or SHA-256 (32 bytes) fingerprint written as hex, with or without ":".`,
      remediation: `Copy the host certificate thumbprint from vCenter (Host > Configure > Certificate) or from the NFC lease (sslThumbprint). ${THUMBPRINT_REMEDIATION}`,
    });
  }
  return pin;
}

/**
 * TLS verification stays on unless the job pins the server certificate's thumbprint (SHA-1 as vSphere
 * shows it, or SHA-256); then the chain is not checked but the certificate must match the pin exactly,
 * and the check runs right after the handshake, before a request (with its cookie) is written.
 * A pinned agent refuses plain-http connections, so a pin cannot be bypassed by an http URL or redirect.
 */
export function createDiskAgent(thumbprint?: string): Agent {
  if (!thumbprint) {
    return new Agent({ connect: { rejectUnauthorized: true } });
  }
  const pin = assertThumbprint('params.source.tlsThumbprint', thumbprint);
  const base = buildConnector({ rejectUnauthorized: false });
  const connect: buildConnector.connector = (options, callback) =>
    base(options, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      if (!(socket instanceof TLSSocket)) {
        socket.destroy();
        callback(
          new RunnerError({
            code: 'TLS_REQUIRED',
            message: `A certificate thumbprint is pinned for ${options.hostname}, but the connection is plain http.`,
            remediation:
              'Use the https URL of the ESXi host or vCenter (the pin only means something over TLS).',
          }),
          null,
        );
        return;
      }
      const certificate = socket.getPeerCertificate();
      const seen =
        (pin.algorithm === 'sha1'
          ? certificate.fingerprint
          : certificate.fingerprint256) ?? '';
      if (!thumbprintMatches(pin, seen)) {
        socket.destroy();
        callback(
          new RunnerError({
            code: 'TLS_THUMBPRINT_MISMATCH',
            message: `The certificate of ${options.hostname} has thumbprint ${
              parseThumbprint(seen)?.hex ?? seen
            }, not the pinned ${pin.hex}; nothing was sent or written.`,
            remediation:
              'Check that you reach the right host (no interception), or update the pinned thumbprint if its certificate was renewed.',
          }),
          null,
        );
        return;
      }
      callback(null, socket);
    });
  return new Agent({ connect });
}

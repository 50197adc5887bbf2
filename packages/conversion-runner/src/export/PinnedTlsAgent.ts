import { TLSSocket } from 'tls';
import { Agent, buildConnector } from 'undici';
import { RunnerError } from '../RunnerError';

/** "AB:CD:..." or "abcd..." -> "abcd..." */
export function normalizeThumbprint(value: string): string {
  return value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/**
 * TLS verification stays on unless the job pins the server certificate's thumbprint (SHA-1 as vSphere
 * shows it, or SHA-256); then the chain is not checked but the certificate must match the pin exactly.
 * "insecure" never means "trust anything".
 */
export function createDiskAgent(thumbprint?: string): Agent {
  if (!thumbprint) {
    return new Agent({ connect: { rejectUnauthorized: true } });
  }
  const pin = normalizeThumbprint(thumbprint);
  if (pin.length !== 40 && pin.length !== 64) {
    throw new RunnerError({
      code: 'INVALID_THUMBPRINT',
      httpStatus: 400,
      message: `params.source.tlsThumbprint has ${
        pin.length / 2
      } bytes; a SHA-1 (20) or SHA-256 (32) fingerprint is expected.`,
      remediation:
        'Copy the host certificate thumbprint from vCenter (Host > Configure > Certificate) or from "openssl x509 -fingerprint".',
    });
  }
  const base = buildConnector({ rejectUnauthorized: false });
  const connect: buildConnector.connector = (options, callback) =>
    base(options, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      if (socket instanceof TLSSocket) {
        const certificate = socket.getPeerCertificate();
        const seen = normalizeThumbprint(
          pin.length === 40
            ? certificate.fingerprint
            : certificate.fingerprint256,
        );
        if (seen !== pin) {
          socket.destroy();
          callback(
            new RunnerError({
              code: 'TLS_THUMBPRINT_MISMATCH',
              message: `The certificate of ${options.hostname} has thumbprint ${seen}, not the pinned ${pin}.`,
              remediation:
                'Check that you reach the right host (no interception), or update the pinned thumbprint if its certificate was renewed.',
            }),
            null,
          );
          return;
        }
      }
      callback(null, socket);
    });
  return new Agent({ connect });
}

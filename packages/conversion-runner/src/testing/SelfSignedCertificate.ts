import { X509Certificate } from 'crypto';
import execa from 'execa';
import { readFile } from 'fs/promises';
import { join } from 'path';

/**
 * A self-signed certificate made by openssl in `dir` (as ESXi ships one: no CA), with its key and
 * fingerprints. `altNames` (e.g. "IP:127.0.0.1") makes it valid for those names when given as `ca`.
 */
export async function selfSignedCertificate(
  dir: string,
  name: string,
  altNames: string[] = [],
) {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}.esxi.lab`,
    ...(altNames.length > 0
      ? ['-addext', `subjectAltName=${altNames.join(',')}`]
      : []),
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  const pem = await readFile(certFile, 'utf8');
  const x509 = new X509Certificate(pem);
  return {
    keyFile,
    certFile,
    key: await readFile(keyFile, 'utf8'),
    cert: pem,
    sha1: x509.fingerprint, // "AA:BB:..." as vSphere shows it
    sha256: x509.fingerprint256,
  };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/**
 * True for a host name of this machine (localhost, 127.0.0.0/8, ::1): the only hosts plain http may
 * reach with a password, a token or a session cookie, which would otherwise cross the network in clear.
 */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

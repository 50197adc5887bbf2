import { RunnerError } from '../RunnerError';

/**
 * The runner only fetches disks from the vCenter/ESXi hosts its operator listed. Entries are
 * "host", "host:port" or "*.domain" (any subdomain, any port unless one is given).
 */
export class AllowedHosts {
  private readonly entries: Array<{
    host: string;
    port?: string;
    wildcard: boolean;
  }>;

  constructor(patterns: readonly string[]) {
    this.entries = patterns.map(pattern => {
      const lower = pattern.trim().toLowerCase();
      const wildcard = lower.startsWith('*.');
      const body = wildcard ? lower.slice(2) : lower;
      const bracketed = body.match(/^\[([^\]]+)\](?::(\d+))?$/);
      if (bracketed) {
        return { host: bracketed[1], port: bracketed[2], wildcard };
      }
      const [host, port] = body.split(':');
      return { host, port, wildcard };
    });
  }

  allows(url: URL): boolean {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.entries.some(entry => {
      if (entry.port && entry.port !== port) return false;
      return entry.wildcard
        ? host.endsWith(`.${entry.host}`)
        : host === entry.host;
    });
  }

  /** Throws HOST_NOT_ALLOWED unless the URL is http(s) to a listed host. */
  assertAllowed(field: string, rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new RunnerError({
        code: 'INVALID_URL',
        httpStatus: 400,
        message: `${field} is not a valid URL.`,
        remediation:
          'Pass the NFC lease device URL or the datastore /folder URL exactly as vSphere returned it.',
      });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RunnerError({
        code: 'INVALID_URL',
        httpStatus: 400,
        message: `${field} uses ${url.protocol}; only https: (and http: for labs) is fetched.`,
        remediation: 'Use the https URL of the ESXi host or vCenter.',
      });
    }
    if (url.username || url.password) {
      throw new RunnerError({
        code: 'INVALID_URL',
        httpStatus: 400,
        message: `${field} carries credentials in the URL; they would end up in logs.`,
        remediation:
          'Pass the session cookie or service ticket in params.source.auth instead.',
      });
    }
    if (!this.allows(url)) {
      throw new RunnerError({
        code: 'HOST_NOT_ALLOWED',
        httpStatus: 403,
        message: `${field} points at host "${url.host}", which is not in this runner's allowedHosts.`,
        remediation: `Add "${url.hostname}" (or "${url.host}") to allowedHosts in the runner config (or VMWARE2SCW_ALLOWED_HOSTS) if it is one of your vCenter/ESXi hosts, then restart the runner.`,
        details: { host: url.host },
      });
    }
    return url;
  }
}

/**
 * A `catalog.providers.vmware2scw` setting that cannot be used. The message names the key and says what is
 * expected; the backend does not start with it.
 */
export class ProviderConfigError extends Error {
  readonly code = 'VMWARE2SCW_CATALOG_CONFIG_INVALID';

  constructor(
    readonly key: string,
    problem: string,
    readonly remediation: string,
  ) {
    super(`Invalid ${key}: ${problem}. ${remediation}`);
    this.name = 'ProviderConfigError';
  }
}

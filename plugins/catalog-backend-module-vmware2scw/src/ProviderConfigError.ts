import {
  ConfigError,
  configErrorOptions,
  type ConfigIssue,
} from '@internal/plugin-vmware2scw-node';

/**
 * `catalog.providers.vmware2scw` cannot be used: every bad key at once (`issues`, `key` is the first), each
 * with what is expected there. The backend does not start with it.
 */
export class ProviderConfigError extends ConfigError {
  static fromIssues(issues: ConfigIssue[]): ProviderConfigError {
    return new ProviderConfigError(
      configErrorOptions(
        'VMWARE2SCW_CATALOG_CONFIG_INVALID',
        'catalog.providers.vmware2scw',
        'plugins/catalog-backend-module-vmware2scw/config.d.ts',
        issues,
      ),
    );
  }
}

import {
  ConfigError,
  configErrorMessage,
  type ConfigIssue,
} from '@internal/plugin-vmware2scw-node';

/**
 * `catalog.providers.vmware2scw` cannot be used: every bad key at once (`issues`, `key` is the first), each
 * with what is expected there. The backend does not start with it.
 */
export class ProviderConfigError extends ConfigError {
  static fromIssues(issues: ConfigIssue[]): ProviderConfigError {
    const remediation =
      'Fix these keys in app-config (see plugins/catalog-backend-module-vmware2scw/config.d.ts).';
    return new ProviderConfigError({
      code: 'VMWARE2SCW_CATALOG_CONFIG_INVALID',
      message: configErrorMessage(
        'catalog.providers.vmware2scw',
        issues,
        remediation,
      ),
      remediation,
      issues,
    });
  }
}

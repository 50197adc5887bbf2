import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { readProviderSettings } from './ProviderConfig';
import { RvtoolsEntityProvider } from './RvtoolsEntityProvider';
import { VcenterEntityProvider } from './VcenterEntityProvider';
import { vcenterClientFactory } from './vcenterClientFactory';

/**
 * Catalog module: one entity provider per vCenter of `vmware2scw.vcenters` and one per RVTools export of
 * `catalog.providers.vmware2scw.rvtools`, each emitting `Resource` entities of type `virtual-machine`.
 */
export const catalogModuleVmware2scwEntityProvider = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'vmware2scw-entity-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        urlReader: coreServices.urlReader,
      },
      async init({ catalog, config, logger, scheduler, urlReader }) {
        const settings = readProviderSettings(config);
        const noOwnerRules = [...settings.vcenters, ...settings.rvtools].filter(
          s =>
            !s.owner.default &&
            !s.owner.folders.length &&
            !s.owner.customAttribute &&
            !s.owner.tagCategory,
        );
        for (const s of noOwnerRules) {
          logger.warn(
            `vmware2scw source ${s.id} has no owner rules: its VMs are owned by "unknown". Set catalog.providers.vmware2scw.owner.default (or folders, customAttribute, tagCategory).`,
          );
        }
        catalog.addEntityProvider(
          settings.vcenters.map(s =>
            VcenterEntityProvider.create(s, {
              logger,
              scheduler,
              clientFactory: vcenterClientFactory,
            }),
          ),
          settings.rvtools.map(s =>
            RvtoolsEntityProvider.create(s, { logger, scheduler, urlReader }),
          ),
        );
        logger.info(
          `vmware2scw catalog providers: ${settings.vcenters.length} vCenter(s), ${settings.rvtools.length} RVTools export(s)`,
        );
      },
    });
  },
});

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
        // `<prefix>-<vm>` names of two sources can meet when one prefix extends the other (`paris` VM
        // `dr-db` and `paris-dr` VM `db`), or when one source has none: the catalog then keeps only one.
        const sources = [...settings.vcenters, ...settings.rvtools];
        for (const a of sources) {
          for (const b of sources) {
            if (
              a !== b &&
              (a.entityNamePrefix === '' ||
                b.entityNamePrefix.startsWith(`${a.entityNamePrefix}-`))
            ) {
              logger.warn(
                `vmware2scw sources ${a.id} (prefix "${a.entityNamePrefix}") and ${b.id} (prefix "${b.entityNamePrefix}") can give two VMs the same entity name. Set catalog.providers.vmware2scw entityNamePrefix values that do not extend one another.`,
              );
            }
          }
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

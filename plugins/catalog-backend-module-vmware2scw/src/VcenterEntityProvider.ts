import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Inventory, Vmware2scwError } from '@internal/plugin-vmware2scw-common';
import { VcenterConfig } from '@internal/plugin-vmware2scw-node';
import { InventoryEntityProvider } from './InventoryEntityProvider';
import { VcenterSourceSettings } from './ProviderConfig';
import { entityOptions } from './vmEntity';

/** What the provider needs of a vCenter client (`VcenterClient` of vmware2scw-node): one inventory read, then close. */
export interface VcenterInventoryClient {
  readInventory(options: {
    vcenterId: string;
    signal?: AbortSignal;
    /** Read running VMs' utilisation from the vCenter statistics. */
    utilisation?: boolean;
  }): Promise<{
    inventory: Inventory;
    /** What the client worked around (no tags, ...). */
    warnings: string[];
    /** VMs left out, with the reason. */
    skippedVms: string[];
    /** Why vSphere tags could not be read, when that failed (the VMs then carry no tags). */
    tagsError?: string;
  }>;
  /** Logs out and releases connections. */
  close(): Promise<void>;
}

/** Opens a client for a configured vCenter. */
export type VcenterClientFactory = (
  vcenter: VcenterConfig,
  logger: LoggerService,
) => VcenterInventoryClient;

export interface VcenterEntityProviderDeps {
  logger: LoggerService;
  scheduler: SchedulerService;
  clientFactory: VcenterClientFactory;
}

/**
 * VM entities from one vCenter of `vmware2scw.vcenters`. Each run logs in, reads the whole inventory and
 * logs out: vCenter limits concurrent sessions, and a run every half hour needs no idle session kept.
 */
export class VcenterEntityProvider extends InventoryEntityProvider {
  static create(
    settings: VcenterSourceSettings,
    deps: VcenterEntityProviderDeps,
  ): VcenterEntityProvider {
    const logger = deps.logger.child({
      provider: `vmware2scw-vcenter:${settings.id}`,
    });
    const url = new URL(settings.vcenter.url);
    return new VcenterEntityProvider({
      providerName: `vmware2scw-vcenter:${settings.id}`,
      logger,
      taskRunner: deps.scheduler.createScheduledTaskRunner(settings.schedule),
      // The vCenter's web client: where a VM of this source is managed.
      entities: entityOptions(`url:${url.origin}/ui/`, settings),
      loadInventory: async signal => {
        const client = deps.clientFactory(settings.vcenter, logger);
        try {
          const { inventory, warnings, skippedVms, tagsError } =
            await client.readInventory({
              vcenterId: settings.id,
              signal,
              utilisation: settings.vcenter.utilisation,
            });
          const tagRules = [
            settings.owner.tagCategory,
            settings.system.tagCategory,
          ].filter((c): c is string => !!c);
          if (tagsError && tagRules.length) {
            // Without tags every tag-owned VM would fall to the next rule: owners would flip until the
            // next good read. Keep the catalog as it is instead.
            throw new Vmware2scwError({
              code: 'VMWARE2SCW_CATALOG_TAGS_UNREADABLE',
              message: `vSphere tags could not be read (${tagsError}) and owner/system rules use the tag categor${
                tagRules.length > 1 ? 'ies' : 'y'
              } ${tagRules.join(', ')}: entities left as they were.`,
              remediation:
                "Check the vCenter vAPI service and the user's tagging privileges.",
            });
          }
          for (const w of warnings) logger.warn(`${url.host}: ${w}`);
          if (skippedVms.length)
            logger.warn(
              `${url.host}: ${skippedVms.length} VM(s) left out: ${skippedVms
                .slice(0, 10)
                .join('; ')}`,
            );
          return inventory;
        } finally {
          await client
            .close()
            .catch(e =>
              logger.warn(
                `closing the session with ${url.host} failed: ${
                  (e as Error).message
                }`,
              ),
            );
        }
      },
    });
  }
}

import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  Inventory,
  isVmware2scwError,
} from '@internal/plugin-vmware2scw-common';
import { inventoryEntities, VmEntityOptions } from './vmEntity';

export interface InventoryEntityProviderOptions {
  /** Stable name of the provider, also the `locationKey` of its entities: `vmware2scw-vcenter:<id>`. */
  providerName: string;
  /** Reads the whole inventory of the source once. */
  loadInventory: (signal?: AbortSignal) => Promise<Inventory>;
  entities: VmEntityOptions;
  taskRunner: SchedulerServiceTaskRunner;
  logger: LoggerService;
}

/**
 * Reads one inventory source on a schedule and replaces all of its entities at once (a `full` mutation
 * under one `locationKey`), so that VMs gone from the source leave the catalog. A failed read changes
 * nothing: the catalog keeps the entities of the last good read.
 */
export class InventoryEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(private readonly options: InventoryEntityProviderOptions) {}

  getProviderName(): string {
    return this.options.providerName;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner.run({
      id: `${this.options.providerName}:refresh`,
      fn: async signal => {
        try {
          await this.refresh(signal);
        } catch (e) {
          // Logged here with the source's name and remediation; the scheduler retries at the next run.
          const message = (e as Error).message;
          // vmware2scw errors keep what to do apart from what went wrong.
          const remediation = isVmware2scwError(e) ? e.remediation : '';
          this.options.logger.error(
            `${this.options.providerName}: inventory not refreshed: ${message}${
              remediation && !message.includes(remediation)
                ? ` ${remediation}`
                : ''
            } (the catalog keeps the entities of the last good read)`,
          );
        }
      },
    });
  }

  /** Reads the source and applies its entities now; resolves to what was applied. */
  async refresh(
    signal?: AbortSignal,
  ): Promise<{ vms: number; entities: number }> {
    if (!this.connection)
      throw new Error(
        `${this.options.providerName} is not connected to the catalog yet`,
      );
    const started = Date.now();
    const inventory = await this.options.loadInventory(signal);
    const entities = inventoryEntities(inventory, this.options.entities);
    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.options.providerName,
      })),
    });
    this.options.logger.info(
      `${this.options.providerName}: ${entities.length} VM entities from ${
        inventory.vms.length
      } VMs in ${Date.now() - started} ms`,
    );
    return { vms: inventory.vms.length, entities: entities.length };
  }
}

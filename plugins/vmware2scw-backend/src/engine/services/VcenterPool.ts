import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  Vmware2scwError,
  type Inventory,
  type Vm,
} from '@internal/plugin-vmware2scw-common';
import {
  VcenterClient,
  type VcenterConfig,
} from '@internal/plugin-vmware2scw-node';

/**
 * One vCenter client per configured vCenter (sessions are reused across stages), and a short-lived
 * cache of their inventories, so that validating a wave of VMs reads each vCenter once.
 */
export class VcenterPool {
  private readonly clients = new Map<string, VcenterClient>();
  private readonly inventories = new Map<
    string,
    { at: number; inventory: Promise<Inventory> }
  >();

  constructor(
    private readonly vcenters: readonly VcenterConfig[],
    private readonly options: {
      logger: LoggerService;
      inventoryCacheMs: number;
      now?: () => number;
      /** Test hook: lets tests on plain-http simulators through. */
      allowPlainHttp?: boolean;
    },
  ) {}

  get ids(): string[] {
    return this.vcenters.map(v => v.id);
  }

  config(sourceId: string): VcenterConfig {
    const vc = this.vcenters.find(v => v.id === sourceId);
    if (!vc) {
      throw new Vmware2scwError({
        code: 'SOURCE_NOT_A_VCENTER',
        message: `The VM comes from inventory source "${sourceId}", which is not a configured vCenter`,
        remediation: `Migrations read disks from a vCenter: add a vCenter with id "${sourceId}" to vmware2scw.vcenters (an RVTools export can be planned and estimated, not migrated).`,
      });
    }
    return vc;
  }

  client(sourceId: string): VcenterClient {
    let client = this.clients.get(sourceId);
    if (!client) {
      const vc = this.config(sourceId);
      client = VcenterClient.fromConfig(vc, {
        logger: this.options.logger.child({ vcenter: vc.id }),
      });
      this.clients.set(sourceId, client);
    }
    return client;
  }

  /** The VM as the vCenter describes it now (the inventory read at most `inventoryCacheMs` ago). */
  async readVm(
    sourceId: string,
    moref: string,
    signal?: AbortSignal,
  ): Promise<Vm> {
    const now = (this.options.now ?? Date.now)();
    let hit = this.inventories.get(sourceId);
    if (!hit || now - hit.at > this.options.inventoryCacheMs) {
      hit = {
        at: now,
        inventory: this.client(sourceId).fetchInventory({
          vcenterId: sourceId,
          signal,
          includeTags: false,
        }),
      };
      this.inventories.set(sourceId, hit);
      hit.inventory.catch(() => this.inventories.delete(sourceId));
    }
    const vm = (await hit.inventory).vms.find(v => v.moref === moref);
    if (!vm) {
      throw new Vmware2scwError({
        code: 'VM_NOT_FOUND',
        message: `vCenter ${sourceId} has no VM ${moref} any more`,
        remediation:
          'The VM was deleted or re-registered (new moref): refresh the catalog and plan it again.',
      });
    }
    return vm;
  }

  /** Forgets cached inventories (after a change the engine made, e.g. a snapshot). */
  invalidate(sourceId: string): void {
    this.inventories.delete(sourceId);
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.clients.values()].map(c => c.close().catch(() => undefined)),
    );
    this.clients.clear();
  }
}

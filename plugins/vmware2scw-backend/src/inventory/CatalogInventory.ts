import type { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  VM_ENTITY_TYPE,
  VM_SPEC_INVENTORY_KEY,
  vmSchema,
  Vmware2scwError,
  type Vm,
} from '@internal/plugin-vmware2scw-common';

/** A VM of the catalog: its entity, and the inventory model the catalog module stored on it. */
export interface CatalogVm {
  entityRef: string;
  entity: Entity;
  vm: Vm;
}

/**
 * The VMs the catalog knows (`kind: Resource`, `spec.type: virtual-machine`), with their inventory
 * model from `spec.inventory`: what plans are built and assessed on. Read with the plugin's own
 * credentials and kept a few seconds, so that a plan builder's live count does not read the whole
 * catalog on each keystroke.
 */
export class CatalogInventory {
  private cached?: { at: number; vms: Promise<CatalogVm[]> };

  constructor(
    private readonly catalog: Pick<CatalogService, 'getEntities'>,
    private readonly auth: Pick<AuthService, 'getOwnServiceCredentials'>,
    private readonly options: { cacheMs?: number; now?: () => number } = {},
  ) {}

  async list(): Promise<CatalogVm[]> {
    const now = (this.options.now ?? Date.now)();
    if (
      !this.cached ||
      now - this.cached.at > (this.options.cacheMs ?? 10_000)
    ) {
      const vms = this.read();
      this.cached = { at: now, vms };
      vms.catch(() => {
        this.cached = undefined;
      });
    }
    return this.cached.vms;
  }

  /** One VM entity, read fresh from the catalog (a user just opened its page). */
  async get(entityRef: string): Promise<CatalogVm> {
    const ref = entityRef.toLocaleLowerCase('en-US');
    const found = (await this.list()).find(v => v.entityRef === ref);
    if (found) return found;
    this.cached = undefined;
    const again = (await this.list()).find(v => v.entityRef === ref);
    if (again) return again;
    throw new Vmware2scwError({
      code: 'VM_ENTITY_NOT_FOUND',
      message: `${entityRef} is not a VM entity of the catalog (kind Resource, spec.type ${VM_ENTITY_TYPE}, with its inventory)`,
      remediation:
        'Check the entity reference (resource:default/<name>); a VM appears once the vmware2scw catalog provider has read its vCenter or RVTools export.',
    });
  }

  private async read(): Promise<CatalogVm[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const { items } = await this.catalog.getEntities(
      { filter: { kind: 'Resource', 'spec.type': VM_ENTITY_TYPE } },
      { credentials },
    );
    const out: CatalogVm[] = [];
    for (const entity of items) {
      const parsed = vmSchema.safeParse(
        (entity.spec as Record<string, unknown> | undefined)?.[
          VM_SPEC_INVENTORY_KEY
        ],
      );
      if (!parsed.success) continue;
      out.push({
        entityRef: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
        entity,
        vm: parsed.data,
      });
    }
    return out;
  }
}

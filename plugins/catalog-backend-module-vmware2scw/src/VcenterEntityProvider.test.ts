import { mockServices } from '@backstage/backend-test-utils';
import { SchedulerServiceTaskRunner } from '@backstage/backend-plugin-api';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { Inventory, inventorySchema } from '@internal/plugin-vmware2scw-common';
import { VcenterHttpError } from '@internal/plugin-vmware2scw-node';
import { VcenterSourceSettings } from './ProviderConfig';
import {
  VcenterEntityProvider,
  VcenterInventoryClient,
} from './VcenterEntityProvider';

const inventory: Inventory = inventorySchema.parse({
  source: { kind: 'vcenter', id: 'vc-paris' },
  vms: ['web-01', 'web 01', 'db-01'].map((name, i) => ({
    sourceId: 'vc-paris',
    moref: `vm-${i + 1}`,
    name,
    folderPath: i < 2 ? '/DC1/Web' : '/DC1/Data',
    powerState: 'poweredOn',
    osFamily: 'linux',
    firmware: 'efi',
    numCpu: 2,
    memoryMiB: 4096,
  })),
});

const settings: VcenterSourceSettings = {
  id: 'vc-paris',
  vcenter: {
    id: 'vc-paris',
    url: 'https://vc.example.test/sdk',
    username: 'reader',
    password: 'secret',
    insecure: false,
    utilisation: true,
  },
  schedule: { frequency: { minutes: 30 }, timeout: { minutes: 10 } },
  entityNamePrefix: 'vc-paris',
  includeTemplates: false,
  owner: {
    folders: [{ prefix: '/DC1/Web', value: 'team-web' }],
    default: 'platform-team',
  },
  system: { folders: [] },
};

/** Runs the scheduled task once, right away, as the scheduler does at start-up. */
function immediateScheduler() {
  const runs: Array<Promise<void>> = [];
  const runner: SchedulerServiceTaskRunner = {
    run: async task => {
      runs.push(Promise.resolve(task.fn(new AbortController().signal)));
    },
  };
  const scheduler = mockServices.scheduler.mock({
    createScheduledTaskRunner: jest.fn(() => runner),
  });
  return { scheduler, settled: () => Promise.all(runs) };
}

function connection() {
  return {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;
}

describe('VcenterEntityProvider', () => {
  it('replaces the vCenter entities with those of each read, then logs out', async () => {
    const client: VcenterInventoryClient = {
      readInventory: jest.fn(async () => ({
        inventory,
        warnings: ['tags not read: vAPI endpoint answered 404'],
        skippedVms: [],
      })),
      close: jest.fn(async () => {}),
    };
    const clientFactory = jest.fn(() => client);
    const { scheduler, settled } = immediateScheduler();
    const provider = VcenterEntityProvider.create(settings, {
      logger: mockServices.logger.mock(),
      scheduler,
      clientFactory,
    });
    const conn = connection();

    await provider.connect(conn);
    await settled();

    expect(provider.getProviderName()).toBe('vmware2scw-vcenter:vc-paris');
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith(
      settings.schedule,
    );
    expect(clientFactory).toHaveBeenCalledWith(
      settings.vcenter,
      expect.anything(),
    );
    expect(client.readInventory).toHaveBeenCalledWith({
      vcenterId: 'vc-paris',
      signal: expect.any(AbortSignal),
      utilisation: true,
    });
    expect(client.close).toHaveBeenCalledTimes(1);
    const mutation = conn.applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    expect(
      mutation.entities.map((e: any) => [
        e.locationKey,
        e.entity.metadata.name,
        e.entity.spec.owner,
      ]),
    ).toEqual([
      [
        'vmware2scw-vcenter:vc-paris',
        expect.stringMatching(/^vc-paris-web-01-[0-9a-f]{8}$/),
        'team-web',
      ],
      [
        'vmware2scw-vcenter:vc-paris',
        expect.stringMatching(/^vc-paris-web-01-[0-9a-f]{8}$/),
        'team-web',
      ],
      ['vmware2scw-vcenter:vc-paris', 'vc-paris-db-01', 'platform-team'],
    ]);
    expect(
      mutation.entities[2].entity.metadata.annotations[
        'backstage.io/managed-by-location'
      ],
    ).toBe('url:https://vc.example.test/ui/');
  });

  it('keeps the last entities when the vCenter cannot be read, and says why', async () => {
    const client: VcenterInventoryClient = {
      readInventory: jest.fn(async () => {
        throw new Error(
          'InvalidLogin: Cannot complete login due to an incorrect user name or password',
        );
      }),
      close: jest.fn(async () => {}),
    };
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const { scheduler, settled } = immediateScheduler();
    const provider = VcenterEntityProvider.create(settings, {
      logger,
      scheduler,
      clientFactory: () => client,
    });
    const conn = connection();

    await provider.connect(conn);
    await settled();

    expect(conn.applyMutation).not.toHaveBeenCalled();
    expect(client.close).toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining(
        'vmware2scw-vcenter:vc-paris: inventory not refreshed: InvalidLogin',
      ),
    );
  });

  it('keeps the entities of the last good read when a later read fails', async () => {
    let reads = 0;
    const client: VcenterInventoryClient = {
      readInventory: jest.fn(async () => {
        reads++;
        if (reads === 2) {
          throw new VcenterHttpError({
            code: 'VCENTER_UNREACHABLE',
            message: 'Could not reach vCenter vc.example.test for Login',
            remediation: 'Check the vCenter URL, DNS, firewall (TCP 443).',
          });
        }
        return { inventory, warnings: [], skippedVms: [] };
      }),
      close: jest.fn(async () => {}),
    };
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const tasks: Array<() => Promise<void>> = [];
    const provider = VcenterEntityProvider.create(settings, {
      logger,
      scheduler: mockServices.scheduler.mock({
        createScheduledTaskRunner: () => ({
          run: async task =>
            void tasks.push(() =>
              Promise.resolve(task.fn(new AbortController().signal)),
            ),
        }),
      }),
      clientFactory: () => client,
    });
    const catalog = fakeCatalog();
    await provider.connect(catalog.connection);

    await tasks[0](); // the scheduled run succeeds
    const before = catalog.names();
    expect(before).toHaveLength(3);
    await tasks[0](); // the next one cannot reach the vCenter
    expect(catalog.names()).toEqual(before);
    expect(catalog.connection.applyMutation).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /inventory not refreshed: Could not reach vCenter .* Check the vCenter URL.*keeps the entities of the last good read/,
      ),
    );
    await tasks[0](); // and the one after that is applied again
    expect(catalog.connection.applyMutation).toHaveBeenCalledTimes(2);
    expect(client.close).toHaveBeenCalledTimes(3);
  });

  it('does not let owners flip when tags could not be read and owner rules use tags', async () => {
    const tagged: Inventory = {
      ...inventory,
      vms: inventory.vms.map(v => ({
        ...v,
        tags: [{ category: 'Owner', name: 'team-dba' }],
      })),
    };
    let tagsFail = false;
    const client: VcenterInventoryClient = {
      readInventory: jest.fn(async () =>
        tagsFail
          ? {
              inventory,
              warnings: ['vSphere tags could not be read'],
              skippedVms: [],
              tagsError: 'VcenterRestError: vAPI answered HTTP 503',
            }
          : { inventory: tagged, warnings: [], skippedVms: [] },
      ),
      close: jest.fn(async () => {}),
    };
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const byTag = {
      ...settings,
      owner: { ...settings.owner, tagCategory: 'Owner' },
    };
    const catalog = fakeCatalog();
    const provider = VcenterEntityProvider.create(byTag, {
      logger,
      scheduler: mockServices.scheduler.mock({
        createScheduledTaskRunner: () => ({ run: async () => {} }),
      }),
      clientFactory: () => client,
    });
    await provider.connect(catalog.connection);
    await provider.refresh();
    expect(catalog.owners()).toEqual(['team-dba', 'team-dba', 'team-dba']);

    tagsFail = true;
    await expect(provider.refresh()).rejects.toThrow(
      /tags could not be read .*HTTP 503.*tag category Owner: entities left as they were/,
    );
    expect(catalog.owners()).toEqual(['team-dba', 'team-dba', 'team-dba']);

    // Rules that do not read tags do not care.
    const noTags = VcenterEntityProvider.create(settings, {
      logger,
      scheduler: mockServices.scheduler.mock({
        createScheduledTaskRunner: () => ({ run: async () => {} }),
      }),
      clientFactory: () => client,
    });
    const other = fakeCatalog();
    await noTags.connect(other.connection);
    await expect(noTags.refresh()).resolves.toEqual({ vms: 3, entities: 3 });
  });
});

/** A catalog that applies full mutations as the real one does: a provider's entities are replaced. */
function fakeCatalog() {
  let entities: Array<{ entity: any; locationKey?: string }> = [];
  const conn = {
    applyMutation: jest.fn(async (m: any) => {
      if (m.type !== 'full') throw new Error('expected a full mutation');
      entities = m.entities;
    }),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;
  return {
    connection: conn,
    names: () => entities.map(e => e.entity.metadata.name as string).sort(),
    owners: () => entities.map(e => e.entity.spec.owner as string),
  };
}

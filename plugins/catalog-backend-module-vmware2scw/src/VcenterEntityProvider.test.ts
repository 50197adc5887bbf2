import { mockServices } from '@backstage/backend-test-utils';
import { SchedulerServiceTaskRunner } from '@backstage/backend-plugin-api';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { Inventory, inventorySchema } from '@internal/plugin-vmware2scw-common';
import { VcenterSourceSettings } from './ProviderConfig';
import {
  VcenterEntityProvider,
  VcenterInventoryClient,
} from './VcenterEntityProvider';

const inventory: Inventory = inventorySchema.parse({
  source: { kind: 'vcenter', id: 'vc-paris' },
  vms: ['web-01', 'web 01', 'db-01'].map((name, i) => ({
    vcenterId: 'vc-paris',
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
});

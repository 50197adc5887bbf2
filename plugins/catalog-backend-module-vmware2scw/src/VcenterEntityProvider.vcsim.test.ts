import { mockServices } from '@backstage/backend-test-utils';
import { SchedulerServiceTaskRunner } from '@backstage/backend-plugin-api';
import {
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  Vcsim,
  vcsimDisabled,
} from '@internal/plugin-vmware2scw-node/testUtils';
import { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { VcenterSourceSettings } from './ProviderConfig';
import { vcenterClientFactory } from './vcenterClientFactory';
import { VcenterEntityProvider } from './VcenterEntityProvider';

const maybe = vcsimDisabled ? describe.skip : describe;

maybe('VcenterEntityProvider against vcsim', () => {
  let vcsim: Vcsim;
  beforeAll(async () => {
    vcsim = await Vcsim.start({
      stage: true,
      username: 'reader@vsphere.local',
      password: 'right-password',
    });
  }, 120_000);
  afterAll(async () => vcsim?.stop());

  function settings(password = 'right-password'): VcenterSourceSettings {
    return {
      id: 'vcsim',
      vcenter: {
        id: 'vcsim',
        url: vcsim.url,
        username: 'reader@vsphere.local',
        password,
        // vcsim's certificate is self-signed: pinned by its SHA-256 fingerprint, as a real one would be.
        insecure: true,
        thumbprint: vcsim.info.thumbprintSha256,
        utilisation: true,
      },
      schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
      entityNamePrefix: 'vcsim',
      includeTemplates: false,
      owner: {
        tagCategory: 'Owner',
        folders: [{ prefix: '/DC0', value: 'platform-team' }],
        default: 'guest',
      },
      system: { customAttribute: 'owner', folders: [] },
    };
  }

  async function run(s: VcenterSourceSettings) {
    let task: Promise<void> = Promise.resolve();
    const runner: SchedulerServiceTaskRunner = {
      run: async t => {
        task = Promise.resolve(t.fn(new AbortController().signal));
      },
    };
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const provider = VcenterEntityProvider.create(s, {
      logger,
      scheduler: mockServices.scheduler.mock({
        createScheduledTaskRunner: () => runner,
      }),
      clientFactory: vcenterClientFactory,
    });
    const applyMutation = jest.fn();
    await provider.connect({ applyMutation, refresh: jest.fn() });
    await task;
    return { applyMutation, logger };
  }

  it('lists the simulator VMs with owners from tags and folders, and their vSphere facts', async () => {
    const { applyMutation, logger } = await run(settings());
    expect(logger.error).not.toHaveBeenCalled();
    const { type, entities } = applyMutation.mock.calls[0][0];
    expect(type).toBe('full');
    const staged = vcsim.info.staged!;
    const list: Entity[] = entities.map((d: { entity: Entity }) => d.entity);
    // Every VM but the staged template.
    expect(list).toHaveLength(vcsim.info.vms - 1);
    expect(
      list.some(
        e =>
          e.metadata.annotations?.['vmware2scw.io/moref'] === staged.templateVm,
      ),
    ).toBe(false);
    expect(
      new Set(entities.map((d: { locationKey: string }) => d.locationKey)),
    ).toEqual(new Set(['vmware2scw-vcenter:vcsim']));

    const rich = list.find(
      e => e.metadata.annotations?.['vmware2scw.io/moref'] === staged.richVm,
    )!;
    expect(rich.metadata.title).toBe(staged.richVmName);
    expect(rich.spec).toEqual({
      type: 'virtual-machine',
      owner: 'team-payments',
      system: 'team-payments',
      inventory: expect.objectContaining({
        moref: staged.richVm,
        firmware: 'efi',
        numCpu: 4,
      }),
    });
    expect(rich.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `url:${
        new URL(vcsim.url).origin
      }/ui/`,
      'vmware2scw.io/source': 'vcenter',
      'vmware2scw.io/source-id': 'vcsim',
      'vmware2scw.io/folder': staged.folderPath,
      'vmware2scw.io/datacenter': 'DC0',
      'vmware2scw.io/firmware': 'efi',
      'vmware2scw.io/owner-rule': 'tag:Owner',
      'vmware2scw.io/system-rule': 'custom-attribute:owner',
    });
    // Utilisation from vcsim's PerformanceManager, on the entity and in its inventory.
    expect(rich.metadata.annotations!['vmware2scw.io/utilisation']).toMatch(
      /^P95 cpu \d+% mem \d+% over 30 d, 360 samples \(vcenter\)$/,
    );
    expect((rich.spec as any).inventory.utilization).toMatchObject({
      source: 'vcenter',
      samples: 360,
    });
    expect(
      Number(rich.metadata.annotations!['vmware2scw.io/snapshot-count']),
    ).toBeGreaterThan(0);
    expect(
      Number(rich.metadata.annotations!['vmware2scw.io/disk-count']),
    ).toBeGreaterThan(1);

    const others = list.filter(e => e !== rich);
    expect(new Set(others.map(e => e.spec?.owner))).toEqual(
      new Set(['platform-team']),
    );
    expect(
      new Set(
        others.map(e => e.metadata.annotations?.['vmware2scw.io/owner-rule']),
      ),
    ).toEqual(new Set(['folder:/DC0']));

    const policy = EntityPolicies.allOf([
      new FieldFormatEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    for (const e of list) await expect(policy.enforce(e)).resolves.toBe(e);
  }, 60_000);

  it('keeps the entities of a good read when a later run is refused by the vCenter', async () => {
    let password = 'right-password';
    const tasks: Array<() => Promise<void>> = [];
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const provider = VcenterEntityProvider.create(settings(), {
      logger,
      scheduler: mockServices.scheduler.mock({
        createScheduledTaskRunner: () => ({
          run: async t =>
            void tasks.push(() =>
              Promise.resolve(t.fn(new AbortController().signal)),
            ),
        }),
      }),
      // The real client; the password is swapped between runs, as after a rotation in vCenter only.
      clientFactory: (vc, log) =>
        vcenterClientFactory({ ...vc, password }, log),
    });
    let catalog: string[] = [];
    const applyMutation = jest.fn(async (m: EntityProviderMutation) => {
      if (m.type !== 'full') throw new Error('expected a full mutation');
      catalog = m.entities.map(e => e.entity.metadata.name).sort();
    });
    await provider.connect({ applyMutation, refresh: jest.fn() });

    await tasks[0]();
    const good = catalog;
    expect(good).toHaveLength(vcsim.info.vms - 1);
    password = 'rotated-elsewhere';
    await tasks[0]();
    expect(applyMutation).toHaveBeenCalledTimes(1);
    expect(catalog).toEqual(good);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /inventory not refreshed: .*InvalidLogin.*Check the vCenter user name and password/,
      ),
    );
    expect(JSON.stringify(logger.error.mock.calls)).not.toContain(
      'rotated-elsewhere',
    );
  }, 60_000);

  it('keeps the catalog as it is when the vCenter refuses the login', async () => {
    const { applyMutation, logger } = await run(settings('wrong-password'));
    expect(applyMutation).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /vmware2scw-vcenter:vcsim: inventory not refreshed: .*(login|password)/i,
      ),
    );
  }, 60_000);
});

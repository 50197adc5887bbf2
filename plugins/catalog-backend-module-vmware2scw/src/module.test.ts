import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
} from '@backstage/plugin-catalog-node';
import path from 'node:path';
import { catalogModuleVmware2scwEntityProvider } from './module';

const SAMPLE = path.resolve(
  __dirname,
  '../../../examples/inventory/rvtools-sample.xlsx',
);

describe('catalogModuleVmware2scwEntityProvider', () => {
  it('registers a scheduled provider per RVTools source, which fills the catalog with the sample VMs', async () => {
    const providers: EntityProvider[] = [];
    const schedules: SchedulerServiceTaskScheduleDefinition[] = [];
    const tasks: Array<() => Promise<void>> = [];
    const scheduler = mockServices.scheduler.mock({
      createScheduledTaskRunner(schedule) {
        schedules.push(schedule);
        return {
          run: async task =>
            void tasks.push(() =>
              Promise.resolve(task.fn(new AbortController().signal)),
            ),
        };
      },
    });

    await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          { addEntityProvider: (...p: any[]) => providers.push(...p.flat()) },
        ],
      ],
      features: [
        catalogModuleVmware2scwEntityProvider,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                vmware2scw: {
                  owner: {
                    customAttribute: 'Owner',
                    folders: [
                      { prefix: '/DC-PAR/Production/Data', value: 'team-data' },
                    ],
                    default: 'platform-team',
                  },
                  rvtools: {
                    sample: {
                      target: SAMPLE,
                      schedule: {
                        frequency: { minutes: 60 },
                        timeout: { minutes: 3 },
                      },
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });

    expect(providers.map(p => p.getProviderName())).toEqual([
      'vmware2scw-rvtools:sample',
    ]);
    expect(schedules).toEqual([
      { frequency: { minutes: 60 }, timeout: { minutes: 3 } },
    ]);

    const applyMutation = jest.fn();
    await providers[0].connect({ applyMutation, refresh: jest.fn() });
    await Promise.all(tasks.map(t => t()));

    const { type, entities } = applyMutation.mock.calls[0][0];
    expect(type).toBe('full');
    expect(entities).toHaveLength(52);
    expect(new Set(entities.map((e: any) => e.locationKey))).toEqual(
      new Set(['vmware2scw-rvtools:sample']),
    );
    const kafka = entities.find(
      (e: any) => e.entity.metadata.title === 'kafka-01',
    ).entity;
    expect(kafka).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'sample-kafka-01',
        labels: {
          'vmware2scw.io/os-family': 'linux',
          'vmware2scw.io/power-state': 'poweredOn',
        },
      },
      spec: { type: 'virtual-machine', owner: 'team-data' },
    });
  }, 30_000);

  it('refuses to start with a catalog.providers.vmware2scw setting it cannot use, naming the key', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [catalogProcessingExtensionPoint, { addEntityProvider: jest.fn() }],
        ],
        features: [
          catalogModuleVmware2scwEntityProvider,
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                providers: { vmware2scw: { rvtools: { sample: {} } } },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow('catalog.providers.vmware2scw.rvtools.sample.target');
  }, 30_000);

  it('warns at start-up when two sources can give VMs the same entity name', async () => {
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addEntityProvider: jest.fn() }],
      ],
      features: [
        catalogModuleVmware2scwEntityProvider,
        logger.factory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                vmware2scw: {
                  owner: { default: 'platform-team' },
                  rvtools: {
                    paris: { target: SAMPLE },
                    'paris-dr': { target: SAMPLE },
                    lab: { target: SAMPLE },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    const warnings = logger.warn.mock.calls.map(c => String(c[0]));
    expect(warnings.filter(w => w.includes('the same entity name'))).toEqual([
      expect.stringContaining(
        'sources paris (prefix "paris") and paris-dr (prefix "paris-dr")',
      ),
    ]);
  }, 30_000);
});

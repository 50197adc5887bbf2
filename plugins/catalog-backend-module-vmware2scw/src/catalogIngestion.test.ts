import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import path from 'node:path';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import { catalogModuleVmware2scwEntityProvider } from './module';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

/**
 * The real catalog backend with this module and the example configuration: the sample RVTools VMs end up
 * in the catalog, valid, owned by the groups of examples/org.yaml.
 */
describe('catalog with the sample RVTools export', () => {
  it('lists the sample VMs as virtual-machine Resources owned by the example groups', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleVmware2scwEntityProvider,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Resource', 'Location', 'Group', 'User'] }],
              locations: [
                { type: 'file', target: path.join(EXAMPLES, 'org.yaml') },
              ],
              providers: {
                vmware2scw: {
                  owner: {
                    customAttribute: 'Owner',
                    folders: [
                      { prefix: '/DC-PAR/Production/Web', value: 'team-web' },
                      { prefix: '/DC-PAR/Production/Data', value: 'team-data' },
                      { prefix: '/DC-PAR/Production/ERP', value: 'team-erp' },
                      {
                        prefix: '/DC-PAR/Production/Windows',
                        value: 'team-windows',
                      },
                    ],
                    default: 'platform-team',
                  },
                  rvtools: {
                    sample: {
                      target: path.join(
                        EXAMPLES,
                        'inventory/rvtools-sample.xlsx',
                      ),
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });

    const query = async (): Promise<Entity[]> => {
      const res = await request(server)
        .get('/api/catalog/entities/by-query')
        .query({
          filter: 'kind=resource,spec.type=virtual-machine',
          limit: 500,
        })
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      return res.body.items;
    };
    const deadline = Date.now() + 60_000;
    let vms = await query();
    // Stitching gives entities their relations once the owner groups are in too.
    const settled = (list: Entity[]) =>
      list.length === 52 &&
      list.every(e => e.relations?.some(r => r.type === 'ownedBy'));
    while (!settled(vms) && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 500));
      vms = await query();
    }

    expect(vms).toHaveLength(52);
    const owners = new Map(
      vms.map(e => [
        e.metadata.title,
        e.relations?.find(r => r.type === 'ownedBy')?.targetRef,
      ]),
    );
    expect(owners.get('web-prod-01')).toBe('group:default/team-web');
    expect(owners.get('sql-prod-01')).toBe('group:default/team-windows');
    expect(owners.get('lab-ml-01')).toBe('group:default/team-data');
    expect(owners.get('jump-01')).toBe('group:default/platform-team');
    const groups = await request(server)
      .get('/api/catalog/entities/by-query')
      .query({ filter: 'kind=group' })
      .set('Authorization', mockCredentials.user.header());
    const known = new Set(
      groups.body.items.map((g: Entity) => `group:default/${g.metadata.name}`),
    );
    // Every owner resolves to a group of examples/org.yaml.
    for (const owner of owners.values()) expect(known).toContain(owner);
  }, 90_000);
});

import { ConfigReader } from '@backstage/config';
import { readProviderSettings } from './ProviderConfig';
import { ProviderConfigError } from './ProviderConfigError';

const vcenter = (id: string) => ({
  id,
  url: `https://${id}.example.test`,
  username: 'reader',
  password: 'secret',
});

function settings(data: object) {
  return readProviderSettings(new ConfigReader(data));
}

function configError(data: object): ProviderConfigError {
  try {
    settings(data);
  } catch (e) {
    if (e instanceof ProviderConfigError) return e;
    throw e;
  }
  throw new Error('expected a ProviderConfigError');
}

describe('readProviderSettings', () => {
  it('gives nothing to do without vCenters or RVTools sources', () => {
    expect(settings({})).toEqual({ vcenters: [], rvtools: [] });
  });

  it('makes one source per vCenter and per RVTools export, with shared rules and per-source overrides', () => {
    const s = settings({
      vmware2scw: { vcenters: [vcenter('vc-paris'), vcenter('vc-lab')] },
      catalog: {
        providers: {
          vmware2scw: {
            schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
            owner: {
              folders: [{ prefix: '/DC1/Web', value: 'team-web' }],
              default: 'platform-team',
            },
            vcenters: { 'vc-lab': { enabled: false } },
            rvtools: {
              sample: {
                target: '../../examples/inventory/rvtools-sample.xlsx',
                entityNamePrefix: false,
                includeTemplates: true,
                owner: { customAttribute: 'Owner', default: 'guest' },
              },
            },
          },
        },
      },
    });
    expect(s.vcenters).toHaveLength(1);
    expect(s.vcenters[0]).toMatchObject({
      id: 'vc-paris',
      entityNamePrefix: 'vc-paris',
      includeTemplates: false,
      schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
      owner: {
        folders: [{ prefix: '/DC1/Web', value: 'team-web' }],
        default: 'platform-team',
      },
      vcenter: { id: 'vc-paris', url: 'https://vc-paris.example.test' },
    });
    expect(s.rvtools).toEqual([
      expect.objectContaining({
        id: 'sample',
        target: '../../examples/inventory/rvtools-sample.xlsx',
        entityNamePrefix: '',
        includeTemplates: true,
        owner: {
          customAttribute: 'Owner',
          folders: [],
          default: 'guest',
          tagCategory: undefined,
        },
        schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
      }),
    ]);
  });

  it.each([
    [
      'an override for an unknown vCenter',
      {
        vmware2scw: { vcenters: [vcenter('vc-a')] },
        catalog: { providers: { vmware2scw: { vcenters: { 'vc-b': {} } } } },
      },
      'catalog.providers.vmware2scw.vcenters.vc-b',
      'no vCenter with id "vc-b" in vmware2scw.vcenters (ids: vc-a)',
    ],
    [
      'an RVTools source without target',
      { catalog: { providers: { vmware2scw: { rvtools: { sample: {} } } } } },
      'catalog.providers.vmware2scw.rvtools.sample.target',
      'required',
    ],
    [
      'an RVTools source named like a vCenter',
      {
        vmware2scw: { vcenters: [vcenter('vc-a')] },
        catalog: {
          providers: {
            vmware2scw: { rvtools: { 'vc-a': { target: 'x.xlsx' } } },
          },
        },
      },
      'catalog.providers.vmware2scw.rvtools.vc-a',
      'is also the id of a vCenter',
    ],
    [
      'a folder prefix that is not a path',
      {
        catalog: {
          providers: {
            vmware2scw: {
              owner: { folders: [{ prefix: 'Web', value: 'team-web' }] },
            },
          },
        },
      },
      'catalog.providers.vmware2scw.owner.folders[0].prefix',
      '"Web" is not a folder path',
    ],
    [
      'an owner that is not an entity reference',
      {
        catalog: {
          providers: {
            vmware2scw: {
              owner: {
                folders: [{ prefix: '/DC1/Web', value: 'Team Web' }],
              },
            },
          },
        },
      },
      'catalog.providers.vmware2scw.owner.folders[0].value',
      '"Team Web" is not an entity reference',
    ],
    [
      'a default system that is not an entity reference',
      {
        catalog: {
          providers: {
            vmware2scw: {
              rvtools: {
                s: { target: 'x.xlsx', system: { default: 'system:web shop' } },
              },
            },
          },
        },
      },
      'catalog.providers.vmware2scw.rvtools.s.system.default',
      'is not an entity reference',
    ],
    [
      'a misspelt key',
      {
        catalog: {
          providers: {
            vmware2scw: { rvtools: { s: { target: 'x.xlsx', owners: {} } } },
          },
        },
      },
      'catalog.providers.vmware2scw.rvtools.s',
      'unknown key(s) "owners"',
    ],
    [
      'a bad schedule',
      {
        catalog: {
          providers: { vmware2scw: { schedule: { frequency: 'often' } } },
        },
      },
      'catalog.providers.vmware2scw.schedule',
      '',
    ],
    [
      'two sources with one prefix',
      {
        catalog: {
          providers: {
            vmware2scw: {
              rvtools: {
                a: { target: 'a.xlsx', entityNamePrefix: false },
                b: { target: 'b.xlsx', entityNamePrefix: false },
              },
            },
          },
        },
      },
      'catalog.providers.vmware2scw (b)',
      'same entityNamePrefix',
    ],
  ])('rejects %s, naming the key', (_what, data, key, problem) => {
    const e = configError(data);
    expect(e.code).toBe('VMWARE2SCW_CATALOG_CONFIG_INVALID');
    expect(e.key).toBe(key);
    expect(e.message).toContain(problem);
  });

  it('reports every bad key at once, in the one error shape', () => {
    const e = configError({
      vmware2scw: { vcenters: [vcenter('vc-a')] },
      catalog: {
        providers: {
          vmware2scw: {
            includeTemplates: 'maybe',
            owner: { folders: [{ prefix: 'Web', value: 'Team Web' }] },
            vcenters: { 'vc-b': {}, 'vc-a': { entityNamePrefix: 'VC A' } },
            rvtools: { s: { owners: {} } },
          },
        },
      },
    });
    expect(e.issues.map(i => i.key).sort()).toEqual([
      'catalog.providers.vmware2scw.includeTemplates',
      'catalog.providers.vmware2scw.owner.folders[0].prefix',
      'catalog.providers.vmware2scw.owner.folders[0].value',
      'catalog.providers.vmware2scw.rvtools.s',
      'catalog.providers.vmware2scw.rvtools.s.target',
      'catalog.providers.vmware2scw.vcenters.vc-a.entityNamePrefix',
      'catalog.providers.vmware2scw.vcenters.vc-b',
    ]);
    expect(e.toBody()).toMatchObject({
      code: 'VMWARE2SCW_CATALOG_CONFIG_INVALID',
      remediation: expect.stringContaining('config.d.ts'),
      details: { issues: e.issues },
    });
    for (const i of e.issues) expect(e.message).toContain(i.key);
  });
});

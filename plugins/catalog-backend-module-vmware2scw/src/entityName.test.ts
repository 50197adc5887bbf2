import { entityNames, slugOf } from './entityName';

const vm = (moref: string, name: string, sourceId = 'vc1') => ({
  sourceId,
  moref,
  name,
});
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('entityNames', () => {
  it('turns VM names into DNS-safe names under the source prefix', () => {
    const names = entityNames(
      [
        vm('vm-1', 'web-prod-01'),
        vm('vm-2', 'Web Front (old)'),
        vm('vm-3', 'DB_Cluster_Node-A'),
        vm('vm-4', 'Serveur d’été'),
      ],
      'sample',
    );
    expect([...names.values()]).toEqual([
      'sample-web-prod-01',
      'sample-web-front-old',
      'sample-db-cluster-node-a',
      'sample-serveur-d-ete',
    ]);
  });

  it('gives every VM whose name folds to the same text a suffix of its own, whatever the order', () => {
    const vms = [
      vm('vm-1', 'web 01'),
      vm('vm-2', 'WEB-01'),
      vm('vm-3', 'web-02'),
    ];
    const names = entityNames(vms, 'vc1');
    const reversed = entityNames([...vms].reverse(), 'vc1');
    expect(names.get('vm-3')).toBe('vc1-web-02');
    expect(names.get('vm-1')).toMatch(/^vc1-web-01-[0-9a-f]{8}$/);
    expect(names.get('vm-2')).toMatch(/^vc1-web-01-[0-9a-f]{8}$/);
    expect(names.get('vm-1')).not.toBe(names.get('vm-2'));
    expect(reversed).toEqual(names);
  });

  it('keeps names within 63 characters, and names VMs with no usable character', () => {
    const names = entityNames(
      [
        vm('vm-1', 'x'.repeat(100)),
        vm('vm-2', '数据库'),
        vm('vm-3', 'y'.repeat(100)),
        vm('vm-4', 'y'.repeat(100)),
      ],
      'p',
    );
    for (const n of names.values()) expect(n).toMatch(DNS_LABEL);
    expect(names.get('vm-1')).toHaveLength(63);
    expect(names.get('vm-2')).toMatch(/^p-vm-[0-9a-f]{8}$/);
    expect(names.get('vm-3')).not.toBe(names.get('vm-4'));
  });

  it('works without a prefix', () => {
    expect(entityNames([vm('vm-1', 'web-01')], '').get('vm-1')).toBe('web-01');
  });

  it('slugs', () => {
    expect(slugOf('--A__b..c--')).toBe('a-b-c');
  });
});

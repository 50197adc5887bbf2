import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvtoolsSourceSettings } from './ProviderConfig';
import { RvtoolsEntityProvider } from './RvtoolsEntityProvider';

const REPO = path.resolve(__dirname, '../../..');

const settings: RvtoolsSourceSettings = {
  id: 'sample',
  target: 'examples/inventory/rvtools-sample.xlsx',
  schedule: { frequency: { minutes: 30 }, timeout: { minutes: 3 } },
  entityNamePrefix: 'sample',
  includeTemplates: false,
  owner: {
    customAttribute: 'Owner',
    folders: [
      { prefix: '/DC-PAR/Production/Web', value: 'team-web' },
      { prefix: '/DC-PAR/Production/Data', value: 'team-data' },
      { prefix: '/DC-PAR/Production/ERP', value: 'team-erp' },
      { prefix: '/DC-PAR/Production/Windows', value: 'team-windows' },
    ],
    default: 'platform-team',
  },
  system: { folders: [] },
};

function provider(
  s: RvtoolsSourceSettings,
  logger = mockServices.logger.mock(),
) {
  return RvtoolsEntityProvider.create(s, {
    logger,
    // The tests call refresh() themselves instead of waiting for the schedule.
    scheduler: mockServices.scheduler.mock({
      createScheduledTaskRunner: () => ({ run: async () => {} }),
    }),
    urlReader: mockServices.urlReader.mock(),
    baseDir: REPO,
  });
}

describe('RvtoolsEntityProvider', () => {
  it('lists the sample VMs (templates left out) with owners from the folder map and the Owner attribute', async () => {
    const p = provider(settings);
    const applyMutation = jest.fn();
    await p.connect({ applyMutation, refresh: jest.fn() });
    await expect(p.refresh()).resolves.toEqual({ vms: 54, entities: 52 });

    const entities: Entity[] = applyMutation.mock.calls[0][0].entities.map(
      (d: any) => d.entity,
    );
    const byTitle = new Map(entities.map(e => [e.metadata.title, e]));
    expect(byTitle.get('web-prod-01')?.spec?.owner).toBe('team-web');
    expect(byTitle.get('api-reporting-01')?.spec?.owner).toBe('team-data'); // Owner attribute beats the Web folder
    expect(byTitle.get('sap-hana-01')?.spec?.owner).toBe('team-erp');
    expect(byTitle.get('ad-dc-01')?.spec?.owner).toBe('team-windows');
    expect(byTitle.get('dns-01')?.spec?.owner).toBe('platform-team');
    expect(byTitle.get('Web Front (old)')?.metadata.name).toBe(
      'sample-web-front-old',
    );
    expect(byTitle.has('template-debian12')).toBe(false);
    expect(new Set(entities.map(e => e.spec?.owner))).toEqual(
      new Set([
        'team-web',
        'team-data',
        'team-erp',
        'team-windows',
        'platform-team',
      ]),
    );
    expect(byTitle.get('db-prod-01')?.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `file:${path.join(
        REPO,
        settings.target,
      )}`,
      'vmware2scw.io/source': 'rvtools',
      'vmware2scw.io/source-id': 'sample',
      'vmware2scw.io/moref': 'vm-1011',
      'vmware2scw.io/disk-count': '3',
      'vmware2scw.io/disk-total-bytes': String(2648 * 2 ** 30),
    });
  }, 30_000);

  it('changes nothing in the catalog when the export cannot be read', async () => {
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const p = provider(
      { ...settings, target: 'examples/inventory/missing.xlsx' },
      logger,
    );
    const applyMutation = jest.fn();
    await p.connect({ applyMutation, refresh: jest.fn() });
    await expect(p.refresh()).rejects.toMatchObject({
      code: 'RVTOOLS_NOT_FOUND',
    });
    expect(applyMutation).not.toHaveBeenCalled();
  });

  it('keeps the entities of the last good read when the export later turns bad', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rvtools-provider-'));
    try {
      const target = path.join(dir, 'export.xlsx');
      await fs.copyFile(path.join(REPO, settings.target), target);
      const p = provider({ ...settings, target });
      let applied: any[] = [];
      const applyMutation = jest.fn(async (m: any) => {
        applied = m.entities;
      });
      await p.connect({ applyMutation, refresh: jest.fn() });
      await p.refresh();
      const before = applied.map(e => e.entity.metadata.name).sort();
      expect(before).toHaveLength(52);

      // Someone drops a truncated file in its place: the import fails, the catalog stays.
      const bytes = await fs.readFile(target);
      await fs.writeFile(target, bytes.subarray(0, 1000));
      await expect(p.refresh()).rejects.toMatchObject({
        code: 'RVTOOLS_UNREADABLE',
      });
      expect(applyMutation).toHaveBeenCalledTimes(1);
      expect(applied.map(e => e.entity.metadata.name).sort()).toEqual(before);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

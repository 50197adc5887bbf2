import { TestDatabases } from '@backstage/backend-test-utils';
import { MIGRATIONS_DIR } from './DatabaseMigrationStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('store migrations on %p', id => {
  it('migrate up creates every table, down removes them, up again works', async () => {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: MIGRATIONS_DIR });
    for (const table of [
      'plans',
      'batches',
      'waves',
      'wave_approvals',
      'migrations',
      'stage_runs',
      'events',
      'engine_locks',
    ]) {
      expect(await knex.schema.hasTable(table)).toBe(true);
    }
    expect(await knex('engine_locks').select('id')).toEqual([{ id: 'claims' }]);

    await knex.migrate.rollback({ directory: MIGRATIONS_DIR }, true);
    expect(await knex.schema.hasTable('plans')).toBe(false);
    expect(await knex.schema.hasTable('stage_runs')).toBe(false);

    await knex.migrate.latest({ directory: MIGRATIONS_DIR });
    expect(await knex.schema.hasTable('stage_runs')).toBe(true);
  });
});

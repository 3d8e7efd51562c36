import { TestDatabases } from '@backstage/backend-test-utils';
import { migrateKnex } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('wait for a migration lock held elsewhere, and name the lock when it is never released', async () => {
    const knex = await databases.init(databaseId);
    await migrateKnex(knex);
    // Another replica (or one that died) holds knex's migration lock.
    await knex('knex_migrations_lock').update({ is_locked: 1 });

    await expect(
      migrateKnex(knex, { lockTimeoutMs: 300, pollMs: 50 }),
    ).rejects.toThrow(
      /locked by another process.*knex_migrations_lock.*is_locked = 0/s,
    );

    const waiting = migrateKnex(knex, { lockTimeoutMs: 10_000, pollMs: 50 });
    await new Promise(resolve => setTimeout(resolve, 200));
    await knex('knex_migrations_lock').update({ is_locked: 0 });
    await expect(waiting).resolves.toBeUndefined();
    expect(await knex('knex_migrations_lock').first()).toMatchObject({
      is_locked: 0,
    });
  });

  it('lets two replicas migrate a fresh database at the same time', async () => {
    const knex = await databases.init(databaseId);
    await Promise.all([
      migrateKnex(knex, { pollMs: 20 }),
      migrateKnex(knex, { pollMs: 20 }),
    ]);
    expect(await knex.schema.hasColumn('outbox', 'fence')).toBe(true);
  });
});

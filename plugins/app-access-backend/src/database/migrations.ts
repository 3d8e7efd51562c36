import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** The plugin's own migrations (plain JS files, see migrations/). */
export const migrationsDir = resolvePackagePath(
  '@app-access/plugin-app-access-backend',
  'migrations',
);

/** Opens the plugin's database and brings its schema up to date. */
export async function connectDatabase(database: DatabaseService): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({ directory: migrationsDir });
  }
  return knex;
}

export async function migrateKnex(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@app-access/plugin-app-access-backend-module-msteams',
  'migrations',
);

/**
 * The module shares the plugin's database with the core, so its migrations
 * keep their own bookkeeping table and every table is prefixed.
 */
const MIGRATIONS_TABLE = 'app_access_msteams_knex_migrations';

/** Opens the plugin's database and brings the Teams tables up to date. */
export async function connectTeamsDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await migrateTeamsTables(knex);
  }
  return knex;
}

export async function migrateTeamsTables(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: migrationsDir,
    tableName: MIGRATIONS_TABLE,
  });
}

import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@app-access/plugin-app-access-backend-module-slack',
  'migrations',
);

/**
 * The module shares the plugin's database with the core, so its migrations
 * keep their own bookkeeping table and every table is prefixed.
 */
const MIGRATIONS_TABLE = 'app_access_slack_knex_migrations';

/** Opens the plugin's database and brings the Slack tables up to date. */
export async function connectSlackDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await migrateSlackTables(knex);
  }
  return knex;
}

export async function migrateSlackTables(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: migrationsDir,
    tableName: MIGRATIONS_TABLE,
  });
}

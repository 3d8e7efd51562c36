import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** The module's migrations; tracked in `app_access_email_knex_migrations`. */
export const migrationsDir = resolvePackagePath(
  '@app-access/plugin-app-access-backend-module-email',
  'migrations',
);

export const emailMigrations = {
  directory: migrationsDir,
  tableName: 'app_access_email_knex_migrations',
};

/**
 * The module shares the plugin's database with the core, so its migrations
 * are tracked in their own table and never mix with the core's.
 */
export async function migrateEmailDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    ...emailMigrations,
  });
}

/** Opens the plugin's database and brings the email tables up to date. */
export async function connectEmailDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await migrateEmailDatabase(knex);
  }
  return knex;
}

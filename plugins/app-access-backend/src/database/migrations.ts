import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** The plugin's own migrations (plain JS files, see migrations/). */
export const migrationsDir = resolvePackagePath(
  '@app-access/plugin-app-access-backend',
  'migrations',
);

/** knex keeps its lock in `<migrations table>_lock`; ours uses the default name. */
const LOCK_TABLE = 'knex_migrations_lock';

export type MigrateOptions = {
  /** How long to wait for a migration another process is running. Default 120 s. */
  lockTimeoutMs?: number;
  /** How often to look at the lock again while waiting. Default 500 ms. */
  pollMs?: number;
  logger?: LoggerService;
};

function isLockContention(error: unknown): boolean {
  // Not `instanceof Error`: driver errors may come from another realm.
  const { name, message } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
  };
  if (name === 'MigrationLocked') return true;
  // Two replicas on a fresh database both create knex's bookkeeping tables;
  // the loser's CREATE or lock-row INSERT fails and simply has to try again.
  return (
    typeof message === 'string' &&
    /knex_migrations[\s\S]*(already exists|duplicate key|UNIQUE constraint failed)/i.test(
      message,
    )
  );
}

async function lockHeld(knex: Knex): Promise<boolean> {
  if (!(await knex.schema.hasTable(LOCK_TABLE))) return false;
  const row = await knex(LOCK_TABLE).first('is_locked');
  return Number(row?.is_locked) === 1;
}

/**
 * Brings the schema up to date. When several replicas start together one of
 * them migrates and the others wait for its lock instead of failing.
 */
export async function migrateKnex(
  knex: Knex,
  options: MigrateOptions = {},
): Promise<void> {
  const { lockTimeoutMs = 120_000, pollMs = 500, logger } = options;
  const deadline = Date.now() + lockTimeoutMs;
  let told = false;
  for (;;) {
    try {
      // Looking at the lock first keeps knex from logging a failed attempt
      // at every poll while another replica migrates.
      if (await lockHeld(knex)) {
        throw Object.assign(new Error('Migration table is already locked'), {
          name: 'MigrationLocked',
        });
      }
      await knex.migrate.latest({ directory: migrationsDir });
      return;
    } catch (error) {
      if (!isLockContention(error)) throw error;
      if (Date.now() >= deadline) {
        throw new Error(
          `App Access database migrations are locked by another process and the lock was not released within ${Math.round(
            lockTimeoutMs / 1000,
          )} s (table ${LOCK_TABLE}, is_locked = 1). If no other replica is migrating, a process died while holding it: ` +
            `clear it with "UPDATE ${LOCK_TABLE} SET is_locked = 0" in the App Access database (or "knex migrate:unlock") and start again. ` +
            'To wait longer, raise appAccess.database.migrationLockTimeoutSeconds.',
        );
      }
      if (!told) {
        logger?.info(
          `App Access database migrations are locked by another process (${LOCK_TABLE}); waiting up to ${Math.round(
            lockTimeoutMs / 1000,
          )} s for it`,
        );
        told = true;
      }
      await new Promise(resolve => setTimeout(resolve, pollMs));
    }
  }
}

/** Opens the plugin's database and brings its schema up to date. */
export async function connectDatabase(
  database: DatabaseService,
  options: MigrateOptions = {},
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await migrateKnex(knex, options);
  }
  return knex;
}

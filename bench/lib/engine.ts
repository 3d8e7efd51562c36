// What the benchmarks that run the engine in-process (reminders, campaign,
// outbox-drain) share: a logger that says nothing, a percentile, and a fresh
// PostgreSQL database.
import knexFactory, { Knex } from 'knex';

export const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

/** The p-th percentile of an ascending list. */
export function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** Drops and creates `db` on the server at `pg`, and connects to it. */
export async function freshDatabase(
  pg: string,
  db: string,
  maxConnections = 10,
): Promise<Knex> {
  const admin = knexFactory({ client: 'pg', connection: `${pg}/postgres` });
  await admin.raw(`drop database if exists ${db} with (force)`);
  await admin.raw(`create database ${db}`);
  await admin.destroy();
  return knexFactory({
    client: 'pg',
    connection: `${pg}/${db}`,
    pool: { min: 2, max: maxConnections },
  });
}

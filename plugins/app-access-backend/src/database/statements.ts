import { Knex } from 'knex';
import { createHash } from 'node:crypto';

/** Whether `db` talks to PostgreSQL. */
export function isPostgres(db: Knex): boolean {
  return String(db.client.config.client).includes('pg');
}

/** Rows of a `knex.raw` select on PostgreSQL (`{ rows }`) and SQLite (an array). */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result)
    ? (result as T[])
    : (result as { rows: T[] }).rows;
}

const names = new Map<string, string>();

/**
 * Query options that make PostgreSQL keep the statement prepared on each
 * pooled connection (a named statement in node-pg), so that a read issued on
 * every request is parsed and planned once per connection instead of every
 * time. The name is derived from the text, which must therefore not vary
 * with the values (use `SqlParts.in` for lists). Other databases ignore it;
 * `enabled: false` (config `appAccess.database.preparedStatements`) too.
 *
 * Name the columns (no `select *`): a prepared statement whose result
 * columns change under it (a migration run by another instance) fails with
 * "cached plan must not change result type".
 */
export function prepared(
  db: Knex,
  sql: string,
  enabled = true,
): Readonly<Record<string, unknown>> {
  if (!enabled || !isPostgres(db)) return {};
  let name = names.get(sql);
  if (!name) {
    name = `app-access-${createHash('sha1')
      .update(sql)
      .digest('hex')
      .slice(0, 16)}`;
    names.set(sql, name);
  }
  return { name };
}

/** Bindings for one raw statement, with lists that keep a constant text on PostgreSQL. */
export class SqlParts {
  readonly bindings: Knex.RawBinding[] = [];
  private readonly pg: boolean;

  constructor(db: Knex) {
    this.pg = isPostgres(db);
  }

  /** A placeholder for one value. */
  value(value: string | number | boolean): string {
    this.bindings.push(value);
    return '?';
  }

  /**
   * `column in (…)`: on PostgreSQL `column = any(?)` with one array value
   * (the text stays the same whatever the list's length); elsewhere a
   * placeholder per item. One item is `column = ?`: a prepared statement's
   * generic plan then estimates one value's rows, not an array's (PostgreSQL
   * guesses 10 elements), and is used instead of planning every execution.
   */
  in(column: string, items: readonly string[]): string {
    if (items.length === 1) return `${column} = ${this.value(items[0])}`;
    if (this.pg) {
      this.bindings.push(items as unknown as Knex.RawBinding);
      return `${column} = any(?)`;
    }
    this.bindings.push(...items);
    return `${column} in (${items.map(() => '?').join(', ')})`;
  }
}

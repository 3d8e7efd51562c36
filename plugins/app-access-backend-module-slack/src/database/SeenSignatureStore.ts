import { Knex } from 'knex';

const TABLE = 'app_access_slack_seen_signatures';

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'ER_DUP_ENTRY' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/i.test(e?.message ?? '')
  );
}

/**
 * Remembers request signatures until they would be refused as stale anyway.
 * Kept in the database so every backend replica sees the same set.
 */
export class SeenSignatureStore {
  constructor(private readonly db: Knex) {}

  /** False when the signature was already seen (a replay). */
  async remember(
    signature: string,
    expiresAt: number,
    now = Date.now(),
  ): Promise<boolean> {
    await this.db(TABLE).where('expires_at', '<', now).delete();
    try {
      await this.db(TABLE).insert({ signature, expires_at: expiresAt });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

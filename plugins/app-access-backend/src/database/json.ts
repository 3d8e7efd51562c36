/** JSON columns are text on both databases; these keep the parsing in one place. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T>(text: unknown, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  if (typeof text !== 'string') return text as T;
  return JSON.parse(text) as T;
}

export function nowIso(date: Date = new Date()): string {
  return date.toISOString();
}

/** Opaque cursor for keyset pagination over (sort value, id). */
export function encodeCursor(sortValue: string, id: string | number): string {
  return Buffer.from(JSON.stringify([sortValue, String(id)])).toString(
    'base64url',
  );
}

export function decodeCursor(
  cursor: string | undefined,
): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      parsed.every(p => typeof p === 'string')
    ) {
      return parsed as [string, string];
    }
  } catch {
    // fall through
  }
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/i.test(e?.message ?? '')
  );
}

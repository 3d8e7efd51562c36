import { Knex } from 'knex';

export type TtlCacheOptions = {
  /** How long a loaded value is served, from the moment its load started. */
  ttlMs: number;
  /** Beyond this many keys the least recently used are dropped. */
  maxEntries: number;
  /** Clock (tests). */
  now?: () => number;
};

/**
 * A small in-process read cache. Values expire `ttlMs` after their load
 * started; the least recently used go first beyond `maxEntries`; callers
 * asking for a key that is being loaded share that load.
 *
 * Writers in this process call `invalidate()` before they write and again
 * once their transaction has committed (`invalidateAfterCommit`): a load that
 * ran in between may have read the old rows, and is dropped rather than
 * served. Writes by other processes are seen once the TTL has passed.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<
    K,
    { value: Promise<V>; expires: number }
  >();
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.expires > now) {
        this.entries.set(key, hit); // most recently used last
        return hit.value;
      }
    }
    if (this.options.ttlMs <= 0) return load();
    const entry = { value: load(), expires: now + this.options.ttlMs };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
    return entry.value;
  }

  /** Forgets the given keys, or everything. */
  invalidate(keys?: Iterable<K>) {
    if (!keys) {
      this.entries.clear();
      return;
    }
    for (const key of keys) this.entries.delete(key);
  }

  /**
   * Forgets now and again when `db`'s outermost transaction has ended
   * (at once if `db` is not a transaction).
   */
  invalidateAfterCommit(db: Knex, keys?: Iterable<K>) {
    const list = keys ? [...keys] : undefined;
    this.invalidate(list);
    let tx = db as Knex.Transaction & { parentTransaction?: Knex.Transaction };
    if (!tx.isTransaction) return;
    while (tx.parentTransaction) tx = tx.parentTransaction;
    const again = () => this.invalidate(list);
    tx.executionPromise?.then(again, again);
  }

  get size() {
    return this.entries.size;
  }
}

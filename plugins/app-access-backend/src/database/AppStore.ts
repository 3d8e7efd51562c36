import { Knex } from 'knex';
import { App, Tier } from '@app-access/plugin-app-access-common';
import { decodeCursor, encodeCursor, fromJson, nowIso, toJson } from './json';
import { TtlCache } from './TtlCache';

type AppRow = {
  id: string;
  name: string;
  vendor: string | null;
  category: string;
  url: string | null;
  description: string | null;
  logo: string | null;
  owner: string | null;
  listed: boolean | number;
  external_ids: string;
  approval: string | null;
  approval_method: string | null;
  source: string;
  seed_hash: string | null;
  admin_modified: boolean | number;
  created_at: string;
  updated_at: string;
};

type TierRow = {
  app_id: string;
  id: string;
  name: string;
  description: string | null;
  position: number;
  approval: string | null;
  fulfillment: string;
  max_duration_days?: number | null;
  duration_required?: boolean | number | null;
  cost_per_seat_cents?: number | string | null;
  currency?: string | null;
  seats_purchased?: number | null;
  auto_reclaim?: string | null;
};

export type AppSource = 'seed' | 'admin' | 'directory';

export type StoredApp = App & {
  source: AppSource;
  seedHash?: string;
  adminModified: boolean;
};

function rowToApp(row: AppRow, tiers: TierRow[]): StoredApp {
  return {
    id: row.id,
    name: row.name,
    vendor: row.vendor ?? undefined,
    category: row.category,
    url: row.url ?? undefined,
    description: row.description ?? undefined,
    logo: fromJson(row.logo, undefined),
    owner: row.owner ?? undefined,
    listed: Boolean(row.listed),
    externalIds: fromJson(row.external_ids, {}),
    approval: fromJson(row.approval, undefined),
    approvalMethod: (row.approval_method as App['approvalMethod']) ?? undefined,
    tiers: tiers
      .filter(t => t.app_id === row.id)
      .sort((a, b) => a.position - b.position)
      .map(t => ({
        id: t.id,
        name: t.name,
        description: t.description ?? undefined,
        approval: fromJson(t.approval, undefined),
        fulfillment: fromJson(t.fulfillment, { type: 'manual' }),
        ...(t.max_duration_days
          ? { maxDurationDays: Number(t.max_duration_days) }
          : {}),
        ...(t.duration_required ? { durationRequired: true } : {}),
        ...(t.cost_per_seat_cents !== null &&
        t.cost_per_seat_cents !== undefined
          ? { costPerSeatMonthly: Number(t.cost_per_seat_cents) / 100 }
          : {}),
        ...(t.currency ? { currency: t.currency } : {}),
        ...(t.seats_purchased !== null && t.seats_purchased !== undefined
          ? { seatsPurchased: Number(t.seats_purchased) }
          : {}),
        ...(t.auto_reclaim ? { autoReclaim: JSON.parse(t.auto_reclaim) } : {}),
      })),
    source: row.source as AppSource,
    seedHash: row.seed_hash ?? undefined,
    adminModified: Boolean(row.admin_modified),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type ListAppsOptions = {
  listed?: boolean;
  q?: string;
  category?: string;
  limit: number;
  cursor?: string;
};

export type AppStoreOptions = {
  /**
   * How long the employee catalog's pages and apps are served from memory
   * (`cached: true` reads). Saves in this process are seen at once; saves by
   * other instances after at most this long. 0 turns the cache off.
   */
  cacheTtlMs?: number;
  /** Clock (tests). */
  now?: () => number;
};

/** Apps and their license tiers. */
export class AppStore {
  /**
   * Catalog pages and single apps as employees read them: the same for
   * everyone, so a page of 50 apps with tiers is read once every few seconds
   * instead of twice per request. Pages are keyed by their list options (a
   * search is a key of its own, hence the small bound), apps by id.
   */
  private readonly pages: TtlCache<
    string,
    { items: StoredApp[]; nextCursor?: string }
  >;
  private readonly byId: TtlCache<string, StoredApp | undefined>;

  constructor(private readonly db: Knex, options: AppStoreOptions = {}) {
    const ttlMs = options.cacheTtlMs ?? 5_000;
    this.pages = new TtlCache({ ttlMs, maxEntries: 100, now: options.now });
    this.byId = new TtlCache({ ttlMs, maxEntries: 2_000, now: options.now });
  }

  /**
   * The app as `get` returns it, from the catalog cache. The returned object
   * is shared between callers: do not modify it.
   */
  async getCached(id: string): Promise<StoredApp | undefined> {
    return this.byId.get(id, () => this.get(id));
  }

  /** Each app's own approval method (none: the default), in one statement. */
  async approvalMethods(
    ids: string[],
    db: Knex = this.db,
  ): Promise<Map<string, App['approvalMethod'] | undefined>> {
    if (!ids.length) return new Map();
    const rows: Array<{ id: string; approval_method: string | null }> =
      await db('apps').whereIn('id', ids).select('id', 'approval_method');
    return new Map(
      rows.map(r => [
        r.id,
        (r.approval_method as App['approvalMethod']) ?? undefined,
      ]),
    );
  }

  async get(id: string, tx: Knex = this.db): Promise<StoredApp | undefined> {
    const row = await tx<AppRow>('apps').where({ id }).first();
    if (!row) return undefined;
    const tiers = await tx<TierRow>('app_tiers').where({ app_id: id });
    return rowToApp(row, tiers);
  }

  /**
   * A page of apps by name. With `cached`, from the catalog cache: the result
   * is shared between callers and must not be modified.
   */
  async list(
    options: ListAppsOptions,
    read: { cached?: boolean } = {},
  ): Promise<{ items: StoredApp[]; nextCursor?: string }> {
    if (read.cached) {
      const key = JSON.stringify([
        options.listed,
        options.q,
        options.category,
        options.limit,
        options.cursor,
      ]);
      return this.pages.get(key, () => this.list(options));
    }
    let query = this.db<AppRow>('apps');
    if (options.listed !== undefined) {
      query = query.where('listed', options.listed);
    }
    if (options.category) {
      query = query.where('category', options.category);
    }
    if (options.q) {
      const like = `%${options.q
        .toLowerCase()
        .replace(/[\\%_]/g, m => `\\${m}`)}%`;
      query = query.where(inner =>
        inner
          .whereRaw("lower(name) like ? escape '\\'", [like])
          .orWhereRaw("lower(coalesce(vendor, '')) like ? escape '\\'", [like])
          .orWhereRaw("lower(category) like ? escape '\\'", [like]),
      );
    }
    const after = decodeCursor(options.cursor);
    if (after) {
      const [name, id] = after;
      query = query.where(inner =>
        inner
          .where('name', '>', name)
          .orWhere(inner2 =>
            inner2.where('name', name).andWhere('id', '>', id),
          ),
      );
    }
    const rows = await query
      .orderBy([
        { column: 'name', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const tiers = page.length
      ? await this.db<TierRow>('app_tiers').whereIn(
          'app_id',
          page.map(r => r.id),
        )
      : [];
    const last = page[page.length - 1];
    return {
      items: page.map(r => rowToApp(r, tiers)),
      nextCursor:
        rows.length > options.limit && last
          ? encodeCursor(last.name, last.id)
          : undefined,
    };
  }

  /** Catalog app ids by an external id (e.g. oktaAppId). */
  async idsByExternalId(
    key: string,
    values: string[],
  ): Promise<Map<string, string>> {
    const wanted = new Set(values);
    const out = new Map<string, string>();
    if (!wanted.size) return out;
    const rows = await this.db('apps').select('id', 'external_ids');
    for (const row of rows as Array<{ id: string; external_ids: string }>) {
      const ids = fromJson<Record<string, string>>(row.external_ids, {});
      if (ids[key] && wanted.has(ids[key])) out.set(ids[key], row.id);
    }
    return out;
  }

  async listedIds(): Promise<Set<string>> {
    const ids = await this.db('apps').where('listed', true).pluck('id');
    return new Set(ids as string[]);
  }

  async categories(): Promise<string[]> {
    const rows = await this.db('apps')
      .where('listed', true)
      .distinct('category')
      .orderBy('category');
    return rows.map((r: { category: string }) => r.category);
  }

  /** Inserts or replaces an app with its tiers. */
  async save(
    app: App,
    meta: { source: AppSource; seedHash?: string; adminModified: boolean },
    tx: Knex,
  ): Promise<void> {
    // Cached pages and apps are dropped now and once `tx` has committed (a
    // read in between may still see the old rows).
    this.pages.invalidateAfterCommit(tx);
    this.byId.invalidateAfterCommit(tx);
    const now = nowIso();
    const existing = await tx<AppRow>('apps').where({ id: app.id }).first();
    const row = this.toRow(app, meta, now);
    if (existing) {
      await tx('apps').where({ id: app.id }).update(row);
    } else {
      await tx('apps').insert({ ...row, created_at: now });
    }
    await this.replaceTiers(app, tx);
  }

  /**
   * Inserts the app unless one with its id exists; false when it did. Two
   * processes inserting the same id concurrently both succeed: on PostgreSQL
   * the second waits for the first to commit and then inserts nothing.
   */
  async insertIfAbsent(
    app: App,
    meta: { source: AppSource; seedHash?: string; adminModified: boolean },
    tx: Knex,
  ): Promise<boolean> {
    const now = nowIso();
    const inserted = await tx('apps')
      .insert({ ...this.toRow(app, meta, now), created_at: now })
      .onConflict('id')
      .ignore()
      .returning('id');
    if (!inserted.length) return false;
    this.pages.invalidateAfterCommit(tx);
    this.byId.invalidateAfterCommit(tx);
    await this.replaceTiers(app, tx);
    return true;
  }

  /** Reads an app and, on PostgreSQL, locks it until `tx` ends. */
  async getForUpdate(id: string, tx: Knex): Promise<StoredApp | undefined> {
    let query = tx<AppRow>('apps').where({ id }).first();
    if (this.db.client.config.client === 'pg') query = query.forUpdate();
    const row = await query;
    if (!row) return undefined;
    const tiers = await tx<TierRow>('app_tiers').where({ app_id: id });
    return rowToApp(row, tiers);
  }

  private toRow(
    app: App,
    meta: { source: AppSource; seedHash?: string; adminModified: boolean },
    now: string,
  ) {
    return {
      id: app.id,
      name: app.name,
      vendor: app.vendor ?? null,
      category: app.category,
      url: app.url ?? null,
      description: app.description ?? null,
      logo: toJson(app.logo),
      owner: app.owner ?? null,
      listed: app.listed,
      external_ids: JSON.stringify(app.externalIds ?? {}),
      approval: toJson(app.approval),
      approval_method: app.approvalMethod ?? null,
      source: meta.source,
      seed_hash: meta.seedHash ?? null,
      admin_modified: meta.adminModified,
      updated_at: now,
    };
  }

  private async replaceTiers(app: App, tx: Knex) {
    await tx('app_tiers').where({ app_id: app.id }).delete();
    if (app.tiers.length) {
      await tx('app_tiers').insert(
        app.tiers.map((t: Tier, position: number) => ({
          app_id: app.id,
          id: t.id,
          name: t.name,
          description: t.description ?? null,
          position,
          approval: toJson(t.approval),
          fulfillment: JSON.stringify(t.fulfillment),
          max_duration_days: t.maxDurationDays ?? null,
          duration_required: t.durationRequired ?? false,
          cost_per_seat_cents:
            t.costPerSeatMonthly === undefined
              ? null
              : Math.round(t.costPerSeatMonthly * 100),
          currency: t.currency ?? null,
          seats_purchased: t.seatsPurchased ?? null,
          auto_reclaim: t.autoReclaim
            ? JSON.stringify({
                inactiveDays: t.autoReclaim.inactiveDays,
                answerDays: t.autoReclaim.answerDays,
              })
            : null,
        })),
      );
    }
  }
}

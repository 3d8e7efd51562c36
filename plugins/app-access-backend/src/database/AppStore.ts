import { Knex } from 'knex';
import { App, Tier } from '@app-access/plugin-app-access-common';
import { decodeCursor, encodeCursor, fromJson, nowIso, toJson } from './json';

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

/** Apps and their license tiers. */
export class AppStore {
  constructor(private readonly db: Knex) {}

  async get(id: string, tx: Knex = this.db): Promise<StoredApp | undefined> {
    const row = await tx<AppRow>('apps').where({ id }).first();
    if (!row) return undefined;
    const tiers = await tx<TierRow>('app_tiers').where({ app_id: id });
    return rowToApp(row, tiers);
  }

  async list(
    options: ListAppsOptions,
  ): Promise<{ items: StoredApp[]; nextCursor?: string }> {
    let query = this.db<AppRow>('apps');
    if (options.listed !== undefined) {
      query = query.where('listed', options.listed);
    }
    if (options.category) {
      query = query.where('category', options.category);
    }
    if (options.q) {
      const like = `%${options.q.toLowerCase().replace(/[\\%_]/g, m => `\\${m}`)}%`;
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
          .orWhere(inner2 => inner2.where('name', name).andWhere('id', '>', id)),
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
  async idsByExternalId(key: string, values: string[]): Promise<Map<string, string>> {
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
    const now = nowIso();
    const existing = await tx<AppRow>('apps').where({ id: app.id }).first();
    const row = {
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
    if (existing) {
      await tx('apps').where({ id: app.id }).update(row);
    } else {
      await tx('apps').insert({ ...row, created_at: now });
    }
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
        })),
      );
    }
  }
}

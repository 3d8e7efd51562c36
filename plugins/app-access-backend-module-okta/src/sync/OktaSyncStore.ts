import { Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const migrationsDir = resolvePackagePath(
  '@app-access/plugin-app-access-backend-module-okta',
  'migrations',
);

/** The module's own migration bookkeeping, apart from the core's knex_migrations. */
export const MIGRATIONS_TABLE = 'okta_sync_knex_migrations';

/** The mirror's tables. */
export const MIRROR_TABLES = [
  'okta_sync_users',
  'okta_sync_groups',
  'okta_sync_members',
  'okta_sync_apps',
  'okta_sync_app_groups',
  'okta_sync_app_direct',
];

/**
 * The core's tables the sync fills through the usage API (for `analyze`
 * only; the sync never reads or writes them directly).
 */
export const CORE_USAGE_TABLES = ['app_assignments', 'person_groups', 'people'];

export type MirrorUser = {
  id: string;
  login: string;
  email?: string;
  status: string;
  ref?: string;
  owned: boolean;
  prevRef?: string;
  prevOwned: boolean;
  deleted: boolean;
  displayName?: string;
  title?: string;
  department?: string;
  managerId?: string;
  lastUpdated?: string;
  seenRun?: string;
};

export type MirrorApp = {
  id: string;
  label: string;
  status: string;
  catalogId?: string;
};

export type PendingKind = 'group' | 'app' | 'appGroups' | 'appUsers' | 'pair';

const CHUNK = 400;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

function userRow(u: MirrorUser) {
  return {
    id: u.id,
    login: u.login,
    email: u.email ?? null,
    status: u.status,
    ref: u.ref ?? null,
    owned: u.owned,
    prev_ref: u.prevRef ?? null,
    prev_owned: u.prevOwned,
    deleted: u.deleted,
    display_name: u.displayName ?? null,
    title: u.title ?? null,
    department: u.department ?? null,
    manager_id: u.managerId ?? null,
    last_updated: u.lastUpdated ?? null,
    seen_run: u.seenRun ?? null,
  };
}

function fromUserRow(r: any): MirrorUser {
  return {
    id: r.id,
    login: r.login,
    email: r.email ?? undefined,
    status: r.status,
    ref: r.ref ?? undefined,
    owned: Boolean(r.owned),
    prevRef: r.prev_ref ?? undefined,
    prevOwned: Boolean(r.prev_owned),
    deleted: Boolean(r.deleted),
    displayName: r.display_name ?? undefined,
    title: r.title ?? undefined,
    department: r.department ?? undefined,
    managerId: r.manager_id ?? undefined,
    lastUpdated: r.last_updated ?? undefined,
    seenRun: r.seen_run ?? undefined,
  };
}

function groupBy(rows: Array<{ k: string; v: string }>) {
  const out = new Map<string, string[]>();
  for (const { k, v } of rows) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

/**
 * The sync's mirror of Okta (see migrations/20261201000000_okta_sync.js).
 * Every write is idempotent, so a page read again after a restart changes
 * nothing.
 */
export class OktaSyncStore {
  static async create(
    db: Knex,
    options: { skipMigrations?: boolean } = {},
  ): Promise<OktaSyncStore> {
    if (!options.skipMigrations) {
      await db.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new OktaSyncStore(db);
  }

  constructor(readonly db: Knex) {}

  /**
   * PostgreSQL only: refreshes the planner's statistics of these tables.
   * A table filled from empty during a run still looks empty to the
   * planner until autovacuum analyzes it (at best once a minute, never when
   * it is off), and lookups by person then scan the whole table: quadratic
   * in a first sync. ANALYZE samples the table and takes no lock that
   * blocks reads or writes. Errors (e.g. not the tables' owner) are ignored.
   */
  async analyze(tables: string[]) {
    if (!String(this.db.client.config.client).match(/pg|postgres/)) return;
    for (const table of tables) {
      try {
        await this.db.raw('analyze ??', [table]);
      } catch {
        // statistics stay as they are
      }
    }
  }

  /** A full run starts from an empty mirror of groups and assignments. */
  async clearForFullRun() {
    await this.db.transaction(async tx => {
      for (const table of [
        'okta_sync_members',
        'okta_sync_groups',
        'okta_sync_app_groups',
        'okta_sync_app_direct',
        'okta_sync_dirty',
        'okta_sync_pending',
      ]) {
        await tx(table).delete();
      }
    });
  }

  // --- users ---

  async usersByIds(ids: string[]): Promise<Map<string, MirrorUser>> {
    const out = new Map<string, MirrorUser>();
    for (const batch of chunks([...new Set(ids)])) {
      for (const r of await this.db('okta_sync_users').whereIn('id', batch)) {
        out.set(r.id, fromUserRow(r));
      }
    }
    return out;
  }

  async upsertUsers(users: MirrorUser[]) {
    for (const batch of chunks(users, 200)) {
      await this.db('okta_sync_users')
        .insert(batch.map(userRow))
        .onConflict('id')
        .merge();
    }
  }

  async clearPrevRefs(ids: string[]) {
    for (const batch of chunks(ids)) {
      await this.db('okta_sync_users')
        .whereIn('id', batch)
        .update({ prev_ref: null, prev_owned: false });
    }
  }

  async markDeleted(ids: string[]) {
    for (const batch of chunks(ids)) {
      await this.db('okta_sync_users')
        .whereIn('id', batch)
        .update({ deleted: true });
    }
  }

  /** Ids of the users after `afterId`, in id order (the full resolve's passes). */
  async userIdsAfter(afterId: string | undefined): Promise<string[]> {
    let query = this.db('okta_sync_users').orderBy('id');
    if (afterId) query = query.where('id', '>', afterId);
    return query.pluck('id');
  }

  /** Who holds these refs: `{ id, ref, owned }` of every mirror user with one of them. */
  async holdersOf(refs: string[]) {
    const out: Array<{ id: string; ref: string; owned: boolean }> = [];
    for (const batch of chunks([...new Set(refs)])) {
      const rows = await this.db('okta_sync_users')
        .whereIn('ref', batch)
        .select('id', 'ref', 'owned');
      for (const r of rows) {
        out.push({ id: r.id, ref: r.ref, owned: Boolean(r.owned) });
      }
    }
    return out;
  }

  /** Users whose id, login or email is one of `keys` (lower-cased), for manager lookups. */
  async usersByKeys(keys: string[]) {
    const out = new Map<string, MirrorUser>();
    for (const batch of chunks([...new Set(keys)])) {
      const rows = await this.db('okta_sync_users')
        .whereIn('id', batch)
        .orWhereIn('login', batch)
        .orWhereIn('email', batch);
      for (const r of rows) {
        const u = fromUserRow(r);
        out.set(u.id, u);
        out.set(u.login, u);
        if (u.email) out.set(u.email, u);
      }
    }
    return out;
  }

  /** Forgets users gone from Okta, with their memberships and assignments. */
  async deleteUsers(ids: string[]) {
    for (const batch of chunks(ids)) {
      await this.db.transaction(async tx => {
        await tx('okta_sync_members').whereIn('user_id', batch).delete();
        await tx('okta_sync_app_direct').whereIn('user_id', batch).delete();
        await tx('okta_sync_users').whereIn('id', batch).delete();
      });
    }
  }

  // --- groups and members ---

  async upsertGroups(
    groups: Array<{ id: string; name: string; type: string }>,
  ) {
    for (const batch of chunks(groups, 300)) {
      await this.db('okta_sync_groups').insert(batch).onConflict('id').merge();
    }
  }

  async getGroup(id: string) {
    return (await this.db('okta_sync_groups').where({ id }).first()) as
      | { id: string; name: string; type: string }
      | undefined;
  }

  /** Group ids after `afterId`, in id order. */
  async groupIdsAfter(afterId: string | undefined) {
    let query = this.db('okta_sync_groups').orderBy('id');
    if (afterId) query = query.where('id', '>', afterId);
    return (await query.pluck('id')) as string[];
  }

  async loadGroups() {
    const out = new Map<string, { name: string; type: string }>();
    for (const r of await this.db('okta_sync_groups').select(
      'id',
      'name',
      'type',
    )) {
      out.set(r.id, { name: r.name, type: r.type });
    }
    return out;
  }

  async addMembers(groupId: string, userIds: string[]) {
    for (const batch of chunks([...new Set(userIds)])) {
      await this.db('okta_sync_members')
        .insert(batch.map(userId => ({ group_id: groupId, user_id: userId })))
        .onConflict(['group_id', 'user_id'])
        .ignore();
    }
  }

  async removeMember(groupId: string, userId: string) {
    await this.db('okta_sync_members')
      .where({ group_id: groupId, user_id: userId })
      .delete();
  }

  async membersOfGroup(groupId: string): Promise<string[]> {
    return this.db('okta_sync_members')
      .where({ group_id: groupId })
      .pluck('user_id');
  }

  async membersOfGroups(groupIds: string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const batch of chunks([...new Set(groupIds)])) {
      for (const id of await this.db('okta_sync_members')
        .whereIn('group_id', batch)
        .distinct()
        .pluck('user_id')) {
        out.add(id);
      }
    }
    return [...out];
  }

  /** User id → ids of the groups they are in. */
  async groupsOfUsers(userIds: string[]) {
    const rows: Array<{ k: string; v: string }> = [];
    for (const batch of chunks(userIds)) {
      for (const r of await this.db('okta_sync_members')
        .whereIn('user_id', batch)
        .select('user_id', 'group_id')) {
        rows.push({ k: r.user_id, v: r.group_id });
      }
    }
    return groupBy(rows);
  }

  async deleteGroup(groupId: string) {
    await this.db.transaction(async tx => {
      await tx('okta_sync_members').where({ group_id: groupId }).delete();
      await tx('okta_sync_app_groups').where({ group_id: groupId }).delete();
      await tx('okta_sync_groups').where({ id: groupId }).delete();
    });
  }

  // --- apps and assignments ---

  async upsertApps(apps: Array<MirrorApp & { seenRun?: string }>) {
    for (const batch of chunks(apps, 200)) {
      await this.db('okta_sync_apps')
        .insert(
          batch.map(a => ({
            id: a.id,
            label: a.label,
            status: a.status,
            catalog_id: a.catalogId ?? null,
            seen_run: a.seenRun ?? null,
          })),
        )
        .onConflict('id')
        .merge();
    }
  }

  async getApp(id: string): Promise<MirrorApp | undefined> {
    const r = await this.db('okta_sync_apps').where({ id }).first();
    return r
      ? {
          id: r.id,
          label: r.label,
          status: r.status,
          catalogId: r.catalog_id ?? undefined,
        }
      : undefined;
  }

  async loadApps() {
    const out = new Map<string, MirrorApp>();
    for (const r of await this.db('okta_sync_apps')) {
      out.set(r.id, {
        id: r.id,
        label: r.label,
        status: r.status,
        catalogId: r.catalog_id ?? undefined,
      });
    }
    return out;
  }

  /** Apps a full run did not see any more are gone from Okta. */
  async markAppsGone(runId: string) {
    await this.db('okta_sync_apps')
      .where(q => q.whereNot('seen_run', runId).orWhereNull('seen_run'))
      .update({ status: 'DELETED' });
  }

  /** ACTIVE app ids after `afterId`, in id order. */
  async activeAppIdsAfter(afterId: string | undefined) {
    let query = this.db('okta_sync_apps')
      .where({ status: 'ACTIVE' })
      .orderBy('id');
    if (afterId) query = query.where('id', '>', afterId);
    return (await query.pluck('id')) as string[];
  }

  async addAppGroups(appId: string, groupIds: string[]) {
    for (const batch of chunks([...new Set(groupIds)])) {
      await this.db('okta_sync_app_groups')
        .insert(batch.map(groupId => ({ app_id: appId, group_id: groupId })))
        .onConflict(['app_id', 'group_id'])
        .ignore();
    }
  }

  async appGroupsOf(appId: string): Promise<string[]> {
    return this.db('okta_sync_app_groups')
      .where({ app_id: appId })
      .pluck('group_id');
  }

  async replaceAppGroups(appId: string, groupIds: string[]) {
    await this.db.transaction(async tx => {
      await tx('okta_sync_app_groups').where({ app_id: appId }).delete();
      for (const batch of chunks([...new Set(groupIds)])) {
        await tx('okta_sync_app_groups').insert(
          batch.map(groupId => ({ app_id: appId, group_id: groupId })),
        );
      }
    });
  }

  /** Group id → ids of the apps it is assigned to. */
  async loadGroupApps() {
    const rows = (await this.db('okta_sync_app_groups').select(
      'group_id',
      'app_id',
    )) as Array<{ group_id: string; app_id: string }>;
    return groupBy(rows.map(r => ({ k: r.group_id, v: r.app_id })));
  }

  async addDirect(appId: string, userIds: string[]) {
    for (const batch of chunks([...new Set(userIds)])) {
      await this.db('okta_sync_app_direct')
        .insert(batch.map(userId => ({ app_id: appId, user_id: userId })))
        .onConflict(['app_id', 'user_id'])
        .ignore();
    }
  }

  async removeDirect(appId: string, userId: string) {
    await this.db('okta_sync_app_direct')
      .where({ app_id: appId, user_id: userId })
      .delete();
  }

  async directUsersOf(appId: string): Promise<string[]> {
    return this.db('okta_sync_app_direct')
      .where({ app_id: appId })
      .pluck('user_id');
  }

  async replaceDirect(appId: string, userIds: string[]) {
    await this.db.transaction(async tx => {
      await tx('okta_sync_app_direct').where({ app_id: appId }).delete();
      for (const batch of chunks([...new Set(userIds)])) {
        await tx('okta_sync_app_direct').insert(
          batch.map(userId => ({ app_id: appId, user_id: userId })),
        );
      }
    });
  }

  /** User id → ids of the apps they are assigned to directly. */
  async directOfUsers(userIds: string[]) {
    const rows: Array<{ k: string; v: string }> = [];
    for (const batch of chunks(userIds)) {
      for (const r of await this.db('okta_sync_app_direct')
        .whereIn('user_id', batch)
        .select('user_id', 'app_id')) {
        rows.push({ k: r.user_id, v: r.app_id });
      }
    }
    return groupBy(rows);
  }

  // --- incremental work queues ---

  async addDirty(userIds: string[]) {
    for (const batch of chunks([...new Set(userIds)])) {
      await this.db('okta_sync_dirty')
        .insert(batch.map(id => ({ user_id: id })))
        .onConflict('user_id')
        .ignore();
    }
  }

  async dirtyBatch(limit: number): Promise<string[]> {
    return this.db('okta_sync_dirty')
      .orderBy('user_id')
      .limit(limit)
      .pluck('user_id');
  }

  async clearDirty(userIds: string[]) {
    for (const batch of chunks(userIds)) {
      await this.db('okta_sync_dirty').whereIn('user_id', batch).delete();
    }
  }

  async countDirty(): Promise<number> {
    const [row] = await this.db('okta_sync_dirty').count({ n: '*' });
    return Number((row as { n: string | number }).n);
  }

  async addPending(kind: PendingKind, keys: string[]) {
    for (const batch of chunks([...new Set(keys)])) {
      await this.db('okta_sync_pending')
        .insert(batch.map(key => ({ kind, key })))
        .onConflict(['kind', 'key'])
        .ignore();
    }
  }

  async pending(kind: PendingKind, limit = 1000): Promise<string[]> {
    return this.db('okta_sync_pending')
      .where({ kind })
      .orderBy('key')
      .limit(limit)
      .pluck('key');
  }

  async removePending(kind: PendingKind, keys: string[]) {
    for (const batch of chunks(keys)) {
      await this.db('okta_sync_pending')
        .where({ kind })
        .whereIn('key', batch)
        .delete();
    }
  }
}

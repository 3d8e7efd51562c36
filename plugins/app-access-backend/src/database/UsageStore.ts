import { Knex } from 'knex';
import { UsageWriteOptions } from '@app-access/plugin-app-access-node';
import { fromJson, nowIso } from './json';

export type PersonRecord = {
  ref: string;
  email?: string;
  displayName?: string;
  department?: string;
  title?: string;
  manager?: string;
  groups: string[];
  active?: boolean;
};

export type AssignmentSource = 'okta-direct' | 'okta-group' | 'portal' | 'demo';

export type SyncRun = {
  id: string;
  status: 'idle' | 'running' | 'failed';
  checkpoint?: Record<string, unknown>;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastDurationMs?: number;
  lastCounts?: Record<string, number>;
  lastError?: string;
};

export type RoleBasis = 'title' | 'department';

const CHUNK = 500;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

const DIMENSIONS = ['title', 'department'] as const;

/** What the given people add to the rollups now: (dimension, value, app) → people. */
async function rollupContributions(
  tx: Knex,
  refs: string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const batch of chunks(refs)) {
    const rows = (await tx('people as p')
      .join('app_assignments as a', 'a.person_ref', 'p.ref')
      .whereIn('p.ref', batch)
      .where('p.active', true)
      .distinct('p.ref', 'p.title', 'p.department', 'a.app_id')) as Array<{
      ref: string;
      title: string | null;
      department: string | null;
      app_id: string;
    }>;
    for (const row of rows) {
      for (const dimension of DIMENSIONS) {
        const value = row[dimension];
        if (value === null || value === undefined) continue;
        const key = JSON.stringify([dimension, value, row.app_id]);
        out.set(key, (out.get(key) ?? 0) + 1);
      }
    }
  }
  return out;
}

/**
 * Runs `write` (which changes the given people or their assignments) inside
 * `tx` and moves the per-title/department rollups by exactly what it changed,
 * so that a sync of 100 changes touches 100 people's rows, not the company's.
 *
 * On PostgreSQL the people's rows are locked first (in ref order, so two
 * writers never deadlock): a concurrent write of the same person waits and
 * then sees this one's result in its own "before", so no change is counted
 * twice. SQLite has one writer at a time anyway.
 */
export async function withRollupDelta<T>(
  tx: Knex.Transaction,
  personRefs: string[],
  write: () => Promise<T>,
  options: UsageWriteOptions = {},
): Promise<T> {
  const refs = [...new Set(personRefs)].sort();
  if (!refs.length || options.rollups === 'later') return write();
  if (isPostgres(tx)) {
    for (const batch of chunks(refs)) {
      await tx('people')
        .whereIn('ref', batch)
        .orderBy('ref')
        .forUpdate()
        .select('ref');
    }
  }
  const before = await rollupContributions(tx, refs);
  const result = await write();
  const after = await rollupContributions(tx, refs);
  const deltas = new Map(after);
  for (const [key, n] of before) deltas.set(key, (deltas.get(key) ?? 0) - n);
  // In key order, so that concurrent writers (a sync writes a few batches at
  // once) lock shared rollup rows in the same order and cannot deadlock.
  const changed = [...deltas]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => byCodeUnits(a, b));
  for (const batch of chunks(changed)) {
    const rows = batch.map(([key, users]) => {
      const [dimension, value, app_id] = JSON.parse(key) as [
        string,
        string,
        string,
      ];
      return { dimension, value, app_id, users };
    });
    await tx('usage_rollups')
      .insert(rows)
      .onConflict(['dimension', 'value', 'app_id'])
      .merge({ users: tx.raw('usage_rollups.users + excluded.users') });
    const dropped = rows.filter(r => r.users < 0);
    if (dropped.length) {
      await tx('usage_rollups')
        .whereIn(
          ['dimension', 'value', 'app_id'],
          dropped.map(r => [r.dimension, r.value, r.app_id]),
        )
        .where('users', '<=', 0)
        .delete();
    }
  }
  return result;
}

/** Records that a person has an app (e.g. a fulfilled portal request), inside `tx`. */
export async function addAssignment(
  tx: Knex.Transaction,
  personRef: string,
  appId: string,
  source: AssignmentSource,
): Promise<void> {
  await withRollupDelta(tx, [personRef], async () => {
    await tx('app_assignments')
      .insert({ person_ref: personRef, app_id: appId, source, since: nowIso() })
      .onConflict(['person_ref', 'app_id', 'source'])
      .ignore();
  });
}

/** Access App Access granted is gone: the portal's assignment goes with it. */
export async function removeAssignment(
  tx: Knex.Transaction,
  personRef: string,
  appId: string,
  source: AssignmentSource,
): Promise<void> {
  await withRollupDelta(tx, [personRef], async () => {
    await tx('app_assignments')
      .where({ person_ref: personRef, app_id: appId, source })
      .delete();
  });
}

function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isPostgres(db: Knex): boolean {
  return String(db.client.config.client).includes('pg');
}

/** A `people` row and its groups as a PersonRecord. */
export function personFromRow(
  row: {
    ref: string;
    email: string | null;
    display_name: string | null;
    department: string | null;
    title: string | null;
    manager: string | null;
    active: boolean | number;
  },
  groups: string[],
): PersonRecord {
  return {
    ref: row.ref,
    email: row.email ?? undefined,
    displayName: row.display_name ?? undefined,
    department: row.department ?? undefined,
    title: row.title ?? undefined,
    manager: row.manager ?? undefined,
    groups,
    active: Boolean(row.active),
  };
}

/**
 * People, their groups and their app assignments, with per-title and
 * per-department rollups so that peer counts never scan the assignments of
 * a whole company on a catalog page.
 */
export class UsageStore {
  constructor(private readonly db: Knex) {}

  async upsertPeople(
    people: PersonRecord[],
    source: string,
    options?: UsageWriteOptions,
  ): Promise<void> {
    const now = nowIso();
    for (const all of chunks(people)) {
      await this.db.transaction(async tx => {
        // The catalog's people are the catalog's: another source (Okta) never
        // overwrites one, whatever ref its own mapping came up with.
        const catalogOwned =
          source === 'catalog'
            ? new Set<string>()
            : new Set(
                (
                  await tx('people')
                    .whereIn(
                      'ref',
                      all.map(p => p.ref),
                    )
                    .where('source', 'catalog')
                    .select('ref')
                ).map((r: { ref: string }) => r.ref),
              );
        const batch = all.filter(p => !catalogOwned.has(p.ref));
        if (!batch.length) return;
        await withRollupDelta(
          tx,
          batch.map(p => p.ref),
          async () => {
            await tx('people')
              .insert(
                batch.map(p => ({
                  ref: p.ref,
                  email: p.email?.toLowerCase() ?? null,
                  display_name: p.displayName ?? null,
                  department: p.department ?? null,
                  title: p.title ?? null,
                  manager: p.manager ?? null,
                  source,
                  active: p.active ?? true,
                  updated_at: now,
                })),
              )
              .onConflict('ref')
              .merge();
            await tx('person_groups')
              .whereIn(
                'person_ref',
                batch.map(p => p.ref),
              )
              .delete();
            const links = batch.flatMap(p =>
              [...new Set(p.groups)].map(g => ({
                person_ref: p.ref,
                group_ref: g,
              })),
            );
            for (const linkBatch of chunks(links)) {
              await tx('person_groups').insert(linkBatch);
            }
            const inactive = batch
              .filter(p => p.active === false)
              .map(p => p.ref);
            if (inactive.length) {
              await tx('app_assignments')
                .whereIn('person_ref', inactive)
                .delete();
              await tx('person_groups')
                .whereIn('person_ref', inactive)
                .delete();
            }
          },
          options,
        );
      });
    }
  }

  /** Replaces one source's assignments of the given people. */
  async setAssignments(
    source: AssignmentSource,
    assignments: Array<{ personRef: string; appIds: string[]; since?: string }>,
    options?: UsageWriteOptions,
  ): Promise<void> {
    for (const batch of chunks(assignments, 200)) {
      await this.db.transaction(async tx =>
        withRollupDelta(
          tx,
          batch.map(a => a.personRef),
          async () => {
            await tx('app_assignments')
              .where('source', source)
              .whereIn(
                'person_ref',
                batch.map(a => a.personRef),
              )
              .delete();
            const rows = batch.flatMap(a =>
              [...new Set(a.appIds)].map(appId => ({
                person_ref: a.personRef,
                app_id: appId,
                source,
                since: a.since ?? null,
              })),
            );
            for (const rowBatch of chunks(rows)) {
              await tx('app_assignments').insert(rowBatch);
            }
          },
          options,
        ),
      );
    }
  }

  async addAssignment(
    personRef: string,
    appId: string,
    source: AssignmentSource,
  ) {
    await this.db.transaction(tx =>
      addAssignment(tx, personRef, appId, source),
    );
  }

  async removeAssignments(
    source: AssignmentSource,
    pairs: Array<{ personRef: string; appId: string }>,
    options?: UsageWriteOptions,
  ) {
    for (const batch of chunks(pairs, 200)) {
      await this.db.transaction(async tx => {
        await withRollupDelta(
          tx,
          batch.map(p => p.personRef),
          async () => {
            for (const p of batch) {
              await tx('app_assignments')
                .where({ source, person_ref: p.personRef, app_id: p.appId })
                .delete();
            }
          },
          options,
        );
      });
    }
  }

  async markLastUsed(
    pairs: Array<{ personRef: string; appId: string; at: string }>,
  ) {
    for (const p of pairs) {
      await this.db('app_assignments')
        .where({ person_ref: p.personRef, app_id: p.appId })
        .where(q =>
          q.whereNull('last_used_at').orWhere('last_used_at', '<', p.at),
        )
        .update({ last_used_at: p.at });
    }
  }

  /**
   * Recomputes the per-title and per-department counts of distinct users from
   * scratch. Every write above keeps them up to date already; this is the
   * repair (after a seed import or a full directory sync).
   */
  async recomputeRollups(): Promise<void> {
    await this.db.transaction(async tx => {
      await tx('usage_rollups').delete();
      for (const dimension of DIMENSIONS) {
        await tx.raw(
          `insert into usage_rollups (dimension, value, app_id, users)
           select ?, p.${dimension}, u.app_id, count(*)
           from (select distinct person_ref, app_id from app_assignments) u
           join people p on p.ref = u.person_ref
           where p.active = ? and p.${dimension} is not null
           group by p.${dimension}, u.app_id`,
          [dimension, true],
        );
      }
    });
  }

  async getPerson(ref: string): Promise<PersonRecord | undefined> {
    const row = await this.db('people').where({ ref }).first();
    if (!row) return undefined;
    const groups = await this.db('person_groups')
      .where({ person_ref: ref })
      .pluck('group_ref');
    return personFromRow(row, groups);
  }

  /** The active people whose manager is `managerRef`, by name. */
  async reportsOf(
    managerRef: string,
  ): Promise<Array<{ ref: string; displayName?: string }>> {
    const rows = await this.db('people')
      .where({ manager: managerRef, active: true })
      .orderBy('ref')
      .limit(500)
      .select('ref', 'display_name');
    return rows.map((r: { ref: string; display_name: string | null }) => ({
      ref: r.ref,
      ...(r.display_name ? { displayName: r.display_name } : {}),
    }));
  }

  /** The refs of one source's people who are still active. */
  async activeRefs(source: string): Promise<string[]> {
    return this.db('people')
      .where({ source, active: true })
      .orderBy('ref')
      .pluck('ref');
  }

  async groupMembers(groupRef: string): Promise<string[]> {
    return this.db('person_groups as pg')
      .join('people as p', 'p.ref', 'pg.person_ref')
      .where({ 'pg.group_ref': groupRef, 'p.active': true })
      .orderBy('pg.person_ref')
      .pluck('pg.person_ref');
  }

  async refsByEmail(emails: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted = [...new Set(emails.map(e => e.trim().toLowerCase()))];
    for (const batch of chunks(wanted)) {
      const rows = await this.db('people')
        .whereIn('email', batch)
        .select('email', 'ref');
      for (const row of rows as Array<{ email: string; ref: string }>)
        out.set(row.email, row.ref);
    }
    return out;
  }

  async sourcesOf(refs: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const batch of chunks([...new Set(refs)])) {
      const rows = await this.db('people')
        .whereIn('ref', batch)
        .select('ref', 'source');
      for (const row of rows as Array<{ ref: string; source: string }>) {
        out.set(row.ref, row.source);
      }
    }
    return out;
  }

  async refByEmail(email: string): Promise<string | undefined> {
    const row = await this.db('people')
      .where({ email: email.trim().toLowerCase(), active: true })
      .first('ref');
    return row?.ref;
  }

  async appsOf(personRef: string): Promise<Set<string>> {
    const rows = await this.db('app_assignments')
      .where({ person_ref: personRef })
      .distinct('app_id');
    return new Set(rows.map((r: { app_id: string }) => r.app_id));
  }

  async teamSize(viewerRef: string, groups: string[]): Promise<number> {
    if (!groups.length) return 0;
    const [row] = await this.db('person_groups')
      .whereIn('group_ref', groups)
      .whereNot('person_ref', viewerRef)
      .countDistinct({ n: 'person_ref' });
    return Number((row as { n: string | number }).n);
  }

  async roleSize(
    basis: RoleBasis,
    value: string | undefined,
    viewerRef: string,
  ) {
    if (!value) return 0;
    const [row] = await this.db('people')
      .where({ [basis]: value, active: true })
      .whereNot('ref', viewerRef)
      .count({ n: '*' });
    return Number((row as { n: string | number }).n);
  }

  /** Who on the team / in the role uses an app (for names, when allowed). */
  async teamUsers(
    viewerRef: string,
    groups: string[],
    appId: string,
    limit = 50,
  ) {
    if (!groups.length) return [];
    return (await this.db('person_groups as pg')
      .join('app_assignments as a', 'a.person_ref', 'pg.person_ref')
      .leftJoin('people as p', 'p.ref', 'pg.person_ref')
      .whereIn('pg.group_ref', groups)
      .whereNot('pg.person_ref', viewerRef)
      .where('a.app_id', appId)
      .distinct('pg.person_ref as ref', 'p.display_name as displayName')
      .orderBy('pg.person_ref')
      .limit(limit)) as Array<{ ref: string; displayName: string | null }>;
  }

  async roleUsers(
    basis: RoleBasis,
    value: string | undefined,
    viewerRef: string,
    appId: string,
    limit = 50,
  ) {
    if (!value) return [];
    return (await this.db('people as p')
      .join('app_assignments as a', 'a.person_ref', 'p.ref')
      .where({ [`p.${basis}`]: value, 'p.active': true, 'a.app_id': appId })
      .whereNot('p.ref', viewerRef)
      .distinct('p.ref as ref', 'p.display_name as displayName')
      .orderBy('p.ref')
      .limit(limit)) as Array<{ ref: string; displayName: string | null }>;
  }

  async peopleCount(): Promise<number> {
    const [row] = await this.db('people')
      .where('active', true)
      .count({ n: '*' });
    return Number((row as { n: string | number }).n);
  }

  // --- sync bookkeeping ---

  async getSync(id: string): Promise<SyncRun | undefined> {
    const row = await this.db('sync_state').where({ id }).first();
    if (!row) return undefined;
    return {
      id: row.id,
      status: row.status,
      checkpoint: fromJson(row.checkpoint, undefined),
      lastStartedAt: row.last_started_at ?? undefined,
      lastFinishedAt: row.last_finished_at ?? undefined,
      lastDurationMs: row.last_duration_ms ?? undefined,
      lastCounts: fromJson(row.last_counts, undefined),
      lastError: row.last_error ?? undefined,
    };
  }

  async listSyncs(): Promise<SyncRun[]> {
    const ids = await this.db('sync_state').orderBy('id').pluck('id');
    const out: SyncRun[] = [];
    for (const id of ids) out.push((await this.getSync(id))!);
    return out;
  }

  async saveSync(id: string, changes: Partial<SyncRun>) {
    const row: Record<string, unknown> = {};
    if (changes.status) row.status = changes.status;
    if ('checkpoint' in changes)
      row.checkpoint = changes.checkpoint
        ? JSON.stringify(changes.checkpoint)
        : null;
    if (changes.lastStartedAt) row.last_started_at = changes.lastStartedAt;
    if (changes.lastFinishedAt) row.last_finished_at = changes.lastFinishedAt;
    if (changes.lastDurationMs !== undefined)
      row.last_duration_ms = changes.lastDurationMs;
    if (changes.lastCounts)
      row.last_counts = JSON.stringify(changes.lastCounts);
    if ('lastError' in changes) row.last_error = changes.lastError ?? null;
    await this.db('sync_state')
      .insert({ id, status: changes.status ?? 'idle', ...row })
      .onConflict('id')
      .merge(row);
  }
}

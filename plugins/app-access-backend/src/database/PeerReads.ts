import { Knex } from 'knex';
import { RequestStatus } from '@app-access/plugin-app-access-common';
import { BADGE_STATUSES } from './RequestStore';
import { prepared, rowsOf, SqlParts } from './statements';
import { TtlCache } from './TtlCache';
import {
  PersonRecord,
  personFromRow,
  RoleBasis,
  UsageStore,
} from './UsageStore';

export type PeerReadsOptions = {
  /** How long a person (with their groups) is served from memory; 0 turns it off. */
  personTtlMs?: number;
  /** At most this many people are kept. */
  maxPeople?: number;
  /** Named prepared statements on PostgreSQL (see `prepared`). Default: true. */
  preparedStatements?: boolean;
  /** Clock (tests). */
  now?: () => number;
};

type PersonRow = {
  ref: string;
  email: string | null;
  display_name: string | null;
  department: string | null;
  title: string | null;
  manager: string | null;
  active: boolean | number;
  group_ref: string | null;
};

type CountRow = {
  k: 't' | 'r' | 'm' | 'q';
  app_id: string;
  n: string | number;
  id: string | null;
  tier_id: string | null;
  status: RequestStatus | null;
  created_at: string | null;
};

/** The caller's latest access request for an app, as the catalog marks it. */
export type BadgeRequest = {
  id: string;
  tierId?: string;
  status: RequestStatus;
};

export type PageCounts = {
  team: Map<string, number>;
  role: Map<string, number>;
  /** Only when asked for (`withRequests`). */
  requests: Map<string, BadgeRequest>;
};

/** A person with their groups, one row per group (public for the benchmark's EXPLAIN). */
export const PERSON_SQL = `select p.ref, p.email, p.display_name, p.department, p.title, p.manager, p.active, g.group_ref
  from people p left join person_groups g on g.person_ref = p.ref
  where p.ref = ?
  order by g.group_ref`;

/**
 * The reads behind a catalog page's peer counts, each in one statement:
 *
 * - a person with their groups (one join instead of two queries), kept for a
 *   few seconds per person so that the pages, the details and the
 *   recommendations one visit fetches look them up once;
 * - team counts, role counts and the viewer's own apps for a set of apps
 *   (one `union all` instead of three queries). Counts are never cached: an
 *   assignment written a moment ago is counted on the next request.
 *
 * On PostgreSQL both are named prepared statements (see `prepared`).
 */
export class PeerReads {
  private readonly people: TtlCache<string, PersonRecord | undefined>;
  private readonly preparedStatements: boolean;

  constructor(private readonly db: Knex, options: PeerReadsOptions = {}) {
    this.preparedStatements = options.preparedStatements ?? true;
    this.people = new TtlCache({
      ttlMs: options.personTtlMs ?? 5_000,
      maxEntries: options.maxPeople ?? 10_000,
      now: options.now,
    });
  }

  /** The person as `UsageStore.getPerson` returns it (shared: do not modify). */
  person(ref: string): Promise<PersonRecord | undefined> {
    return this.people.get(ref, () => this.readPerson(ref));
  }

  /** Drops cached people (all when no refs are given); call around writes to them. */
  forgetPeople(refs?: Iterable<string>) {
    this.people.invalidate(refs);
  }

  private async readPerson(ref: string): Promise<PersonRecord | undefined> {
    const rows = rowsOf<PersonRow>(
      await this.db
        .raw(PERSON_SQL, [ref])
        .options(prepared(this.db, PERSON_SQL, this.preparedStatements)),
    );
    const row = rows[0];
    if (!row) return undefined;
    const groups = rows.flatMap(r =>
      r.group_ref === null ? [] : [r.group_ref],
    );
    const person = personFromRow(row, Object.freeze(groups) as string[]);
    return Object.freeze(person);
  }

  /**
   * Per app: distinct teammates (members of `groups`, not the viewer) who
   * have it, and people with the viewer's title or department who have it,
   * less the viewer. Only apps with a count above zero are in the maps; only
   * `appIds` when given. With `withRequests`, also the viewer's latest access
   * request per app (as `RequestStore.latestByRequester`, for the catalog's
   * badges). One statement:
   *
   *   team counts  person_groups ⋈ app_assignments, grouped by app
   *   union all    the role's row of usage_rollups per app
   *   union all    the viewer's own apps (to take the viewer out of the role count)
   *   union all    the viewer's requests (withRequests)
   */
  async counts(
    viewerRef: string,
    groups: string[],
    basis: RoleBasis,
    value: string | undefined,
    appIds?: string[],
    withRequests = false,
  ): Promise<PageCounts> {
    const result: PageCounts = {
      team: new Map(),
      role: new Map(),
      requests: new Map(),
    };
    const statement = this.countsStatement(
      viewerRef,
      groups,
      basis,
      value,
      appIds,
      withRequests,
    );
    if (!statement) return result;
    const rows = rowsOf<CountRow>(
      await this.db
        .raw(statement.text, statement.bindings)
        .options(prepared(this.db, statement.text, this.preparedStatements)),
    );
    const mine = new Set<string>();
    const requests: CountRow[] = [];
    for (const row of rows) {
      if (row.k === 'm') mine.add(row.app_id);
      else if (row.k === 'q') requests.push(row);
    }
    for (const row of rows) {
      if (row.k === 't') {
        result.team.set(row.app_id, Number(row.n));
      } else if (row.k === 'r') {
        const n = Number(row.n) - (mine.has(row.app_id) ? 1 : 0);
        if (n > 0) result.role.set(row.app_id, n);
      }
    }
    // Oldest first, so that the latest request per app is the one kept.
    requests.sort((a, b) => {
      if (a.created_at === b.created_at) return 0;
      return a.created_at! < b.created_at! ? -1 : 1;
    });
    for (const row of requests) {
      result.requests.set(row.app_id, {
        id: row.id!,
        tierId: row.tier_id ?? undefined,
        status: row.status!,
      });
    }
    return result;
  }

  /** The statement `counts` runs, or none when there is nothing to read (public for the benchmark's EXPLAIN). */
  countsStatement(
    viewerRef: string,
    groups: string[],
    basis: RoleBasis,
    value: string | undefined,
    appIds?: string[],
    withRequests = false,
  ): { text: string; bindings: readonly Knex.RawBinding[] } | undefined {
    if (appIds && !appIds.length) return undefined;
    const sql = new SqlParts(this.db);
    const page = (column: string) =>
      appIds ? ` and ${sql.in(column, appIds)}` : '';
    const none =
      'null as id, null as tier_id, null as status, null as created_at';
    const parts: string[] = [];
    if (groups.length) {
      parts.push(
        `select 't' as k, a.app_id as app_id, count(distinct a.person_ref) as n, ${none}
         from person_groups g join app_assignments a on a.person_ref = g.person_ref
         where ${sql.in('g.group_ref', groups)} and g.person_ref <> ${sql.value(
          viewerRef,
        )}${page('a.app_id')}
         group by a.app_id`,
      );
    }
    if (value) {
      parts.push(
        `select 'r' as k, app_id, users as n, ${none} from usage_rollups
         where dimension = ${sql.value(basis)} and value = ${sql.value(
          value,
        )}${page('app_id')}`,
      );
      parts.push(
        `select distinct 'm' as k, app_id, 1 as n, ${none} from app_assignments
         where person_ref = ${sql.value(viewerRef)}${page('app_id')}`,
      );
    }
    if (withRequests) {
      parts.push(
        `select 'q' as k, app_id, 0 as n, id, tier_id, status, created_at from requests
         where grantee = ${sql.value(viewerRef)} and kind = 'access'
           and ${sql.in('status', BADGE_STATUSES)} and app_id is not null${page(
          'app_id',
        )}`,
      );
    }
    if (!parts.length) return undefined;
    return { text: parts.join('\nunion all\n'), bindings: sql.bindings };
  }
}

/**
 * The usage store with `getPerson` served by `PeerReads` (cached), and
 * people writes in this process dropping the cached people they change,
 * before they start and once they have committed.
 */
export class CachingUsageStore extends UsageStore {
  constructor(db: Knex, readonly reads: PeerReads) {
    super(db);
  }

  override getPerson(ref: string): Promise<PersonRecord | undefined> {
    return this.reads.person(ref);
  }

  override async upsertPeople(
    people: PersonRecord[],
    source: string,
  ): Promise<void> {
    const refs = people.map(p => p.ref);
    this.reads.forgetPeople(refs);
    try {
      await super.upsertPeople(people, source);
    } finally {
      this.reads.forgetPeople(refs);
    }
  }
}

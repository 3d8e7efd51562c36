import { Knex } from 'knex';
import {
  AccessRequest,
  OPEN_STATUSES,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { decodeCursor, encodeCursor, fromJson, nowIso } from './json';

/** One approval level as resolved when the request was submitted. */
export type PlannedLevel = {
  level: number;
  approvers: string[];
  fallback: boolean;
  /**
   * Only people who decide an earlier level could decide this one (the
   * fallback approver too): an admin names an approver when it opens.
   */
  awaitsAdmin?: boolean;
};

export type RequestRow = {
  id: string;
  kind: string;
  app_id: string | null;
  tier_id: string | null;
  app_name: string;
  tier_name: string | null;
  requester: string;
  /** Who gets the access; the requester unless filed on someone's behalf (set on insert). */
  grantee?: string | null;
  status: RequestStatus;
  level: number;
  justification: string | null;
  needed_by: string | null;
  intake: string | null;
  plan: string;
  external_ref: string | null;
  external_url: string | null;
  failure_reason: string | null;
  /** What the requester is told of a failure; null: the generic sentence. */
  requester_note?: string | null;
  fulfilled_by?: string | null;
  /** Days the access lasts once granted (requested, maybe shortened); null: until removed. */
  duration_days?: number | null;
  /** An extension request: the grant whose end it moves. */
  extends_grant_id?: string | null;
  retries: number;
  open_key: string | null;
  created_at: string;
  updated_at: string;
};

export function rowToRequest(row: RequestRow): AccessRequest & {
  grantee: string;
  plan: PlannedLevel[];
  retries: number;
  requesterNote?: string;
} {
  return {
    id: row.id,
    kind: row.kind as AccessRequest['kind'],
    appId: row.app_id ?? undefined,
    tierId: row.tier_id ?? undefined,
    appName: row.app_name,
    tierName: row.tier_name ?? undefined,
    requester: row.requester,
    grantee: row.grantee ?? row.requester,
    status: row.status,
    level: row.level,
    justification: row.justification ?? undefined,
    neededBy: row.needed_by ?? undefined,
    intake: fromJson(row.intake, undefined),
    externalRef: row.external_ref ?? undefined,
    externalUrl: row.external_url ?? undefined,
    failureReason: row.failure_reason ?? undefined,
    fulfilledBy: row.fulfilled_by ?? undefined,
    ...(row.duration_days ? { durationDays: Number(row.duration_days) } : {}),
    ...(row.extends_grant_id ? { extendsGrantId: row.extends_grant_id } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    plan: fromJson(row.plan, []),
    retries: row.retries,
    requesterNote: row.requester_note ?? undefined,
  };
}

export type StoredRequest = ReturnType<typeof rowToRequest>;

/**
 * The statuses of an access request that mark its app in the catalog
 * ("requested" / "you have it"); of several, the latest request counts.
 */
export const BADGE_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'fulfilling',
  'awaiting_it',
  'fulfilled',
];

export type ListRequestsOptions = {
  requester?: string;
  /** Requests this person filed or gets the access of. */
  party?: string;
  status?: RequestStatus[];
  appId?: string;
  olderThan?: string;
  limit: number;
  cursor?: string;
};

/** Access requests (the `requests` table); tasks and events have their own stores. */
export class RequestStore {
  constructor(private readonly db: Knex) {}

  async get(
    id: string,
    tx: Knex = this.db,
  ): Promise<StoredRequest | undefined> {
    const row = await tx<RequestRow>('requests').where({ id }).first();
    return row ? rowToRequest(row) : undefined;
  }

  /** Several requests by id, in one statement (the reminder sweep). */
  async getMany(ids: string[], tx: Knex = this.db): Promise<StoredRequest[]> {
    if (!ids.length) return [];
    const rows = await tx<RequestRow>('requests').whereIn('id', ids);
    return rows.map(rowToRequest);
  }

  /**
   * The request, its row locked until `tx` ends on PostgreSQL (SQLite
   * serialises writers anyway): for checks that must not race a twin.
   */
  async lock(id: string, tx: Knex): Promise<StoredRequest | undefined> {
    let query = tx<RequestRow>('requests').where({ id });
    if (tx.client.config.client === 'pg') query = query.forUpdate();
    const row = await query.first();
    return row ? rowToRequest(row) : undefined;
  }

  async findOpenByKey(openKey: string, tx: Knex = this.db) {
    const row = await tx<RequestRow>('requests')
      .where({ open_key: openKey })
      .first();
    return row ? rowToRequest(row) : undefined;
  }

  /** The grantee's fulfilled request for this exact tier, if any. */
  async latestFulfilled(grantee: string, appId: string, tierId: string) {
    const row = await this.db<RequestRow>('requests')
      .where({ grantee, app_id: appId, tier_id: tierId, status: 'fulfilled' })
      .orderBy('updated_at', 'desc')
      .first();
    return row ? rowToRequest(row) : undefined;
  }

  async insert(row: RequestRow, tx: Knex): Promise<void> {
    await tx('requests').insert({
      ...row,
      grantee: row.grantee ?? row.requester,
    });
  }

  /**
   * Moves a request from one status to another only if it is still in the
   * expected status; returns false when someone else moved it first.
   */
  async transition(
    id: string,
    from: RequestStatus | RequestStatus[],
    changes: Partial<RequestRow> & { status: RequestStatus },
    tx: Knex,
  ): Promise<boolean> {
    const fromList = Array.isArray(from) ? from : [from];
    const count = await tx('requests')
      .where({ id })
      .whereIn('status', fromList)
      .update({ ...changes, updated_at: nowIso() });
    return count === 1;
  }

  async update(id: string, changes: Partial<RequestRow>, tx: Knex) {
    await tx('requests')
      .where({ id })
      .update({ ...changes, updated_at: nowIso() });
  }

  /** How many open requests of one kind are for a person (e.g. for the intake limit). */
  async countOpen(
    grantee: string,
    kind: 'access' | 'intake',
    tx: Knex = this.db,
  ): Promise<number> {
    const row = await tx('requests')
      .where({ grantee, kind })
      .whereIn('status', OPEN_STATUSES)
      .count<{ n: string | number }[]>('* as n')
      .first();
    return Number(row?.n ?? 0);
  }

  async list(options: ListRequestsOptions) {
    let query = this.db<RequestRow>('requests');
    if (options.requester) query = query.where('requester', options.requester);
    const party = options.party;
    if (party) {
      query = query.where(inner =>
        inner.where('requester', party).orWhere('grantee', party),
      );
    }
    if (options.status?.length) query = query.whereIn('status', options.status);
    if (options.appId) query = query.where('app_id', options.appId);
    if (options.olderThan)
      query = query.where('created_at', '<', options.olderThan);
    const after = decodeCursor(options.cursor);
    if (after) {
      const [createdAt, id] = after;
      query = query.where(inner =>
        inner
          .where('created_at', '<', createdAt)
          .orWhere(i2 =>
            i2.where('created_at', createdAt).andWhere('id', '<', id),
          ),
      );
    }
    const rows = await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(rowToRequest),
      nextCursor:
        rows.length > options.limit && last
          ? encodeCursor(last.created_at, last.id)
          : undefined,
    };
  }

  async listAwaiting(fulfilledBy: string, limit: number) {
    const rows = await this.db<RequestRow>('requests')
      .where({ status: 'awaiting_it', fulfilled_by: fulfilledBy })
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(rowToRequest);
  }

  /** Requests for the caller per app, for "requested" / "you have it" badges. */
  async latestByRequester(grantee: string) {
    const rows = await this.db<RequestRow>('requests')
      .where({ grantee, kind: 'access' })
      .whereIn('status', BADGE_STATUSES)
      .orderBy('created_at', 'asc');
    const byApp = new Map<string, StoredRequest>();
    for (const row of rows) {
      if (row.app_id) byApp.set(row.app_id, rowToRequest(row));
    }
    return byApp;
  }
}

import { Knex } from 'knex';
import {
  AccessGrant,
  AccessGrantStatus,
} from '@app-access/plugin-app-access-common';
import { nowIso } from './json';

export type GrantRow = {
  id: string;
  app_id: string;
  tier_id: string;
  app_name: string;
  tier_name: string;
  grantee: string;
  request_id: string;
  granted_at: string;
  ends_at: string | null;
  status: AccessGrantStatus;
  fulfilled_by: string | null;
  external_ref: string | null;
  removal_ref: string | null;
  removal_handler?: string | null;
  removal_reason: string | null;
  removed_at: string | null;
  removed_by: string | null;
  notice_sent_for: string | null;
  updated_at: string;
};

export type StoredGrant = AccessGrant & {
  noticeSentFor?: string;
  /** The fulfiller a removal waits on (a removal ticket, IT by hand). */
  removalHandler?: string;
};

export function rowToGrant(row: GrantRow): StoredGrant {
  const grant: StoredGrant = {
    id: row.id,
    appId: row.app_id,
    tierId: row.tier_id,
    appName: row.app_name,
    tierName: row.tier_name,
    grantee: row.grantee,
    requestId: row.request_id,
    grantedAt: row.granted_at,
    status: row.status,
  };
  if (row.ends_at) grant.endsAt = row.ends_at;
  if (row.fulfilled_by) grant.fulfilledBy = row.fulfilled_by;
  if (row.external_ref) grant.externalRef = row.external_ref;
  if (row.removal_ref) grant.removalRef = row.removal_ref;
  if (row.removal_reason) grant.removalReason = row.removal_reason;
  if (row.removed_at) grant.removedAt = row.removed_at;
  if (row.removed_by) grant.removedBy = row.removed_by;
  if (row.notice_sent_for) grant.noticeSentFor = row.notice_sent_for;
  if (row.removal_handler) grant.removalHandler = row.removal_handler;
  return grant;
}

/** Statuses of a grant whose access is (still) held. */
export const HELD_GRANT_STATUSES: AccessGrantStatus[] = [
  'active',
  'removing',
  'removal_failed',
];

/** Granted access and its end (the `access_grants` table). */
export class GrantStore {
  constructor(private readonly db: Knex) {}

  async get(id: string, tx: Knex = this.db): Promise<StoredGrant | undefined> {
    const row = await tx<GrantRow>('access_grants').where({ id }).first();
    return row ? rowToGrant(row) : undefined;
  }

  async forRequest(
    requestId: string,
    tx: Knex = this.db,
  ): Promise<StoredGrant | undefined> {
    const row = await tx<GrantRow>('access_grants')
      .where({ request_id: requestId })
      .first();
    return row ? rowToGrant(row) : undefined;
  }

  /** Inserts the grant a fulfilled request made; a second call for the same request does nothing. */
  async insert(row: GrantRow, tx: Knex): Promise<boolean> {
    const existing = await tx('access_grants')
      .where({ request_id: row.request_id })
      .first();
    if (existing) return false;
    await tx('access_grants').insert(row);
    return true;
  }

  /**
   * Moves a grant from one status to another only if it is still in the
   * expected one; false when someone else moved it first.
   */
  async transition(
    id: string,
    from: AccessGrantStatus | AccessGrantStatus[],
    changes: Partial<GrantRow> & { status?: AccessGrantStatus },
    tx: Knex,
  ): Promise<boolean> {
    const count = await tx('access_grants')
      .where({ id })
      .whereIn('status', [from].flat())
      .update({ ...changes, updated_at: nowIso() });
    return count === 1;
  }

  async update(id: string, changes: Partial<GrantRow>, tx: Knex) {
    await tx('access_grants')
      .where({ id })
      .update({ ...changes, updated_at: nowIso() });
  }

  /** A person's grants, held ones first, newest first. */
  async forGrantee(grantee: string, includeRemoved = false) {
    let query = this.db<GrantRow>('access_grants').where({ grantee });
    if (!includeRemoved) query = query.whereIn('status', HELD_GRANT_STATUSES);
    const rows = await query.orderBy([
      { column: 'granted_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    return rows.map(rowToGrant);
  }

  /** The held grant of this person for this tier, if any. */
  async heldFor(grantee: string, appId: string, tierId: string) {
    const row = await this.db<GrantRow>('access_grants')
      .where({ grantee, app_id: appId, tier_id: tierId })
      .whereIn('status', HELD_GRANT_STATUSES)
      .first();
    return row ? rowToGrant(row) : undefined;
  }

  /** Active grants of a tier (admin "revoke every holder"). */
  async activeForTier(appId: string, tierId: string) {
    const rows = await this.db<GrantRow>('access_grants')
      .where({ app_id: appId, tier_id: tierId, status: 'active' })
      .orderBy('granted_at', 'asc');
    return rows.map(rowToGrant);
  }

  /** Held grants of an app (the admin app page). */
  async heldForApp(appId: string) {
    const rows = await this.db<GrantRow>('access_grants')
      .where({ app_id: appId })
      .whereIn('status', HELD_GRANT_STATUSES)
      .orderBy('granted_at', 'asc');
    return rows.map(rowToGrant);
  }

  /**
   * Removals for request oversight, oldest first: those handed to someone
   * (IT by hand, a removal ticket) and those that gave up.
   */
  async removalsForOversight(limit: number) {
    const rows = await this.db<GrantRow>('access_grants')
      .where(q =>
        q
          .where({ status: 'removal_failed' })
          .orWhere(w =>
            w.where({ status: 'removing' }).whereNotNull('removal_handler'),
          ),
      )
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(rowToGrant);
  }

  /** Removals waiting for IT, handed to this fulfiller. */
  async removalsAwaiting(handler: string, limit: number) {
    const rows = await this.db<GrantRow>('access_grants')
      .where({ status: 'removing', removal_handler: handler })
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(rowToGrant);
  }

  /** Active grants whose end has passed. */
  async due(now: string, limit: number) {
    const rows = await this.db<GrantRow>('access_grants')
      .where({ status: 'active' })
      .whereNotNull('ends_at')
      .where('ends_at', '<=', now)
      .orderBy('ends_at', 'asc')
      .limit(limit);
    return rows.map(rowToGrant);
  }

  /** Active grants ending before `until` whose holder was not told about this end yet. */
  async endingSoon(now: string, until: string, limit: number) {
    const rows = await this.db<GrantRow>('access_grants')
      .where({ status: 'active' })
      .whereNotNull('ends_at')
      .where('ends_at', '>', now)
      .where('ends_at', '<=', until)
      .where(q =>
        q.whereNull('notice_sent_for').orWhereRaw('notice_sent_for <> ends_at'),
      )
      .orderBy('ends_at', 'asc')
      .limit(limit);
    return rows.map(rowToGrant);
  }
}

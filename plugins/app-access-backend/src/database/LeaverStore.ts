import { Knex } from 'knex';
import { CANCELLABLE_STATUSES } from '@app-access/plugin-app-access-common';
import {
  GrantRow,
  HELD_GRANT_STATUSES,
  rowToGrant,
  StoredGrant,
} from './GrantStore';
import { RequestRow, rowToRequest, StoredRequest } from './RequestStore';

/** The timeline event that says a party of the request left. */
export const PARTY_LEFT_EVENT = 'requester_left';

/**
 * A leaver's requests that still need something (see `LeaverWorkflow`):
 * cancellable ones, failed ones (nothing in flight; an admin retry would
 * grant a leaver) and ones waiting for IT whose timeline does not say yet
 * that the person left. `fulfilling` ones are left to their job.
 */
function leaverWork(q: Knex.QueryBuilder, db: Knex, alias = 'r') {
  return q.where(w =>
    w
      .whereIn(`${alias}.status`, [...CANCELLABLE_STATUSES, 'failed'])
      .orWhere(awaiting =>
        awaiting
          .where(`${alias}.status`, 'awaiting_it')
          .whereNotExists(
            db('request_events as e')
              .select(1)
              .whereRaw(`e.request_id = ${alias}.id`)
              .where('e.type', PARTY_LEFT_EVENT),
          ),
      ),
  );
}

/** A person the directory no longer has, as the `people` table remembers them. */
export type Leaver = {
  ref: string;
  displayName?: string;
  email?: string;
  /** When the directory copy marked them gone. */
  leftAt: string;
};

/**
 * People who left the directory (`people.active` false: the catalog copy no
 * longer has them, or the Okta sync saw them deactivated) and what App
 * Access still holds of theirs: open requests, open approval tasks, access
 * it granted them.
 */
export class LeaverStore {
  constructor(private readonly db: Knex) {}

  /** Leavers with a request to cancel or note, or an approval task to move on. */
  async withOpenWork(limit = 100): Promise<string[]> {
    const db = this.db;
    const rows = await db('people as p')
      .where('p.active', false)
      .where(inner =>
        inner
          .whereExists(
            leaverWork(
              db('requests as r')
                .select(1)
                .where(w =>
                  w
                    .whereRaw('r.requester = p.ref')
                    .orWhereRaw('r.grantee = p.ref'),
                ),
              db,
            ),
          )
          .orWhereExists(function openTask() {
            this.select(1)
              .from('approval_task_approvers as a')
              .join('approval_tasks as t', 't.id', 'a.task_id')
              .whereRaw('a.approver_ref = p.ref')
              .where('t.status', 'open');
          }),
      )
      .orderBy('p.ref')
      .limit(limit)
      .select('p.ref');
    return rows.map((r: { ref: string }) => r.ref);
  }

  /** Whether the directory copy has this person marked gone. */
  async get(ref: string): Promise<Leaver | undefined> {
    const row = await this.db('people')
      .where({ ref, active: false })
      .first('ref', 'display_name', 'email', 'updated_at');
    return row ? toLeaver(row) : undefined;
  }

  /**
   * Requests the person filed or is the grantee of that still need
   * something: cancellable, failed, or waiting for IT and not yet noted.
   */
  async openRequestsOf(ref: string): Promise<StoredRequest[]> {
    const rows = await leaverWork(
      this.db('requests as r')
        .select('r.*')
        .where(w => w.where('r.requester', ref).orWhere('r.grantee', ref)),
      this.db,
    ).orderBy('r.created_at');
    return (rows as RequestRow[]).map(rowToRequest);
  }

  /**
   * Open approval tasks of requests waiting for approval that name a group
   * and nobody the directory copy still has: no user approver who is active,
   * no group approver with an active member. Their last member may have
   * left; `LeaverWorkflow` checks with the directory before moving them on.
   */
  async openTasksWithoutActiveApprovers(limit = 100): Promise<string[]> {
    const db = this.db;
    const rows = await db('approval_tasks as t')
      .join('requests as r', 'r.id', 't.request_id')
      .where({ 't.status': 'open', 'r.status': 'pending_approval' })
      .whereExists(
        db('approval_task_approvers as g')
          .select(1)
          .whereRaw('g.task_id = t.id')
          .where('g.approver_ref', 'like', 'group:%'),
      )
      .whereNotExists(
        db('approval_task_approvers as u')
          .select(1)
          .join('people as p', 'p.ref', 'u.approver_ref')
          .whereRaw('u.task_id = t.id')
          .where('p.active', true),
      )
      .whereNotExists(
        db('approval_task_approvers as g2')
          .select(1)
          .join('person_groups as pg', 'pg.group_ref', 'g2.approver_ref')
          .join('people as m', 'm.ref', 'pg.person_ref')
          .whereRaw('g2.task_id = t.id')
          .where('m.active', true),
      )
      .orderBy('t.created_at')
      .limit(limit)
      .select('t.id');
    return rows.map((r: { id: string }) => r.id);
  }

  /** Which of these people the directory copy marks as gone. */
  async goneAmong(refs: string[]): Promise<Set<string>> {
    const gone = new Set<string>();
    for (let i = 0; i < refs.length; i += 500) {
      const rows = await this.db('people')
        .whereIn('ref', refs.slice(i, i + 500))
        .where('active', false)
        .pluck('ref');
      for (const ref of rows) gone.add(ref);
    }
    return gone;
  }

  /** Whether anyone has left at all (the group pass is skipped otherwise). */
  async anyLeaver(): Promise<boolean> {
    return Boolean(await this.db('people').where('active', false).first('ref'));
  }

  /** Takes approvers (groups nobody is left in) off an open task; false when it was decided meanwhile. */
  async removeApprovers(taskId: string, refs: string[], tx: Knex) {
    const open = await tx('approval_tasks')
      .where({ id: taskId, status: 'open' })
      .first('id');
    if (!open) return false;
    await tx('approval_task_approvers')
      .where({ task_id: taskId })
      .whereIn('approver_ref', refs)
      .delete();
    return true;
  }

  /** Open approval tasks that name the person as an approver. */
  async openTaskIdsOf(ref: string): Promise<string[]> {
    const rows = await this.db('approval_task_approvers as a')
      .join('approval_tasks as t', 't.id', 'a.task_id')
      .where({ 'a.approver_ref': ref, 't.status': 'open' })
      .orderBy('t.created_at')
      .select('t.id');
    return rows.map((r: { id: string }) => r.id);
  }

  /** Takes the person off an open task; false when the task was decided meanwhile. */
  async removeApprover(taskId: string, ref: string, tx: Knex) {
    const open = await tx('approval_tasks')
      .where({ id: taskId, status: 'open' })
      .first('id');
    if (!open) return false;
    await tx('approval_task_approvers')
      .where({ task_id: taskId, approver_ref: ref })
      .delete();
    return true;
  }

  /**
   * Access App Access granted the person that they still hold (the grant is
   * active, or its removal has not finished), newest first.
   */
  async grantedTo(ref: string): Promise<StoredGrant[]> {
    const rows = await this.db<GrantRow>('access_grants')
      .where({ grantee: ref })
      .whereIn('status', HELD_GRANT_STATUSES)
      .orderBy([
        { column: 'granted_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(rowToGrant);
  }

  /** Leavers who still hold access App Access granted, most recent leaver first. */
  async leaversWithGrants(limit = 200): Promise<Leaver[]> {
    const rows = await this.db('people as p')
      .where('p.active', false)
      .whereExists(function granted() {
        this.select(1)
          .from('access_grants as g')
          .whereRaw('g.grantee = p.ref')
          .whereIn('g.status', HELD_GRANT_STATUSES);
      })
      .orderBy([
        { column: 'p.updated_at', order: 'desc' },
        { column: 'p.ref', order: 'asc' },
      ])
      .limit(limit)
      .select('p.ref', 'p.display_name', 'p.email', 'p.updated_at');
    return rows.map(toLeaver);
  }
}

function toLeaver(row: {
  ref: string;
  display_name: string | null;
  email: string | null;
  updated_at: string;
}): Leaver {
  return {
    ref: row.ref,
    displayName: row.display_name ?? undefined,
    email: row.email ?? undefined,
    leftAt: row.updated_at,
  };
}

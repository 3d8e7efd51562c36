import { Knex } from 'knex';
import { CANCELLABLE_STATUSES } from '@app-access/plugin-app-access-common';
import { RequestRow, rowToRequest, StoredRequest } from './RequestStore';

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

  /** Leavers with a request to cancel or an approval task to move on. */
  async withOpenWork(limit = 100): Promise<string[]> {
    const db = this.db;
    const rows = await db('people as p')
      .where('p.active', false)
      .where(inner =>
        inner
          .whereExists(function openRequest() {
            this.select(1)
              .from('requests as r')
              .whereIn('r.status', CANCELLABLE_STATUSES)
              .where(w =>
                w
                  .whereRaw('r.requester = p.ref')
                  .orWhereRaw('r.grantee = p.ref'),
              );
          })
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

  /** Requests the person filed or is the grantee of that can still be cancelled. */
  async openRequestsOf(ref: string): Promise<StoredRequest[]> {
    const rows = await this.db<RequestRow>('requests')
      .whereIn('status', CANCELLABLE_STATUSES)
      .where(w => w.where('requester', ref).orWhere('grantee', ref))
      .orderBy('created_at');
    return rows.map(rowToRequest);
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

  /** Access App Access granted the person: their fulfilled requests. */
  async grantedTo(ref: string): Promise<StoredRequest[]> {
    const rows = await this.db<RequestRow>('requests')
      .where({ grantee: ref, status: 'fulfilled', kind: 'access' })
      .orderBy('updated_at', 'desc');
    return rows.map(rowToRequest);
  }

  /** Leavers App Access granted access to, most recent leaver first. */
  async leaversWithGrants(limit = 200): Promise<Leaver[]> {
    const rows = await this.db('people as p')
      .where('p.active', false)
      .whereExists(function granted() {
        this.select(1)
          .from('requests as r')
          .whereRaw('r.grantee = p.ref')
          .where({ 'r.status': 'fulfilled', 'r.kind': 'access' });
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

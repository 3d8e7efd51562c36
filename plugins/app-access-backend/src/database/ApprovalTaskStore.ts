import { Knex } from 'knex';
import {
  ApprovalTask,
  ApprovalTaskStatus,
} from '@app-access/plugin-app-access-common';
import { decodeCursor, encodeCursor, nowIso } from './json';
import { eventRow, NewEvent } from './AuditEventStore';
import { jobRow, NewOutboxJob } from './OutboxStore';

export type TaskRow = {
  id: string;
  request_id: string;
  level: number;
  status: ApprovalTaskStatus;
  decided_by: string | null;
  decided_at: string | null;
  comment: string | null;
  reminders: number;
  last_reminded_at: string | null;
  fallback: boolean | number;
  created_at: string;
};

function rowToTask(row: TaskRow, approvers: string[]): ApprovalTask {
  return {
    id: row.id,
    requestId: row.request_id,
    level: row.level,
    approvers,
    status: row.status,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    comment: row.comment ?? undefined,
    reminders: row.reminders,
    lastRemindedAt: row.last_reminded_at ?? undefined,
    fallback: Boolean(row.fallback),
    createdAt: row.created_at,
  };
}

/** Approval tasks of requests and who may decide each (`approval_tasks`, `approval_task_approvers`). */
export class ApprovalTaskStore {
  constructor(private readonly db: Knex) {}

  /** A new open task with its approvers; returns it as written. */
  async insertTask(
    task: {
      id: string;
      requestId: string;
      level: number;
      approvers: string[];
      fallback: boolean;
    },
    tx: Knex,
  ): Promise<ApprovalTask> {
    const row: TaskRow = {
      id: task.id,
      request_id: task.requestId,
      level: task.level,
      status: 'open',
      decided_by: null,
      decided_at: null,
      comment: null,
      reminders: 0,
      last_reminded_at: null,
      fallback: task.fallback,
      created_at: nowIso(),
    };
    await tx('approval_tasks').insert(row);
    // A new task has no approvers yet: nothing to read first.
    const approvers = [...new Set(task.approvers)].sort();
    if (approvers.length) {
      await tx('approval_task_approvers').insert(
        approvers.map(ref => ({ task_id: task.id, approver_ref: ref })),
      );
    }
    return rowToTask(row, approvers);
  }

  async addApprovers(taskId: string, approvers: string[], tx: Knex) {
    const existing = new Set(
      (
        await tx('approval_task_approvers')
          .where({ task_id: taskId })
          .select('approver_ref')
      ).map((r: { approver_ref: string }) => r.approver_ref),
    );
    const fresh = [...new Set(approvers)].filter(a => !existing.has(a));
    if (fresh.length) {
      await tx('approval_task_approvers').insert(
        fresh.map(ref => ({ task_id: taskId, approver_ref: ref })),
      );
    }
  }

  async getTask(
    id: string,
    tx: Knex = this.db,
  ): Promise<ApprovalTask | undefined> {
    const row = await tx<TaskRow>('approval_tasks').where({ id }).first();
    if (!row) return undefined;
    const approvers = await tx('approval_task_approvers')
      .where({ task_id: id })
      .orderBy('approver_ref');
    return rowToTask(
      row,
      approvers.map((a: { approver_ref: string }) => a.approver_ref),
    );
  }

  /** Several tasks with their approvers, in two statements (the reminder sweep). */
  async getTasks(ids: string[], tx: Knex = this.db): Promise<ApprovalTask[]> {
    if (!ids.length) return [];
    const rows = await tx<TaskRow>('approval_tasks').whereIn('id', ids);
    const approvers: Array<{ task_id: string; approver_ref: string }> =
      await tx('approval_task_approvers')
        .whereIn('task_id', ids)
        .orderBy(['task_id', 'approver_ref']);
    const byTask = new Map<string, string[]>();
    for (const a of approvers)
      byTask.set(a.task_id, [...(byTask.get(a.task_id) ?? []), a.approver_ref]);
    return rows.map(row => rowToTask(row, byTask.get(row.id) ?? []));
  }

  async tasksForRequest(requestId: string, tx: Knex = this.db) {
    const rows = await tx<TaskRow>('approval_tasks')
      .where({ request_id: requestId })
      .orderBy([{ column: 'level' }, { column: 'created_at' }]);
    const approvers = rows.length
      ? await tx('approval_task_approvers').whereIn(
          'task_id',
          rows.map(r => r.id),
        )
      : [];
    return rows.map(r =>
      rowToTask(
        r,
        approvers
          .filter((a: { task_id: string }) => a.task_id === r.id)
          .map((a: { approver_ref: string }) => a.approver_ref)
          .sort(),
      ),
    );
  }

  async openTaskForRequest(requestId: string, tx: Knex = this.db) {
    const row = await tx<TaskRow>('approval_tasks')
      .where({ request_id: requestId, status: 'open' })
      .orderBy('level', 'desc')
      .first();
    return row ? this.getTask(row.id, tx) : undefined;
  }

  /**
   * Records a decision only if the task is still open: of two concurrent
   * decisions exactly one updates the row.
   */
  async decideTask(
    taskId: string,
    decision: {
      status: 'approved' | 'denied';
      by: string;
      comment?: string;
      /** When it was decided (default now). */
      at?: string;
    },
    tx: Knex,
  ): Promise<boolean> {
    const count = await tx('approval_tasks')
      .where({ id: taskId, status: 'open' })
      .update({
        status: decision.status,
        decided_by: decision.by,
        decided_at: decision.at ?? nowIso(),
        comment: decision.comment ?? null,
      });
    return count === 1;
  }

  async supersedeOpenTasks(requestId: string, tx: Knex) {
    await tx('approval_tasks')
      .where({ request_id: requestId, status: 'open' })
      .update({ status: 'superseded' });
  }

  /** Open tasks any of `refs` (a user and their groups) may decide. */
  async pendingTasksFor(
    refs: string[],
    options: { limit: number; cursor?: string },
  ) {
    let query = this.db<TaskRow>('approval_tasks as t')
      .join('requests as r', 'r.id', 't.request_id')
      .where('t.status', 'open')
      .where('r.status', 'pending_approval')
      .whereExists(function approverMatches() {
        this.select(1)
          .from('approval_task_approvers as a')
          .whereRaw('a.task_id = t.id')
          .whereIn('a.approver_ref', refs);
      })
      .select('t.*');
    const after = decodeCursor(options.cursor);
    if (after) {
      const [createdAt, id] = after;
      query = query.where(inner =>
        inner
          .where('t.created_at', '>', createdAt)
          .orWhere(i2 =>
            i2.where('t.created_at', createdAt).andWhere('t.id', '>', id),
          ),
      );
    }
    const rows: TaskRow[] = await query
      .orderBy([
        { column: 't.created_at', order: 'asc' },
        { column: 't.id', order: 'asc' },
      ])
      .limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const tasks = await Promise.all(page.map(r => this.getTask(r.id)));
    const last = page[page.length - 1];
    return {
      items: tasks.filter((t): t is ApprovalTask => Boolean(t)),
      nextCursor:
        rows.length > options.limit && last
          ? encodeCursor(last.created_at, last.id)
          : undefined,
    };
  }

  /** Open tasks due a reminder. */
  async tasksDueReminder(options: {
    remindBefore: string;
    maxCount: number;
    limit: number;
  }) {
    const rows: TaskRow[] = await this.db<TaskRow>('approval_tasks as t')
      .join('requests as r', 'r.id', 't.request_id')
      .where('t.status', 'open')
      .where('r.status', 'pending_approval')
      .where('t.reminders', '<', options.maxCount)
      .whereRaw('coalesce(t.last_reminded_at, t.created_at) <= ?', [
        options.remindBefore,
      ])
      .select('t.*')
      // Longest-waiting first, read through approval_tasks_due_idx.
      .orderByRaw('coalesce(t.last_reminded_at, t.created_at)')
      .limit(options.limit);
    return rows;
  }

  /** Counts a reminder only if nobody else counted it first. */
  async markReminded(
    taskId: string,
    previousCount: number,
    at: string,
    tx: Knex,
  ) {
    const count = await tx('approval_tasks')
      .where({ id: taskId, reminders: previousCount, status: 'open' })
      .update({ reminders: previousCount + 1, last_reminded_at: at });
    return count === 1;
  }

  /**
   * `markReminded` for a batch, one statement per previous count (usually
   * one): returns the ids this call counted.
   */
  async markRemindedMany(
    tasks: Array<{ id: string; previousCount: number }>,
    at: string,
    tx: Knex,
  ): Promise<Set<string>> {
    const byCount = new Map<number, string[]>();
    for (const t of tasks)
      byCount.set(t.previousCount, [
        ...(byCount.get(t.previousCount) ?? []),
        t.id,
      ]);
    const marked = new Set<string>();
    for (const [count, ids] of byCount) {
      const rows: Array<{ id: string }> = await tx('approval_tasks')
        .whereIn('id', ids)
        .where({ reminders: count, status: 'open' })
        .update({ reminders: count + 1, last_reminded_at: at }, ['id']);
      for (const row of rows) marked.add(row.id);
    }
    return marked;
  }

  /**
   * `markRemindedMany` and the reminded tasks' events and outbox jobs in ONE
   * statement (PostgreSQL only): the update's `returning` decides which
   * tasks' rows are inserted, so a task another sweep counted first gets
   * nothing, exactly as in the transaction. A single statement is its own
   * transaction: the rows are locked only while it executes, with no round
   * trip to the client in between. Returns the ids this call counted.
   */
  async markRemindedWithRecords(
    tasks: Array<{
      id: string;
      previousCount: number;
      events: NewEvent[];
      jobs: NewOutboxJob[];
    }>,
    at: string,
    db: Knex = this.db,
  ): Promise<Set<string>> {
    if (!tasks.length) return new Set();
    const now = nowIso();
    const marks = tasks.map(t => ({ id: t.id, prev: t.previousCount }));
    const events = tasks.flatMap(t =>
      t.events.map(e => ({ task_id: t.id, ...eventRow(e) })),
    );
    const jobs = tasks.flatMap(t =>
      t.jobs.map(j => ({ task_id: t.id, ...jobRow(j, now) })),
    );
    // Rows keep their order (`ord`): events' ids follow the batch's order,
    // as the separate inserts did.
    const ordered = <T>(rows: T[]) =>
      JSON.stringify(rows.map((r, ord) => ({ ...r, ord })));
    const result = await db.raw(
      `with c as (
         select * from json_to_recordset(?::json) as c(id text, prev int)
       ), marked as (
         update approval_tasks t set reminders = c.prev + 1, last_reminded_at = ?
         from c where t.id = any(?) and t.id = c.id and t.reminders = c.prev and t.status = 'open'
         returning t.id
       ), ev as (
         insert into request_events (request_id, app_id, at, actor, type, from_status, to_status, level, comment, data)
         select e.request_id, e.app_id, e.at, e.actor, e.type, e.from_status, e.to_status, e.level, e.comment, e.data
         from json_to_recordset(?::json) as e(task_id text, ord int, request_id text, app_id text, at text, actor text,
           type text, from_status text, to_status text, level int, comment text, data text)
         join marked m on m.id = e.task_id
         order by e.ord
       ), ob as (
         insert into outbox (kind, payload, idempotency_key, status, attempts, next_attempt_at, created_at, updated_at)
         select o.kind, o.payload, o.idempotency_key, o.status, o.attempts, o.next_attempt_at, o.created_at, o.updated_at
         from json_to_recordset(?::json) as o(task_id text, ord int, kind text, payload text, idempotency_key text,
           status text, attempts int, next_attempt_at text, created_at text, updated_at text)
         join marked m on m.id = o.task_id
         order by o.ord
         on conflict (idempotency_key) do nothing
       )
       select id from marked`,
      [
        JSON.stringify(marks),
        at,
        // The ids again as an array: the planner then finds the tasks by
        // their primary key instead of hashing a scan of the whole table.
        tasks.map(t => t.id),
        ordered(events),
        ordered(jobs),
      ],
    );
    return new Set(result.rows.map((r: { id: string }) => r.id));
  }

  async setTaskFallback(taskId: string, tx: Knex) {
    await tx('approval_tasks').where({ id: taskId }).update({ fallback: true });
  }
}

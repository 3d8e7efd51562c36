import { Knex } from 'knex';
import {
  AccessRequest,
  ApprovalTask,
  ApprovalTaskStatus,
  RequestEvent,
  RequestEventType,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { decodeCursor, encodeCursor, fromJson, nowIso, toJson } from './json';

/** One approval level as resolved when the request was submitted. */
export type PlannedLevel = {
  level: number;
  approvers: string[];
  fallback: boolean;
};

export type RequestRow = {
  id: string;
  kind: string;
  app_id: string | null;
  tier_id: string | null;
  app_name: string;
  tier_name: string | null;
  requester: string;
  status: RequestStatus;
  level: number;
  justification: string | null;
  needed_by: string | null;
  intake: string | null;
  plan: string;
  external_ref: string | null;
  external_url: string | null;
  failure_reason: string | null;
  fulfilled_by?: string | null;
  retries: number;
  open_key: string | null;
  created_at: string;
  updated_at: string;
};

type TaskRow = {
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

type EventRow = {
  id: number | string;
  request_id: string | null;
  app_id: string | null;
  at: string;
  actor: string;
  type: RequestEventType;
  from_status: RequestStatus | null;
  to_status: RequestStatus | null;
  level: number | null;
  comment: string | null;
  data: string | null;
};

export function rowToRequest(row: RequestRow): AccessRequest & {
  plan: PlannedLevel[];
  retries: number;
} {
  return {
    id: row.id,
    kind: row.kind as AccessRequest['kind'],
    appId: row.app_id ?? undefined,
    tierId: row.tier_id ?? undefined,
    appName: row.app_name,
    tierName: row.tier_name ?? undefined,
    requester: row.requester,
    status: row.status,
    level: row.level,
    justification: row.justification ?? undefined,
    neededBy: row.needed_by ?? undefined,
    intake: fromJson(row.intake, undefined),
    externalRef: row.external_ref ?? undefined,
    externalUrl: row.external_url ?? undefined,
    failureReason: row.failure_reason ?? undefined,
    fulfilledBy: row.fulfilled_by ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    plan: fromJson(row.plan, []),
    retries: row.retries,
  };
}

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

function rowToEvent(row: EventRow): RequestEvent {
  return {
    id: String(row.id),
    requestId: row.request_id ?? undefined,
    appId: row.app_id ?? undefined,
    at: row.at,
    actor: row.actor,
    type: row.type,
    fromStatus: row.from_status ?? undefined,
    toStatus: row.to_status ?? undefined,
    level: row.level ?? undefined,
    comment: row.comment ?? undefined,
    data: fromJson(row.data, undefined),
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

export type NewEvent = Omit<RequestEvent, 'id' | 'at'> & { at?: string };

export type ListRequestsOptions = {
  requester?: string;
  status?: RequestStatus[];
  appId?: string;
  olderThan?: string;
  limit: number;
  cursor?: string;
};

/** Requests, their approval tasks and the audit trail. */
export class RequestStore {
  constructor(private readonly db: Knex) {}

  async get(id: string, tx: Knex = this.db): Promise<StoredRequest | undefined> {
    const row = await tx<RequestRow>('requests').where({ id }).first();
    return row ? rowToRequest(row) : undefined;
  }

  async findOpenByKey(openKey: string, tx: Knex = this.db) {
    const row = await tx<RequestRow>('requests')
      .where({ open_key: openKey })
      .first();
    return row ? rowToRequest(row) : undefined;
  }

  /** The requester's fulfilled request for this exact tier, if any. */
  async latestFulfilled(requester: string, appId: string, tierId: string) {
    const row = await this.db<RequestRow>('requests')
      .where({ requester, app_id: appId, tier_id: tierId, status: 'fulfilled' })
      .orderBy('updated_at', 'desc')
      .first();
    return row ? rowToRequest(row) : undefined;
  }

  async insert(row: RequestRow, tx: Knex): Promise<void> {
    await tx('requests').insert(row);
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

  async list(options: ListRequestsOptions) {
    let query = this.db<RequestRow>('requests');
    if (options.requester) query = query.where('requester', options.requester);
    if (options.status?.length) query = query.whereIn('status', options.status);
    if (options.appId) query = query.where('app_id', options.appId);
    if (options.olderThan) query = query.where('created_at', '<', options.olderThan);
    const after = decodeCursor(options.cursor);
    if (after) {
      const [createdAt, id] = after;
      query = query.where(inner =>
        inner
          .where('created_at', '<', createdAt)
          .orWhere(i2 => i2.where('created_at', createdAt).andWhere('id', '<', id)),
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

  /** The caller's requests per app, for "requested" / "you have it" badges. */
  async latestByRequester(requester: string) {
    const rows = await this.db<RequestRow>('requests')
      .where({ requester, kind: 'access' })
      .whereIn('status', BADGE_STATUSES)
      .orderBy('created_at', 'asc');
    const byApp = new Map<string, StoredRequest>();
    for (const row of rows) {
      if (row.app_id) byApp.set(row.app_id, rowToRequest(row));
    }
    return byApp;
  }

  // --- approval tasks ---

  async insertTask(
    task: {
      id: string;
      requestId: string;
      level: number;
      approvers: string[];
      fallback: boolean;
    },
    tx: Knex,
  ) {
    await tx('approval_tasks').insert({
      id: task.id,
      request_id: task.requestId,
      level: task.level,
      status: 'open',
      reminders: 0,
      fallback: task.fallback,
      created_at: nowIso(),
    });
    await this.addApprovers(task.id, task.approvers, tx);
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

  async getTask(id: string, tx: Knex = this.db): Promise<ApprovalTask | undefined> {
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
    decision: { status: 'approved' | 'denied'; by: string; comment?: string },
    tx: Knex,
  ): Promise<boolean> {
    const count = await tx('approval_tasks')
      .where({ id: taskId, status: 'open' })
      .update({
        status: decision.status,
        decided_by: decision.by,
        decided_at: nowIso(),
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
      .orderBy('t.created_at')
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

  async setTaskFallback(taskId: string, tx: Knex) {
    await tx('approval_tasks').where({ id: taskId }).update({ fallback: true });
  }

  // --- audit trail ---

  async addEvent(event: NewEvent, tx: Knex): Promise<void> {
    await tx('request_events').insert({
      request_id: event.requestId ?? null,
      app_id: event.appId ?? null,
      at: event.at ?? nowIso(),
      actor: event.actor,
      type: event.type,
      from_status: event.fromStatus ?? null,
      to_status: event.toStatus ?? null,
      level: event.level ?? null,
      comment: event.comment ?? null,
      data: toJson(event.data),
    });
  }

  async eventsForRequest(requestId: string): Promise<RequestEvent[]> {
    const rows = await this.db<EventRow>('request_events')
      .where({ request_id: requestId })
      .orderBy('id', 'asc');
    return rows.map(rowToEvent);
  }

  async listEvents(options: {
    requestId?: string;
    appId?: string;
    actor?: string;
    type?: string;
    since?: string;
    until?: string;
    limit: number;
    cursor?: string;
  }) {
    let query = this.db<EventRow>('request_events');
    if (options.requestId) query = query.where('request_id', options.requestId);
    if (options.appId) query = query.where('app_id', options.appId);
    if (options.actor) query = query.where('actor', options.actor);
    if (options.type) query = query.where('type', options.type);
    if (options.since) query = query.where('at', '>=', options.since);
    if (options.until) query = query.where('at', '<', options.until);
    const after = decodeCursor(options.cursor);
    if (after) query = query.where('id', '<', Number(after[1]));
    const rows = await query.orderBy('id', 'desc').limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(rowToEvent),
      nextCursor:
        rows.length > options.limit && last
          ? encodeCursor(last.at, last.id)
          : undefined,
    };
  }
}

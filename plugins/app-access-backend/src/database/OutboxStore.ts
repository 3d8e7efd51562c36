import { Knex } from 'knex';
import { fromJson, nowIso } from './json';

export type OutboxJobStatus = 'pending' | 'running' | 'done' | 'dead';

export type OutboxJob = {
  id: string;
  kind: string;
  payload: Record<string, any>;
  idempotencyKey: string;
  status: OutboxJobStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  lockedBy?: string;
  lockedUntil?: string;
  createdAt: string;
  updatedAt: string;
};

type OutboxRow = {
  id: number | string;
  kind: string;
  payload: string;
  idempotency_key: string;
  status: OutboxJobStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
};

function rowToJob(row: OutboxRow): OutboxJob {
  return {
    id: String(row.id),
    kind: row.kind,
    payload: fromJson(row.payload, {}),
    idempotencyKey: row.idempotency_key,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error ?? undefined,
    lockedBy: row.locked_by ?? undefined,
    lockedUntil: row.locked_until ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type NewOutboxJob = {
  kind: string;
  payload: Record<string, unknown>;
  /** Same key, same job: enqueueing it twice is a no-op. */
  idempotencyKey: string;
  notBefore?: Date;
};

/**
 * Jobs for everything that must happen outside a request's transaction. Rows
 * are written in the same transaction as the state change that needs them.
 */
export class OutboxStore {
  constructor(private readonly db: Knex) {}

  async enqueue(jobs: NewOutboxJob[], tx: Knex): Promise<void> {
    if (!jobs.length) return;
    const now = nowIso();
    await tx('outbox')
      .insert(
        jobs.map(job => ({
          kind: job.kind,
          payload: JSON.stringify(job.payload),
          idempotency_key: job.idempotencyKey,
          status: 'pending',
          attempts: 0,
          next_attempt_at: nowIso(job.notBefore ?? new Date()),
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict('idempotency_key')
      .ignore();
  }

  /**
   * Claims due jobs for one worker. Jobs still marked running after their
   * lease ran out belonged to a worker that died; they are claimed again.
   * On PostgreSQL rows are locked with SKIP LOCKED so replicas never claim
   * the same job; SQLite serialises writers, so one transaction suffices.
   */
  async claim(options: {
    workerId: string;
    limit: number;
    leaseMs: number;
    now?: Date;
  }): Promise<OutboxJob[]> {
    const now = options.now ?? new Date();
    const nowText = nowIso(now);
    const lockedUntil = nowIso(new Date(now.getTime() + options.leaseMs));
    const isPg = this.db.client.config.client === 'pg';
    return this.db.transaction(async tx => {
      let select = tx<OutboxRow>('outbox')
        .where(inner =>
          inner
            .where(i => i.where('status', 'pending').andWhere('next_attempt_at', '<=', nowText))
            .orWhere(i => i.where('status', 'running').andWhere('locked_until', '<', nowText)),
        )
        .orderBy('next_attempt_at')
        .limit(options.limit)
        .select('id');
      if (isPg) {
        select = select.forUpdate().skipLocked();
      }
      const ids = (await select).map(r => r.id);
      if (!ids.length) return [];
      await tx('outbox')
        .whereIn('id', ids)
        .update({
          status: 'running',
          locked_by: options.workerId,
          locked_until: lockedUntil,
          attempts: tx.raw('attempts + 1'),
          updated_at: nowText,
        });
      const rows = await tx<OutboxRow>('outbox').whereIn('id', ids);
      return rows.map(rowToJob);
    });
  }

  /**
   * Releases every claimed job at once. Only safe where a single process uses
   * the database (SQLite): there, jobs still marked running at start-up were
   * held by this process before it stopped.
   */
  async releaseAllClaims(): Promise<number> {
    return this.db('outbox')
      .where('status', 'running')
      .update({ status: 'pending', locked_by: null, locked_until: null, updated_at: nowIso() });
  }

  /** Marks a job done, only if this worker still holds it. */
  async complete(id: string, workerId: string): Promise<boolean> {
    const count = await this.db('outbox')
      .where({ id, locked_by: workerId, status: 'running' })
      .update({
        status: 'done',
        locked_by: null,
        locked_until: null,
        last_error: null,
        updated_at: nowIso(),
      });
    return count === 1;
  }

  async reschedule(
    id: string,
    workerId: string,
    error: string,
    nextAttemptAt: Date,
  ): Promise<boolean> {
    const count = await this.db('outbox')
      .where({ id, locked_by: workerId, status: 'running' })
      .update({
        status: 'pending',
        locked_by: null,
        locked_until: null,
        last_error: error.slice(0, 4000),
        next_attempt_at: nowIso(nextAttemptAt),
        updated_at: nowIso(),
      });
    return count === 1;
  }

  async markDead(id: string, workerId: string, error: string): Promise<boolean> {
    const count = await this.db('outbox')
      .where({ id, locked_by: workerId, status: 'running' })
      .update({
        status: 'dead',
        locked_by: null,
        locked_until: null,
        last_error: error.slice(0, 4000),
        updated_at: nowIso(),
      });
    return count === 1;
  }

  /** Puts a dead job back in the queue with a fresh attempt budget. */
  async revive(id: string, tx: Knex = this.db): Promise<boolean> {
    const count = await tx('outbox')
      .where({ id, status: 'dead' })
      .update({
        status: 'pending',
        attempts: 0,
        next_attempt_at: nowIso(),
        updated_at: nowIso(),
      });
    return count === 1;
  }

  async get(id: string): Promise<OutboxJob | undefined> {
    const row = await this.db<OutboxRow>('outbox').where({ id }).first();
    return row ? rowToJob(row) : undefined;
  }

  async list(options: {
    status?: OutboxJobStatus;
    kind?: string;
    limit: number;
  }): Promise<OutboxJob[]> {
    let query = this.db<OutboxRow>('outbox');
    if (options.status) query = query.where('status', options.status);
    if (options.kind) query = query.where('kind', options.kind);
    const rows = await query.orderBy('id', 'desc').limit(options.limit);
    return rows.map(rowToJob);
  }

  async countByStatus(): Promise<Record<OutboxJobStatus, number>> {
    const rows = await this.db('outbox')
      .select('status')
      .count<{ status: OutboxJobStatus; count: string | number }[]>('* as count')
      .groupBy('status');
    const result = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const row of rows) result[row.status] = Number(row.count);
    return result;
  }
}

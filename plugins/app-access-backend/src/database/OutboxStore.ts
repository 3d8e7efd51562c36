import { Knex } from 'knex';
import { fromJson, nowIso } from './json';

export type OutboxJobStatus = 'pending' | 'running' | 'done' | 'dead';

export type OutboxJob = {
  id: string;
  kind: string;
  payload: Record<string, any>;
  idempotencyKey: string;
  status: OutboxJobStatus;
  /** Executions that reached the handler and failed (not re-claims, not "retry later"). */
  attempts: number;
  /** How often the job was claimed, including re-claims after a lost lease. */
  claims: number;
  /** The fencing token of the latest claim; a holder's writes need it to still match. */
  fence: number;
  nextAttemptAt: string;
  lastError?: string;
  /** When the job first failed; cleared only by success or an admin revive. */
  failingSince?: string;
  lockedBy?: string;
  lockedUntil?: string;
  createdAt: string;
  updatedAt: string;
  /** Set by `claim` when the previous holder's lease had run out (it crashed or stalled). */
  takenOver?: boolean;
};

type OutboxRow = {
  id: number | string;
  kind: string;
  payload: string;
  idempotency_key: string;
  status: OutboxJobStatus;
  attempts: number;
  claims: number;
  fence: number | string;
  next_attempt_at: string;
  last_error: string | null;
  failing_since: string | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
};

/**
 * The due job a PostgreSQL claim takes (`ctes`, ending in `due`: its id and
 * the status it is claimed from): the earliest of the first pending job due
 * and the first running job whose lease ran out, of the lane's kinds. Each
 * is its own ordered index scan that stops at the first row it can lock
 * (outbox_due_idx, or outbox_kind_due_idx for a lane's kinds); one query
 * with `pending and due or running and expired` made PostgreSQL fetch every
 * due row and sort them, ~20 ms a claim with 40,000 jobs waiting
 * (bench/README.md, "Outbox drain").
 */
export function dueJobPg(
  nowText: string,
  kinds?: string[],
): { ctes: string; bindings: Record<string, string> } {
  // A lane's kinds, as named bindings (:kind0, :kind1, …).
  const kindBindings = Object.fromEntries(
    (kinds ?? []).map((kind, n) => [`kind${n}`, kind]),
  );
  const kindFilter = kinds
    ? `and kind in (${
        kinds.length
          ? Object.keys(kindBindings)
              .map(name => `:${name}`)
              .join(', ')
          : 'null'
      })`
    : '';
  return {
    ctes: `pending as (
         select id, cast('pending' as text) as claimed_from, next_attempt_at from outbox
         where status = 'pending' and next_attempt_at <= :now ${kindFilter}
         order by next_attempt_at
         limit 1
         for update skip locked
       ),
       expired as (
         select id, cast('running' as text) as claimed_from, next_attempt_at from outbox
         where status = 'running' and locked_until < :now ${kindFilter}
         order by next_attempt_at
         limit 1
         for update skip locked
       ),
       due as (
         select id, claimed_from from (
           select * from pending union all select * from expired
         ) candidates
         order by next_attempt_at
         limit 1
       )`,
    bindings: { now: nowText, ...kindBindings },
  };
}

function rowToJob(row: OutboxRow): OutboxJob {
  return {
    id: String(row.id),
    kind: row.kind,
    payload: fromJson(row.payload, {}),
    idempotencyKey: row.idempotency_key,
    status: row.status,
    attempts: Number(row.attempts),
    claims: Number(row.claims),
    // bigint comes back as a string from pg; fences stay far below 2^53.
    fence: Number(row.fence),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error ?? undefined,
    failingSince: row.failing_since ?? undefined,
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

/** What a failed execution leaves on the job before its next try. */
export type OutboxRetry = {
  error: string;
  nextAttemptAt: Date;
  /** False for a vendor's "come back later": no attempt is used up. */
  charge: boolean;
  now?: Date;
};

/** The error a job is charged with when its worker's lease ran out. */
const ABANDONED = 'The worker running this job stopped before finishing it';

/** The row a new job is stored as (without its id). */
export function jobRow(job: NewOutboxJob, now: string = nowIso()) {
  return {
    kind: job.kind,
    payload: JSON.stringify(job.payload),
    idempotency_key: job.idempotencyKey,
    status: 'pending',
    attempts: 0,
    next_attempt_at: nowIso(job.notBefore ?? new Date()),
    created_at: now,
    updated_at: now,
  };
}

/**
 * Jobs for everything that must happen outside a request's transaction. Rows
 * are written in the same transaction as the state change that needs them.
 *
 * A job is claimed by one worker at a time under a lease that the worker
 * renews while it runs. Every claim raises the job's fence; every write that
 * settles a job (and, through `holds`, every write a handler makes after its
 * side effect) names the fence it was claimed with and is refused once another
 * claim has happened.
 */
export class OutboxStore {
  constructor(private readonly db: Knex) {}

  private get isPg() {
    return this.db.client.config.client === 'pg';
  }

  async enqueue(jobs: NewOutboxJob[], tx: Knex): Promise<void> {
    if (!jobs.length) return;
    const now = nowIso();
    await tx('outbox')
      .insert(jobs.map(job => jobRow(job, now)))
      .onConflict('idempotency_key')
      .ignore();
  }

  /**
   * Claims one due job. A job still marked running after its lease ran out
   * belonged to a worker that died or stalled; it is claimed again, which
   * raises its fence so the old holder can no longer settle it. Re-claiming is
   * not an attempt. On PostgreSQL the row is locked with SKIP LOCKED so
   * replicas never claim the same job; SQLite serialises writers.
   */
  async claim(options: {
    workerId: string;
    leaseMs: number;
    now?: Date;
    /** Only jobs of these kinds (a worker's lane); any kind when left out. */
    kinds?: string[];
  }): Promise<OutboxJob | undefined> {
    const now = options.now ?? new Date();
    const nowText = nowIso(now);
    const lockedUntil = nowIso(new Date(now.getTime() + options.leaseMs));
    if (this.isPg) {
      return this.claimPg(
        options.workerId,
        nowText,
        lockedUntil,
        options.kinds,
      );
    }
    return this.db.transaction(async tx => {
      let select = tx<OutboxRow>('outbox')
        .where(inner =>
          inner
            .where(i =>
              i
                .where('status', 'pending')
                .andWhere('next_attempt_at', '<=', nowText),
            )
            .orWhere(i =>
              i
                .where('status', 'running')
                .andWhere('locked_until', '<', nowText),
            ),
        )
        .modify(q => {
          if (options.kinds) q.whereIn('kind', options.kinds);
        })
        .orderBy('next_attempt_at')
        .first('id', 'status', 'last_error', 'failing_since');
      if (this.isPg) {
        select = select.forUpdate().skipLocked();
      }
      const due = await select;
      if (!due) return undefined;
      const abandoned = due.status === 'running';
      const update = tx('outbox')
        .where('id', due.id)
        .update({
          status: 'running',
          locked_by: options.workerId,
          locked_until: lockedUntil,
          fence: tx.raw('fence + 1'),
          claims: tx.raw('claims + 1'),
          // A lease that ran out is not charged as an attempt, but it does
          // start the give-up clock, so a job that kills its worker every
          // time is still given up on eventually.
          ...(abandoned
            ? {
                last_error: ABANDONED,
                failing_since: due.failing_since ?? nowText,
              }
            : {}),
          updated_at: nowText,
        });
      // PostgreSQL hands the claimed row back with the update; SQLite reads it.
      let row: OutboxRow | undefined;
      if (this.isPg) {
        [row] = await update.returning('*');
      } else {
        await update;
        row = await tx<OutboxRow>('outbox').where('id', due.id).first();
      }
      return row
        ? { ...rowToJob(row), ...(abandoned ? { takenOver: true } : {}) }
        : undefined;
    });
  }

  /**
   * PostgreSQL's plan of a claim's choice of job (`EXPLAIN`, with `analyze`
   * also run: it locks the row it would claim for the statement only and
   * changes nothing), one line per entry; for the benchmarks and tests.
   */
  async explainClaimPg(options: {
    now?: Date;
    kinds?: string[];
    analyze?: boolean;
  }): Promise<string[]> {
    if (!this.isPg) throw new Error('explainClaimPg is for PostgreSQL');
    const due = dueJobPg(nowIso(options.now ?? new Date()), options.kinds);
    const result = await this.db.raw(
      `explain ${options.analyze ? '(analyze, buffers) ' : ''}with ${
        due.ctes
      } select * from due`,
      due.bindings,
    );
    return result.rows.map((r: Record<string, string>) => r['QUERY PLAN']);
  }

  /**
   * `claim` on PostgreSQL in one statement (no transaction): the due row is
   * locked with SKIP LOCKED in a subquery and updated in the same
   * statement, which answers with the claimed row and the status it was
   * claimed from; nothing due is one statement too.
   */
  private async claimPg(
    workerId: string,
    nowText: string,
    lockedUntil: string,
    kinds?: string[],
  ): Promise<OutboxJob | undefined> {
    const due = dueJobPg(nowText, kinds);
    const result = await this.db.raw(
      `with ${due.ctes}
       update outbox set
         status = 'running',
         locked_by = :workerId,
         locked_until = :lockedUntil,
         fence = outbox.fence + 1,
         claims = outbox.claims + 1,
         last_error = case when due.claimed_from = 'running'
           then :abandoned else outbox.last_error end,
         failing_since = case when due.claimed_from = 'running'
           then coalesce(outbox.failing_since, :now) else outbox.failing_since end,
         updated_at = :now
       from due
       where outbox.id = due.id
       returning outbox.*, due.claimed_from`,
      {
        ...due.bindings,
        workerId,
        lockedUntil,
        abandoned: ABANDONED,
      },
    );
    const row = result.rows[0] as
      | (OutboxRow & { claimed_from: string })
      | undefined;
    if (!row) return undefined;
    const { claimed_from: claimedFrom, ...job } = row;
    return {
      ...rowToJob(job as OutboxRow),
      ...(claimedFrom === 'running' ? { takenOver: true } : {}),
    };
  }

  /**
   * True while the claim with `fence` is still the job's latest and the job
   * has not been settled. Inside a transaction on PostgreSQL the row stays
   * locked until commit, so no other worker can claim it in between.
   */
  async holds(id: string, fence: number, tx: Knex = this.db): Promise<boolean> {
    let query = tx<OutboxRow>('outbox')
      .where({ id, fence, status: 'running' })
      .first('id');
    if (this.isPg && tx !== this.db) query = query.forUpdate();
    return Boolean(await query);
  }

  /** Extends a held lease; false when the fence was lost meanwhile. */
  async renew(
    id: string,
    fence: number,
    leaseMs: number,
    now = new Date(),
  ): Promise<boolean> {
    const count = await this.db('outbox')
      .where({ id, fence, status: 'running' })
      .update({ locked_until: nowIso(new Date(now.getTime() + leaseMs)) });
    return count === 1;
  }

  /**
   * Releases every claimed job at once. Only safe where a single process uses
   * the database (SQLite): there, jobs still marked running at start-up were
   * held by this process before it stopped.
   */
  async releaseAllClaims(): Promise<number> {
    return this.db('outbox').where('status', 'running').update({
      status: 'pending',
      locked_by: null,
      locked_until: null,
      updated_at: nowIso(),
    });
  }

  /**
   * Hands a held job back untouched (shutdown): due at once for any worker,
   * no attempt charged.
   */
  async release(id: string, fence: number, now = new Date()): Promise<boolean> {
    const count = await this.db('outbox')
      .where({ id, fence, status: 'running' })
      .update({
        status: 'pending',
        locked_by: null,
        locked_until: null,
        next_attempt_at: nowIso(now),
        updated_at: nowIso(now),
      });
    return count === 1;
  }

  /** Marks a job done, only if this claim still holds it. */
  async complete(id: string, fence: number): Promise<boolean> {
    const count = await this.db('outbox')
      .where({ id, fence, status: 'running' })
      .update({
        status: 'done',
        locked_by: null,
        locked_until: null,
        last_error: null,
        failing_since: null,
        updated_at: nowIso(),
      });
    return count === 1;
  }

  async reschedule(
    id: string,
    fence: number,
    retry: OutboxRetry,
  ): Promise<boolean> {
    const now = nowIso(retry.now ?? new Date());
    const count = await this.db('outbox')
      .where({ id, fence, status: 'running' })
      .update({
        status: 'pending',
        locked_by: null,
        locked_until: null,
        last_error: retry.error.slice(0, 4000),
        next_attempt_at: nowIso(retry.nextAttemptAt),
        ...(retry.charge
          ? {
              attempts: this.db.raw('attempts + 1'),
              failing_since: this.db.raw('coalesce(failing_since, ?)', [now]),
            }
          : {}),
        updated_at: now,
      });
    return count === 1;
  }

  /** Gives up on a job; `charge` counts the execution that failed last. */
  async markDead(
    id: string,
    fence: number,
    error: string,
    options: { charge: boolean; now?: Date },
  ): Promise<boolean> {
    const now = nowIso(options.now ?? new Date());
    const count = await this.db('outbox')
      .where({ id, fence, status: 'running' })
      .update({
        status: 'dead',
        locked_by: null,
        locked_until: null,
        last_error: error.slice(0, 4000),
        failing_since: this.db.raw('coalesce(failing_since, ?)', [now]),
        ...(options.charge ? { attempts: this.db.raw('attempts + 1') } : {}),
        updated_at: now,
      });
    return count === 1;
  }

  /** Puts a dead job back in the queue with a fresh attempt budget. */
  async revive(id: string, tx: Knex = this.db): Promise<boolean> {
    const count = await tx('outbox').where({ id, status: 'dead' }).update({
      status: 'pending',
      attempts: 0,
      failing_since: null,
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
      .count<{ status: OutboxJobStatus; count: string | number }[]>(
        '* as count',
      )
      .groupBy('status');
    const result = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const row of rows) result[row.status] = Number(row.count);
    return result;
  }
}

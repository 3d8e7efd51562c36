import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { OutboxJob, OutboxStore } from '../database/OutboxStore';

/**
 * Thrown by a handler when the vendor said "come back later". With a time
 * (e.g. 429 Retry-After) it is not a failure and uses up nothing; without
 * one it counts as a failed attempt.
 */
export class RetryLaterError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Thrown by a handler when retrying cannot help; the job goes dead at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * Another claim has taken the job over (this worker's lease ran out). Whatever
 * this worker was about to record is dropped: the new holder redoes the job.
 */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`Outbox job ${jobId} is no longer held by this worker`);
    this.name = 'LeaseLostError';
  }
}

/** What a handler gets with its job to prove it still holds it. */
export type OutboxLease = {
  /** The fencing token this claim was made with. */
  fence: number;
  /** Throws LeaseLostError unless the job is still held; call right before a side effect. */
  check(): Promise<void>;
  /**
   * Throws LeaseLostError unless the job is still held; call first inside
   * every transaction that records the outcome of a side effect, so a worker
   * that lost the job cannot record anything.
   */
  guard(tx: Knex): Promise<void>;
};

export type OutboxHandler = {
  handle(job: OutboxJob, lease: OutboxLease): Promise<void>;
  /** Called once when the job is given up on, to record the failure. */
  onDead?(job: OutboxJob, error: string, lease: OutboxLease): Promise<void>;
};

export type OutboxWorkerOptions = {
  store: OutboxStore;
  logger: LoggerService;
  handlers: Record<string, OutboxHandler>;
  /** Give up on a job that has been failing for this long. */
  giveUpAfterMs: number;
  /** Optional hard cap on failed attempts; unset means time alone decides. */
  maxAttempts?: number;
  baseDelayMs: number;
  maxDelayMs: number;
  pollIntervalMs: number;
  leaseMs: number;
  /** Jobs one worker runs at the same time, of any kind. Default 4. */
  concurrency?: number;
  /**
   * Kinds with slots of their own on top of `concurrency` (default: `notify`
   * with 2), so notices never wait behind vendor jobs that are slow or
   * paced by a rate limit. These kinds also use the shared slots.
   */
  reserved?: { kinds: string[]; concurrency: number };
  /** How long `stop()` lets running jobs finish before handing them back. */
  shutdownGraceMs?: number;
  /** Lease renewal interval; default a third of the lease. */
  heartbeatMs?: number;
  /**
   * Renewal stops after this long (default 30 min), so a handler that hangs
   * for good does not hold its job for good: another claim takes it over.
   */
  maxRunMs?: number;
  random?: () => number;
  clock?: () => Date;
};

type Lane = {
  kinds?: string[];
  concurrency: number;
  running: number;
  /** Found nothing due: not asked again before this time, unless poked. */
  idleUntil: number;
};

type Running = {
  job: OutboxJob;
  lane?: Lane;
  done: Promise<void>;
  /** Set once the job was handed back at shutdown: nothing may settle it any more. */
  released: boolean;
};

/**
 * Drains the outbox: claims due jobs one at a time, runs up to `concurrency`
 * of them at once (plus the reserved lane's slots for notices, so a vendor
 * that is slow or rate-limited cannot hold notices back), keeps each lease alive while its handler runs, and on
 * failure retries with exponential backoff and full jitter until the job has
 * been failing for `giveUpAfterMs`. Several workers (one per backend replica)
 * may run against one database: a job runs only under a claim that still
 * holds it, and everything recorded after a side effect checks that claim.
 */
export class OutboxWorker {
  readonly workerId = `worker-${randomUUID()}`;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly inFlight = new Set<Running>();
  /** The reserved lane first, so its kinds are claimed before the shared slots fill. */
  private readonly lanes: Lane[];

  constructor(private readonly options: OutboxWorkerOptions) {
    const reserved = options.reserved ?? {
      kinds: ['notify'],
      concurrency: 2,
    };
    this.lanes = [
      ...(reserved.concurrency > 0 && reserved.kinds.length
        ? [{ kinds: reserved.kinds, concurrency: reserved.concurrency }]
        : []),
      { concurrency: this.concurrency },
    ].map(lane => ({ ...lane, running: 0, idleUntil: 0 }));
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private get concurrency() {
    return Math.max(1, this.options.concurrency ?? 4);
  }

  /** Delay before attempt `attempts + 1`, with full jitter. */
  backoffMs(attempts: number): number {
    const { baseDelayMs, maxDelayMs } = this.options;
    const ceiling = Math.min(
      maxDelayMs,
      baseDelayMs * 2 ** Math.max(0, attempts - 1),
    );
    const random = this.options.random ?? Math.random;
    return Math.max(baseDelayMs / 2, Math.round(ceiling * random()));
  }

  /** Claims and handles one job; returns how many it handled (0 or 1). */
  async runOnce(now?: Date): Promise<number> {
    const job = await this.claim(now);
    if (!job) return 0;
    await this.track(job, now).done;
    return 1;
  }

  /** Handles jobs until none is due (tests and admin "retry now"). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    const lane = async () => {
      while (total < maxRounds) {
        const n = await this.runOnce();
        if (n === 0) return;
        total += n;
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, lane));
    return total;
  }

  private claim(now?: Date, kinds?: string[]) {
    return this.options.store.claim({
      workerId: this.workerId,
      leaseMs: this.options.leaseMs,
      now: now ?? this.now(),
      kinds,
    });
  }

  private track(job: OutboxJob, now?: Date, lane?: Lane): Running {
    const entry: Running = {
      job,
      lane,
      released: false,
      done: Promise.resolve(),
    };
    if (lane) lane.running += 1;
    entry.done = this.runJob(entry, now).finally(() => {
      this.inFlight.delete(entry);
      if (lane) lane.running -= 1;
      this.wake?.();
    });
    this.inFlight.add(entry);
    return entry;
  }

  private async runJob(entry: Running, now?: Date) {
    const { store, logger, handlers, leaseMs } = this.options;
    const { job } = entry;
    const handler = handlers[job.kind];
    let lost = false;
    const fail = () => {
      lost = true;
      throw new LeaseLostError(job.id);
    };
    const lease: OutboxLease = {
      fence: job.fence,
      check: async () => {
        if (lost || entry.released || !(await store.holds(job.id, job.fence)))
          fail();
      },
      guard: async tx => {
        if (
          lost ||
          entry.released ||
          !(await store.holds(job.id, job.fence, tx))
        )
          fail();
      },
    };
    const started = Date.now();
    const maxRunMs = this.options.maxRunMs ?? 30 * 60_000;
    const heartbeat = setInterval(() => {
      if (Date.now() - started > maxRunMs) {
        clearInterval(heartbeat);
        logger.warn(
          `Outbox job ${job.id} (${job.kind}) has run for over ${Math.round(
            maxRunMs / 1000,
          )} s; no longer renewing its lease`,
        );
        return;
      }
      store.renew(job.id, job.fence, leaseMs).then(
        held => {
          if (!held) lost = true;
        },
        error =>
          logger.warn(
            `Renewing the lease of outbox job ${job.id} failed: ${error}`,
          ),
      );
    }, this.options.heartbeatMs ?? Math.max(10, Math.floor(leaseMs / 3)));
    try {
      await this.execute(job, handler, lease, now);
    } catch (error) {
      if (error instanceof LeaseLostError || lost || entry.released) {
        logger.warn(
          `Outbox job ${job.id} (${job.kind}) was taken over by another claim; this worker's result is discarded`,
        );
        return;
      }
      logger.error(`Settling outbox job ${job.id} failed`, error as Error);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async execute(
    job: OutboxJob,
    handler: OutboxHandler | undefined,
    lease: OutboxLease,
    at?: Date,
  ) {
    const { store, logger } = this.options;
    // A job whose previous holders kept dying may be what kills them: once
    // it is past the give-up time it is not run again.
    if (
      job.takenOver &&
      job.failingSince &&
      this.pastGiveUp(job.failingSince, at)
    ) {
      await this.giveUp(
        job,
        handler,
        lease,
        job.lastError ?? 'gave up',
        false,
        at,
      );
      return;
    }
    try {
      if (!handler) {
        throw new PermanentJobError(
          `No handler for outbox job kind '${job.kind}'`,
        );
      }
      await handler.handle(job, lease);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const now = at ?? this.now();
      if (
        error instanceof RetryLaterError &&
        error.retryAfterMs !== undefined
      ) {
        logger.info(
          `Outbox job ${job.id} (${job.kind}) asked to come back in ${error.retryAfterMs} ms: ${message}`,
        );
        if (
          !(await store.reschedule(job.id, job.fence, {
            error: message,
            nextAttemptAt: new Date(Date.now() + error.retryAfterMs),
            charge: false,
            now,
          }))
        ) {
          throw new LeaseLostError(job.id);
        }
        return;
      }
      const attempts = job.attempts + 1;
      const { maxAttempts } = this.options;
      if (
        error instanceof PermanentJobError ||
        this.pastGiveUp(job.failingSince ?? now.toISOString(), now) ||
        (maxAttempts !== undefined && attempts >= maxAttempts)
      ) {
        await this.giveUp(job, handler, lease, message, true, now);
        return;
      }
      const retryIn = this.backoffMs(attempts);
      logger.info(
        `Outbox job ${job.id} (${job.kind}) attempt ${attempts} failed, retrying in ${retryIn} ms: ${message}`,
      );
      if (
        !(await store.reschedule(job.id, job.fence, {
          error: message,
          nextAttemptAt: new Date(Date.now() + retryIn),
          charge: true,
          now,
        }))
      ) {
        throw new LeaseLostError(job.id);
      }
      return;
    }
    if (!(await store.complete(job.id, job.fence)))
      throw new LeaseLostError(job.id);
  }

  private pastGiveUp(failingSince: string, now = this.now()) {
    return (
      now.getTime() - Date.parse(failingSince) >= this.options.giveUpAfterMs
    );
  }

  private async giveUp(
    job: OutboxJob,
    handler: OutboxHandler | undefined,
    lease: OutboxLease,
    message: string,
    charge: boolean,
    now?: Date,
  ) {
    const { store, logger } = this.options;
    const attempts = job.attempts + (charge ? 1 : 0);
    logger.warn(
      `Outbox job ${job.id} (${job.kind}) is dead after ${attempts} failed attempt(s) and ${job.claims} claim(s): ${message}`,
    );
    // The failure is recorded against the request first, under the fence, and
    // the job marked dead after; the lease is still renewed meanwhile.
    if (handler?.onDead) {
      try {
        await handler.onDead(job, message, lease);
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        logger.error(`Recording dead job ${job.id} failed`, error as Error);
      }
    }
    if (!(await store.markDead(job.id, job.fence, message, { charge, now }))) {
      throw new LeaseLostError(job.id);
    }
  }

  /** Wakes the loop now instead of at the next poll (after a new job). */
  poke() {
    for (const lane of this.lanes) lane.idleUntil = 0;
    this.wake?.();
  }

  private pause(ms: number) {
    return new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = undefined;
    });
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        // Each lane with a free slot claims one job of its kinds; a full
        // lane (or all of them) waits for a finishing job to wake the loop.
        // A lane that found nothing is not asked again until the next poll
        // or poke, so a busy lane's claims do not each cost an empty claim
        // of the other.
        let claimed = false;
        for (const lane of this.lanes) {
          if (!this.running || lane.running >= lane.concurrency) continue;
          if (Date.now() < lane.idleUntil) continue;
          try {
            const job = await this.claim(undefined, lane.kinds);
            if (!job) lane.idleUntil = Date.now() + this.options.pollIntervalMs;
            if (job && !this.running) {
              // Stopped while claiming: hand it straight back.
              await this.options.store.release(job.id, job.fence);
            } else if (job) {
              this.track(job, undefined, lane);
              claimed = true;
            }
          } catch (error) {
            this.options.logger.error(
              'Outbox worker round failed',
              error as Error,
            );
          }
        }
        if (!claimed && this.running) {
          await this.pause(this.options.pollIntervalMs);
        }
      }
    })();
  }

  /**
   * Stops claiming, lets running jobs finish for up to `shutdownGraceMs`,
   * and hands back the ones still running — pending at once, no attempt
   * charged — so another replica takes them over now, not after a lease.
   * Whatever a handed-back job's handler still tries to record is refused.
   */
  async stop(graceMs = this.options.shutdownGraceMs ?? 10_000) {
    this.running = false;
    this.wake?.();
    await this.loop;
    const running = [...this.inFlight];
    if (!running.length) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>(resolve => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    await Promise.race([Promise.all(running.map(r => r.done)), deadline]);
    clearTimeout(timer);
    for (const entry of [...this.inFlight]) {
      entry.released = true;
      if (await this.options.store.release(entry.job.id, entry.job.fence)) {
        this.options.logger.info(
          `Outbox job ${entry.job.id} (${entry.job.kind}) did not finish before shutdown; handed back to other workers`,
        );
      }
    }
  }
}

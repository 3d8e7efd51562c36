import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { OutboxJob, OutboxStore } from '../database/OutboxStore';

/** Thrown by a handler to ask for a retry at a given time (e.g. 429 Retry-After). */
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

export type OutboxHandler = {
  handle(job: OutboxJob): Promise<void>;
  /** Called once when the job is given up on, to record the failure. */
  onDead?(job: OutboxJob, error: string): Promise<void>;
};

export type OutboxWorkerOptions = {
  store: OutboxStore;
  logger: LoggerService;
  handlers: Record<string, OutboxHandler>;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  pollIntervalMs: number;
  leaseMs: number;
  batchSize?: number;
  random?: () => number;
};

/**
 * Drains the outbox: claims due jobs, runs their handler, and on failure
 * retries with exponential backoff and full jitter until the job is marked
 * dead. Several workers (one per backend replica) may run against one
 * database; claims never overlap.
 */
export class OutboxWorker {
  readonly workerId = `worker-${randomUUID()}`;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly options: OutboxWorkerOptions) {}

  /** Delay before attempt `attempts + 1`, with full jitter. */
  backoffMs(attempts: number): number {
    const { baseDelayMs, maxDelayMs } = this.options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
    const random = this.options.random ?? Math.random;
    return Math.max(baseDelayMs / 2, Math.round(ceiling * random()));
  }

  /** Runs one claim-and-handle round; returns how many jobs it handled. */
  async runOnce(now?: Date): Promise<number> {
    const jobs = await this.options.store.claim({
      workerId: this.workerId,
      limit: this.options.batchSize ?? 10,
      leaseMs: this.options.leaseMs,
      now,
    });
    for (const job of jobs) {
      await this.runJob(job);
    }
    return jobs.length;
  }

  /** Handles jobs until none is due (tests and admin "retry now"). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async runJob(job: OutboxJob) {
    const { store, logger, handlers, maxAttempts } = this.options;
    const handler = handlers[job.kind];
    try {
      if (!handler) {
        throw new PermanentJobError(`No handler for outbox job kind '${job.kind}'`);
      }
      await handler.handle(job);
      await store.complete(job.id, this.workerId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentJobError;
      if (permanent || job.attempts >= maxAttempts) {
        logger.warn(
          `Outbox job ${job.id} (${job.kind}) is dead after ${job.attempts} attempt(s): ${message}`,
        );
        if (await store.markDead(job.id, this.workerId, message)) {
          try {
            await handler?.onDead?.(job, message);
          } catch (deadError) {
            logger.error(`Recording dead job ${job.id} failed`, deadError as Error);
          }
        }
        return;
      }
      const retryAfter =
        error instanceof RetryLaterError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : this.backoffMs(job.attempts);
      logger.info(
        `Outbox job ${job.id} (${job.kind}) attempt ${job.attempts} failed, retrying in ${retryAfter} ms: ${message}`,
      );
      await store.reschedule(
        job.id,
        this.workerId,
        message,
        new Date(Date.now() + retryAfter),
      );
    }
  }

  /** Wakes the loop now instead of at the next poll (after a new job). */
  poke() {
    this.wake?.();
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let handled = 0;
        try {
          handled = await this.runOnce();
        } catch (error) {
          this.options.logger.error('Outbox worker round failed', error as Error);
        }
        if (handled === 0 && this.running) {
          await new Promise<void>(resolve => {
            const timer = setTimeout(resolve, this.options.pollIntervalMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = undefined;
        }
      }
    })();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}

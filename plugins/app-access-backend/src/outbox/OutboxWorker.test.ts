import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { OutboxStore } from '../database/OutboxStore';
import { migrateKnex } from '../database/migrations';
import { OutboxJob } from '../database/OutboxStore';
import { OutboxWorker, RetryLaterError } from './OutboxWorker';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('outbox on %p', databaseId => {
  let knex: Knex;
  let store: OutboxStore;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await migrateKnex(knex);
    store = new OutboxStore(knex);
  });

  function worker(handle: (job: OutboxJob) => Promise<void>, overrides: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {}) {
    return new OutboxWorker({
      store,
      logger: mockServices.logger.mock(),
      handlers: { work: { handle } },
      maxAttempts: 3,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      pollIntervalMs: 10,
      leaseMs: 30_000,
      batchSize: 5,
      ...overrides,
    });
  }

  it('never runs a job twice with two workers draining one database', async () => {
    const jobs = Array.from({ length: 120 }, (_, i) => ({
      kind: 'work',
      idempotencyKey: `job-${i}`,
      payload: { n: i },
    }));
    await knex.transaction(tx => store.enqueue(jobs, tx));
    const seen: Record<string, string[]> = {};
    const record = (name: string) => async (job: OutboxJob) => {
      (seen[job.payload.n] ??= []).push(name);
      await new Promise(r => setTimeout(r, 1));
    };
    const a = worker(record('a'));
    const b = worker(record('b'));
    const [na, nb] = await Promise.all([a.drain(), b.drain()]);
    expect(na + nb).toBe(120);
    expect(Object.keys(seen)).toHaveLength(120);
    expect(Object.values(seen).every(handledBy => handledBy.length === 1)).toBe(true);
    expect((await store.countByStatus()).done).toBe(120);
  });

  it('enqueueing the same idempotency key twice creates one job', async () => {
    await knex.transaction(tx => store.enqueue([{ kind: 'work', idempotencyKey: 'k', payload: {} }], tx));
    await knex.transaction(tx => store.enqueue([{ kind: 'work', idempotencyKey: 'k', payload: {} }], tx));
    expect(await store.list({ limit: 10 })).toHaveLength(1);
  });

  it('retries a job claimed by a worker that died once its lease runs out', async () => {
    await knex.transaction(tx => store.enqueue([{ kind: 'work', idempotencyKey: 'k', payload: {} }], tx));
    // A worker claims the job and then "crashes" (never completes it).
    const claimed = await store.claim({ workerId: 'crashed', limit: 10, leaseMs: 30_000 });
    expect(claimed).toHaveLength(1);
    const handled: string[] = [];
    const survivor = worker(async job => {
      handled.push(job.id);
    });
    // Within the lease nobody else takes it...
    expect(await survivor.runOnce()).toBe(0);
    // ...after it, the job is claimed again and done.
    expect(await survivor.runOnce(new Date(Date.now() + 31_000))).toBe(1);
    expect(handled).toEqual([claimed[0].id]);
    const [job] = await store.list({ limit: 1 });
    expect(job.status).toBe('done');
    expect(job.attempts).toBe(2);
    // The crashed worker coming back cannot overwrite the result.
    expect(await store.complete(claimed[0].id, 'crashed')).toBe(false);
  });

  it('backs off exponentially with jitter, honours Retry-After, and marks the job dead after maxAttempts', async () => {
    await knex.transaction(tx => store.enqueue([{ kind: 'work', idempotencyKey: 'k', payload: {} }], tx));
    let calls = 0;
    const w = worker(
      async () => {
        calls++;
        if (calls === 1) throw new RetryLaterError('429', 7_000);
        throw new Error('boom');
      },
      { random: () => 1 },
    );
    const t0 = Date.now();
    await w.runOnce();
    let [job] = await store.list({ limit: 1 });
    expect(job.status).toBe('pending');
    expect(Date.parse(job.nextAttemptAt) - t0).toBeGreaterThanOrEqual(6_900);
    expect(job.lastError).toBe('429');

    await w.runOnce(new Date(t0 + 10_000));
    [job] = await store.list({ limit: 1 });
    expect(job.status).toBe('pending');
    // attempt 2 failed: ceiling base * 2^(2-1) = 2 s with random() = 1
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeGreaterThan(1_500);
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeLessThanOrEqual(2_100);

    await w.runOnce(new Date(t0 + 60_000));
    [job] = await store.list({ limit: 1 });
    expect(job.status).toBe('dead');
    expect(job.attempts).toBe(3);
    expect(job.lastError).toBe('boom');
    expect(calls).toBe(3);

    expect(await store.revive(job.id)).toBe(true);
    [job] = await store.list({ limit: 1 });
    expect(job).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('keeps backoff within its bounds', () => {
    const w = worker(async () => {}, { random: () => 0.5, baseDelayMs: 1000, maxDelayMs: 8000 });
    expect(w.backoffMs(1)).toBe(500);
    expect(w.backoffMs(3)).toBe(2000);
    expect(w.backoffMs(10)).toBe(4000);
  });
});

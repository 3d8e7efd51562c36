import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { OutboxStore } from '../database/OutboxStore';
import { migrateKnex } from '../database/migrations';
import { OutboxJob } from '../database/OutboxStore';
import { waitFor } from '../testUtils/waitFor';
import {
  OutboxLease,
  OutboxWorker,
  PermanentJobError,
  RetryLaterError,
} from './OutboxWorker';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const HOUR = 3600_000;

/** A gate a fake vendor call waits on until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => {
    open = resolve;
  });
  return { open, opened };
}

describe.each(databases.eachSupportedId())('outbox on %p', databaseId => {
  let knex: Knex;
  let store: OutboxStore;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await migrateKnex(knex);
    store = new OutboxStore(knex);
  });

  function worker(
    handle: (job: OutboxJob, lease: OutboxLease) => Promise<void>,
    overrides: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {},
  ) {
    return new OutboxWorker({
      store,
      logger: mockServices.logger.mock(),
      handlers: { work: { handle } },
      giveUpAfterMs: 24 * HOUR,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      pollIntervalMs: 10,
      leaseMs: 30_000,
      concurrency: 3,
      ...overrides,
    });
  }

  async function enqueue(count = 1) {
    const jobs = Array.from({ length: count }, (_, i) => ({
      kind: 'work',
      idempotencyKey: `job-${i}`,
      payload: { n: i },
    }));
    await knex.transaction(tx => store.enqueue(jobs, tx));
  }

  async function onlyJob() {
    const [job] = await store.list({ limit: 1 });
    return job;
  }

  it('never runs a job twice with two workers draining one database', async () => {
    await enqueue(120);
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
    expect(Object.values(seen).every(handledBy => handledBy.length === 1)).toBe(
      true,
    );
    expect((await store.countByStatus()).done).toBe(120);
  });

  async function vendorJobsThenNotices(reserved?: {
    kinds: string[];
    concurrency: number;
  }) {
    const vendor = gate();
    const started: string[] = [];
    const w = new OutboxWorker({
      store,
      logger: mockServices.logger.mock(),
      handlers: {
        fulfil: {
          handle: async job => {
            started.push(job.kind);
            await vendor.opened;
          },
        },
        notify: {
          handle: async job => {
            started.push(job.kind);
          },
        },
      },
      giveUpAfterMs: 24 * HOUR,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      pollIntervalMs: 10,
      leaseMs: 30_000,
      concurrency: 2,
      ...(reserved ? { reserved } : {}),
    });
    // Ten vendor jobs due before the notices, as after a burst of approvals.
    await knex.transaction(tx =>
      store.enqueue(
        Array.from({ length: 10 }, (_, i) => ({
          kind: 'fulfil',
          idempotencyKey: `fulfil-${i}`,
          payload: { n: i },
          notBefore: new Date(Date.now() - 60_000 + i),
        })),
        tx,
      ),
    );
    await knex.transaction(tx =>
      store.enqueue(
        [0, 1, 2].map(i => ({
          kind: 'notify',
          idempotencyKey: `notify-${i}`,
          payload: { n: i },
        })),
        tx,
      ),
    );
    w.start();
    return { vendor, started, worker: w };
  }

  it('runs notices in their own lane while slow vendor jobs fill every shared slot', async () => {
    const { vendor, started, worker: w } = await vendorJobsThenNotices();
    try {
      await waitFor('the notices sent while the vendor hangs', async () => {
        const jobs = await store.list({ limit: 20, kind: 'notify' });
        return jobs.every(j => j.status === 'done');
      });
      // The shared slots are still held by vendor jobs, and no more started.
      expect(started.filter(k => k === 'fulfil')).toHaveLength(2);
      expect(started.filter(k => k === 'notify')).toHaveLength(3);
    } finally {
      vendor.open();
      await w.stop();
    }
  });

  it('without the notice lane (noticeConcurrency 0) notices wait behind the vendor jobs', async () => {
    const {
      vendor,
      started,
      worker: w,
    } = await vendorJobsThenNotices({
      kinds: ['notify'],
      concurrency: 0,
    });
    try {
      await waitFor('both shared slots taken', async () => started.length >= 2);
      // Several polls later nothing else has started: the notices wait.
      await new Promise(r => setTimeout(r, 200));
      expect(started).toEqual(['fulfil', 'fulfil']);
      expect(
        (await store.list({ limit: 20, kind: 'notify' })).map(j => j.status),
      ).toEqual(['pending', 'pending', 'pending']);
    } finally {
      vendor.open();
      await w.stop();
    }
  });

  it('keeps the lease of a job slower than the lease, so another worker never runs it', async () => {
    await enqueue(4);
    const vendorCalls: Record<string, number> = {};
    const slowVendor = async (job: OutboxJob, lease: OutboxLease) => {
      await lease.check();
      vendorCalls[job.id] = (vendorCalls[job.id] ?? 0) + 1;
      // Three leases long: without renewal the other worker would take it.
      await new Promise(r => setTimeout(r, 600));
    };
    const a = worker(slowVendor, { leaseMs: 200, concurrency: 2 });
    const b = worker(slowVendor, { leaseMs: 200, concurrency: 2 });
    a.start();
    b.start();
    try {
      await waitFor(
        'all jobs done',
        async () => (await store.countByStatus()).done === 4,
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(Object.values(vendorCalls)).toEqual([1, 1, 1, 1]);
    const jobs = await store.list({ limit: 10 });
    expect(jobs.map(j => [j.claims, j.attempts])).toEqual(
      jobs.map(() => [1, 0]),
    );
  });

  it('stops renewing the lease of a handler that hangs, so another worker takes the job over', async () => {
    await enqueue();
    const hung = gate();
    const stuck = worker(() => hung.opened, { leaseMs: 150, maxRunMs: 100 });
    const running = stuck.runOnce();
    await waitFor(
      'the job to be claimed',
      async () => (await onlyJob()).status === 'running',
    );
    const handled: number[] = [];
    const rescuer = worker(async job => {
      handled.push(job.fence);
    });
    await waitFor(
      'the hung job to be taken over',
      async () => (await rescuer.runOnce()) === 1,
    );
    expect(handled).toEqual([2]);
    expect(await onlyJob()).toMatchObject({
      status: 'done',
      attempts: 0,
      claims: 2,
    });
    hung.open();
    await running;
    // The hung worker coming back cannot undo the rescuer's result.
    expect(await onlyJob()).toMatchObject({ status: 'done', fence: 2 });
  });

  it('refuses the writes of a worker whose lease was taken over', async () => {
    await enqueue();
    const vendor = gate();
    const writes: string[] = [];
    let refused: unknown;
    const stale = worker(
      async (_job, lease) => {
        await vendor.opened;
        try {
          await knex.transaction(async tx => {
            await lease.guard(tx);
            writes.push('stale');
          });
        } catch (error) {
          refused = error;
          throw error;
        }
      },
      { leaseMs: 200 },
    );
    const running = stale.runOnce();
    await waitFor(
      'the job to be claimed',
      async () => (await onlyJob()).status === 'running',
    );
    // Its heartbeat keeps the lease for the real clock; a worker whose clock
    // is past the lease takes the job over as if the heartbeat had stalled.
    const takeover = await store.claim({
      workerId: 'other',
      leaseMs: 30_000,
      now: new Date(Date.now() + 10 * 60_000),
    });
    expect(takeover?.fence).toBe(2);
    vendor.open();
    await running;
    expect(refused).toMatchObject({ name: 'LeaseLostError' });
    expect(writes).toEqual([]);
    // The job is still the new holder's: not settled, not charged.
    expect(await onlyJob()).toMatchObject({
      status: 'running',
      lockedBy: 'other',
      fence: 2,
      attempts: 0,
    });
    expect(await store.complete(takeover!.id, 1)).toBe(false);
    expect(await store.complete(takeover!.id, 2)).toBe(true);
  });

  it("claims the earliest due job, pending or taken over, of the lane's kinds only", async () => {
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    const add = (key: string, kind: string, notBefore: Date) =>
      knex.transaction(tx =>
        store.enqueue(
          [{ kind, idempotencyKey: key, payload: {}, notBefore }],
          tx,
        ),
      );
    // Claims as a worker that finishes each job it gets at once (so only
    // the "crashed" worker's leases run out).
    const claim = async (now: Date, kinds?: string[]) => {
      const job = await store.claim({
        workerId: 'w',
        leaseMs: 1000,
        now,
        kinds,
      });
      const completed = job ? await store.complete(job.id, job.fence) : true;
      expect(completed).toBe(true);
      return job?.idempotencyKey;
    };
    // "crashed" holds a work job whose lease runs out at t0 + 1 s.
    await add('crashed-work', 'work', at(-3000));
    const crashed = (kinds?: string[]) =>
      store.claim({ workerId: 'crashed', leaseMs: 1000, now: at(0), kinds });
    expect((await crashed())?.idempotencyKey).toBe('crashed-work');
    await add('notice-1', 'notify', at(-2000));
    await add('work-1', 'work', at(-1000));
    await add('notice-later', 'notify', at(HOUR));
    await add('work-earliest', 'work', at(-9000));

    // Within the lease: the earliest pending job, never the held one.
    expect(await claim(at(500))).toBe('work-earliest');
    // After it: the abandoned job, due before every pending one left.
    const takenOver = await store.claim({
      workerId: 'w',
      leaseMs: 1000,
      now: at(5000),
    });
    expect(takenOver).toMatchObject({
      idempotencyKey: 'crashed-work',
      takenOver: true,
      fence: 2,
    });
    expect(await store.complete(takenOver!.id, takenOver!.fence)).toBe(true);
    // A notice lane takes notices only, and none that is not due yet.
    expect(await claim(at(5000), ['notify'])).toBe('notice-1');
    expect(await claim(at(5000), ['notify'])).toBeUndefined();
    // "crashed" now holds work-1: a notice lane never takes it over, a
    // lane of its kind does once the lease ran out.
    expect((await crashed(['work']))?.idempotencyKey).toBe('work-1');
    expect(await claim(at(10_000), ['notify'])).toBeUndefined();
    expect(await claim(at(10_000), [])).toBeUndefined();
    const work1 = await store.claim({
      workerId: 'w',
      leaseMs: 1000,
      now: at(10_000),
      kinds: ['work'],
    });
    expect(work1).toMatchObject({ idempotencyKey: 'work-1', takenOver: true });
    expect(await store.complete(work1!.id, work1!.fence)).toBe(true);
    expect(await claim(at(10_000))).toBeUndefined();
    expect(await claim(at(2 * HOUR))).toBe('notice-later');
  });

  it('does not charge a re-claim after a crash', async () => {
    await enqueue();
    // A worker claims the job and then "crashes" (never completes it).
    const claimed = await store.claim({ workerId: 'crashed', leaseMs: 30_000 });
    expect(claimed).toBeDefined();
    const handled: string[] = [];
    const survivor = worker(async job => {
      handled.push(job.id);
    });
    // Within the lease nobody else takes it...
    expect(await survivor.runOnce()).toBe(0);
    // ...after it, the job is claimed again and done.
    expect(await survivor.runOnce(new Date(Date.now() + 31_000))).toBe(1);
    expect(handled).toEqual([claimed!.id]);
    expect(await onlyJob()).toMatchObject({
      status: 'done',
      attempts: 0,
      claims: 2,
      fence: 2,
    });
    // The crashed worker coming back cannot overwrite the result.
    expect(await store.complete(claimed!.id, claimed!.fence)).toBe(false);
  });

  it('gives up on a job that kills its worker every time once it has been failing too long', async () => {
    await enqueue();
    const t0 = Date.now();
    await store.claim({
      workerId: 'crashed',
      leaseMs: 1000,
      now: new Date(t0),
    });
    await store.claim({
      workerId: 'crashed-again',
      leaseMs: 1000,
      now: new Date(t0 + 2000),
    });
    let calls = 0;
    const w = worker(async () => {
      calls++;
    });
    expect(await w.runOnce(new Date(t0 + 25 * HOUR))).toBe(1);
    expect(calls).toBe(0);
    expect(await onlyJob()).toMatchObject({
      status: 'dead',
      attempts: 0,
      claims: 3,
    });
  });

  it('never gives up on a vendor that keeps saying "come back later"', async () => {
    await enqueue();
    let calls = 0;
    const w = worker(async () => {
      calls++;
      throw new RetryLaterError('429 Too Many Requests', 1000);
    });
    const t0 = Date.now();
    for (let hour = 0; hour <= 72; hour += 4) {
      expect(await w.runOnce(new Date(t0 + hour * HOUR))).toBe(1);
    }
    expect(calls).toBe(19);
    const job = await onlyJob();
    expect(job).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: '429 Too Many Requests',
    });
    expect(job.failingSince).toBeUndefined();
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeGreaterThan(500);
  });

  it('gives up once a job has been failing for giveUpAfterMs', async () => {
    await enqueue();
    const deaths: string[] = [];
    const w = new OutboxWorker({
      store,
      logger: mockServices.logger.mock(),
      handlers: {
        work: {
          handle: async () => {
            throw new Error('503 from vendor');
          },
          onDead: async (_job, error) => {
            deaths.push(error);
          },
        },
      },
      giveUpAfterMs: 24 * HOUR,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      pollIntervalMs: 10,
      leaseMs: 30_000,
    });
    const t0 = Date.now();
    await w.runOnce(new Date(t0));
    let job = await onlyJob();
    expect(job).toMatchObject({
      status: 'pending',
      attempts: 1,
      failingSince: new Date(t0).toISOString(),
    });
    for (let hour = 1; hour < 24; hour += 2) {
      await w.runOnce(new Date(t0 + hour * HOUR));
    }
    job = await onlyJob();
    expect(job).toMatchObject({ status: 'pending', attempts: 13 });
    await w.runOnce(new Date(t0 + 24 * HOUR));
    job = await onlyJob();
    expect(job).toMatchObject({
      status: 'dead',
      attempts: 14,
      lastError: '503 from vendor',
    });
    expect(deaths).toEqual(['503 from vendor']);

    expect(await store.revive(job.id)).toBe(true);
    expect(await onlyJob()).toMatchObject({
      status: 'pending',
      attempts: 0,
      failingSince: undefined,
    });
  });

  it('gives up at once on a permanent error', async () => {
    await enqueue();
    let calls = 0;
    const w = worker(async () => {
      calls++;
      throw new PermanentJobError('the group does not exist');
    });
    await w.runOnce();
    expect(calls).toBe(1);
    expect(await onlyJob()).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'the group does not exist',
    });
  });

  it('backs off exponentially with jitter, honours Retry-After, and stops at an optional maxAttempts', async () => {
    await enqueue();
    let calls = 0;
    const w = worker(
      async () => {
        calls++;
        if (calls === 1) throw new RetryLaterError('429', 7_000);
        throw new Error('boom');
      },
      { random: () => 1, maxAttempts: 3 },
    );
    const t0 = Date.now();
    await w.runOnce();
    let job = await onlyJob();
    expect(job).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: '429',
    });
    expect(Date.parse(job.nextAttemptAt) - t0).toBeGreaterThanOrEqual(6_900);

    await w.runOnce(new Date(t0 + 10_000));
    job = await onlyJob();
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
    // attempt 1 failed: ceiling base * 2^0 = 1 s with random() = 1
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeGreaterThan(500);
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeLessThanOrEqual(
      1_100,
    );

    await w.runOnce(new Date(t0 + 20_000));
    job = await onlyJob();
    expect(job).toMatchObject({ status: 'pending', attempts: 2 });
    // attempt 2 failed: ceiling base * 2^1 = 2 s
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeGreaterThan(1_500);
    expect(Date.parse(job.nextAttemptAt) - Date.now()).toBeLessThanOrEqual(
      2_100,
    );

    await w.runOnce(new Date(t0 + 60_000));
    job = await onlyJob();
    expect(job).toMatchObject({
      status: 'dead',
      attempts: 3,
      lastError: 'boom',
    });
    expect(calls).toBe(4);
  });

  it('keeps backoff within its bounds', () => {
    const w = worker(async () => {}, {
      random: () => 0.5,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
    });
    expect(w.backoffMs(1)).toBe(500);
    expect(w.backoffMs(3)).toBe(2000);
    expect(w.backoffMs(10)).toBe(4000);
  });

  it('on stop lets a short job finish and hands an unfinished one back without charging it', async () => {
    await enqueue(2);
    const stuck = gate();
    const vendorCalls: number[] = [];
    let lateWrite: unknown;
    const w = worker(
      async (job, lease) => {
        if (job.payload.n === 0) {
          await new Promise(r => setTimeout(r, 500));
          return;
        }
        await stuck.opened;
        try {
          await lease.check();
          vendorCalls.push(job.payload.n);
        } catch (error) {
          lateWrite = error;
          throw error;
        }
      },
      { leaseMs: 60_000 },
    );
    w.start();
    await waitFor(
      'both jobs claimed',
      async () => (await store.countByStatus()).running === 2,
    );
    const started = Date.now();
    await w.stop(800);
    expect(Date.now() - started).toBeLessThan(5_000);
    const jobs = await store.list({ limit: 10 });
    const byN = Object.fromEntries(jobs.map(j => [j.payload.n, j]));
    expect(byN[0]).toMatchObject({ status: 'done' });
    expect(byN[1]).toMatchObject({
      status: 'pending',
      attempts: 0,
      lockedBy: undefined,
    });
    expect(Date.parse(byN[1].nextAttemptAt)).toBeLessThanOrEqual(Date.now());

    // The handed-back job's handler, waking up late, may not act any more...
    stuck.open();
    await waitFor(
      'the late handler to be refused',
      () => lateWrite !== undefined,
    );
    expect(lateWrite).toMatchObject({ name: 'LeaseLostError' });
    // ...and another worker takes it over at once.
    const next = worker(async job => {
      vendorCalls.push(job.payload.n);
    });
    expect(await next.runOnce()).toBe(1);
    expect(vendorCalls).toEqual([1]);
    expect((await store.countByStatus()).done).toBe(2);
  });
});

// How a claim finds its job on PostgreSQL (SQLite claims in a transaction
// that serialises writers, without SKIP LOCKED or these indexes' plans).
describe('outbox claims on PostgreSQL with a backlog', () => {
  const pg = TestDatabases.create({ ids: ['POSTGRES_15'] });
  let pgKnex: Knex;
  let pgStore: OutboxStore;

  beforeAll(async () => {
    pgKnex = await pg.init('POSTGRES_15');
    await migrateKnex(pgKnex);
    pgStore = new OutboxStore(pgKnex);
  });

  it('claims through an index that starts at the first due job, with thousands waiting', async () => {
    const now = new Date();
    // Vendor jobs waiting on a rate limit, due before the few notices.
    const jobs = Array.from({ length: 4000 }, (_, i) => ({
      kind: i < 3950 ? 'fulfill' : 'notify',
      idempotencyKey: `backlog-${i}`,
      payload: {},
      notBefore: new Date(now.getTime() - 60_000 + i),
    }));
    await pgKnex.transaction(tx => pgStore.enqueue(jobs, tx));
    await pgKnex.raw('analyze outbox');
    for (const kinds of [undefined, ['notify']]) {
      const plan = (await pgStore.explainClaimPg({ now, kinds })).join('\n');
      // One ordered index scan per branch (pending, lease run out), each
      // stopping at its first row: no sort or bitmap scan of every due job.
      expect(plan).toContain(
        kinds
          ? 'Index Scan using outbox_kind_due_idx'
          : 'Index Scan using outbox_due_idx',
      );
      expect(plan).not.toMatch(/Bitmap|Seq Scan/);
    }
    const claimed = await pgStore.claim({
      workerId: 'w',
      leaseMs: 30_000,
      now,
      kinds: ['notify'],
    });
    expect(claimed?.idempotencyKey).toBe('backlog-3950');
  });
});

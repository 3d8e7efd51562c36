/*
 * Benchmark: the reminder sweep with 100,000 open approval tasks, all due.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/reminders.ts
 *   (or: node bench/run.mjs reminders)
 *
 * The real engine (AppAccessEngine on PostgreSQL, database bench_reminders,
 * dropped and created afresh): seeds BENCH_TASKS (100000) pending requests
 * with one open level-1 task each, created three days ago (the default
 * interval is 24 h), then times `engine.reminders.run()` — what the scheduled
 * task runs. Measured: the sweep's wall time; every transaction it opens,
 * BEGIN to COMMIT as knex sees them (the longest is the longest any batch held
 * its row locks); and the catalog read behind GET /apps
 * (`AppCatalogService.listApps`, in-process, 4 concurrent readers, random
 * users) idle for BENCH_SECONDS and then during the sweep (p95 ratio).
 * BENCH_SMOKE=1: 300 tasks. BENCH_KEEP=1 keeps the database afterwards.
 */
import knexFactory, { Knex } from 'knex';
import { ConfigReader } from '@backstage/config';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { freshDatabase, percentile, silentLogger } from './lib/engine';
import { AppAccessEngine } from '../plugins/app-access-backend/src/AppAccessEngine';

const SMOKE = process.env.BENCH_SMOKE === '1';
const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
// BENCH_DB: another database name (bench_…), so that runs side by side do not share one.
const DB =
  process.env.BENCH_DB ?? (SMOKE ? 'bench_reminders_smoke' : 'bench_reminders');
if (!/^bench_[a-z0-9_]+$/.test(DB))
  throw new Error(`bench databases are named bench_…, not ${DB}`);
const TASKS = Number(process.env.BENCH_TASKS ?? (SMOKE ? 300 : 100_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (SMOKE ? 2 : 10));
// BENCH_READERS=0: no catalog reads, so the statement counts are the sweep's alone.
const READERS = Number(process.env.BENCH_READERS ?? 4);
const APPS = 200;

function database(): Promise<Knex> {
  return freshDatabase(PG, DB);
}

async function seed(knex: Knex) {
  const old = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
  await knex.raw(
    `insert into apps (id, name, category, listed, external_ids, source, admin_modified, created_at, updated_at)
     select 'rm-' || lpad(i::text, 4, '0'), 'Reminder app ' || i, 'Benchmark', true, '{}', 'admin', true, ?, ?
     from generate_series(1, ${APPS}) i`,
    [old, old],
  );
  await knex.raw(
    `insert into app_tiers (app_id, id, name, position, fulfillment)
     select 'rm-' || lpad(i::text, 4, '0'), 'std', 'Standard', 0, '{"type":"manual"}'
     from generate_series(1, ${APPS}) i`,
  );
  await knex.raw(
    `insert into requests (id, kind, app_id, tier_id, app_name, tier_name, requester, status, level, justification, open_key, created_at, updated_at)
     select 'rq-' || i, 'access', 'rm-' || lpad((1 + i % ${APPS})::text, 4, '0'), 'std', 'Reminder app', 'Standard',
            'user:default/r' || i, 'pending_approval', 1, 'reminder benchmark',
            'user:default/r' || i || '|rm-' || (1 + i % ${APPS}) || '|std', ?, ?
     from generate_series(1, ${TASKS}) i`,
    [old, old],
  );
  await knex.raw(
    `insert into approval_tasks (id, request_id, level, status, reminders, fallback, created_at)
     select 'tk-' || i, 'rq-' || i, 1, 'open', 0, false, ? from generate_series(1, ${TASKS}) i`,
    [old],
  );
  await knex.raw(
    `insert into approval_task_approvers (task_id, approver_ref)
     select 'tk-' || i, 'user:default/approver' || (i % 500) from generate_series(1, ${TASKS}) i`,
  );
  await knex.raw('vacuum analyze');
}

/**
 * What a reader can wait on besides its own statements, from start() until
 * stop(): the event loop's delay (the sweep's synchronous work between its
 * awaits) and the wait for a pooled connection (the sweep holding the
 * connections the reads need).
 */
function waits(knex: Knex) {
  const pool = (knex as any).client.pool;
  const asked = new Map<number, number>();
  let acquires: number[] = [];
  let maxUsed = 0;
  pool.on('acquireRequest', (id: number) => asked.set(id, performance.now()));
  pool.on('acquireSuccess', (id: number) => {
    const t = asked.get(id);
    asked.delete(id);
    if (t !== undefined) acquires.push(performance.now() - t);
    maxUsed = Math.max(maxUsed, pool.numUsed());
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  return () => {
    acquires = [];
    maxUsed = 0;
    loop.reset();
    loop.enable();
    return () => {
      loop.disable();
      const sorted = [...acquires].sort((a, b) => a - b);
      return {
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        loopDelayMaxMs: loop.max / 1e6,
        acquireP95Ms: percentile(sorted, 95) ?? 0,
        acquireMaxMs: sorted[sorted.length - 1] ?? 0,
        poolMaxUsed: maxUsed,
      };
    };
  };
}

/** Concurrent catalog reads until stop(); returns their latencies. */
function readers(engine: AppAccessEngine) {
  const catalog = engine.services().catalog;
  const latencies: number[] = [];
  let stopped = false;
  const one = async () => {
    while (!stopped) {
      const user = `user:default/r${1 + Math.floor(Math.random() * TASKS)}`;
      const t0 = performance.now();
      await catalog.listApps(
        { userRef: user, ownershipRefs: [user] },
        { sort: 'name', limit: 50 },
      );
      latencies.push(performance.now() - t0);
      // Paced (about 50 reads a second each): the readers share the event
      // loop with the sweep, so unpaced cached reads would starve it.
      await new Promise(r => setTimeout(r, 20));
    }
  };
  const running = Array.from({ length: READERS }, one);
  return async () => {
    stopped = true;
    await Promise.all(running);
    const sorted = latencies.sort((a, b) => a - b);
    return {
      n: sorted.length,
      p50: percentile(sorted, 50) ?? NaN,
      p95: percentile(sorted, 95) ?? NaN,
    };
  };
}

async function main() {
  const knex = await database();
  // Every transaction, from its callback's start until it has committed or
  // rolled back, and every write sent outside one: how long row locks can be held.
  const held: number[] = [];
  let tracking = false;
  const transaction = knex.transaction.bind(knex);
  const timed = (fn: any, config?: any) => {
    if (typeof fn !== 'function') return transaction(fn, config);
    let t0 = 0;
    return transaction(async (trx: Knex.Transaction) => {
      t0 = performance.now();
      return fn(trx);
    }, config).finally(() => {
      if (tracking && t0) held.push(performance.now() - t0);
    });
  };
  // knex's own properties are read-only: the engine gets a proxy.
  const db = new Proxy(knex, {
    get: (target, prop, receiver) =>
      prop === 'transaction' ? timed : Reflect.get(target, prop, receiver),
  });
  // Every statement the sweep sends, by kind (its first words and table):
  // how many a task costs, and where the database time goes.
  const statements = new Map<string, { n: number; ms: number }>();
  const started = new Map<string, number>();
  const kindOf = (sql: string) =>
    sql
      .replace(/\s+/g, ' ')
      .match(
        /^(begin|commit|rollback|savepoint|release|select .*? from "?(\w+)"?|insert into "?(\w+)"?|update "?(\w+)"?|delete from "?(\w+)"?|with|\w+)/i,
      )?.[0]
      .replace(/^select .*? from/i, 'select … from')
      .toLowerCase() ?? sql.slice(0, 20);
  knex.on('query', (q: any) => {
    if (tracking) started.set(q.__knexQueryUid, performance.now());
  });
  knex.on('query-response', (_r: any, q: any) => {
    const t = started.get(q.__knexQueryUid);
    if (t === undefined) return;
    started.delete(q.__knexQueryUid);
    // A write outside any transaction is its own transaction: it holds its
    // rows' locks while it executes (the sweep's one statement a batch on
    // PostgreSQL).
    const ms = performance.now() - t;
    if (!q.__knexTxId && /^\s*(with|update|insert|delete)\b/i.test(q.sql))
      held.push(ms);
    const kind = kindOf(q.sql);
    const s = statements.get(kind) ?? { n: 0, ms: 0 };
    s.n += 1;
    s.ms += ms;
    statements.set(kind, s);
  });
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({}),
    logger: silentLogger,
    knex: db,
  });
  const t0 = Date.now();
  await seed(knex);
  console.log(
    `reminders: seeded ${TASKS} open tasks, all due, in ${(
      (Date.now() - t0) /
      1000
    ).toFixed(1)} s`,
  );

  // Idle reads (after a warm-up).
  let stop = readers(engine);
  await new Promise(r => setTimeout(r, 1000));
  await stop();
  const measure = waits(knex);
  stop = readers(engine);
  let measured = measure();
  await new Promise(r => setTimeout(r, SECONDS * 1000));
  const idleWaits = measured();
  const idle = await stop();
  console.log(
    `reminders: idle catalog reads p95 ${idle.p95.toFixed(1)} ms (${
      idle.n
    }); waits ${JSON.stringify(idleWaits)}`,
  );

  tracking = true;
  stop = readers(engine);
  measured = measure();
  const s0 = performance.now();
  const sent = await engine.reminders.run(new Date());
  const sweepS = (performance.now() - s0) / 1000;
  const busyWaits = measured();
  tracking = false;
  const busy = await stop();
  console.log(
    `reminders: during the sweep, waits ${JSON.stringify(busyWaits)}`,
  );
  const [{ n: jobs }] = (
    await knex.raw(
      `select count(*)::int as n from outbox where payload like '%"kind":"reminder"%'`,
    )
  ).rows;
  // The sweep's read of due tasks, as it runs it (all reminded now: the
  // index must not walk the tasks reminded a moment ago).
  const plan = await knex.raw(
    `explain (analyze, buffers) select t.* from approval_tasks as t inner join requests as r on r.id = t.request_id
     where t.status = 'open' and r.status = 'pending_approval' and t.reminders < 3
       and coalesce(t.last_reminded_at, t.created_at) <= ? order by coalesce(t.last_reminded_at, t.created_at) limit 100`,
    [new Date(Date.now() - 24 * 3600_000).toISOString()],
  );
  console.log(
    `reminders: plan of the due-task read after the sweep:\n${plan.rows
      .map((r: any) => `  ${r['QUERY PLAN']}`)
      .join('\n')}`,
  );
  // Whether batches get slower as the sweep goes on (dead tuples, index growth).
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const tenth = Math.max(1, Math.floor(held.length / 10));
  const firstTenth = mean(held.slice(0, tenth));
  const lastTenth = mean(held.slice(-tenth));
  console.log(
    `reminders: transactions, mean of the first tenth ${firstTenth.toFixed(
      1,
    )} ms, of the last tenth ${lastTenth.toFixed(1)} ms`,
  );
  const sorted = [...held].sort((a, b) => a - b);
  console.log(
    `reminders: sweep sent ${sent} in ${sweepS.toFixed(
      1,
    )} s; ${jobs} reminder jobs queued; ` +
      `${held.length} transactions, longest ${sorted[
        sorted.length - 1
      ]?.toFixed(1)} ms, p99 ${percentile(sorted, 99)?.toFixed(1)} ms; ` +
      `catalog reads during it p95 ${busy.p95.toFixed(1)} ms (${busy.n})`,
  );
  const total = [...statements.values()].reduce((a, s) => a + s.n, 0);
  console.log(
    `reminders: ${total} statements for ${sent} reminders (${(
      total / Math.max(1, sent)
    ).toFixed(3)} a task); by kind (count, summed wall time):\n${[...statements]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([k, s]) => `  ${s.n}\t${s.ms.toFixed(0)} ms\t${k}`)
      .join('\n')}`,
  );
  const rows = [
    {
      name: `sweep of ${TASKS.toLocaleString('en')} due tasks: time to enqueue`,
      figure: sweepS,
      unit: 's',
      target: { op: '<=', value: SMOKE ? 30 : 30, of: 'figure' },
      note: `${sent} reminders, ${jobs} jobs`,
    },
    {
      name: 'sweep: every reminder enqueued once (jobs − tasks)',
      figure: jobs - TASKS,
      unit: '',
      target: { op: '<=', value: 0, of: 'figure' },
    },
    {
      name: `sweep: longest transaction or write statement (of ${held.length})`,
      figure: sorted[sorted.length - 1] ?? NaN,
      unit: 'ms',
      target: { op: '<=', value: 100, of: 'figure' },
    },
    {
      name: 'catalog read (GET /apps service, in-process) p95 during the sweep',
      figure: busy.p95,
      unit: 'ms',
      baseline: idle.p95,
      baselineName: 'idle p95',
      ratio: busy.p95 / idle.p95,
      target: { op: '<=', value: 2, of: 'ratio' },
    },
  ];
  if (process.env.BENCH_RESULT_FILE)
    require('node:fs').writeFileSync(
      process.env.BENCH_RESULT_FILE,
      JSON.stringify(
        { rows, raw: { idle, busy, idleWaits, busyWaits, sweepS, sent, jobs } },
        null,
        2,
      ),
    );
  else console.log(JSON.stringify(rows, null, 2));
  await engine.db.destroy();
  if (process.env.BENCH_KEEP === '1') return; // the database stays, for EXPLAIN
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
  await admin.raw(`drop database if exists ${DB} with (force)`);
  await admin.destroy();
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);

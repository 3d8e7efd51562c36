/*
 * Benchmark: a reclamation campaign over 20,000 holders of one app among
 * 100,000 people.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/campaign.ts
 *   (or: node bench/run.mjs campaign)
 *
 * The real engine (AppAccessEngine on PostgreSQL, database bench_cb, dropped
 * and created afresh): BENCH_PEOPLE (100000) people, 200 apps, each person
 * assigned 3 of them with a last sign-in (what the Okta sync's lastUsed
 * writes), and BENCH_HOLDERS (20000) holders of the benchmark app through
 * App Access: a third signed in lately, a third long ago, a third never.
 * Measured: the matching set (every holder without a sign-in for 60 days,
 * the statement StartCampaign runs) and the preview (count + first 50);
 * StartCampaign, which writes the campaign, every question and every
 * notice's outbox job in one transaction; and the catalog read behind GET
 * /apps (`AppCatalogService.listApps`, in-process, 4 paced readers, random
 * people) idle and then while the outbox worker sends the campaign's notices
 * (p95 ratio). BENCH_SMOKE=1: 2,000 people, 400 holders.
 */
import knexFactory, { Knex } from 'knex';
import { ConfigReader } from '@backstage/config';
import { freshDatabase, percentile, silentLogger } from './lib/engine';
import { AppAccessEngine } from '../plugins/app-access-backend/src/AppAccessEngine';
import { ReclaimStore } from '../plugins/app-access-backend/src/database/ReclaimStore';

const SMOKE = process.env.BENCH_SMOKE === '1';
const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const DB = process.env.BENCH_DB ?? (SMOKE ? 'bench_cb_smoke' : 'bench_cb');
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? (SMOKE ? 2000 : 100_000));
const HOLDERS = Number(process.env.BENCH_HOLDERS ?? (SMOKE ? 400 : 20_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (SMOKE ? 2 : 10));
const READERS = 4;
const APPS = 200;
const DAY = 86_400_000;

function database(): Promise<Knex> {
  return freshDatabase(PG, DB);
}

async function seed(knex: Knex) {
  const now = Date.now();
  const at = new Date(now).toISOString();
  const old = new Date(now - 200 * DAY).toISOString();
  await knex.raw(
    `insert into apps (id, name, category, listed, external_ids, source, admin_modified, created_at, updated_at)
     select 'cb-' || lpad(i::text, 4, '0'), 'Campaign app ' || i, 'Benchmark', true, '{}', 'admin', true, ?, ?
     from generate_series(1, ${APPS}) i`,
    [old, old],
  );
  await knex.raw(
    `insert into app_tiers (app_id, id, name, position, fulfillment, cost_per_seat_cents, currency)
     select 'cb-' || lpad(i::text, 4, '0'), 'seat', 'Seat', 0, '{"type":"manual"}', 1200, 'EUR'
     from generate_series(1, ${APPS}) i`,
  );
  await knex.raw(
    `insert into people (ref, email, display_name, title, department, source, active, updated_at)
     select 'user:default/p' || i, 'p' || i || '@bench.example', 'Person ' || i,
            'Title ' || (i % 50), 'Dept ' || (i % 20), 'okta', true, ?
     from generate_series(1, ${PEOPLE}) i`,
    [at],
  );
  // Three apps each, signed in within the last 120 days.
  await knex.raw(
    `insert into app_assignments (person_ref, app_id, source, since, last_used_at)
     select 'user:default/p' || i, 'cb-' || lpad((2 + (i * 7 + k * 13) % (${APPS} - 1))::text, 4, '0'),
            'okta-group', ?, to_char((now() - ((i + k) % 120) * interval '1 day') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
     from generate_series(1, ${PEOPLE}) i, generate_series(0, 2) k
     on conflict do nothing`,
    [old],
  );
  // The benchmark app (cb-0001): HOLDERS people hold it through App Access.
  const step = Math.max(1, Math.floor(PEOPLE / HOLDERS));
  await knex.raw(
    `insert into requests (id, kind, app_id, tier_id, app_name, tier_name, requester, grantee, status, level, justification, created_at, updated_at)
     select 'rq-' || h, 'access', 'cb-0001', 'seat', 'Campaign app 1', 'Seat', 'user:default/p' || (1 + (h - 1) * ${step}),
            'user:default/p' || (1 + (h - 1) * ${step}), 'fulfilled', 0, 'campaign benchmark', ?, ?
     from generate_series(1, ${HOLDERS}) h`,
    [old, old],
  );
  await knex.raw(
    `insert into access_grants (id, app_id, tier_id, app_name, tier_name, grantee, request_id, granted_at, status, fulfilled_by, updated_at)
     select 'gr-' || h, 'cb-0001', 'seat', 'Campaign app 1', 'Seat', 'user:default/p' || (1 + (h - 1) * ${step}),
            'rq-' || h, ?, 'active', 'manual', ?
     from generate_series(1, ${HOLDERS}) h`,
    [old, old],
  );
  // A third signed in lately, a third 100+ days ago, a third never.
  await knex.raw(
    `insert into app_assignments (person_ref, app_id, source, since, last_used_at)
     select 'user:default/p' || (1 + (h - 1) * ${step}), 'cb-0001', 'portal', ?,
            case h % 3
              when 0 then to_char((now() - (h % 30) * interval '1 day') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
              when 1 then to_char((now() - (100 + h % 60) * interval '1 day') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
              else null end
     from generate_series(1, ${HOLDERS}) h
     on conflict do nothing`,
    [old],
  );
  await knex.raw('vacuum analyze');
}

/** Concurrent catalog reads until stop(); returns their latencies. */
function readers(engine: AppAccessEngine) {
  const catalog = engine.services().catalog;
  const latencies: number[] = [];
  let stopped = false;
  const one = async () => {
    while (!stopped) {
      const user = `user:default/p${1 + Math.floor(Math.random() * PEOPLE)}`;
      const t0 = performance.now();
      await catalog.listApps(
        { userRef: user, ownershipRefs: [user] },
        { sort: 'name', limit: 50 },
      );
      latencies.push(performance.now() - t0);
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
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
    };
  };
}

async function main() {
  const knex = await database();
  let delivered = 0;
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({
      appAccess: { outbox: { concurrency: 4, pollIntervalMs: 50 } },
    }),
    logger: silentLogger,
    knex,
    // The portal channel, delivering nowhere: what is measured is the
    // outbox's drain of the notices, not a vendor.
    notifiers: [
      {
        id: 'backstage',
        notify: async () => {
          delivered++;
          return { unreachable: [] };
        },
      },
    ],
  });
  const t0 = Date.now();
  await seed(knex);
  console.log(
    `campaign: seeded ${PEOPLE} people, ${HOLDERS} holders in ${(
      (Date.now() - t0) /
      1000
    ).toFixed(1)} s`,
  );

  const store = new ReclaimStore(knex);
  const rule = { appId: 'cb-0001', tierId: 'seat', inactiveDays: 60 };
  const cutoff = new Date(Date.now() - 60 * DAY).toISOString();
  // Warm once, then the median of 5 runs of the full matching set.
  await store.matches({ ...rule, cutoff });
  const matchTimes: number[] = [];
  let matched = 0;
  for (let i = 0; i < 5; i++) {
    const m0 = performance.now();
    matched = (await store.matches({ ...rule, cutoff })).length;
    matchTimes.push(performance.now() - m0);
  }
  matchTimes.sort((a, b) => a - b);
  const matchS = matchTimes[2] / 1000;
  const p0 = performance.now();
  const preview = await engine.reclaims.preview(rule);
  const previewS = (performance.now() - p0) / 1000;
  console.log(
    `campaign: matching set ${matched} in ${matchS.toFixed(
      3,
    )} s (median of 5); preview total ${preview.total} in ${previewS.toFixed(
      3,
    )} s`,
  );
  const plan = await knex.raw(
    `explain (analyze, buffers) ${store
      .matchQuery({ ...rule, cutoff, open: false })
      .select('g.id')
      .toString()}`,
  );
  console.log(
    `campaign: plan of the matching statement:\n${plan.rows
      .map((r: any) => `  ${r['QUERY PLAN']}`)
      .join('\n')}`,
  );

  // Idle reads (after a warm-up), with the worker not running.
  let stop = readers(engine);
  await new Promise(r => setTimeout(r, 1000));
  await stop();
  stop = readers(engine);
  await new Promise(r => setTimeout(r, SECONDS * 1000));
  const idle = await stop();
  console.log(
    `campaign: idle catalog reads p95 ${idle.p95.toFixed(1)} ms (${idle.n})`,
  );

  const s0 = performance.now();
  const campaign = await engine.reclaims.start(
    { userRef: 'user:default/admin', ownershipRefs: [] },
    { ...rule, answerDays: 14 },
  );
  const startS = (performance.now() - s0) / 1000;
  const [{ n: jobs }] = (
    await knex.raw(
      `select count(*)::int as n from outbox where payload like '%"kind":"reclaim_question"%'`,
    )
  ).rows;
  console.log(
    `campaign: started with ${
      campaign.counts.total
    } questions and ${jobs} notice jobs in ${startS.toFixed(2)} s`,
  );

  // The worker sends the notices while the readers read.
  stop = readers(engine);
  const d0 = performance.now();
  engine.worker.start();
  const deadline = Date.now() + Math.max(SECONDS * 1000, 5000);
  while (Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 500));
    if (delivered >= jobs) break;
  }
  // Keep reading for at least SECONDS under the drain.
  while (performance.now() - d0 < SECONDS * 1000 && delivered < jobs) {
    await new Promise(r => setTimeout(r, 200));
  }
  const busy = await stop();
  const drainS = (performance.now() - d0) / 1000;
  const sentDuring = delivered;
  await engine.worker.stop();
  console.log(
    `campaign: ${sentDuring} notices sent in ${drainS.toFixed(1)} s (${(
      sentDuring / drainS
    ).toFixed(0)}/s); catalog reads during it p95 ${busy.p95.toFixed(1)} ms (${
      busy.n
    })`,
  );

  const rows = [
    {
      name: `matching set: ${HOLDERS.toLocaleString(
        'en',
      )} holders among ${PEOPLE.toLocaleString('en')} people`,
      figure: matchS,
      unit: 's',
      target: { op: '<=', value: 2, of: 'figure' },
      note: `${matched} match; preview ${previewS.toFixed(3)} s`,
    },
    {
      name: 'StartCampaign: campaign, questions and notice jobs (one transaction)',
      figure: startS,
      unit: 's',
      target: { op: '<=', value: 30, of: 'figure' },
      note: `${campaign.counts.total} questions, ${jobs} jobs`,
    },
    {
      name: 'StartCampaign: one question per match (questions − matches)',
      figure: campaign.counts.total - matched,
      unit: '',
      target: { op: '<=', value: 0, of: 'figure' },
    },
    {
      name: 'catalog read (GET /apps service, in-process) p95 while notices are sent',
      figure: busy.p95,
      unit: 'ms',
      baseline: idle.p95,
      baselineName: 'idle p95',
      ratio: busy.p95 / idle.p95,
      target: { op: '<=', value: 1.5, of: 'ratio' },
      note: `${sentDuring} notices in ${drainS.toFixed(1)} s`,
    },
  ];
  if (process.env.BENCH_RESULT_FILE)
    require('node:fs').writeFileSync(
      process.env.BENCH_RESULT_FILE,
      JSON.stringify(
        {
          rows,
          raw: { idle, busy, matchS, previewS, startS, jobs, sentDuring },
        },
        null,
        2,
      ),
    );
  else console.log(JSON.stringify(rows, null, 2));
  await engine.db.destroy();
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

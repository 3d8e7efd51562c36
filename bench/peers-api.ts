/*
 * Benchmark: GET /apps (with peer counts) and GET /apps/:id/peers at
 * 100,000 people in 5,000 groups, 1,000 apps and 2,000,000 assignments on
 * PostgreSQL. Prints latency percentiles and throughput, and the query plans
 * the peer counts rely on.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/peers-api.ts
 *
 * Env: BENCH_PG (default postgresql://postgres@127.0.0.1:5432), BENCH_DB
 * (default app_access_bench), BENCH_SECONDS (default 30), BENCH_CONNECTIONS
 * (default 10), BENCH_RESEED=1 to rebuild the data set.
 *
 * It serves the real App Access router and queries over HTTP with
 * autocannon; only Backstage's token check is replaced (a header names the
 * user), so the figures are App Access's own cost.
 */
import express from 'express';
import knexFactory, { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { ConfigReader } from '@backstage/config';
import { AppAccessEngine } from '../plugins/app-access-backend/src/AppAccessEngine';
import { createRouter } from '../plugins/app-access-backend/src/service/router';

const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const DB = process.env.BENCH_DB ?? 'app_access_bench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const PEOPLE = 100_000;
const GROUPS = 5_000;
const APPS = 1_000;
const PER_PERSON = 20; // 2,000,000 assignments
const TITLES = 400;
const DEPARTMENTS = 25;

const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

async function database(): Promise<Knex> {
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
  const exists = await admin.raw('select 1 from pg_database where datname = ?', [DB]);
  if (!exists.rows.length) await admin.raw(`create database ${DB}`);
  await admin.destroy();
  return knexFactory({ client: 'pg', connection: `${PG}/${DB}`, pool: { min: 2, max: 10 } });
}

async function seed(knex: Knex) {
  const [{ n }] = (await knex('app_assignments').count({ n: '*' })) as any;
  // A few generated pairs collide and are dropped, hence "at least 99%".
  if (Number(n) >= PEOPLE * PER_PERSON * 0.99 && !process.env.BENCH_RESEED) {
    console.log(`data set present: ${Number(n).toLocaleString()} assignments`);
    return;
  }
  const t0 = Date.now();
  console.log('seeding 100k people, 5k groups, 1k apps, 2M assignments ...');
  await knex.raw('truncate app_assignments, person_groups, people, usage_rollups, app_tiers, apps cascade');
  const now = new Date().toISOString();
  await knex.raw(
    `insert into apps (id, name, vendor, category, description, listed, external_ids, source, admin_modified, created_at, updated_at)
     select 'app-' || lpad(i::text, 4, '0'), 'App ' || lpad(i::text, 4, '0'), 'Vendor ' || (i % 97),
            (array['Communication','Project management','Design','Engineering','Sales','Marketing','Finance','HR','Security','Productivity','Analytics','Support'])[1 + i % 12],
            'Benchmark app ' || i, true, '{}', 'admin', true, ?, ?
     from generate_series(1, ${APPS}) i`,
    [now, now],
  );
  await knex.raw(
    `insert into app_tiers (app_id, id, name, position, fulfillment)
     select 'app-' || lpad(i::text, 4, '0'), 'standard', 'Standard', 0, '{"type":"manual"}'
     from generate_series(1, ${APPS}) i`,
  );
  await knex.raw(
    `insert into people (ref, email, display_name, department, title, source, active, updated_at)
     select 'user:default/u' || i, 'u' || i || '@bench.example', 'User ' || i,
            'Dept ' || (i % ${DEPARTMENTS}), 'Title ' || (i % ${TITLES}), 'okta', true, ?
     from generate_series(1, ${PEOPLE}) i`,
    [now],
  );
  // 20 people per group; a tenth of people also belong to a second group.
  await knex.raw(
    `insert into person_groups (person_ref, group_ref)
     select 'user:default/u' || i, 'group:default/g' || (i % ${GROUPS}) from generate_series(1, ${PEOPLE}) i
     union all
     select 'user:default/u' || i, 'group:default/g' || ((i * 7 + 1) % ${GROUPS}) from generate_series(1, ${PEOPLE}) i where i % 10 = 0`,
  );
  // Skewed: low-numbered apps are popular; each person has 20 distinct apps,
  // teammates share most of them.
  await knex.raw(
    `insert into app_assignments (person_ref, app_id, source, since)
     select 'user:default/u' || i,
            'app-' || lpad((1 + ((((i % ${GROUPS}) * 13) + k * k * 7 + (case when k < 12 then 0 else i end)) % ${APPS}))::text, 4, '0'),
            'okta-group', ?
     from generate_series(1, ${PEOPLE}) i, generate_series(0, ${PER_PERSON - 1}) k
     on conflict do nothing`,
    [now],
  );
  await knex.raw('analyze');
  const [{ m }] = (await knex('app_assignments').count({ m: '*' })) as any;
  console.log(`seeded ${Number(m).toLocaleString()} assignments in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(result: autocannon.Result, latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1);
  return `p50 ${f(percentile(sorted, 50))} ms, p95 ${f(percentile(sorted, 95))} ms, p99 ${f(percentile(sorted, 99))} ms, max ${f(sorted[sorted.length - 1])} ms; ${result.requests.average} req/s (${sorted.length} requests); ${result.non2xx} non-2xx, ${result.errors} errors`;
}

/** The server runs in its own process so the load generator does not share its event loop. */
async function serve() {
  const knex = await database();
  const engine = await AppAccessEngine.create({ config: new ConfigReader({}), logger: silentLogger, knex });
  const httpAuth: any = {
    async credentials(req: express.Request) {
      const user = req.header('x-bench-user') ?? 'user:default/u1';
      return { $$type: '@backstage/BackstageCredentials', principal: { type: 'user', userEntityRef: user } };
    },
  };
  const userInfo: any = {
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef;
      return { userEntityRef: ref, ownershipEntityRefs: [ref] };
    },
  };
  const permissions: any = { authorize: async (r: unknown[]) => r.map(() => ({ result: 'ALLOW' })) };
  const auditor: any = { createEvent: async () => ({ success: async () => {}, fail: async () => {} }) };
  const app = express();
  app.use('/api/app-access', await createRouter({ httpAuth, userInfo, permissions, auditor, ...engine.routerParts() }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise(r => server.once('listening', r));
  process.send!({ port: (server.address() as AddressInfo).port, bench: true });
  process.on('disconnect', () => process.exit(0));
}

async function main() {
  const knex = await database();
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({}),
    logger: silentLogger,
    knex,
  });
  await seed(knex);
  const t1 = Date.now();
  await engine.usage.recomputeRollups();
  console.log(`rollups recomputed in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  const child = fork(__filename, [], {
    env: { ...process.env, BENCH_ROLE: 'server' },
    execArgv: ['--require', require.resolve('@backstage/cli/config/nodeTransform.cjs')],
  });
  const port: number = await new Promise((resolve, reject) => {
    child.on('message', (m: any) => {
      if (m && typeof m.port === 'number') resolve(m.port);
    });
    child.once('exit', code => reject(new Error(`bench server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}/api/app-access`;

  const randomUser = () => `user:default/u${1 + Math.floor(Math.random() * PEOPLE)}`;
  const randomApp = () => `app-${String(1 + Math.floor(Math.random() * APPS)).padStart(4, '0')}`;

  // Sanity: one response, so the figures measure real answers.
  const sample = await fetch(`${base}/apps`, { headers: { 'x-bench-user': 'user:default/u42' } });
  const body = await sample.json();
  console.log(`GET /apps sample: ${sample.status}, ${body.items.length} apps, first ${body.items[0].id} peers ${JSON.stringify(body.items[0].peers)}`);

  const run = (title: string, path: () => string) =>
    new Promise<string>((resolve, reject) => {
      const latencies: number[] = [];
      const instance = autocannon(
        {
          url: base,
          connections: CONNECTIONS,
          duration: SECONDS,
          requests: [
            {
              setupRequest: (req: any) => ({
                ...req,
                path: `/api/app-access${path()}`,
                headers: { ...req.headers, 'x-bench-user': randomUser() },
              }),
            },
          ],
        },
        (err, result) => (err ? reject(err) : resolve(summary(result, latencies))),
      );
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
        latencies.push(responseTime);
      });
      console.log(`running ${title} for ${SECONDS} s with ${CONNECTIONS} connections ...`);
    });

  const apps = await run('GET /apps', () => '/apps');
  console.log(`GET /apps (50 apps with peer counts, random users): ${apps}`);
  const peers = await run('GET /apps/:id/peers', () => `/apps/${randomApp()}/peers`);
  console.log(`GET /apps/:id/peers (random users and apps): ${peers}`);

  // The plans the counts rely on, for one user.
  const viewer = await engine.peers.viewer('user:default/u42');
  const pageIds = body.items.map((a: any) => a.id);
  const teamPlan = await knex.raw(
    `explain analyze select a.app_id, count(distinct a.person_ref) from person_groups pg
     join app_assignments a on a.person_ref = pg.person_ref
     where pg.group_ref = any(?) and pg.person_ref <> ? and a.app_id = any(?) group by a.app_id`,
    [viewer.groups, viewer.ref, pageIds],
  );
  console.log('\nteam counts plan:\n' + teamPlan.rows.map((r: any) => r['QUERY PLAN']).join('\n'));
  const rolePlan = await knex.raw(
    `explain analyze select app_id, users from usage_rollups where dimension = 'title' and value = ? and app_id = any(?)`,
    [viewer.title, pageIds],
  );
  console.log('\nrole counts plan:\n' + rolePlan.rows.map((r: any) => r['QUERY PLAN']).join('\n'));

  child.disconnect();
  child.kill();
  await engine.db.destroy();
}

(process.env.BENCH_ROLE === 'server' ? serve() : main()).catch(error => {
  console.error(error);
  process.exit(1);
});

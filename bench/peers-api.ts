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
 * (default 10), BENCH_WARMUP (seconds of load before each route that are not
 * counted, default 3), BENCH_RESEED=1 to rebuild the data set (otherwise a seeded
 * database is reused), BENCH_ROUTES (default apps,peers; also apps-team for
 * GET /apps?sort=team), BENCH_PROFILE=1 to print, per route, the queries per
 * request with their mean time, the server's CPU per request and event-loop
 * utilisation and PostgreSQL's CPU per request, BENCH_CPU_PROF=<dir> to write
 * a V8 CPU profile of the server process, BENCH_AUTH=backstage to check each
 * request's token with Backstage's own auth services (ES256 user tokens
 * verified against a JWKS, as a real backend does) instead of the header.
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
import { createRouter } from '../plugins/app-access-backend/src/service/createRouter';
import {
  PeerReads,
  PERSON_SQL,
} from '../plugins/app-access-backend/src/database/PeerReads';

const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const DB = process.env.BENCH_DB ?? 'app_access_bench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
// Not counted: fills the connection pool (and its prepared statements) and the caches.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
// One group (g77, like 90% of the people), whose members' apps include some of the first page's.
const SAMPLE_USER = 'user:default/u77';

// Smaller with BENCH_PEOPLE / BENCH_GROUPS / BENCH_APPS (bench/run.mjs --smoke).
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 5_000);
const APPS = Number(process.env.BENCH_APPS ?? 1_000);
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
  const exists = await admin.raw(
    'select 1 from pg_database where datname = ?',
    [DB],
  );
  if (!exists.rows.length) await admin.raw(`create database ${DB}`);
  await admin.destroy();
  return knexFactory({
    client: 'pg',
    connection: `${PG}/${DB}`,
    pool: { min: 2, max: 10 },
  });
}

async function seed(knex: Knex) {
  const [{ n }] = (await knex('app_assignments').count({ n: '*' })) as any;
  // A few generated pairs collide and are dropped, hence "at least 99%".
  if (Number(n) >= PEOPLE * PER_PERSON * 0.99 && !process.env.BENCH_RESEED) {
    console.log(`data set present: ${Number(n).toLocaleString()} assignments`);
    return;
  }
  const t0 = Date.now();
  console.log(
    `seeding ${PEOPLE} people, ${GROUPS} groups, ${APPS} apps, ${
      PEOPLE * PER_PERSON
    } assignments ...`,
  );
  await knex.raw(
    'truncate app_assignments, person_groups, people, usage_rollups, app_tiers, apps cascade',
  );
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
     from generate_series(1, ${PEOPLE}) i, generate_series(0, ${
      PER_PERSON - 1
    }) k
     on conflict do nothing`,
    [now],
  );
  // Autovacuum would set the visibility map on a long-lived database; without
  // it index-only scans fetch heap pages.
  await knex.raw('vacuum analyze');
  const [{ m }] = (await knex('app_assignments').count({ m: '*' })) as any;
  console.log(
    `seeded ${Number(m).toLocaleString()} assignments in ${(
      (Date.now() - t0) /
      1000
    ).toFixed(1)} s`,
  );
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

type Figures = {
  text: string;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
};

function summary(result: autocannon.Result, latencies: number[]): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1);
  const text = `p50 ${f(percentile(sorted, 50))} ms, p95 ${f(
    percentile(sorted, 95),
  )} ms, p99 ${f(percentile(sorted, 99))} ms, max ${f(
    sorted[sorted.length - 1],
  )} ms; ${result.requests.average} req/s (${sorted.length} requests); ${
    result.non2xx
  } non-2xx, ${result.errors} errors`;
  return {
    text,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    rps: result.requests.average,
    requests: sorted.length,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** The server runs in its own process so the load generator does not share its event loop. */
async function serve() {
  const knex = await database();
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({}),
    logger: silentLogger,
    knex,
  });
  let httpAuth: any = {
    async credentials(req: express.Request) {
      const user = req.header('x-bench-user') ?? 'user:default/u1';
      return {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: user },
      };
    },
  };
  let userInfo: any = {
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef;
      return { userEntityRef: ref, ownershipEntityRefs: [ref] };
    },
  };
  const permissions: any = {
    authorize: async (r: unknown[]) => r.map(() => ({ result: 'ALLOW' })),
  };
  const auditor: any = {
    createEvent: async () => ({
      success: async () => {},
      fail: async () => {},
    }),
  };
  const app = express();
  const profile = profiler(knex);
  if (profile) app.use(profile.middleware);
  if (process.env.BENCH_AUTH === 'backstage') {
    ({ httpAuth, userInfo } = backstageAuth(
      app,
      () => (server.address() as AddressInfo).port,
    ));
  }
  app.use(
    '/api/app-access',
    await createRouter({
      httpAuth,
      userInfo,
      permissions,
      auditor,
      services: engine.services(),
    }),
  );
  const server: import('node:http').Server = app.listen(0, '127.0.0.1');
  await new Promise(r => server.once('listening', r));
  process.on('message', async (m: any) => {
    if (m?.stats === 'reset') profile?.reset();
    if (m?.stats === 'read') process.send!({ stats: profile?.read() });
    if (m?.authTokens) {
      // The token check alone, as each request runs it (a fresh request
      // object each time: httpAuth caches per request only).
      const once = async (token: string) =>
        userInfo.getUserInfo(
          await httpAuth.credentials(
            { headers: { authorization: `Bearer ${token}` } },
            { allow: ['user'] },
          ),
        );
      const tokens: string[] = m.authTokens;
      for (const t of tokens.slice(0, 200)) await once(t);
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      for (const t of tokens) await once(t);
      const cpu = process.cpuUsage(cpu0);
      process.send!({
        auth: {
          calls: tokens.length,
          cpuMs: (cpu.user + cpu.system) / 1000 / tokens.length,
          wallMs: (Date.now() - t0) / tokens.length,
        },
      });
    }
  });
  process.send!({ port: (server.address() as AddressInfo).port, bench: true });
  process.on('disconnect', () => process.exit(0));
}

/**
 * Backstage's own token check, as the backend's auth, httpAuth and userInfo
 * services do it (the classes from @backstage/backend-defaults): the user
 * token is an ES256 JWT verified against the auth backend's JWKS (served
 * here, fetched once and cached like in a real backend); user info is cached
 * per token for 5 s. Only the key and the discovery are the bench's.
 */
function backstageAuth(app: express.Express, port: () => number) {
  const dist = require('node:path').join(
    require('node:path').dirname(
      require.resolve('@backstage/backend-defaults/package.json'),
    ),
    'dist/entrypoints',
  );
  const {
    UserTokenHandler,
  } = require(`${dist}/auth/user/UserTokenHandler.cjs.js`);
  const {
    DefaultPluginTokenHandler,
  } = require(`${dist}/auth/plugin/PluginTokenHandler.cjs.js`);
  const {
    DefaultAuthService,
  } = require(`${dist}/auth/DefaultAuthService.cjs.js`);
  const {
    DefaultHttpAuthService,
  } = require(`${dist}/httpAuth/httpAuthServiceFactory.cjs.js`);
  const {
    DefaultUserInfoService,
  } = require(`${dist}/userInfo/DefaultUserInfoService.cjs.js`);
  const {
    CachedUserInfoService,
  } = require(`${dist}/userInfo/CachedUserInfoService.cjs.js`);
  const publicJwk = JSON.parse(process.env.BENCH_AUTH_JWK!);
  app.get('/api/auth/.well-known/jwks.json', (_req, res) =>
    res.json({ keys: [publicJwk] }),
  );
  const discovery = {
    getBaseUrl: async (plugin: string) =>
      `http://127.0.0.1:${port()}/api/${plugin}`,
    getExternalBaseUrl: async (plugin: string) =>
      `http://127.0.0.1:${port()}/api/${plugin}`,
  };
  const logger = silentLogger;
  const userTokens = UserTokenHandler.create({ discovery, logger });
  const pluginTokens = DefaultPluginTokenHandler.create({
    ownPluginId: 'app-access',
    logger,
    keySource: {},
    keyDuration: { hours: 1 },
    discovery,
  });
  const externalTokens = { verifyToken: async () => undefined };
  const auth = new DefaultAuthService(
    userTokens,
    pluginTokens,
    externalTokens,
    'app-access',
    false,
    {},
  );
  return {
    httpAuth: DefaultHttpAuthService.create({
      auth,
      discovery,
      pluginId: 'app-access',
    }),
    userInfo: new CachedUserInfoService(
      new DefaultUserInfoService({ discovery }),
    ),
  };
}

/** Signs Backstage user tokens (as the auth backend issues them) for BENCH_AUTH=backstage. */
async function tokenSigner() {
  const jose = await import('jose');
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', {
    extractable: true,
  });
  const kid = 'bench-key';
  const publicJwk = {
    ...(await jose.exportJWK(publicKey)),
    kid,
    alg: 'ES256',
    use: 'sig',
  };
  const sign = (sub: string) =>
    new jose.SignJWT({ sub, ent: [sub], aud: 'backstage', uip: 'bench' })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'vnd.backstage.user' })
      .setIssuer('http://127.0.0.1/api/auth')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  return { publicJwk, sign };
}

/** BENCH_PROFILE=1: per-statement counts and times, CPU and event-loop use of the server. */
function profiler(knex: Knex) {
  if (!process.env.BENCH_PROFILE) return undefined;
  const { performance } =
    require('node:perf_hooks') as typeof import('node:perf_hooks');
  let statements = new Map<string, { n: number; ms: number }>();
  const started = new Map<string, number>();
  let requests = 0;
  let handlerMs = 0;
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let since = performance.now();
  knex.on('query', (q: any) =>
    started.set(q.__knexQueryUid, performance.now()),
  );
  knex.on('query-response', (_r: unknown, q: any) => {
    const t0 = started.get(q.__knexQueryUid);
    started.delete(q.__knexQueryUid);
    const key = String(q.sql)
      .replace(/\$\d+(, \$\d+)*/g, '$n…')
      .slice(0, 160);
    const e = statements.get(key) ?? { n: 0, ms: 0 };
    e.n += 1;
    e.ms += t0 === undefined ? 0 : performance.now() - t0;
    statements.set(key, e);
  });
  return {
    middleware(
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) {
      const t0 = performance.now();
      res.once('finish', () => {
        requests += 1;
        handlerMs += performance.now() - t0;
      });
      next();
    },
    reset() {
      statements = new Map();
      requests = 0;
      handlerMs = 0;
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      since = performance.now();
    },
    read() {
      const used = process.cpuUsage(cpu);
      return {
        requests,
        seconds: (performance.now() - since) / 1000,
        handlerMs,
        cpuMs: (used.user + used.system) / 1000,
        elu: performance.eventLoopUtilization(elu).utilization,
        statements: [...statements.entries()].sort((a, b) => b[1].ms - a[1].ms),
      };
    },
  };
}

/** CPU time (ms) of every PostgreSQL process on this machine, from /proc. */
function postgresCpuMs(): number {
  const fs = require('node:fs') as typeof import('node:fs');
  const tick = 1000 / 100; // USER_HZ
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // gone
    }
  }
  return total;
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
  // The recompute deletes and reinserts every row; autovacuum would clean up
  // after it (it is off on this machine's PostgreSQL), else index scans of
  // usage_rollups wade through dead rows.
  await knex.raw('vacuum analyze usage_rollups');
  console.log(
    `rollups recomputed in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
  );

  const realAuth = process.env.BENCH_AUTH === 'backstage';
  const signer = realAuth ? await tokenSigner() : undefined;
  const child = fork(__filename, [], {
    env: {
      ...process.env,
      BENCH_ROLE: 'server',
      ...(signer ? { BENCH_AUTH_JWK: JSON.stringify(signer.publicJwk) } : {}),
    },
    execArgv: [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
    ],
  });
  const childStats = () =>
    new Promise<any>(resolve => {
      const on = (m: any) => {
        if (m && 'stats' in m) {
          child.off('message', on);
          resolve(m.stats);
        }
      };
      child.on('message', on);
      child.send({ stats: 'read' });
    });
  const port: number = await new Promise((resolve, reject) => {
    child.on('message', (m: any) => {
      if (m && typeof m.port === 'number') resolve(m.port);
    });
    child.once('exit', code =>
      reject(new Error(`bench server exited with ${code}`)),
    );
  });
  const base = `http://127.0.0.1:${port}/api/app-access`;

  const randomUser = () =>
    `user:default/u${1 + Math.floor(Math.random() * PEOPLE)}`;
  // With real auth, a token for every user, signed up front (signing per
  // request would load the load generator instead).
  const tokens: string[] = [];
  if (signer) {
    const t0 = Date.now();
    for (let i = 1; i <= PEOPLE; i++)
      tokens.push(await signer.sign(`user:default/u${i}`));
    console.log(
      `auth: Backstage user tokens (ES256) signed for all ${
        tokens.length
      } users in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const userHeaders = (): Record<string, string> => {
    if (!signer) return { 'x-bench-user': randomUser() };
    return {
      authorization: `Bearer ${
        tokens[Math.floor(Math.random() * tokens.length)]
      }`,
    };
  };
  const randomApp = () =>
    `app-${String(1 + Math.floor(Math.random() * APPS)).padStart(4, '0')}`;

  // Sanity: one response, so the figures measure real answers.
  const sample = await fetch(`${base}/apps`, {
    headers: signer
      ? { authorization: `Bearer ${await signer.sign(SAMPLE_USER)}` }
      : { 'x-bench-user': SAMPLE_USER },
  });
  const body = await sample.json();
  console.log(
    `GET /apps sample for ${SAMPLE_USER}: ${sample.status}, ${body.items.length} apps, ` +
      `${JSON.stringify(body).length} bytes; with peers: ${body.items
        .filter((a: any) => a.peers.team || a.peers.role)
        .map((a: any) => `${a.id} ${JSON.stringify(a.peers)}`)
        .join(', ')}`,
  );

  const blocks = async () => {
    const [row] = (
      await knex.raw(
        'select blks_hit, blks_read from pg_stat_database where datname = current_database()',
      )
    ).rows;
    return { hit: Number(row.blks_hit), read: Number(row.blks_read) };
  };
  const run = async (title: string, path: () => string) => {
    if (WARMUP > 0) await load(`${title} (warm-up, not counted)`, path, WARMUP);
    child.send({ stats: 'reset' });
    const pg0 = postgresCpuMs();
    const blocks0 = await blocks();
    const own0 = process.cpuUsage();
    const figures = await load(title, path);
    const text = figures.text;
    if (!process.env.BENCH_PROFILE) return figures;
    const stats = await childStats();
    const pgMs = postgresCpuMs() - pg0;
    const own = process.cpuUsage(own0);
    const blocks1 = await blocks();
    const per = (x: number) => (x / Math.max(1, stats.requests)).toFixed(2);
    const lines = [
      text,
      `  server: ${stats.requests} requests in ${stats.seconds.toFixed(
        1,
      )} s, ${per(
        stats.handlerMs,
      )} ms in the handler (arrival to response sent), ` +
        `${per(stats.cpuMs)} ms Node CPU, event loop ${(
          stats.elu * 100
        ).toFixed(0)} % busy; ` +
        `PostgreSQL ${per(pgMs)} ms CPU; load generator ${per(
          (own.user + own.system) / 1000,
        )} ms CPU (per request)`,
      `  queries per request: ${per(
        stats.statements.reduce((n: number, [, e]: any) => n + e.n, 0),
      )}; ` +
        `PostgreSQL buffers per request: ${per(
          blocks1.hit - blocks0.hit,
        )} hit in shared_buffers, ${per(
          blocks1.read - blocks0.read,
        )} read (from the OS cache)`,
      ...stats.statements
        .slice(0, 12)
        .map(
          ([sql, e]: any) =>
            `    ${(e.n / Math.max(1, stats.requests)).toFixed(2)} × ${(
              e.ms / e.n
            ).toFixed(2)} ms  ${sql}`,
        ),
    ];
    return { ...figures, text: lines.join('\n') };
  };

  const load = (title: string, path: () => string, seconds = SECONDS) =>
    new Promise<Figures>((resolve, reject) => {
      const latencies: number[] = [];
      const instance = autocannon(
        {
          url: base,
          connections: CONNECTIONS,
          duration: seconds,
          requests: [
            {
              setupRequest: (req: any) => ({
                ...req,
                path: `/api/app-access${path()}`,
                headers: { ...req.headers, ...userHeaders() },
              }),
            },
          ],
        },
        (err, result) =>
          err ? reject(err) : resolve(summary(result, latencies)),
      );
      instance.on(
        'response',
        (
          _client: unknown,
          _status: number,
          _bytes: number,
          responseTime: number,
        ) => {
          latencies.push(responseTime);
        },
      );
      console.log(
        `running ${title} for ${seconds} s with ${CONNECTIONS} connections ...`,
      );
    });

  const routes = (process.env.BENCH_ROUTES ?? 'apps,peers').split(',');
  const loadBefore = require('node:os')
    .loadavg()
    .map((l: number) => l.toFixed(2))
    .join(' ');
  console.log(`load average before: ${loadBefore}`);
  // The baseline, same server, same run: GET /health (no auth, no database).
  const figures: Record<string, Figures> = {};
  if (routes.some(r => r !== 'none')) {
    figures.health = await run('GET /health', () => '/health');
    console.log(`GET /health (baseline): ${figures.health.text}`);
  }
  if (routes.includes('apps')) {
    figures.apps = await run('GET /apps', () => '/apps');
    console.log(
      `GET /apps (50 apps with peer counts, random users): ${figures.apps.text}`,
    );
  }
  if (routes.includes('apps-team')) {
    figures.appsTeam = await run(
      'GET /apps?sort=team',
      () => '/apps?sort=team',
    );
    console.log(
      `GET /apps?sort=team (whole catalog ranked, first 50, random users): ${figures.appsTeam.text}`,
    );
  }
  if (routes.includes('peers')) {
    figures.peers = await run(
      'GET /apps/:id/peers',
      () => `/apps/${randomApp()}/peers`,
    );
    console.log(
      `GET /apps/:id/peers (random users and apps): ${figures.peers.text}`,
    );
  }
  const loadAfter = require('node:os')
    .loadavg()
    .map((l: number) => l.toFixed(2))
    .join(' ');
  console.log(`load average after: ${loadAfter}`);
  if (process.env.BENCH_RESULT_FILE) {
    // For bench/run.mjs: one row per route, GET /health of the same run as baseline.
    const base = figures.health;
    const rows = (
      [
        ['apps', 'GET /apps p95', 25],
        ['appsTeam', 'GET /apps?sort=team p95', undefined],
        ['peers', 'GET /apps/:id/peers p95', undefined],
      ] as const
    )
      .filter(([key]) => figures[key])
      .map(([key, name, target]) => ({
        name: `${name} (${PEOPLE.toLocaleString('en')} people, ${
          figures[key].rps
        } req/s)`,
        figure: figures[key].p95,
        unit: 'ms',
        baseline: base?.p95,
        baselineName: 'GET /health p95',
        ratio: base ? figures[key].p95 / base.p95 : undefined,
        target:
          target === undefined
            ? undefined
            : { op: '<=', value: target, of: 'figure' },
        note: `${figures[key].non2xx} non-2xx, ${figures[key].errors} errors`,
      }));
    require('node:fs').writeFileSync(
      process.env.BENCH_RESULT_FILE,
      JSON.stringify(
        { rows, loadavg: { before: loadBefore, after: loadAfter }, figures },
        null,
        2,
      ),
    );
  }
  if (signer) {
    const auth: any = await new Promise(resolve => {
      const on = (m: any) => {
        if (m?.auth) {
          child.off('message', on);
          resolve(m.auth);
        }
      };
      child.on('message', on);
      child.send({ authTokens: tokens.slice(0, 5000) });
    });
    console.log(
      `auth: Backstage's token check (httpAuth.credentials + userInfo.getUserInfo) alone, ${auth.calls} calls in the server: ` +
        `${auth.cpuMs.toFixed(3)} ms CPU, ${auth.wallMs.toFixed(
          3,
        )} ms wall per call`,
    );
  }

  // The plans of the two statements a GET /apps runs, for the sample user
  // (their team uses some apps of the first page): as a one-off statement
  // (custom plan) and as the server runs it after a few executions, a named
  // prepared statement (generic plan).
  const reads = new PeerReads(knex);
  const viewer = await engine.peers.viewer(SAMPLE_USER);
  const pageIds = body.items.map((a: any) => a.id);
  const statement = reads.countsStatement(
    viewer.ref,
    viewer.groups,
    'title',
    viewer.title,
    pageIds,
    true,
  )!;
  const plans = async (
    title: string,
    text: string,
    bindings: readonly any[],
  ) => {
    const custom = await knex.raw(
      `explain (analyze, buffers) ${text}`,
      bindings as any[],
    );
    console.log(
      `\n${title}, one-off (custom plan):\n${custom.rows
        .map((r: any) => r['QUERY PLAN'])
        .join('\n')}`,
    );
    const native = knex
      .raw(text, bindings as any[])
      .toSQL()
      .toNative();
    await knex.transaction(async tx => {
      await tx.raw(`prepare bench_plan as ${native.sql}`);
      await tx.raw(`set local plan_cache_mode = force_generic_plan`);
      // EXPLAIN takes no bind parameters: the values are written into the text.
      const execute = tx
        .raw(
          `execute bench_plan(${native.bindings.map(() => '?').join(', ')})`,
          native.bindings as any[],
        )
        .toQuery();
      const generic = await tx.raw(`explain (analyze, buffers) ${execute}`);
      console.log(
        `\n${title}, prepared (generic plan):\n${generic.rows
          .map((r: any) => r['QUERY PLAN'])
          .join('\n')}`,
      );
      await tx.raw('deallocate bench_plan');
    });
  };
  await plans(
    `peer counts + the caller's requests for the first page (${
      viewer.ref
    }, groups ${viewer.groups.join(', ')}, ${viewer.title})`,
    statement.text,
    statement.bindings,
  );
  await plans('the caller with their groups', PERSON_SQL, [viewer.ref]);

  // Let the server exit by itself (so that --cpu-prof can write its profile).
  const exited = new Promise(r => child.once('exit', r));
  child.disconnect();
  await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
  child.kill();
  await engine.db.destroy();
  if (process.env.BENCH_DROP) {
    const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
    await admin.raw(`drop database if exists ${DB} with (force)`);
    await admin.destroy();
  }
}

(process.env.BENCH_ROLE === 'server' ? serve() : main()).catch(error => {
  console.error(error);
  process.exit(1);
});

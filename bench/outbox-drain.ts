/*
 * Benchmark: the outbox drain against vendor rate limits (issue #20 target 5).
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/outbox-drain.ts
 *   (or: node bench/run.mjs drain)
 *
 * The real engine (AppAccessEngine on PostgreSQL, database bench_drain,
 * dropped and created afresh) with the real Zendesk and Okta fulfillers
 * talking to the in-process Zendesk and Okta fakes, each enforcing a rate
 * limit with the vendor's own headers (Zendesk: X-Rate-Limit(-Remaining),
 * ratelimit-reset, 429 + Retry-After; Okta: X-Rate-Limit-Limit/-Remaining/
 * -Reset per endpoint family). BENCH_REQUESTS people each submit one request
 * for a Zendesk-ticket tier and one for an Okta-group tier, both "no approval
 * needed", through `RequestWorkflow.submit` (the engine's own API: approved
 * at once, fulfil job and the requester's notice queued in the same
 * transaction) while the outbox worker is stopped. Then the worker starts and
 * the drain is timed until every request is fulfilled (Okta) or awaiting IT
 * with its ticket (Zendesk).
 *
 * The floor is what the limits allow for the calls a fulfilment must make:
 * Zendesk 2 a request (look the ticket up by external_id, create it), Okta 1
 * in the users family (the user) and 2 in the groups family (the group, the
 * membership PUT); each vendor's floor is its busiest bucket's calls / limit ×
 * window, and both drain at once, so the run's floor is the larger of the two.
 *
 * Checked from the fakes' side: one ticket per request (external_id = request
 * id), one membership per person; 429s as the fakes answered them.
 *
 * Env: BENCH_REQUESTS (10000 per vendor), BENCH_ZENDESK_LIMIT (700, Zendesk
 * Enterprise's per-minute limit), BENCH_OKTA_LIMIT (600 per family),
 * BENCH_WINDOW_SECONDS (60), BENCH_CONCURRENCY (outbox concurrency, 16),
 * BENCH_NOTICE_CONCURRENCY (the notices' own slots, 2), BENCH_RESERVE (percent of each window the throttles leave unused, 2),
 * BENCH_PACED=0 (the fulfillers without their throttles: the old behaviour).
 */
import knexFactory, { Knex } from 'knex';
import { ConfigReader } from '@backstage/config';
import { freshDatabase, percentile, silentLogger } from './lib/engine';
import { App } from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { AppAccessEngine } from '../plugins/app-access-backend/src/AppAccessEngine';
import { OutboxStore } from '../plugins/app-access-backend/src/database/OutboxStore';
import { FakeZendesk } from '../plugins/app-access-backend-module-zendesk/src/testing/FakeZendesk';
import { ZendeskClient } from '../plugins/app-access-backend-module-zendesk/src/ZendeskClient';
import { ZendeskFulfiller } from '../plugins/app-access-backend-module-zendesk/src/ZendeskFulfiller';
import { ZendeskThrottle } from '../plugins/app-access-backend-module-zendesk/src/ZendeskThrottle';
import { readZendeskConfig } from '../plugins/app-access-backend-module-zendesk/src/config';
import { FakeOkta } from '../plugins/app-access-backend-module-okta/src/testing/FakeOkta';
import {
  createOktaClient,
  OktaApi,
} from '../plugins/app-access-backend-module-okta/src/OktaApi';
import { OktaFulfiller } from '../plugins/app-access-backend-module-okta/src/OktaFulfiller';
import { readOktaConfig } from '../plugins/app-access-backend-module-okta/src/config';
import { ThrottledRequestExecutor } from '../plugins/app-access-backend-module-okta/src/sync/OktaSyncClient';
import { OktaThrottle } from '../plugins/app-access-backend-module-okta/src/sync/OktaThrottle';

const env = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
  return value;
};

const SMOKE = process.env.BENCH_SMOKE === '1';
const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const DB =
  process.env.BENCH_DB ?? (SMOKE ? 'bench_drain_smoke' : 'bench_drain');
const REQUESTS = env('BENCH_REQUESTS', SMOKE ? 50 : 10_000);
const ZENDESK_LIMIT = env('BENCH_ZENDESK_LIMIT', SMOKE ? 40 : 700);
const OKTA_LIMIT = env('BENCH_OKTA_LIMIT', SMOKE ? 40 : 600);
const WINDOW_S = env('BENCH_WINDOW_SECONDS', SMOKE ? 3 : 60);
const CONCURRENCY = env('BENCH_CONCURRENCY', 16);
const NOTICE_CONCURRENCY = env('BENCH_NOTICE_CONCURRENCY', 2);
const RESERVE = env('BENCH_RESERVE', 2);
const PACED = process.env.BENCH_PACED !== '0';
const GROUP = '00gbenchdrain0000001';

function database(): Promise<Knex> {
  return freshDatabase(PG, DB, 20);
}

class MapDirectory implements AppAccessDirectory {
  private readonly byRef = new Map<string, DirectoryPerson>();
  private readonly byEmail = new Map<string, DirectoryPerson>();
  constructor(people: DirectoryPerson[]) {
    for (const p of people) {
      this.byRef.set(p.ref, p);
      if (p.email) this.byEmail.set(p.email.toLowerCase(), p);
    }
  }
  async getPerson(ref: string) {
    return this.byRef.get(ref);
  }
  async getGroupMembers() {
    return [];
  }
  async findPersonByEmail(email: string) {
    return this.byEmail.get(email.toLowerCase());
  }
  async findPeopleByEmail(email: string) {
    const p = this.byEmail.get(email.toLowerCase());
    return p ? [p] : [];
  }
}

const apps: App[] = [
  {
    id: 'drain-zendesk',
    name: 'Drain Zendesk',
    category: 'Benchmark',
    listed: true,
    externalIds: {},
    approval: { required: 'nobody' },
    tiers: [{ id: 'std', name: 'Standard', fulfillment: { type: 'ticket' } }],
  },
  {
    id: 'drain-okta',
    name: 'Drain Okta',
    category: 'Benchmark',
    listed: true,
    externalIds: {},
    approval: { required: 'nobody' },
    tiers: [
      {
        id: 'std',
        name: 'Standard',
        fulfillment: { type: 'okta-group', oktaGroupId: GROUP },
      },
    ],
  },
];

async function main() {
  const load0 = require('node:os').loadavg();
  console.log(
    `drain: ${REQUESTS} requests per vendor; Zendesk ${ZENDESK_LIMIT} and Okta ${OKTA_LIMIT} (per family) calls per ${WINDOW_S} s window; outbox concurrency ${CONCURRENCY} + ${NOTICE_CONCURRENCY} for notices; throttles ${
      PACED ? `on, ${RESERVE}% reserve` : 'OFF'
    }`,
  );
  const windowMs = WINDOW_S * 1000;
  const zendesk = await FakeZendesk.start();
  zendesk.setRateLimit(ZENDESK_LIMIT, windowMs);
  const okta = await FakeOkta.start({
    rateLimits: {
      users: OKTA_LIMIT,
      groups: OKTA_LIMIT,
      apps: OKTA_LIMIT,
      other: OKTA_LIMIT,
      oauth: OKTA_LIMIT,
      logs: OKTA_LIMIT,
    },
    rateLimitWindowMs: windowMs,
    systemLog: false,
    // Every call of the run stays in the log: its 429s are counted there.
    requestLogLimit: 8 * REQUESTS + 10_000,
  });
  okta.addGroup({ id: GROUP, name: 'Drain benchmark' });
  const people: DirectoryPerson[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const login = `drain.u${String(i).padStart(6, '0')}@bench.example`;
    okta.addUser({ login });
    people.push({ ref: `user:default/drain.u${i}`, email: login, groups: [] });
  }

  const zendeskSettings = readZendeskConfig(
    new ConfigReader({
      appAccess: {
        zendesk: {
          endpointUri: `${zendesk.url}/api/v2`,
          email: zendesk.email,
          apiToken: zendesk.apiToken,
        },
      },
    }),
  )!;
  // Unpaced: a throttle whose reserve is never reached, i.e. none.
  const zendeskThrottle = new ZendeskThrottle({
    reservePercent: PACED ? RESERVE : -1e9,
  });
  const zendeskFulfiller = new ZendeskFulfiller({
    client: new ZendeskClient(zendeskSettings, zendeskThrottle),
    logger: silentLogger,
  });
  const oktaConfig = readOktaConfig(
    new ConfigReader({
      appAccess: { okta: { orgUrl: okta.url, apiToken: 'test-api-token' } },
    }),
  )!;
  const oktaThrottle = new OktaThrottle({ reservePercent: RESERVE });
  const oktaApi = PACED
    ? new OktaApi(
        createOktaClient(
          oktaConfig,
          new ThrottledRequestExecutor(oktaThrottle, {
            requestTimeout: oktaConfig.requestTimeoutMs,
            max429Retries: 0,
          }),
        ),
        oktaConfig,
      )
    : OktaApi.fromConfig(oktaConfig);
  const oktaFulfiller = new OktaFulfiller({
    api: oktaApi,
    logger: silentLogger,
    provisioningTimeoutMs: oktaConfig.provisioningTimeoutMs,
    pollMs: oktaConfig.pollMs,
  });

  const knex = await database();
  // The benchmark's own polling and checks go through a second pool, so the
  // statement count is the engine's alone.
  const observer = knexFactory({
    client: 'pg',
    connection: `${PG}/${DB}`,
    pool: { min: 1, max: 2 },
  });
  let statements = 0;
  const sqlLog: string[] | undefined = process.env.BENCH_LOG_SQL
    ? []
    : undefined;
  knex.on('query', (q: { sql: string }) => {
    statements += 1;
    sqlLog?.push(q.sql);
  });
  const messages: AppAccessMessage[] = [];
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({
      app: { baseUrl: 'http://portal.bench' },
      appAccess: {
        ticketing: { system: 'zendesk' },
        outbox: {
          concurrency: CONCURRENCY,
          noticeConcurrency: NOTICE_CONCURRENCY,
          pollIntervalMs: 200,
        },
      },
    }),
    logger: silentLogger,
    knex,
    directory: new MapDirectory(people),
    fulfillers: [zendeskFulfiller, oktaFulfiller],
    notifiers: [
      {
        id: 'backstage',
        notify: async message => {
          messages.push(message);
          return { unreachable: [] };
        },
      },
    ],
  });
  await engine.seeds.importApps(apps);
  zendeskFulfiller.connect(engine.fulfillerConnection());

  // Seed: every person submits both requests (approved at once, fulfil
  // job queued), 8 at a time, worker stopped.
  const s0 = Date.now();
  let next = 0;
  const submitter = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const caller = {
        userRef: people[i].ref,
        ownershipRefs: [people[i].ref],
      };
      for (const appId of ['drain-zendesk', 'drain-okta']) {
        await engine.workflow.submit(caller, {
          appId,
          tierId: 'std',
          justification: 'drain benchmark',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, submitter));
  const [{ n: queued }] = (
    await observer.raw(
      `select count(*)::int as n from outbox where kind = 'fulfill' and status = 'pending'`,
    )
  ).rows;
  console.log(
    `drain: seeded ${
      REQUESTS * 2
    } approved requests (${queued} fulfil jobs queued) in ${(
      (Date.now() - s0) /
      1000
    ).toFixed(1)} s`,
  );
  // The plans of the claims (the worker's own statement) with every job due.
  const claims = new OutboxStore(observer);
  const plans: Record<string, string[]> = {};
  for (const [lane, kinds] of [
    ['notice lane', ['notify']],
    ['shared lane', undefined],
  ] as const) {
    const plan = await claims.explainClaimPg({
      kinds: kinds && [...kinds],
      analyze: true,
    });
    plans[lane] = plan;
    console.log(
      `drain: plan of the ${lane}'s claim:\n${plan
        .map(line => `  ${line}`)
        .join('\n')}`,
    );
  }

  // Drain.
  statements = 0;
  sqlLog?.splice(0);
  const zendesk429Before = zendesk.rateLimited;
  const t0 = Date.now();
  engine.worker.start();
  let done = 0;
  let zDone = 0;
  let oDone = 0;
  let zDoneAt = 0;
  let oDoneAt = 0;
  const deadline = t0 + Math.max(600_000, 20 * REQUESTS * 100);
  while (Date.now() < deadline) {
    const rows = (
      await observer.raw(
        `select app_id, status, count(*)::int as n from requests group by app_id, status`,
      )
    ).rows as Array<{ app_id: string; status: string; n: number }>;
    zDone = rows
      .filter(r => r.app_id === 'drain-zendesk' && r.status === 'awaiting_it')
      .reduce((a, r) => a + r.n, 0);
    oDone = rows
      .filter(r => r.app_id === 'drain-okta' && r.status === 'fulfilled')
      .reduce((a, r) => a + r.n, 0);
    if (zDone === REQUESTS && !zDoneAt) zDoneAt = Date.now();
    if (oDone === REQUESTS && !oDoneAt) oDoneAt = Date.now();
    done = zDone + oDone;
    if (done === REQUESTS * 2) break;
    await new Promise(r => setTimeout(r, 250));
  }
  const drainS = (Date.now() - t0) / 1000;
  const drainStatements = statements;
  if (sqlLog && process.env.BENCH_LOG_SQL)
    require('node:fs').writeFileSync(
      process.env.BENCH_LOG_SQL,
      sqlLog.join('\n'),
    );
  // Let the last notices go out, then stop.
  for (let i = 0; i < 100; i++) {
    const [{ n }] = (
      await observer.raw(
        `select count(*)::int as n from outbox where status in ('pending', 'running')`,
      )
    ).rows;
    if (n === 0) break;
    await new Promise(r => setTimeout(r, 200));
  }
  await engine.worker.stop();

  // Checked from the fakes' side.
  const tickets = zendesk.tickets;
  const ticketsPerRequest = new Map<string, number>();
  for (const t of tickets)
    ticketsPerRequest.set(
      t.external_id!,
      (ticketsPerRequest.get(t.external_id!) ?? 0) + 1,
    );
  const zendeskRequests = (
    await observer('requests').where('app_id', 'drain-zendesk').select('id')
  ).map((r: { id: string }) => r.id);
  const withoutTicket = zendeskRequests.filter(
    id => (ticketsPerRequest.get(id) ?? 0) === 0,
  ).length;
  const extraTickets = [...ticketsPerRequest.values()].reduce(
    (a, n) => a + (n - 1),
    0,
  );
  const members = okta.groupMembers.get(GROUP)?.size ?? 0;
  const oktaPuts = oktaThrottle.stats.requests.groups ?? 0;
  const zendesk429 = zendesk.rateLimited - zendesk429Before;
  const okta429 = okta.requests.filter(r => r.status === 429).length;
  const dead = (
    await observer('outbox')
      .where('status', 'dead')
      .count<{ n: number }[]>('* as n')
  )[0].n;

  // Notice lag: queued → sent, for the notices of the drain (the requester's
  // "fulfilled" / "awaiting IT" notices queued while fulfil jobs were waiting).
  const lags = (
    await observer.raw(
      `select extract(epoch from (updated_at::timestamptz - created_at::timestamptz)) * 1000 as ms
       from outbox where kind = 'notify' and status = 'done' and created_at::timestamptz >= ?::timestamptz`,
      [new Date(t0).toISOString()],
    )
  ).rows
    .map((r: { ms: string }) => Number(r.ms))
    .sort((a: number, b: number) => a - b);
  const noticeP95 = lags.length ? percentile(lags, 95) : NaN;

  // Floors (fixed windows: calls / limit windows).
  const zFloorS = ((2 * REQUESTS) / ZENDESK_LIMIT) * WINDOW_S;
  const oFloorS = ((2 * REQUESTS) / OKTA_LIMIT) * WINDOW_S;
  const floorS = Math.max(zFloorS, oFloorS);
  const load1 = require('node:os').loadavg();
  console.log(
    `drain: ${done}/${REQUESTS * 2} done in ${drainS.toFixed(1)} s (Zendesk ${(
      ((zDoneAt || Date.now()) - t0) /
      1000
    ).toFixed(1)} s vs floor ${zFloorS.toFixed(1)} s; Okta ${(
      ((oDoneAt || Date.now()) - t0) /
      1000
    ).toFixed(1)} s vs floor ${oFloorS.toFixed(
      1,
    )} s); 429s: Zendesk ${zendesk429}, Okta ${okta429}; ` +
      `tickets ${tickets.length} (${withoutTicket} requests without, ${extraTickets} extra); Okta members ${members}; ` +
      `dead jobs ${dead}; statements ${drainStatements} (${(
        drainStatements /
        (REQUESTS * 2)
      ).toFixed(1)} a request); notices ${
        lags.length
      }, lag p95 ${noticeP95.toFixed(0)} ms; Zendesk throttle waited ${(
        zendeskThrottle.stats.waitedMs / 1000
      ).toFixed(1)} s (summed), Okta throttle ${(
        oktaThrottle.stats.throttledMs / 1000
      ).toFixed(1)} s; Okta group calls ${oktaPuts}; load ${load0
        .map((x: number) => x.toFixed(2))
        .join(' ')} → ${load1.map((x: number) => x.toFixed(2)).join(' ')}`,
  );

  const rows = [
    {
      name: `drain: ${REQUESTS.toLocaleString(
        'en',
      )} Zendesk tickets + ${REQUESTS.toLocaleString(
        'en',
      )} Okta memberships (Zendesk ${ZENDESK_LIMIT}, Okta ${OKTA_LIMIT}/family per ${WINDOW_S} s)`,
      figure: drainS,
      unit: 's',
      baseline: floorS,
      baselineName: 'rate-limit floor',
      ratio: drainS / floorS,
      target: { op: '<=', value: 1.1, of: 'ratio' },
    },
    {
      name: 'drain: 429s received (Zendesk + Okta)',
      figure: zendesk429 + okta429,
      unit: '',
      target: { op: '<=', value: 0, of: 'figure' },
    },
    {
      name: 'drain: requests not fulfilled exactly once (fakes: tickets, members)',
      figure:
        withoutTicket +
        extraTickets +
        Math.abs(REQUESTS - members) +
        Number(dead),
      unit: '',
      target: { op: '<=', value: 0, of: 'figure' },
    },
    {
      name: 'drain: SQL statements per request (drain, notices included)',
      figure: drainStatements / (REQUESTS * 2),
      unit: '',
    },
    {
      name: 'drain: notice lag p95 during the drain',
      figure: noticeP95,
      unit: 'ms',
    },
  ];
  if (process.env.BENCH_RESULT_FILE)
    require('node:fs').writeFileSync(
      process.env.BENCH_RESULT_FILE,
      JSON.stringify(
        {
          rows,
          raw: {
            drainS,
            zFloorS,
            oFloorS,
            zendesk429,
            okta429,
            tickets: tickets.length,
            members,
            dead,
            drainStatements,
            lags: { n: lags.length, p95: noticeP95 },
            plans,
            messages: messages.length,
          },
        },
        null,
        2,
      ),
    );
  else console.log(JSON.stringify(rows, null, 2));
  await zendesk.stop();
  await okta.stop();
  await knex.destroy();
  await observer.destroy();
  if (process.env.BENCH_KEEP !== '1') {
    const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
    await admin.raw(`drop database if exists ${DB} with (force)`);
    await admin.destroy();
  }
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);

#!/usr/bin/env node
// Reads under write load: GET /apps p95 on the example backend (real auth,
// catalog, permission policy, PostgreSQL) idle, then while requests and
// decisions arrive at a fixed rate each (50/s) and the Okta module's
// incremental sync runs every 6 s against the Okta fake, whose users and
// assignments change every second. Ratio: loaded p95 / idle p95, same run.
//
//   node bench/reads-under-load.mjs      (or: node bench/run.mjs reads)
//
// Environment: BENCH_SMOKE=1, BENCH_USERS (200), BENCH_APPS (60), BENCH_RATE
// (50 per second, each of creates and decisions), BENCH_SECONDS (15),
// BENCH_CONNECTIONS (4, for the reads), BENCH_PORT (7610), BENCH_DB (bench_reads;
// dropped and created afresh, so name it bench_…), BENCH_CPU_PROF (a folder:
// the backend's V8 CPU profile; bench/lib/profile-summary.mjs sums it). One backend, not
// pinned: it shares both cores with PostgreSQL, the fake and the load generator.
import { createRequire } from 'node:module';
import {
  dropDatabase,
  load,
  loadavg,
  recreateDatabase,
  report,
  repoRoot,
  row,
  sleep,
  SMOKE,
  sql,
  runMain,
} from './lib/common.mjs';
import {
  APPROVER,
  benchUsers,
  createRequestSpec,
  cycle,
  oktaBackend,
  requestPairs,
  waitForOutbox,
} from './lib/backend.mjs';

const require = createRequire(`${repoRoot}/package.json`);
require('@backstage/cli/config/nodeTransform.cjs');
const {
  FakeOkta,
} = require('./plugins/app-access-backend-module-okta/src/testing/FakeOkta.ts');

const num = (name, full, smoke) =>
  Number(process.env[name] ?? (SMOKE ? smoke : full));
const USERS = num('BENCH_USERS', 200, 8);
const APPS = num('BENCH_APPS', 60, 20);
const RATE = num('BENCH_RATE', 50, 5);
const SECONDS = num('BENCH_SECONDS', 15, 3);
const CONNECTIONS = num('BENCH_CONNECTIONS', 4, 2);
const PORT = num('BENCH_PORT', 7610, 7610);
const DB =
  process.env.BENCH_DB ?? (SMOKE ? 'bench_reads_smoke' : 'bench_reads');
const SCHEMA = '"app-access"';
const log = m => console.log(`reads-under-load: ${m}`);

/** An Okta org with the bench people: groups, apps and assignments. */
function fakeOrg(okta, users) {
  const groups = Array.from(
    { length: Math.max(2, users.length / 20) },
    (_, i) => okta.addGroup({ name: `bench group ${i}` }),
  );
  const apps = Array.from({ length: APPS }, (_, i) =>
    okta.addApp({ label: `Okta bench app ${i}` }),
  );
  const ids = users.map((u, i) => {
    const user = okta.addUser({
      login: `${u}@acme.example`,
      profile: { title: 'Software Engineer', department: 'Engineering' },
    });
    okta.addToGroup(groups[i % groups.length].id, user.id);
    for (let k = 0; k < 5; k++)
      okta.assignUserToApp(apps[(i * 7 + k * 13) % apps.length].id, user.id);
    return user.id;
  });
  groups.forEach((g, i) =>
    okta.assignGroupToApp(apps[i % apps.length].id, g.id),
  );
  return { groups, apps, ids };
}

async function assignments() {
  const [r] = await sql(
    DB,
    `select count(*)::int as n from ${SCHEMA}.app_assignments`,
  );
  return r.n;
}

async function main() {
  const users = benchUsers(USERS);
  const okta = await FakeOkta.start({ systemLog: true });
  const org = fakeOrg(okta, users);
  const load0 = loadavg();
  await recreateDatabase(DB);
  const backend = oktaBackend({
    name: 'reads',
    port: PORT,
    database: DB,
    users,
    apps: APPS,
    oktaUrl: okta.url,
    requestTimeoutSeconds: 10,
    everyMinutes: 0.1,
    cpuProf: process.env.BENCH_CPU_PROF,
  });
  let changer;
  try {
    backend.start();
    log(`backend healthy after ${(await backend.waitHealthy()) / 1000} s`);
    const tokens = new Map();
    for (const u of [...users, APPROVER]) tokens.set(u, await backend.token(u));

    // The first (full) sync: until the assignments stop growing.
    const t0 = Date.now();
    let last = -1;
    for (;;) {
      const n = await assignments();
      if (n > 0 && n === last) break;
      if (Date.now() - t0 > 300_000)
        throw new Error('the Okta sync wrote nothing');
      last = n;
      await sleep(3000);
    }
    log(
      `full Okta sync done: ${last} assignments (${
        (Date.now() - t0) / 1000
      } s)`,
    );

    // One turn through the pairs for both phases: no pair is asked twice.
    const nextPair = cycle(requestPairs(users, APPS));
    const createRequest = onId =>
      createRequestSpec({
        nextPair,
        tokens,
        justification: 'reads-under-load benchmark',
        onId,
      });
    // Requests for the decisions to approve during the loaded phase.
    const pending = [];
    const made = await load({
      url: backend.url,
      connections: 4,
      amount: Math.ceil(RATE * SECONDS * 1.2),
      requests: [createRequest(id => pending.push(id))],
    });
    log(
      `${pending.length} requests waiting for a decision (${made.rps.toFixed(
        0,
      )}/s)`,
    );
    // Their approvers' notices are delivered by the outbox worker: the idle
    // baseline starts when it has nothing left to do (without this wait the
    // "idle" reads shared the loop with ~900 deliveries).
    const drained = await waitForOutbox(DB, { timeoutMs: 120_000 });
    log(`outbox drained in ${drained.seconds} s (${drained.left} jobs left)`);

    let r = 0;
    const reads = () =>
      load({
        url: backend.url,
        connections: CONNECTIONS,
        seconds: SECONDS,
        requests: [
          {
            method: 'GET',
            setupRequest: req => ({
              ...req,
              path: '/api/app-access/apps',
              headers: {
                authorization: `Bearer ${tokens.get(
                  users[r++ % users.length],
                )}`,
              },
            }),
          },
        ],
      });
    await load({
      url: backend.url,
      connections: CONNECTIONS,
      seconds: 2,
      requests: [{ method: 'GET', path: '/api/app-access/health' }],
    });
    const idle = await reads();
    log(`idle: GET /apps p95 ${idle.p95} ms, ${idle.rps.toFixed(0)}/s`);

    // Okta changes every second for the incremental syncs to pick up.
    let changes = 0;
    changer = setInterval(() => {
      const i = changes++;
      okta.updateUser(org.ids[i % org.ids.length], {
        profile: { title: i % 2 ? 'Senior Engineer' : 'Software Engineer' },
      });
      okta.assignUserToApp(
        org.apps[(i * 11) % org.apps.length].id,
        org.ids[(i * 3) % org.ids.length],
      );
    }, 1000);
    const oktaCalls0 = okta.requests.length;
    let d = 0;
    const approver = `Bearer ${tokens.get(APPROVER)}`;
    const [busy, creates, decisions] = await Promise.all([
      reads(),
      load({
        url: backend.url,
        connections: 4,
        seconds: SECONDS,
        overallRate: RATE,
        requests: [createRequest()],
      }),
      load({
        url: backend.url,
        connections: 4,
        seconds: SECONDS,
        overallRate: RATE,
        requests: [
          {
            method: 'POST',
            setupRequest: req => ({
              ...req,
              path: `/api/app-access/requests/${
                pending[d++ % pending.length]
              }/decisions`,
              headers: {
                'content-type': 'application/json',
                authorization: approver,
              },
              body: JSON.stringify({ decision: 'approve' }),
            }),
          },
        ],
      }),
    ]);
    clearInterval(changer);
    const logReads = okta.requests.filter(
      q => q.at >= Date.now() - SECONDS * 1000 - 1000 && q.family === 'logs',
    ).length;
    log(
      `under load: GET /apps p95 ${busy.p95} ms; creates ${creates.rps.toFixed(
        1,
      )}/s, decisions ${decisions.rps.toFixed(1)}/s; ` +
        `${
          okta.requests.length - oktaCalls0
        } Okta calls (${logReads} System Log reads), ${changes} Okta changes`,
    );
    const peak = backend.peakMb;
    report(
      [
        row({
          name: `GET /apps p95 under writes (${RATE}/s requests + ${RATE}/s decisions) and Okta sync`,
          figure: busy.p95,
          unit: 'ms',
          baseline: idle.p95,
          baselineName: 'idle p95',
          target: { op: '<=', value: 1.5, of: 'ratio' },
          note: `creates ${creates.rps.toFixed(
            1,
          )}/s, decisions ${decisions.rps.toFixed(
            1,
          )}/s; ${logReads} System Log reads`,
        }),
        row({
          name: 'GET /apps p95 under writes (absolute)',
          figure: busy.p95,
          unit: 'ms',
          target: { op: '<=', value: 25, of: 'figure' },
        }),
        row({
          name: 'writes kept up: creates + decisions per second',
          figure: creates.rps + decisions.rps,
          unit: '/s',
          target: { op: '>=', value: RATE * 2 * 0.95, of: 'figure' },
        }),
        row({
          name: 'reads under load: backend peak RSS',
          figure: peak,
          unit: 'MB',
          target: { op: '<=', value: 600, of: 'figure' },
        }),
      ],
      {
        loadavg: { before: load0, after: loadavg() },
        raw: { idle, busy, creates, decisions },
        settings: { USERS, APPS, RATE, SECONDS, CONNECTIONS },
      },
    );
  } finally {
    clearInterval(changer);
    await backend.stop();
    await okta.stop();
    if (!process.env.BENCH_KEEP_DB) await dropDatabase(DB);
  }
}

runMain(main);

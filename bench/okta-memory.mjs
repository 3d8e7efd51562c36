#!/usr/bin/env node
// Backend memory through a full Okta sync at 100,000 people: the example
// backend (BENCH_BACKEND=dist: the production bundle with the Dockerfile's
// heap size, as a company's container runs it) syncs the Okta fake of
// bench/okta-sync.ts (100,000 users, 5,000 groups, 1,000 apps, ~2,000,000
// app users) over HTTP. The fake runs in this process, so the backend's
// resident memory is the sync's and the backend's alone. Reported: the
// backend's peak RSS from start to the end of the full sync (target 600 MB,
// issue #20), its RSS at rest before the sync, the sync's time, and the
// assignments it wrote against the fake's own count.
//
//   BENCH_BACKEND=dist node bench/okta-memory.mjs   (or: node bench/run.mjs okta-memory)
//
// Environment: BENCH_SMOKE=1, BENCH_USERS (100000), BENCH_GROUPS (5000),
// BENCH_APPS (1000), BENCH_ASSIGNMENTS (2000000), BENCH_DIRECT_SHARE (0.2),
// BENCH_OKTA_RPM (6000: requests per minute and endpoint family the fake
// allows, ten times Okta's usual limit, so the sync reads as fast as the
// backend can write and memory is tested at its busiest; the sync itself
// still paces to the fake's headers), BENCH_SEED (42), BENCH_PORT (7618),
// BENCH_DB (bench_okta_memory; dropped and created afresh).
import { createRequire } from 'node:module';
import {
  dropDatabase,
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
  BACKEND_KIND,
  benchUsers,
  dockerNodeOptions,
  oktaBackend,
  prepareDistImage,
} from './lib/backend.mjs';

const require = createRequire(`${repoRoot}/package.json`);
require('@backstage/cli/config/nodeTransform.cjs');
const {
  FakeOkta,
} = require('./plugins/app-access-backend-module-okta/src/testing/FakeOkta.ts');
const {
  everyFamily,
  expectedAssignments,
  orgShapeFromEnv,
  seedOktaOrg,
} = require('./bench/lib/oktaOrg.ts');

const num = (name, full, smoke) => {
  const value = Number(process.env[name] ?? (SMOKE ? smoke : full));
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
  return value;
};
// Smoke: the okta-sync benchmark's smoke org (bench/run.mjs).
const ORG = orgShapeFromEnv(
  SMOKE
    ? {
        users: 300,
        groups: 20,
        apps: 15,
        assignments: 1_500,
        directShare: 0.2,
        seed: 42,
      }
    : undefined,
);
const RPM = num('BENCH_OKTA_RPM', 6_000, 6_000);
const PORT = num('BENCH_PORT', 7618, 7618);
const DB =
  process.env.BENCH_DB ??
  (SMOKE ? 'bench_okta_memory_smoke' : 'bench_okta_memory');
const SCHEMA = '"app-access"';
const TIMEOUT_MS = SMOKE ? 180_000 : 3_600_000;
const log = m => console.log(`okta-memory: ${m}`);

async function syncState() {
  const [state] = await sql(
    DB,
    `select status, last_finished_at, last_duration_ms, last_counts, last_error
       from ${SCHEMA}.sync_state where id = 'okta'`,
  ).catch(() => []);
  return state;
}

async function oktaAssignments() {
  const [r] = await sql(
    DB,
    `select count(*)::int as n from ${SCHEMA}.app_assignments
      where source in ('okta-direct', 'okta-group')`,
  );
  return r.n;
}

async function main() {
  const distImage = BACKEND_KIND === 'dist' ? prepareDistImage(log) : undefined;
  const t0 = Date.now();
  const okta = await FakeOkta.start({
    rateLimits: everyFamily(RPM),
    rateLimitWindowMs: 60_000,
    systemLog: false,
    requestLogLimit: 1_000,
  });
  const seeded = seedOktaOrg(okta, ORG);
  okta.backdate(3600_000);
  const expected = expectedAssignments(okta);
  log(
    `seeded the fake in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${
      okta.users.size
    } users, ${okta.groups.size} groups, ${okta.apps.size} apps, ${
      seeded.appUsers
    } app users; ${expected} assignments expected in App Access; ${RPM} requests a minute per family`,
  );

  const load0 = loadavg();
  await recreateDatabase(DB);
  // A small catalog: the people App Access learns come from Okta.
  const backend = oktaBackend({
    name: 'okta-memory',
    port: PORT,
    database: DB,
    users: benchUsers(SMOKE ? 8 : 200),
    apps: 20,
    oktaUrl: okta.url,
    requestTimeoutSeconds: 60,
    everyMinutes: 600,
    distImage,
  });
  try {
    backend.start();
    log(`backend healthy after ${(await backend.waitHealthy()) / 1000} s`);
    // At rest: the last reading before the sync started (it waits two
    // minutes after start-up for the catalog's people).
    let restMb = backend.rssMb();
    const started = Date.now();
    let state;
    let lastReport = started;
    for (;;) {
      state = await syncState();
      if (state?.last_finished_at && state.status !== 'running') break;
      if (state?.status === 'failed')
        throw new Error(`the Okta sync failed: ${state.last_error}`);
      if (!state) restMb = backend.rssMb() ?? restMb;
      if (Date.now() - started > TIMEOUT_MS)
        throw new Error('the full Okta sync did not finish in time');
      if (Date.now() - lastReport >= 30_000) {
        lastReport = Date.now();
        log(
          `${Math.round((Date.now() - started) / 1000)} s: ${
            state?.status ?? 'not started'
          }, ${await oktaAssignments()} assignments, backend ${Math.round(
            backend.rssMb(),
          )} MB (peak ${Math.round(backend.peakMb)} MB)`,
        );
      }
      await sleep(1000);
    }
    if (state.status === 'failed' || state.last_error)
      throw new Error(`the Okta sync failed: ${state.last_error}`);
    backend.sample();
    const written = await oktaAssignments();
    const counts = JSON.parse(state.last_counts ?? '{}');
    const syncSeconds = (state.last_duration_ms ?? 0) / 1000;
    log(
      `full sync finished in ${syncSeconds} s (${counts.pages} pages, 429s ${counts.http429}); ` +
        `${written} assignments written, ${expected} expected; backend before the sync ${Math.round(
          restMb,
        )} MB, peak ${Math.round(backend.peakMb)} MB`,
    );
    const kind =
      BACKEND_KIND === 'dist'
        ? `production bundle, NODE_OPTIONS ${
            process.env.NODE_OPTIONS ?? dockerNodeOptions()
          }`
        : 'source through the node transform';
    report(
      [
        row({
          name: `full Okta sync of ${ORG.users} people: backend peak RSS (${kind})`,
          figure: backend.peakMb,
          unit: 'MB',
          baseline: restMb,
          baselineName: 'RSS before the sync',
          target: { op: '<=', value: 600, of: 'figure' },
          note: `${written} of ${expected} assignments in ${syncSeconds} s`,
        }),
        row({
          name: 'full Okta sync: assignments differing from the fake',
          figure: Math.abs(written - expected),
          unit: '',
          target: { op: '<=', value: 0, of: 'figure' },
        }),
        row({
          name: `full Okta sync at ${RPM} requests a minute per family: time`,
          figure: syncSeconds,
          unit: 's',
          note: `${counts.pages} pages, 429s ${counts.http429}`,
        }),
      ],
      {
        loadavg: { before: load0, after: loadavg() },
        settings: {
          ...ORG,
          RPM,
          backend: BACKEND_KIND,
        },
      },
    );
  } finally {
    await backend.stop();
    await okta.stop();
    if (!process.env.BENCH_KEEP_DB) await dropDatabase(DB);
  }
}

runMain(main);

/*
 * Benchmark: the Okta directory + usage sync against an in-process FakeOkta
 * with 100,000 users, 5,000 groups, 1,000 apps and ~2,000,000 assignments
 * (group and direct), under Okta-like rate limits, into PostgreSQL.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/okta-sync.ts
 *
 * It runs one full sync (the real OktaSync class and the real App Access core,
 * AppAccessEngine.usageApi(), on PostgreSQL), prints pages per endpoint
 * family, the floor the rate limit implies, the time it took and the 429s it
 * got; then applies BENCH_CHANGES changes in the fake and times an
 * incremental sync.
 *
 * Env (every value is printed at start):
 *   BENCH_PG            postgresql://postgres@127.0.0.1:5432
 *   BENCH_DB            app_access_okta_bench (dropped and created afresh)
 *   BENCH_USERS         100000
 *   BENCH_GROUPS        5000
 *   BENCH_APPS          1000
 *   BENCH_ASSIGNMENTS   2000000  (app users in Okta: distinct user/app pairs)
 *   BENCH_DIRECT_SHARE  0.2      (share of them assigned directly, the rest by group)
 *   BENCH_CATALOG_SHARE 0.5      (share of people the catalog already knows)
 *   BENCH_OKTA_RPM      600      (requests per window, every endpoint family)
 *   BENCH_WINDOW_SECONDS 60      (the fake's rate-limit window)
 *   BENCH_PAGE          Okta's maximum per list (200 users, 1000 group
 *                       members, 200 apps / app groups, 500 app users, 1000 log events)
 *   BENCH_RESERVE       10       (percent of each window the sync leaves unused)
 *   BENCH_RELEASE       10       (seconds at a window's end in which the reserve is spent)
 *   BENCH_CHANGES       100
 *   BENCH_SEED          42       (random seed of the data set)
 */
import knexFactory, { Knex } from 'knex';
import { ConfigReader } from '@backstage/config';
import { AppAccessEngine } from '../plugins/app-access-backend/src/AppAccessEngine';
import { FakeOkta } from '../plugins/app-access-backend-module-okta/src/testing/FakeOkta';
import { OktaSync } from '../plugins/app-access-backend-module-okta/src/sync/OktaSync';
import { OktaSyncStore } from '../plugins/app-access-backend-module-okta/src/sync/OktaSyncStore';
import {
  everyFamily,
  expectedAssignments,
  orgShapeFromEnv,
  random,
  seedOktaOrg,
  TITLES,
} from './lib/oktaOrg';

const env = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
  return value;
};

const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const DB = process.env.BENCH_DB ?? 'app_access_okta_bench';
const ORG = orgShapeFromEnv();
const {
  users: USERS,
  groups: GROUPS,
  apps: APPS,
  assignments: ASSIGNMENTS,
  directShare: DIRECT_SHARE,
  seed: SEED,
} = ORG;
const CATALOG_SHARE = env('BENCH_CATALOG_SHARE', 0.5);
const RPM = env('BENCH_OKTA_RPM', 600);
const WINDOW_SECONDS = env('BENCH_WINDOW_SECONDS', 60);
const PAGE = process.env.BENCH_PAGE ? env('BENCH_PAGE', 200) : undefined;
const RESERVE = env('BENCH_RESERVE', 10);
const RELEASE = env('BENCH_RELEASE', 10);
const CHANGES = env('BENCH_CHANGES', 100);

/** The sync's stage timings, from its log lines ("… in 12.3 s"). */
const stages: Array<{ what: string; ms: number }> = [];

const logger: any = {
  info: (m: string) => {
    const stage = /^Okta sync: (.*) in ([\d.]+) s \(/.exec(m);
    if (stage) stages.push({ what: stage[1], ms: Number(stage[2]) * 1000 });
    console.log(`  [sync] ${m}`);
  },
  warn: (m: string) => console.log(`  [sync] WARN ${m}`),
  error: (m: string) => console.log(`  [sync] ERROR ${m}`),
  debug() {},
  child() {
    return logger;
  },
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (v: number) => v.toLocaleString('en-US');

async function database(): Promise<Knex> {
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
  await admin.raw(`drop database if exists ${DB} with (force)`);
  await admin.raw(`create database ${DB}`);
  await admin.destroy();
  return knexFactory({
    client: 'pg',
    connection: `${PG}/${DB}`,
    pool: { min: 2, max: 10 },
  });
}

async function main() {
  console.log('Okta sync benchmark');
  console.log(
    `  parameters: users=${n(USERS)} groups=${n(GROUPS)} apps=${n(
      APPS,
    )} assignments≈${n(
      ASSIGNMENTS,
    )} directShare=${DIRECT_SHARE} catalogShare=${CATALOG_SHARE} rpm=${RPM} (users, groups, apps, logs; window ${WINDOW_SECONDS} s) page=${
      PAGE ?? 'Okta max per list'
    } reserve=${RESERVE}% release=${RELEASE}s changes=${CHANGES} seed=${SEED}`,
  );
  console.log(`  database: ${PG}/${DB} (dropped and created afresh)`);
  const os = require('node:os');
  console.log(
    `  machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ${Math.round(
      os.totalmem() / 2 ** 30,
    )} GB; load average at start ${os
      .loadavg()
      .map((l: number) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `  node ${process.version}, heap limit ${n(
      Math.round(require('v8').getHeapStatistics().heap_size_limit / 2 ** 20),
    )} MB`,
  );

  const t0 = Date.now();
  const fake = await FakeOkta.start({
    rateLimits: everyFamily(RPM),
    rateLimitWindowMs: WINDOW_SECONDS * 1000,
    systemLog: false,
    requestLogLimit: 2_000_000,
  });
  const seeded = seedOktaOrg(fake, ORG);
  // The org has been like this for a while (incremental runs read a minute back).
  fake.backdate(3600_000);
  console.log(
    `  seeded the fake in ${seconds(Date.now() - t0)}: ${n(
      fake.users.size,
    )} users, ${n(fake.groups.size)} groups (${n(
      seeded.memberships,
    )} memberships), ${n(fake.apps.size)} apps, ${n(
      seeded.groupAssignments,
    )} group→app assignments, ${n(seeded.direct)} direct assignments, ${n(
      seeded.appUsers,
    )} app users (user/app pairs)`,
  );

  const knex = await database();
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({}),
    logger,
    knex,
  });
  const usage = engine.usageApi();
  // The catalog copy has run: a share of the people are known by email.
  const catalogPeople = [];
  for (let i = 0; i < USERS * CATALOG_SHARE; i++) {
    const user = fake.users.get(seeded.userIds[Math.floor(i / CATALOG_SHARE)])!;
    catalogPeople.push({
      ref: `user:default/catalog-${user.profile.login.split('@')[0]}`,
      email: user.profile.email,
      displayName: `Catalog ${i}`,
      title: String(user.profile.title),
      groups: [`group:default/team-${i % 2000}`],
    });
  }
  await usage.upsertPeople(catalogPeople, 'catalog');
  const store = await OktaSyncStore.create(knex);
  console.log(
    `  ${n(catalogPeople.length)} catalog people in App Access; database ready`,
  );

  const sync = new OktaSync({
    okta: {
      orgUrl: fake.url,
      auth: { type: 'apiToken', token: 'test-api-token' },
      requestTimeoutMs: 60_000,
    },
    usage,
    store,
    logger,
    pageSize: PAGE,
    config: {
      rateLimitReservePercent: RESERVE,
      rateLimitReserveReleaseSeconds: RELEASE,
    },
  });

  // --- full sync ---
  console.log('\nfull sync ...');
  const progress = setInterval(async () => {
    const state = await usage.getSyncState('okta');
    const c = state?.lastCounts ?? {};
    console.log(
      `  ${seconds(Date.now() - started)}: pages users ${c.pagesUsers} groups ${
        c.pagesGroups
      } apps ${c.pagesApps}, stage ${
        (state?.checkpoint as any)?.run?.stage
      }, waited ${seconds(c.throttledMs ?? 0)}, 429s ${c.http429}`,
    );
  }, 60_000);
  const started = Date.now();
  const fullResult = await sync.run();
  const fullMs = Date.now() - started;
  clearInterval(progress);
  const full = fullResult.counts;

  const families = [
    ['users', full.pagesUsers],
    ['groups', full.pagesGroups],
    ['apps', full.pagesApps],
  ] as const;
  const windowMinutes = WINDOW_SECONDS / 60;
  const floorOf = (pages: number) => (pages / RPM) * windowMinutes * 60_000;
  const floors = families.map(([, pages]) => floorOf(pages));
  const floor = Math.max(...floors);
  const fake429 = fake.requests.filter(r => r.status === 429).length;
  const assignmentsInCore = Number(
    (
      (await knex('app_assignments')
        .whereIn('source', ['okta-direct', 'okta-group'])
        .count({ c: '*' })) as any
    )[0].c,
  );
  const expected = expectedAssignments(fake);

  console.log('\nfull sync results');
  for (const [i, [family, pages]] of families.entries()) {
    console.log(
      `  ${family.padEnd(7)} ${n(pages).padStart(6)} pages  floor ${seconds(
        floors[i],
      ).padStart(8)} (${n(pages)} ÷ ${RPM}/${WINDOW_SECONDS} s)`,
    );
  }
  console.log(
    `  total   ${n(full.pages).padStart(6)} pages, ${n(
      full.requests,
    )} requests`,
  );
  console.log(
    `  floor (families run side by side, so the busiest one): ${seconds(
      floor,
    )}; all families one after another would be ${seconds(
      floors.reduce((a, b) => a + b, 0),
    )}`,
  );
  console.log(
    `  actual: ${seconds(fullMs)}  ratio ${(fullMs / floor).toFixed(
      3,
    )}× (target ≤ 1.05×)`,
  );
  console.log(
    `  429s received: ${full.http429} (fake served ${fake429}) (target 0)`,
  );
  console.log(
    `  waited for rate-limit windows: ${seconds(
      full.throttledMs,
    )} (summed over families)`,
  );
  console.log(
    `  read: ${n(full.users)} users, ${n(full.groups)} groups, ${n(
      full.memberships,
    )} memberships, ${n(full.apps)} apps, ${n(full.appGroups)} app groups, ${n(
      full.appUsers,
    )} app users`,
  );
  console.log(
    `  wrote: ${n(full.people)} people only Okta knows, ${n(
      full.peopleFromCatalog,
    )} catalog people's assignments, ${n(full.assignmentsDirect)} direct + ${n(
      full.assignmentsGroup,
    )} group assignments, ${n(full.deactivated)} deactivated`,
  );
  console.log(
    `  assignments in App Access: ${n(
      assignmentsInCore,
    )} (expected from the fake's data: ${n(expected)}) ${
      assignmentsInCore === expected ? 'OK' : 'MISMATCH'
    }`,
  );

  // --- changes ---
  // The next scheduled run is an hour later; wait for the windows the full
  // run used to end instead of starting the incremental run into them.
  const lastReset = Math.max(
    ...fake.requests.slice(-200).map(r => (r.rateLimit?.reset ?? 0) * 1000),
  );
  const wait = Math.max(0, lastReset - Date.now() + 100);
  if (wait) {
    console.log(
      `\nwaiting ${seconds(
        wait,
      )} for the rate-limit windows the full run used to end`,
    );
    await new Promise(r => setTimeout(r, wait));
  }
  fake.setSystemLog(true);
  const rnd = random(SEED + 1);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const kinds = {
    updated: 0,
    deactivated: 0,
    joinedGroup: 0,
    assignedDirect: 0,
  };
  const touched = new Set<string>();
  for (let i = 0; i < CHANGES; i++) {
    const user = pick(seeded.userIds);
    touched.add(user);
    switch (i % 4) {
      case 0:
        fake.updateUser(user, {
          profile: { title: `Title ${Math.floor(rnd() * TITLES)}` },
        });
        kinds.updated += 1;
        break;
      case 1:
        fake.updateUser(user, { status: 'DEPROVISIONED' });
        kinds.deactivated += 1;
        break;
      case 2:
        fake.addToGroup(pick(seeded.groupIds), user);
        kinds.joinedGroup += 1;
        break;
      default:
        fake.assignUserToApp(
          pick(seeded.appIds.filter((_, k) => k % 50 !== 49)),
          user,
        );
        kinds.assignedDirect += 1;
    }
  }
  console.log(
    `\napplied ${CHANGES} changes to ${touched.size} users: ${kinds.updated} profile updates, ${kinds.deactivated} deactivations, ${kinds.joinedGroup} group joins, ${kinds.assignedDirect} direct assignments (${fake.events.length} System Log events)`,
  );

  console.log('incremental sync ...');
  stages.length = 0;
  const t2 = Date.now();
  const incResult = await sync.run();
  const incMs = Date.now() - t2;
  const inc = incResult.counts;
  const assignmentsAfter = Number(
    (
      (await knex('app_assignments')
        .whereIn('source', ['okta-direct', 'okta-group'])
        .count({ c: '*' })) as any
    )[0].c,
  );
  const expectedAfter = expectedAssignments(fake);
  console.log('\nincremental sync results');
  console.log(`  mode: ${incResult.mode}`);
  console.log(`  time: ${seconds(incMs)} (target < 10 s)`);
  console.log(
    `  read: ${n(inc.users)} changed users, ${n(inc.events)} events, ${n(
      inc.refreshed,
    )} re-reads; ${n(inc.pages)} pages/requests (users ${
      inc.pagesUsers
    }, groups ${inc.pagesGroups}, apps ${inc.pagesApps}, logs ${
      inc.pagesLogs
    }); 429s ${inc.http429}; waited ${seconds(inc.throttledMs)}`,
  );
  console.log(
    `  resolved ${n(inc.resolved)} people, ${n(inc.deactivated)} deactivated`,
  );
  // The core keeps the rollups up to date as the sync writes; check that
  // what it kept equals a recompute from every assignment.
  const rollupRows = async () =>
    (
      (await knex('usage_rollups')
        .where('users', '>', 0)
        .orderBy(['dimension', 'value', 'app_id'])
        .select('dimension', 'value', 'app_id', 'users')) as Array<{
        dimension: string;
        value: string;
        app_id: string;
        users: number | string;
      }>
    )
      .map(r => `${r.dimension}|${r.value}|${r.app_id}|${Number(r.users)}`)
      .join('\n');
  const maintained = await rollupRows();
  const tr = Date.now();
  await usage.recomputeRollups();
  const recomputeMs = Date.now() - tr;
  const recomputed = await rollupRows();
  console.log(
    `  peer rollups kept up to date by the writes: ${
      maintained === recomputed ? 'equal to' : 'DIFFERENT FROM'
    } a full recompute (${n(
      recomputed.split('\n').length,
    )} rows; that recompute, not part of the sync, took ${seconds(
      recomputeMs,
    )})`,
  );
  console.log(
    `  assignments in App Access: ${n(assignmentsAfter)} (expected: ${n(
      expectedAfter,
    )}) ${assignmentsAfter === expectedAfter ? 'OK' : 'MISMATCH'}`,
  );

  console.log(
    `  load average at the end: ${require('node:os')
      .loadavg()
      .map((l: number) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('\nsummary');
  console.log(
    `  full: ${seconds(fullMs)} for ${n(full.pages)} pages, floor ${seconds(
      floor,
    )}, ratio ${(fullMs / floor).toFixed(3)}×, 429s ${
      full.http429
    }; incremental (${CHANGES} changes): ${seconds(incMs)}, 429s ${
      inc.http429
    }`,
  );

  if (process.env.BENCH_RESULT_FILE) {
    // For bench/run.mjs: the floor the rate limit implies is the baseline.
    const checks = `429s ${
      full.http429
    } (fake served ${fake429}); assignments ${
      assignmentsInCore === expected ? 'as expected' : 'MISMATCH'
    }`;
    require('node:fs').writeFileSync(
      process.env.BENCH_RESULT_FILE,
      JSON.stringify(
        {
          rows: [
            {
              name: `full sync (${n(USERS)} users, ${n(
                full.pages,
              )} pages at ${RPM}/min)`,
              figure: fullMs / 1000,
              unit: 's',
              baseline: floor / 1000,
              baselineName: 'rate-limit floor',
              ratio: fullMs / floor,
              target: { op: '<=', value: 1.05, of: 'ratio' },
              note: checks,
            },
            {
              name: 'full sync: 429s received',
              figure: full.http429 + inc.http429,
              unit: '',
              target: { op: '<=', value: 0, of: 'figure' },
            },
            {
              name: 'full sync: assignments differing from the fake',
              figure:
                Math.abs(assignmentsInCore - expected) +
                Math.abs(assignmentsAfter - expectedAfter),
              unit: '',
              target: { op: '<=', value: 0, of: 'figure' },
            },
            {
              name: `incremental sync (${CHANGES} changes)`,
              figure: incMs / 1000,
              unit: 's',
              target: { op: '<=', value: 2, of: 'figure' },
            },
          ],
        },
        null,
        2,
      ),
    );
  }

  await fake.stop();
  await knex.destroy();
  if (process.env.BENCH_DROP) {
    const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
    await admin.raw(`drop database if exists ${DB} with (force)`);
    await admin.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

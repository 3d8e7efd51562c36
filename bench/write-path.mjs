#!/usr/bin/env node
// Write path: POST /requests and POST /requests/{id}/decisions against the
// example backend (real Backstage auth with demo sign-in tokens, catalog,
// permission policy, App Access on PostgreSQL), first as one backend, then as
// two replicas on the same database; GET /health on the same servers in the
// same run is the baseline. Also samples the backends' peak RSS.
//
//   node bench/write-path.mjs            (or: node bench/run.mjs write)
//
// Cores (this machine has 2): one backend is not pinned (it, PostgreSQL and
// the load generator share both cores); with two replicas, replica 1 is pinned
// to CPU 0 and replica 2 to CPU 1 (taskset), PostgreSQL and the load
// generator float over both. Environment: BENCH_SMOKE=1 (tiny), BENCH_USERS,
// BENCH_APPS, BENCH_CONNECTIONS (10), BENCH_SECONDS (10: the health baseline
// and POST /requests each; the decisions then approve every request created),
// BENCH_PORT (7600), BENCH_KEEP_DB=1, BENCH_CPU_PROF=<dir> (V8 CPU profiles of
// the backends), BENCH_BACKEND=dist (the production bundle of `yarn
// build:backend` instead of the source through the node transform; see
// bench/lib/backend.mjs: NODE_ENV stays unset under load because demo sign-in
// is refused in production, and one more backend is started with
// NODE_ENV=production only to read its RSS at rest).
import { readFileSync } from 'node:fs';
import {
  cpuSnapshot,
  cpuSplit,
  dropDatabase,
  formatCores,
  load,
  loadavg,
  recreateDatabase,
  report,
  row,
  SMOKE,
  runMain,
} from './lib/common.mjs';
import {
  APPROVER,
  Backend,
  BACKEND_KIND,
  benchUsers,
  createRequestSpec,
  cycle,
  prepareDistImage,
  requestPairs,
  waitForOutbox,
  writeConfig,
} from './lib/backend.mjs';

const num = (name, full, smoke) =>
  Number(process.env[name] ?? (SMOKE ? smoke : full));
const USERS = num('BENCH_USERS', 200, 8);
const APPS = num('BENCH_APPS', 60, 20);
const CONNECTIONS = num('BENCH_CONNECTIONS', 10, 4);
const SECONDS = num('BENCH_SECONDS', 10, 2);
const PORT = num('BENCH_PORT', 7600, 7600);
const DB = SMOKE ? 'bench_write_smoke' : 'bench_write';
const cpuProf = process.env.BENCH_CPU_PROF;

const log = m => console.log(`write-path: ${m}`);

/**
 * Runs one phase and adds where the machine's CPU went meanwhile: cores used
 * by the backends, PostgreSQL, the load generator (this process) and the rest.
 */
function pgTitle(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function withCpu(backends, run) {
  const pids = new Set(backends.map(b => b.child.pid));
  const before = cpuSnapshot();
  const result = await run();
  const split = cpuSplit(before, cpuSnapshot(), {
    backend: pid => pids.has(pid),
    // PostgreSQL's connections to this benchmark's database (its process
    // title names the database), then its shared processes (WAL writer,
    // checkpointer, other databases' connections).
    'postgres (this database)': (pid, comm) =>
      comm === 'postgres' && pgTitle(pid).includes(` ${DB} `),
    'postgres (other)': (_pid, comm) => comm === 'postgres',
    'load generator': pid => pid === process.pid,
  });
  return { ...result, cpu: split.cores, cpuText: formatCores(split) };
}

async function measure(backends, work, label) {
  const urls = backends.map(b => b.url);
  const url = urls.length === 1 ? urls[0] : urls;
  const tokens = new Map();
  for (const user of new Set([...work.map(p => p.user), APPROVER]))
    tokens.set(user, await backends[0].token(user));

  // Warm-up (not counted): health, and a few writes of each kind.
  await load({
    url,
    connections: CONNECTIONS,
    seconds: 1,
    requests: [{ method: 'GET', path: '/api/app-access/health' }],
  });
  const health = await withCpu(backends, () =>
    load({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: [{ method: 'GET', path: '/api/app-access/health' }],
    }),
  );
  log(
    `${label}: GET /health ${health.rps.toFixed(0)}/s p95 ${
      health.p95
    } ms; cores: ${health.cpuText}`,
  );

  // The framework's own cost of a signed-in call (token verification,
  // middleware, validation, JSON) without any database work: the ceiling
  // for any authenticated route on this server.
  const meta = await withCpu(backends, () =>
    load({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: [
        {
          method: 'GET',
          path: '/api/app-access/meta',
          headers: { authorization: `Bearer ${tokens.get(work[0].user)}` },
        },
      ],
    }),
  );
  log(
    `${label}: GET /meta (signed in) ${meta.rps.toFixed(0)}/s p95 ${
      meta.p95
    } ms; cores: ${meta.cpuText}`,
  );

  const ids = [];
  const create = await withCpu(backends, () =>
    load({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: [
        createRequestSpec({
          nextPair: cycle(work),
          tokens,
          justification: 'write-path benchmark',
          onId: id => ids.push(id),
        }),
      ],
    }),
  );
  log(
    `${label}: POST /requests ${create.rps.toFixed(0)}/s p95 ${
      create.p95
    } ms ${JSON.stringify(create.statuses)}; cores: ${create.cpuText}`,
  );

  // Each phase starts with no background work left from the one before:
  // the notices of the creates are delivered before the decisions start
  // (and the decisions' before the next topology), and how long that took
  // is reported with the phase.
  create.drain = await withCpu(backends, () => waitForOutbox(DB));
  log(
    `${label}: the creates' outbox jobs finished ${create.drain.seconds} s after the phase (${create.drain.left} left); cores meanwhile: ${create.drain.cpuText}`,
  );

  if (!ids.length) throw new Error(`${label}: no request was created`);
  let d = 0;
  const approver = `Bearer ${tokens.get(APPROVER)}`;
  const decide = await withCpu(backends, () =>
    load({
      url,
      connections: CONNECTIONS,
      amount: ids.length,
      requests: [
        {
          method: 'POST',
          setupRequest: req => ({
            ...req,
            path: `/api/app-access/requests/${ids[d++ % ids.length]}/decisions`,
            headers: {
              'content-type': 'application/json',
              authorization: approver,
            },
            body: JSON.stringify({ decision: 'approve' }),
          }),
        },
      ],
    }),
  );
  log(
    `${label}: POST /requests/{id}/decisions ${decide.rps.toFixed(0)}/s p95 ${
      decide.p95
    } ms ${JSON.stringify(decide.statuses)}; cores: ${decide.cpuText}`,
  );
  decide.drain = await withCpu(backends, () => waitForOutbox(DB));
  log(
    `${label}: the decisions' outbox jobs finished ${decide.drain.seconds} s after the phase (${decide.drain.left} left); cores meanwhile: ${decide.drain.cpuText}`,
  );
  return { health, meta, create, decide };
}

const distImage = BACKEND_KIND === 'dist' ? prepareDistImage(log) : undefined;

/** RSS of a started backend once it has been healthy for a few seconds. */
async function restingMb(backend) {
  await new Promise(r => setTimeout(r, 3000));
  backend.sample();
  return backend.rssMb();
}

async function topology(label, configs, cpus, work) {
  const backends = configs.map(
    (configFiles, i) =>
      new Backend({
        name: `${label}-${i + 1}`,
        port: PORT + i,
        configFiles,
        cpus: cpus[i],
        cpuProf,
        distImage,
      }),
  );
  try {
    // One at a time: the first runs the migrations.
    for (const b of backends) {
      b.start();
      log(`${b.name} healthy after ${(await b.waitHealthy()) / 1000} s`);
    }
    const restMb = await restingMb(backends[0]);
    const result = await measure(backends, work, label);
    return {
      ...result,
      restMb,
      peakMb: Math.max(...backends.map(b => b.peakMb)),
    };
  } finally {
    await Promise.all(backends.map(b => b.stop()));
    for (const b of backends) b.sample();
  }
}

async function main() {
  const all = requestPairs(benchUsers(USERS), APPS, { interleave: true });
  // Half the (user, app) pairs each: one open request per user, app and tier.
  const half = Math.floor(all.length / 2);
  const load0 = loadavg();
  await recreateDatabase(DB);
  try {
    const configs = writeConfig({
      database: DB,
      users: benchUsers(USERS),
      apps: APPS,
      ports: [PORT, PORT + 1],
    });
    const one = await topology(
      'one',
      [configs[0]],
      [undefined],
      all.slice(0, half),
    );
    const two = await topology('two', configs, ['0', '1'], all.slice(half));
    // The bundle as it runs in production (NODE_ENV=production), at rest:
    // callers cannot sign in to it with the demo provider.
    let productionRestMb;
    if (distImage) {
      const b = new Backend({
        name: 'production',
        port: PORT,
        configFiles: configs[0],
        distImage,
        nodeEnv: 'production',
      });
      try {
        b.start();
        await b.waitHealthy();
        productionRestMb = await restingMb(b);
      } finally {
        await b.stop();
      }
    }
    const rows = [];
    for (const [op, key] of [
      ['POST /requests', 'create'],
      ['POST /requests/{id}/decisions', 'decide'],
    ]) {
      const a = one[key];
      const b = two[key];
      rows.push(
        row({
          name: `${op}, one backend: req/s`,
          figure: a.rps,
          unit: '/s',
          baseline: one.health.rps,
          baselineName: 'GET /health req/s',
          target: { op: '>=', value: 300, of: 'figure' },
          note: statusNote(a),
        }),
        row({
          name: `${op}, one backend: p95`,
          figure: a.p95,
          unit: 'ms',
          baseline: one.health.p95,
          baselineName: 'GET /health p95',
          target: { op: '<=', value: 50, of: 'figure' },
        }),
        row({
          name: `${op}, two replicas: req/s`,
          figure: b.rps,
          unit: '/s',
          baseline: a.rps,
          baselineName: 'one backend req/s',
          target: { op: '>=', value: 1.6, of: 'ratio' },
          note: `GET /health ${two.health.rps.toFixed(0)}/s; ${statusNote(b)}`,
        }),
        row({
          name: `${op}, two replicas: p95`,
          figure: b.p95,
          unit: 'ms',
          baseline: two.health.p95,
          baselineName: 'GET /health p95',
          target: { op: '<=', value: 50, of: 'figure' },
        }),
      );
    }
    // Where a write's time goes: the signed-in ceiling of this server, and
    // the backend's CPU per operation (cores used / operations per second).
    rows.push(
      row({
        name: 'GET /meta (signed in, no database), one backend: req/s',
        figure: one.meta.rps,
        unit: '/s',
        baseline: one.health.rps,
        baselineName: 'GET /health req/s',
        note: statusNote(one.meta),
      }),
    );
    for (const [op, r] of [
      ['GET /meta', one.meta],
      ['POST /requests', one.create],
      ['POST /requests/{id}/decisions', one.decide],
    ]) {
      rows.push(
        row({
          name: `${op}, one backend: backend CPU per call (with its background work)`,
          figure: (1000 * r.cpu.backend) / r.rps,
          unit: 'ms',
          baseline: (1000 * one.health.cpu.backend) / one.health.rps,
          baselineName: 'GET /health',
          note: `PostgreSQL ${(
            (1000 * r.cpu['postgres (this database)']) /
            r.rps
          ).toFixed(2)} ms per call`,
        }),
      );
    }
    const kind =
      BACKEND_KIND === 'dist'
        ? 'production bundle'
        : 'source through the node transform';
    rows.push(
      row({
        name: `write path: backend peak RSS (${kind})`,
        figure: Math.max(one.peakMb, two.peakMb),
        unit: 'MB',
        baseline: one.restMb,
        baselineName: 'RSS at rest after start',
        target: { op: '<=', value: 600, of: 'figure' },
      }),
    );
    if (productionRestMb !== undefined) {
      rows.push(
        row({
          name: 'write path: production bundle RSS at rest (NODE_ENV=production)',
          figure: productionRestMb,
          unit: 'MB',
        }),
      );
    }
    report(rows, {
      loadavg: { before: load0, after: loadavg() },
      cores:
        'one backend unpinned; two replicas pinned to CPU 0 and CPU 1 (taskset); PostgreSQL and load generator unpinned',
      raw: { one, two },
      settings: { USERS, APPS, CONNECTIONS, SECONDS, backend: BACKEND_KIND },
    });
  } finally {
    if (!process.env.BENCH_KEEP_DB) await dropDatabase(DB);
  }
}

function statusNote(r) {
  const bad = Object.entries(r.statuses).filter(([s]) => !s.startsWith('2'));
  const drain = r.drain
    ? `; outbox jobs it queued finished ${r.drain.seconds.toFixed(
        1,
      )} s after the phase${
        r.drain.left ? ` (${r.drain.left} still left)` : ''
      }`
    : '';
  return `${r.ok} of ${r.requests} 2xx${drain}${
    bad.length ? `; ${bad.map(([s, n]) => `${n}× ${s}`).join(', ')}` : ''
  }${r.errors ? `; ${r.errors} errors` : ''}${
    r.cpuText ? `; cores: ${r.cpuText}` : ''
  }`;
}

runMain(main);

// Shared by the benchmarks run from bench/run.mjs: the load generator
// (autocannon, every response's latency kept), percentiles, the result file a
// benchmark hands back to the runner, PostgreSQL admin, and process memory.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');
export const backendDir = join(repoRoot, 'packages', 'backend');
const require = createRequire(join(repoRoot, 'package.json'));
export const autocannon = require('autocannon');
export const pg = require(require.resolve('pg', { paths: [backendDir] }));

export const PG = {
  host: process.env.BENCH_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_PG_PORT ?? 5432),
  user: process.env.BENCH_PG_USER ?? 'postgres',
};

export const SMOKE = process.env.BENCH_SMOKE === '1';

export const sleep = ms => new Promise(r => setTimeout(r, ms));

export async function sql(database, text, values) {
  const client = new pg.Client({ ...PG, database });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function recreateDatabase(name) {
  if (!/^bench_[a-z0-9_]+$/.test(name))
    throw new Error(`bench databases are named bench_…, not ${name}`);
  await sql('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql('postgres', `CREATE DATABASE "${name}"`);
}

export async function dropDatabase(name) {
  await sql('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/**
 * One autocannon run. `requests` are autocannon request objects (setupRequest /
 * onResponse allowed); either `seconds` or `amount`. Returns what completed:
 * 2xx per second over the wall time, latency percentiles over every response,
 * and the status codes seen.
 */
export function load({
  url,
  connections = 10,
  seconds,
  amount,
  requests,
  overallRate,
}) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const statuses = {};
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url,
        connections,
        ...(amount ? { amount } : { duration: seconds }),
        ...(overallRate ? { overallRate } : {}),
        requests,
        timeout: 30,
      },
      (err, result) => {
        if (err) return reject(err);
        const wallS = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = latencies.sort((a, b) => a - b);
        const ok = Object.entries(statuses)
          .filter(([s]) => s.startsWith('2'))
          .reduce((n, [, c]) => n + c, 0);
        resolve({
          requests: sorted.length,
          ok,
          seconds: wallS,
          rps: ok / wallS,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1],
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

/** Peak resident set (VmHWM) and current RSS of a process, in MB. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = key => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1]);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (seconds, user + system) of every process now, by pid, from
 * /proc/<pid>/stat, with each process's command name. Two snapshots give
 * what each process used in between (cpuSplit).
 */
export function cpuSnapshot() {
  const hz = 100; // USER_HZ on Linux
  const out = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is state (field 3); utime and stime are fields 14 and 15.
      out.set(Number(pid), {
        comm,
        seconds: (Number(fields[11]) + Number(fields[12])) / hz,
      });
    } catch {
      // exited while we read
    }
  }
  return { at: performance.now(), procs: out };
}

/**
 * Cores each group used between two snapshots: `groups` maps a name to a
 * predicate on (pid, comm); the first that matches takes the process, the
 * rest is "other". Returns { seconds, cores: { name: cores } }.
 */
export function cpuSplit(before, after, groups) {
  const seconds = (after.at - before.at) / 1000;
  const used = {};
  for (const name of [...Object.keys(groups), 'other']) used[name] = 0;
  for (const [pid, p] of after.procs) {
    const delta = p.seconds - (before.procs.get(pid)?.seconds ?? 0);
    if (delta <= 0) continue;
    const name =
      Object.keys(groups).find(g => groups[g](pid, p.comm)) ?? 'other';
    used[name] += delta;
  }
  const cores = {};
  for (const [name, s] of Object.entries(used)) cores[name] = s / seconds;
  return { seconds, cores };
}

/** "backend 0.98, postgres 0.71, …" cores, for logs and notes. */
export function formatCores(split) {
  return Object.entries(split.cores)
    .map(([name, c]) => `${name} ${c.toFixed(2)}`)
    .join(', ');
}

export function loadavg() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * A row of the runner's table. `target`: { op: '<=' | '>=', value, of:
 * 'figure' | 'ratio' } or undefined (reported only).
 */
export function row({
  name,
  figure,
  unit,
  baseline,
  baselineName,
  target,
  ratio,
  note,
}) {
  const r =
    ratio ??
    (baseline !== undefined && baseline !== 0 ? figure / baseline : undefined);
  return { name, figure, unit, baseline, baselineName, ratio: r, target, note };
}

/** Hands the rows to bench/run.mjs (BENCH_RESULT_FILE), or prints them when run alone. */
export function report(rows, extra = {}) {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify({ rows, ...extra }, null, 2));
  else console.log(JSON.stringify({ rows, ...extra }, null, 2));
}

/** Runs a benchmark's main and exits: 0 when it finished, 1 (with the error) when it threw. */
export function runMain(main) {
  main().then(
    () => process.exit(0),
    e => {
      console.error(e?.stack ?? e);
      process.exit(1);
    },
  );
}

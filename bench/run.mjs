#!/usr/bin/env node
// `yarn bench`: every benchmark with its baseline measured in the same run,
// one table (figure, baseline, ratio, target, pass/fail) and
// bench/output/<date>.json. See bench/README.md.
//
//   node bench/run.mjs [names…] [--smoke] [--list]
//
// --smoke: tiny data and a few seconds each (CI runs it so the benchmarks
// never rot); targets are still printed but only a benchmark that fails to
// produce its figures fails the run. Each benchmark runs as its own process
// under `nice -n 10` and hands its rows back through BENCH_RESULT_FILE.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, loadavg, repoRoot } from './lib/common.mjs';

const TRANSFORM = ['--require', '@backstage/cli/config/nodeTransform.cjs'];

/** name → how to run it, full and smoke. */
const BENCHMARKS = {
  write: {
    what: 'POST /requests and decisions, one backend and two replicas (baseline GET /health)',
    args: ['bench/write-path.mjs'],
  },
  reads: {
    what: 'GET /apps p95 while requests and decisions arrive at 50/s and the Okta sync runs (baseline: idle)',
    args: ['bench/reads-under-load.mjs'],
  },
  reminders: {
    what: 'reminder sweep over 100k due approval tasks: time, longest transaction, reads during it',
    args: [...TRANSFORM, 'bench/reminders.ts'],
  },
  peers: {
    what: 'GET /apps and /apps/:id/peers at 100k people (baseline GET /health)',
    args: [...TRANSFORM, 'bench/peers-api.ts'],
    smokeEnv: {
      BENCH_DB: 'bench_peers_smoke',
      BENCH_PEOPLE: '2000',
      BENCH_GROUPS: '100',
      BENCH_APPS: '60',
      BENCH_SECONDS: '2',
      BENCH_WARMUP: '1',
      BENCH_CONNECTIONS: '4',
      BENCH_RESEED: '1',
      BENCH_DROP: '1',
    },
    env: { BENCH_DB: 'bench_peers' },
  },
  'okta-sync': {
    what: 'Okta full and incremental sync vs the rate-limit floor',
    args: [...TRANSFORM, 'bench/okta-sync.ts'],
    smokeEnv: {
      BENCH_DB: 'bench_okta_smoke',
      BENCH_USERS: '300',
      BENCH_GROUPS: '20',
      BENCH_APPS: '15',
      BENCH_ASSIGNMENTS: '1500',
      BENCH_OKTA_RPM: '30',
      BENCH_WINDOW_SECONDS: '2',
      BENCH_CHANGES: '20',
      BENCH_DROP: '1',
    },
    env: { BENCH_DB: 'bench_okta', BENCH_DROP: '1' },
  },
  'okta-memory': {
    what: 'backend memory through a full Okta sync at 100,000 people (BENCH_BACKEND=dist: the production bundle and its heap size)',
    args: ['bench/okta-memory.mjs'],
    smokeEnv: { BENCH_DB: 'bench_okta_memory_smoke' },
    env: { BENCH_DB: 'bench_okta_memory' },
  },
  drain: {
    what: 'outbox drain: approved requests through the Zendesk and Okta fakes under their rate limits vs the floor',
    args: [...TRANSFORM, 'bench/outbox-drain.ts'],
    smokeEnv: {
      BENCH_DB: 'bench_drain_smoke',
      BENCH_REQUESTS: '50',
      BENCH_ZENDESK_LIMIT: '40',
      BENCH_OKTA_LIMIT: '40',
      BENCH_WINDOW_SECONDS: '3',
    },
    env: { BENCH_DB: 'bench_drain' },
  },
  campaign: {
    what: 'reclamation campaign over 20,000 holders at 100k people: matching set, start, catalog p95 while its notices are sent',
    args: [...TRANSFORM, 'bench/campaign.ts'],
    smokeEnv: {
      BENCH_DB: 'bench_cb_smoke',
      BENCH_PEOPLE: '2000',
      BENCH_HOLDERS: '400',
      BENCH_SECONDS: '2',
    },
    env: { BENCH_DB: 'bench_cb' },
  },
  'apps-page': {
    what: 'Catalog page in Chromium (baseline: the Backstage catalog page, same portal)',
    args: ['bench/apps-page.mjs'],
    smokeArgs: ['--runs', '1', '--apps', '20'],
  },
};

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
if (argv.includes('--list')) {
  for (const [name, b] of Object.entries(BENCHMARKS))
    console.log(`${name.padEnd(10)} ${b.what}`);
  process.exit(0);
}
const names = argv.filter(a => !a.startsWith('--'));
for (const n of names)
  if (!BENCHMARKS[n])
    throw new Error(
      `no benchmark "${n}"; one of ${Object.keys(BENCHMARKS).join(', ')}`,
    );
const selected = names.length ? names : Object.keys(BENCHMARKS);

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: repoRoot,
  encoding: 'utf8',
}).stdout.trim();
const startedAt = new Date();
const load0 = loadavg();
const niceOk = spawnSync('nice', ['-n', '10', 'true']).status === 0;
const tmp = join(tmpdir(), `app-access-bench-run-${process.pid}`);
mkdirSync(tmp, { recursive: true });

const results = [];
for (const name of selected) {
  const b = BENCHMARKS[name];
  const resultFile = join(tmp, `${name}.json`);
  const node = [
    process.execPath,
    ...b.args,
    ...(smoke ? b.smokeArgs ?? [] : []),
  ];
  const [cmd, ...args] = niceOk ? ['nice', '-n', '10', ...node] : node;
  console.log(`\n== ${name}${smoke ? ' (smoke)' : ''}: ${b.what}`);
  const t0 = Date.now();
  const run = spawnSync(cmd, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...(smoke ? { BENCH_SMOKE: '1', ...b.smokeEnv } : b.env),
      BENCH_RESULT_FILE: resultFile,
    },
  });
  const seconds = (Date.now() - t0) / 1000;
  let out;
  if (run.status === 0 && existsSync(resultFile))
    out = JSON.parse(readFileSync(resultFile, 'utf8'));
  results.push({
    name,
    seconds,
    ok: Boolean(out?.rows?.length),
    exit: run.status ?? run.signal,
    ...(out ?? {}),
  });
}
rmSync(tmp, { recursive: true, force: true });

function passes(r) {
  if (!r.target) return undefined;
  const v = r.target.of === 'ratio' ? r.ratio : r.figure;
  if (v === undefined || Number.isNaN(v)) return false;
  return r.target.op === '<=' ? v <= r.target.value : v >= r.target.value;
}
const fmt = (v, unit = '') =>
  v === undefined || v === null || Number.isNaN(v)
    ? '—'
    : `${
        Number.isInteger(v) || v >= 100
          ? v.toFixed(0)
          : v >= 10
          ? v.toFixed(1)
          : v.toFixed(2)
      }${unit && unit !== 'x' ? ` ${unit}` : unit === 'x' ? '×' : ''}`;

const table = [];
for (const res of results) {
  if (!res.ok) {
    table.push({
      benchmark: res.name,
      figure: `FAILED (exit ${res.exit})`,
      baseline: '',
      ratio: '',
      target: '',
      result: 'error',
    });
    continue;
  }
  for (const r of res.rows) {
    const pass = passes(r);
    r.pass = pass;
    table.push({
      benchmark: `${res.name}: ${r.name}`,
      figure: fmt(r.figure, r.unit),
      baseline:
        r.baseline === undefined
          ? '—'
          : `${fmt(r.baseline, r.baselineUnit ?? r.unit)} (${r.baselineName})`,
      ratio: r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
      target: r.target
        ? `${r.target.of === 'ratio' ? 'ratio ' : ''}${
            r.target.op === '<=' ? '≤' : '≥'
          } ${r.target.value}${
            r.target.of === 'ratio' ? '×' : r.unit ? ` ${r.unit}` : ''
          }`
        : '—',
      result: pass === undefined ? 'info' : pass ? 'pass' : 'FAIL',
    });
  }
}

const cols = ['benchmark', 'figure', 'baseline', 'ratio', 'target', 'result'];
const widths = cols.map(c =>
  Math.max(c.length, ...table.map(t => String(t[c]).length)),
);
const line = cells =>
  `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
const load1 = loadavg();
const text = [
  `App Access benchmarks${
    smoke ? ' (smoke: tiny data, targets not binding)' : ''
  }: ${startedAt.toISOString()}, commit ${commit}, ${
    cpus().length
  } CPUs, load average ${load0} → ${load1}`,
  '',
  line(cols),
  line(widths.map(w => '-'.repeat(w))),
  ...table.map(t => line(cols.map(c => t[c]))),
].join('\n');
console.log(`\n${text}\n`);

const outDir = join(benchDir, 'output');
mkdirSync(outDir, { recursive: true });
const file = join(
  outDir,
  `${startedAt.toISOString().replace(/[:.]/g, '-')}${
    smoke ? '-smoke' : ''
  }.json`,
);
writeFileSync(
  file,
  JSON.stringify(
    {
      at: startedAt.toISOString(),
      commit,
      smoke,
      cpus: cpus().length,
      loadavg: { before: load0, after: load1 },
      table: text,
      benchmarks: results,
    },
    null,
    2,
  ),
);
console.log(`bench: results in ${file}`);

const broken = results.filter(r => !r.ok).map(r => r.name);
const missed = results.flatMap(r =>
  (r.rows ?? []).filter(x => x.pass === false),
);
if (broken.length) {
  console.error(`bench: ${broken.join(', ')} produced no figures`);
  process.exit(1);
}
if (!smoke && missed.length) {
  console.log(`bench: ${missed.length} target(s) missed`);
  process.exit(2);
}

#!/usr/bin/env node
// Sums a V8 CPU profile (`--cpu-prof`, BENCH_CPU_PROF) by package and by
// function over a time window, and lists the longest stretches in which the
// event loop never went idle (what blocks the loop for everyone else).
//
//   node bench/lib/profile-summary.mjs <file.cpuprofile> [--timeline]
//        [--from <s>] [--to <s>] [--top 25] [--mark <function name>]
//
// --from/--to: seconds from the profile's start (negative: from its end).
// --timeline: per second, the busy share and the samples whose stack holds
// each of --mark (comma-separated names; default listApps,decide), to find
// the bench's phases.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const file = args.find(a => a.endsWith('.cpuprofile'));
if (!file) throw new Error('usage: profile-summary.mjs <file.cpuprofile>');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(opt('top', 25));
const marks = opt('mark', 'listApps,decide').split(',');

const byId = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes)
  for (const c of n.children ?? []) parent.set(c, n.id);

function packageOf(frame) {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:internal';
  const m = url.match(/(plugins|packages)\/([^/]+)\//);
  return m ? m[2] : url;
}

const label = f =>
  `${f.functionName || '(anonymous)'} ${packageOf(f)}:${
    (f.url || '').split('/').pop() || ''
  }:${f.lineNumber + 1}`;

/** True when `id`'s stack holds a function named `name`. */
const stackHas = (() => {
  const memo = new Map();
  return (id, name) => {
    const key = `${id}\u0000${name}`;
    if (memo.has(key)) return memo.get(key);
    let cur = id;
    let found = false;
    while (cur !== undefined) {
      const f = byId.get(cur).callFrame;
      // A name with a colon matches a label (name package:file:line) by substring.
      if (
        name.includes(':') ? label(f).includes(name) : f.functionName === name
      ) {
        found = true;
        break;
      }
      cur = parent.get(cur);
    }
    memo.set(key, found);
    return found;
  };
})();

// Sample times, in µs from the start.
const times = [];
let t = 0;
for (const d of profile.timeDeltas) times.push((t += d));
const total = (profile.endTime - profile.startTime) / 1e6;
const sec = v =>
  v === undefined ? undefined : Number(v) < 0 ? total + Number(v) : Number(v);
const from = sec(opt('from', 0));
const to = sec(opt('to', total));
const isIdle = id => byId.get(id).callFrame.functionName === '(idle)';

// --callers <name>: where the self time of functions named <name> comes from
// (the five frames above them), over the window.
// --incl <a,b,…>: inclusive time of functions named so (each sample once a name).
const incl = opt('incl');
if (incl) {
  const names = incl.split(',');
  const sums = names.map(() => 0);
  let all = 0;
  profile.samples.forEach((id, i) => {
    const at = times[i] / 1e6;
    if (at < from || at > to) return;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (!isIdle(id)) all += dt;
    names.forEach((name, k) => {
      if (stackHas(id, name)) sums[k] += dt;
    });
  });
  console.log(`busy ${all.toFixed(0)} ms`);
  names.forEach((name, k) =>
    console.log(
      `  ${sums[k].toFixed(0).padStart(6)} ms ${((100 * sums[k]) / all)
        .toFixed(1)
        .padStart(5)} % of busy  ${name}`,
    ),
  );
  process.exit(0);
}
// --children <name>: the inclusive time of the direct callees of <name>.
const childrenOf = opt('children');
if (childrenOf) {
  const sums = new Map();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const at = times[i] / 1e6;
    if (at < from || at > to) return;
    let cur = id;
    let below;
    while (
      cur !== undefined &&
      byId.get(cur).callFrame.functionName !== childrenOf
    ) {
      below = cur;
      cur = parent.get(cur);
    }
    if (cur === undefined) return;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    sum += dt;
    const k = below === undefined ? '(self)' : label(byId.get(below).callFrame);
    sums.set(k, (sums.get(k) ?? 0) + dt);
  });
  console.log(`${childrenOf}: ${sum.toFixed(1)} ms`);
  for (const [k, v] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${v.toFixed(1).padStart(7)} ms  ${k}`);
  process.exit(0);
}
const callersOf = opt('callers');
if (callersOf) {
  const chains = new Map();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const at = times[i] / 1e6;
    if (at < from || at > to) return;
    if (byId.get(id).callFrame.functionName !== callersOf) return;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    sum += dt;
    const chain = [];
    let cur = parent.get(id);
    while (cur !== undefined && chain.length < 5) {
      chain.push(label(byId.get(cur).callFrame));
      cur = parent.get(cur);
    }
    const k = chain.join(' < ');
    chains.set(k, (chains.get(k) ?? 0) + dt);
  });
  console.log(`${callersOf}: ${sum.toFixed(1)} ms`);
  for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${v.toFixed(1).padStart(7)} ms  ${k}`);
  process.exit(0);
}

if (args.includes('--timeline')) {
  const buckets = new Map();
  profile.samples.forEach((id, i) => {
    const s = Math.floor(times[i] / 1e6);
    const b = buckets.get(s) ?? { n: 0, busy: 0, marked: marks.map(() => 0) };
    b.n++;
    if (!isIdle(id)) b.busy++;
    marks.forEach((m, k) => {
      if (stackHas(id, m)) b.marked[k]++;
    });
    buckets.set(s, b);
  });
  for (const [s, b] of [...buckets].sort((a, c) => a[0] - c[0]))
    console.log(
      `${String(s).padStart(4)} s  busy ${((100 * b.busy) / b.n)
        .toFixed(0)
        .padStart(3)} %  ${marks
        .map((m, k) => `${m} ${String(b.marked[k]).padStart(3)}`)
        .join('  ')}`,
    );
  process.exit(0);
}

const self = new Map();
const pkgs = new Map();
let n = 0;
let busy = 0;
// Stretches without an idle sample.
const stretches = [];
let start = -1;
let stretchFns = new Map();
profile.samples.forEach((id, i) => {
  const at = times[i] / 1e6;
  if (at < from || at > to) return;
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // ms this sample stands for
  n += dt;
  const frame = byId.get(id).callFrame;
  if (isIdle(id)) {
    if (start >= 0) {
      stretches.push({
        at: times[start] / 1e6,
        ms: (times[i] - times[start]) / 1000,
        fns: stretchFns,
      });
      start = -1;
      stretchFns = new Map();
    }
    return;
  }
  busy += dt;
  if (start < 0) start = i;
  const key = label(frame);
  self.set(key, (self.get(key) ?? 0) + dt);
  const p = packageOf(frame);
  pkgs.set(p, (pkgs.get(p) ?? 0) + dt);
  // The App Access (or otherwise non-library) frame nearest the leaf names the stretch.
  let cur = id;
  let own;
  while (cur !== undefined && !own) {
    const f = byId.get(cur).callFrame;
    if (f.url && !f.url.includes('node_modules') && !f.url.startsWith('node:'))
      own = label(f);
    cur = parent.get(cur);
  }
  const k = own ?? key;
  stretchFns.set(k, (stretchFns.get(k) ?? 0) + dt);
});

const pct = v => `${((100 * v) / n).toFixed(1).padStart(5)} %`;
console.log(
  `${file}: window ${from.toFixed(1)}–${to.toFixed(1)} s of ${total.toFixed(
    1,
  )} s; busy ${pct(busy)} (${busy.toFixed(0)} ms)`,
);
console.log('\nself time by package:');
for (const [k, v] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(v)}  ${k}`);
console.log('\nself time by function:');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(v)}  ${k}`);
stretches.sort((a, b) => b.ms - a.ms);
console.log('\nlongest busy stretches (no idle sample):');
for (const s of stretches.slice(0, 10)) {
  const fns = [...s.fns]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, v]) => `${k} ${v.toFixed(1)} ms`)
    .join('; ');
  console.log(
    `  ${s.ms.toFixed(1).padStart(6)} ms at ${s.at.toFixed(1)} s: ${fns}`,
  );
}

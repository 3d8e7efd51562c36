#!/usr/bin/env node
// Frontend benchmark: the Apps page with a 1,000-app catalog in headless Chromium.
//
//   node bench/apps-page.mjs [--runs 5] [--apps 1000] [--keep] [--dev]
//
// 1. By default the production build, as a company deploys it: packages/app
//    built for production (once per commit and uncommitted changes, see
//    bench/lib/prodPortal.mjs) and served by the backend's app plugin on :7007
//    with the APIs, on a fresh SQLite database. It first reports the emitted
//    chunks that hold App Access's frontend code (source maps) and their gzip
//    sizes. With --dev it uses the portal on :3000/:7007 if one answers,
//    otherwise starts one with packages/app/e2e-tests/portal.mjs (`yarn start`,
//    the development build) and stops it at the end.
// 2. Seeds bench-app-0001 … bench-app-1000 as ivan.admin through
//    PUT /api/app-access/admin/apps/:id (listed, one tier, categories cycling).
//    Idempotent: apps already seeded the same way are not written again.
// 3. Signs in as jane.doe in headless Chromium (the e2e launch flags) and measures
//    (a) navigation → Apps page interactive: from the navigation's time origin to
//        the first app card laid out and the search box enabled, warm and with
//        the browser's cache emptied (cold), and the JS the cold page fetched;
//    (b) search keystroke → list filtered: from the keydown of one character in the
//        empty search box until the count line and every rendered card reflect the
//        filter (a MutationObserver in the page), plus the next frame after that;
//    and the baseline, Backstage's catalog index page of the same portal, cold
//    and warm; each --runs times, printing every run, the median and the max in ms.
// 4. Unlists the bench apps again (PUT listed: false) when it used a portal that
//    was already running (there is no delete), unless --keep; a portal it started
//    itself had a throw-away database and is just stopped.
// Results are also written to bench/output/apps-page-<timestamp>.json (git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './lib/common.mjs';
import { launchBrowser } from '../packages/app/e2e-tests/launchBrowser.mjs';
import {
  APP_URL,
  BACKEND_URL,
  demoToken,
  startPortal,
} from '../packages/app/e2e-tests/portal.mjs';
import { whileRestarting } from '../packages/app/e2e-tests/api.mjs';
import { signInAs, waitForBackend } from '../packages/app/e2e-tests/signIn.mjs';
import {
  appAccessChunks,
  ensureAppBuild,
  profileBySource,
  startProdPortal,
} from './lib/prodPortal.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const RUNS = Number(arg('runs', 5));
const APP_COUNT = Number(arg('apps', 1000));
const KEEP = process.argv.includes('--keep');
/** The development portal on :3000 instead of the production build on :7007. */
const DEV = process.argv.includes('--dev');
/**
 * --profile: a V8 CPU profile of the page (CDP Profiler) around each keystroke
 * and each cold load of the Apps page, written to bench/output and (production
 * build) summarised as self time per original source file.
 */
const PROFILE = process.argv.includes('--profile');
/** Where the page is served: :3000 (development) or the backend (production). */
let appUrl = APP_URL;
/** Where the Apps page keeps the catalog it loaded for the tab. */
const CATALOG_CACHE_KEY = 'app-access:catalog-apps';
/** The character typed into the empty search box: it matches ~27% of the bench apps. */
const KEY = '7';

const CATEGORIES = [
  'Communication',
  'Productivity',
  'Project management',
  'Design',
  'Engineering',
  'Security',
  'Sales',
  'Support',
  'Finance',
  'People',
  'Analytics',
  'Marketing',
];

const benchId = i => `bench-app-${String(i).padStart(4, '0')}`;
function benchApp(i, listed) {
  const n = String(i).padStart(4, '0');
  return {
    id: benchId(i),
    name: `Bench App ${n}`,
    vendor: `Bench Vendor ${(i % 40) + 1}`,
    category: CATEGORIES[i % CATEGORIES.length],
    description: `Synthetic app number ${n} seeded by bench/apps-page.mjs to measure the Apps page with a large catalog.`,
    listed,
    tiers: [
      {
        id: 'standard',
        name: 'Standard',
        description: 'The one tier of a bench app.',
        approval: { required: 'nobody' },
        fulfillment: { type: 'manual' },
      },
    ],
  };
}

async function isUp(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Admin API client as ivan.admin, retrying while the (watch-mode) backend restarts. */
async function adminApi() {
  // Retries while the catalog has not ingested ivan.admin yet (fresh database).
  const token = await whileRestarting(() => demoToken('ivan.admin'));
  const call = async (method, path, body) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${BACKEND_URL}/api/app-access${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(body ? { 'Content-Type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
        if (res.status >= 502 && res.status <= 504 && attempt < 60)
          throw new TypeError(`HTTP ${res.status}`);
        const json = await res.json().catch(() => undefined);
        if (!res.ok) {
          throw new Error(
            `${method} ${path}: HTTP ${res.status} ${JSON.stringify(json).slice(
              0,
              300,
            )}`,
          );
        }
        return json;
      } catch (e) {
        if (!(e instanceof TypeError) || attempt >= 60) throw e;
        await waitForBackend();
      }
    }
  };
  return { get: p => call('GET', p), put: (p, b) => call('PUT', p, b) };
}

async function listBenchApps(api) {
  const found = new Map();
  let cursor;
  for (let i = 0; i < 100; i++) {
    const q = new URLSearchParams({
      limit: '200',
      q: 'Bench App',
      ...(cursor ? { cursor } : {}),
    });
    const page = await api.get(`/admin/apps?${q}`);
    for (const app of page.items)
      if (app.id.startsWith('bench-app-')) found.set(app.id, app);
    if (!page.nextCursor || page.nextCursor === cursor) break;
    cursor = page.nextCursor;
  }
  return found;
}

/** PUTs every bench app whose stored version differs from what we want. */
async function putBenchApps(api, listed) {
  const existing = await listBenchApps(api);
  const todo = [];
  for (let i = 1; i <= APP_COUNT; i++) {
    const want = benchApp(i, listed);
    const have = existing.get(want.id);
    if (
      !have ||
      have.listed !== listed ||
      have.name !== want.name ||
      have.category !== want.category ||
      have.tiers?.length !== 1
    ) {
      todo.push(want);
    }
  }
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const app = todo[next++];
      await api.put(`/admin/apps/${app.id}`, app);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { written: todo.length, ms: Date.now() - started };
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = n => `${Math.round(n)}`;
const summary = xs =>
  `median ${fmt(median(xs))} ms, max ${fmt(Math.max(...xs))} ms  (runs: ${xs
    .map(fmt)
    .join(', ')})`;

/**
 * Installed before every document: records when the page becomes interactive.
 * The Apps page: the first app card laid out and the search box enabled. The
 * baseline, Backstage's catalog index page: its table's first data row (an
 * entity link, or "No records to display") laid out.
 */
function interactiveProbe() {
  window.__bench = { interactiveAt: null };
  const appsReady = () => {
    const card = document.querySelector('[data-testid^="app-card-"]');
    const search = document.querySelector('input[aria-label="Search apps"]');
    return (
      card &&
      search &&
      !search.disabled &&
      card.getBoundingClientRect().height > 0
    );
  };
  const catalogReady = () =>
    [...document.querySelectorAll('table tbody tr')].some(
      tr =>
        tr.getBoundingClientRect().height > 0 &&
        (tr.querySelector('a[href*="/catalog/"]') ||
          /No records/.test(tr.textContent ?? '')),
    );
  const check = () => {
    if (window.__bench.interactiveAt !== null) return;
    const ready = location.pathname.startsWith('/catalog')
      ? catalogReady()
      : appsReady();
    if (ready) {
      window.__bench.interactiveAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
  });
}

/**
 * Navigation → interactive on `path`; `cold` empties the browser's HTTP cache
 * first. Returns { ms, jsBytes, jsFiles }: the JS the page fetched until then
 * (bytes as they came over the wire, i.e. compressed; 0 for cached files).
 */
async function measurePage(page, path, cold) {
  if (cold) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    // And the catalog the Apps page keeps for the tab (sessionStorage,
    // plugins/app-access/src/lib/catalogCache.ts): a cold load is a first
    // visit, which has to wait for the catalog's first page.
    await page.evaluate(
      key => sessionStorage.removeItem(key),
      CATALOG_CACHE_KEY,
    );
  }
  await page.goto(`${appUrl}${path}`);
  const handle = await page.waitForFunction(
    () => window.__bench?.interactiveAt ?? null,
    null,
    { timeout: 60_000, polling: 100 },
  );
  const ms = await handle.jsonValue();
  const js = await page.evaluate(at => {
    const entries = performance
      .getEntriesByType('resource')
      .filter(e => /\.js(\?|$)/.test(e.name) && e.responseEnd <= at);
    const all = performance
      .getEntriesByType('resource')
      .filter(e => e.startTime <= at);
    const nav = performance.getEntriesByType('navigation')[0];
    const span = list =>
      list.length
        ? {
            n: list.length,
            from: Math.min(...list.map(e => e.startTime)),
            to: Math.max(...list.map(e => e.responseEnd)),
          }
        : undefined;
    return {
      jsBytes: entries.reduce((n, e) => n + e.encodedBodySize, 0),
      jsFiles: entries.filter(e => e.transferSize > 0).length,
      // Where the time went: milestones of this navigation.
      milestones: {
        domContentLoaded: nav?.domContentLoadedEventEnd,
        scripts: span(entries),
        api: span(all.filter(e => e.name.includes('/api/'))),
        catalogPages: span(
          all.filter(e => e.name.includes('/api/app-access/apps?')),
        ),
        interactive: at,
        requests: all.map(e => ({
          path: new URL(e.name).pathname.replace(/^\/static\//, ''),
          start: Math.round(e.startTime),
          end: Math.round(e.responseEnd),
          bytes: e.encodedBodySize,
        })),
      },
    };
  }, ms);
  return { ms, ...js };
}

async function measureLoad(page) {
  await page.goto(`${appUrl}/apps`);
  const handle = await page.waitForFunction(
    () => window.__bench?.interactiveAt ?? null,
    null,
    {
      timeout: 60_000,
      polling: 100,
    },
  );
  const ms = await handle.jsonValue();
  // Cross-check with Playwright's own notion of visible/enabled.
  await page
    .locator('[data-testid^="app-card-"]')
    .first()
    .waitFor({ state: 'visible' });
  if (!(await page.getByLabel('Search apps').isEnabled()))
    throw new Error('search box disabled');
  return ms;
}

/** "1021 apps", or "271 of 1021 apps match · Clear filters" while filtering. */
const countLine = page =>
  page
    .locator('[aria-live="polite"]')
    .filter({ hasText: /^\d+ (of \d+ )?apps/ })
    .first();

/** `around` wraps the keystroke itself (the profiler, with --profile). */
async function measureKeystroke(page, around = f => f()) {
  const search = page.getByLabel('Search apps');
  await search.fill('');
  await countLine(page)
    .filter({ hasText: /^\d+ apps$/ })
    .waitFor();
  await search.focus();
  await page.evaluate(
    () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50))),
  );
  await page.evaluate(key => {
    const input = document.querySelector('input[aria-label="Search apps"]');
    const kb = { keyAt: null, domAt: null, frameAt: null, added: 0 };
    window.__kb = kb;
    input.addEventListener(
      'keydown',
      e => {
        kb.keyAt = e.timeStamp;
      },
      { capture: true, once: true },
    );
    const countEl = () =>
      [...document.querySelectorAll('[aria-live="polite"]')].find(el =>
        /^\d+ (of \d+ )?apps/.test(el.textContent ?? ''),
      );
    const observer = new MutationObserver(records => {
      if (kb.keyAt === null || kb.domAt !== null) return;
      // Elements the keystroke created (load-independent: what React had
      // to build, whatever the machine's speed).
      for (const r of records)
        for (const n of r.addedNodes)
          if (n.nodeType === 1)
            kb.added += 1 + n.getElementsByTagName('*').length;
      const count = countEl();
      if (!count || !/^\d+ of \d+ apps match/.test(count.textContent ?? ''))
        return;
      const cards = [
        ...document.querySelectorAll('[data-testid^="app-card-"]'),
      ];
      if (
        cards.length === 0 ||
        !cards.every(c => (c.textContent ?? '').toLowerCase().includes(key))
      )
        return;
      kb.domAt = performance.now();
      observer.disconnect();
      requestAnimationFrame(() =>
        setTimeout(() => {
          kb.frameAt = performance.now();
        }, 0),
      );
    });
    observer.observe(document.body, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  }, KEY);
  const kb = await around(async () => {
    await page.keyboard.press(KEY);
    const handle = await page.waitForFunction(
      () => (window.__kb.frameAt !== null ? window.__kb : null),
      null,
      {
        timeout: 30_000,
      },
    );
    return handle.jsonValue();
  });
  return {
    dom: kb.domAt - kb.keyAt,
    frame: kb.frameAt - kb.keyAt,
    added: kb.added,
  };
}

/**
 * `yarn start` runs the backend in watch mode: it restarts whenever a plugin's
 * source changes. A run that hits a restart fails; it is thrown away and
 * repeated once the backend answers again (and reported).
 */
async function retried(what, fn) {
  for (let attempt = 1; ; attempt++) {
    await waitForBackend();
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 3) throw e;
      console.log(
        `bench: a ${what} run failed (${
          String(e?.message).split('\n')[0]
        }); repeating it`,
      );
    }
  }
}

/** Runs fn under the CDP CPU profiler when --profile is given. */
async function profiled(page, profiles, fn) {
  if (!PROFILE) return fn();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    profiles.push(profile);
    await cdp.detach();
  }
}

/** Writes the profiles and prints where their time went. */
function reportProfiles(what, profiles, outDir) {
  if (!PROFILE || profiles.length === 0) return;
  profiles.forEach((p, i) =>
    writeFileSync(
      join(outDir, `apps-page-${what}-${i + 1}.cpuprofile`),
      JSON.stringify(p),
    ),
  );
  if (DEV) return;
  const sum = new Map();
  let total = 0;
  for (const p of profiles) {
    const r = profileBySource(p);
    total += r.totalMs;
    for (const { source, ms } of r.top)
      sum.set(source, (sum.get(source) ?? 0) + ms);
  }
  console.log(
    `\n${what}: CPU profile, self time per source (mean of ${
      profiles.length
    } runs, ${(total / profiles.length).toFixed(0)} ms sampled each):`,
  );
  for (const [source, ms] of [...sum].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(
      `  ${(ms / profiles.length).toFixed(1).padStart(7)} ms  ${source}`,
    );
}

/** Prints the chunks holding App Access's code; returns the rows' figures. */
function reportChunks() {
  const chunks = appAccessChunks();
  const kb = n => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    "\nApp Access's frontend code in packages/app/dist/static (from the source maps):",
  );
  for (const c of chunks) {
    console.log(
      `  ${c.file}: ${kb(c.bytes)}, gzip ${kb(
        c.gzip,
      )}, App Access's own sources ${kb(c.appAccessBytes)}${
        c.eager ? ' (loaded up front by index.html)' : ' (lazy)'
      }`,
    );
    for (const t of c.top.slice(0, 5))
      console.log(`      ${kb(t.bytes).padStart(9)}  ${t.source}`);
  }
  const lazy = chunks.filter(c => !c.eager);
  const eager = chunks.filter(c => c.eager);
  return {
    chunks,
    lazyGzip: lazy.reduce((n, c) => n + c.gzip, 0),
    lazyFiles: lazy.length,
    eagerOwnBytes: eager.reduce((n, c) => n + c.appAccessBytes, 0),
  };
}

async function main() {
  let reused = false;
  let stopPortal;
  let chunkReport;
  let build;
  if (DEV) {
    reused =
      (await isUp(`${BACKEND_URL}/api/app-access/health`)) &&
      (await isUp(APP_URL));
    stopPortal = await startPortal();
  } else {
    build = ensureAppBuild();
    chunkReport = reportChunks();
    const portal = await startProdPortal({
      port: Number(new URL(BACKEND_URL).port || 80),
    });
    appUrl = portal.url;
    stopPortal = portal.stop;
  }
  let api;
  let browser;
  try {
    api = await adminApi();
    const seeded = await putBenchApps(api, true);
    console.log(
      `bench: ${APP_COUNT} bench apps listed (${seeded.written} written in ${(
        seeded.ms / 1000
      ).toFixed(1)} s)`,
    );

    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    await context.addInitScript(interactiveProbe);
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await signInAs(page, appUrl, 'jane.doe');
    await page.locator('[data-testid^="app-card-"]').first().waitFor();
    // The first page shows before the rest has loaded ("First 200 apps").
    await countLine(page)
      .filter({ hasText: /^\d+ apps$/ })
      .waitFor();
    const total = (await countLine(page).textContent()).trim();
    console.log(`bench: jane.doe sees "${total}" on ${appUrl}/apps`);

    const load = [];
    for (let i = 0; i < RUNS; i++)
      load.push(await retried('load', () => measureLoad(page)));
    // Cold caches, and the baseline: Backstage's catalog index page of the
    // same portal, cold and warm, alternating with the Apps page.
    const cold = [];
    const coldProfiles = [];
    const keyProfiles = [];
    const coldJs = [];
    const coldMilestones = [];
    const catalogCold = [];
    const catalogColdJs = [];
    const catalogWarm = [];
    for (let i = 0; i < RUNS; i++) {
      const a = await retried('cold load', () =>
        profiled(page, coldProfiles, () => measurePage(page, '/apps', true)),
      );
      cold.push(a.ms);
      coldJs.push(a.jsBytes);
      coldMilestones.push(a.milestones);
      const c = await retried('catalog cold load', () =>
        measurePage(page, '/catalog', true),
      );
      catalogCold.push(c.ms);
      catalogColdJs.push(c.jsBytes);
      catalogWarm.push(
        (
          await retried('catalog warm load', () =>
            measurePage(page, '/catalog', false),
          )
        ).ms,
      );
    }
    const keyDom = [];
    const keyFrame = [];
    const keyAdded = [];
    await retried('load', () => measureLoad(page));
    for (let i = 0; i < RUNS; i++) {
      const r = await retried('keystroke', () =>
        measureKeystroke(page, f => profiled(page, keyProfiles, f)),
      );
      keyDom.push(r.dom);
      keyFrame.push(r.frame);
      keyAdded.push(r.added);
    }
    const matched = (await countLine(page).textContent())
      .replace(/ · .*$/, '')
      .trim();

    console.log(
      `\nApps page in Chromium (${total}, search "${KEY}" → ${matched}; ${RUNS} runs each)`,
    );
    console.log(`  (a) navigation → interactive:        ${summary(load)}`);
    console.log(`      the same, cold cache:            ${summary(cold)}`);
    console.log(
      `  baseline: /catalog, cold cache:      ${summary(catalogCold)}`,
    );
    console.log(
      `            /catalog, warm:            ${summary(catalogWarm)}`,
    );
    console.log(
      `      JS fetched, cold (compressed):   /apps ${(
        median(coldJs) / 1024
      ).toFixed(0)} KB, /catalog ${(median(catalogColdJs) / 1024).toFixed(
        0,
      )} KB`,
    );
    const m = coldMilestones[cold.indexOf(median(cold))] ?? coldMilestones[0];
    const r = v => (v === undefined ? '—' : `${Math.round(v)}`);
    console.log(
      `      median cold run, ms from navigation: DOMContentLoaded ${r(
        m.domContentLoaded,
      )}; JS ${m.scripts?.n ?? 0} files until ${r(m.scripts?.to)}; API calls ${
        m.api?.n ?? 0
      } from ${r(m.api?.from)} to ${r(m.api?.to)}; catalog pages ${
        m.catalogPages?.n ?? 0
      } from ${r(m.catalogPages?.from)} to ${r(
        m.catalogPages?.to,
      )}; interactive ${r(m.interactive)}`,
    );
    console.log(`  (b) keystroke → list filtered (DOM): ${summary(keyDom)}`);
    console.log(`      keystroke → next frame:          ${summary(keyFrame)}`);
    console.log(
      `      elements created by the keystroke: ${keyAdded.join(', ')}`,
    );

    const outDir = join(benchDir, 'output');
    mkdirSync(outDir, { recursive: true });
    reportProfiles('cold-load', coldProfiles, outDir);
    reportProfiles('keystroke', keyProfiles, outDir);
    const file = join(
      outDir,
      `apps-page-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          appUrl,
          build: DEV ? 'development' : 'production',
          productionBuild: build,
          portal: reused
            ? 'already running'
            : 'started by the bench (fresh database)',
          appAccessChunks: chunkReport,
          coldJsBytes: coldJs,
          coldMilestones,
          catalogColdJsBytes: catalogColdJs,
          cpus: cpus().length,
          catalog: total,
          key: KEY,
          matched,
          loadMs: load,
          coldLoadMs: cold,
          catalogColdMs: catalogCold,
          catalogWarmMs: catalogWarm,
          keystrokeDomMs: keyDom,
          keystrokeFrameMs: keyFrame,
          keystrokeElementsCreated: keyAdded,
        },
        null,
        2,
      ),
    );
    console.log(`\nbench: results in ${file}`);
    if (process.env.BENCH_RESULT_FILE) {
      // For bench/run.mjs. With --dev, whatever :3000 serves: `yarn start`
      // is the development build (the targets are for the production build).
      const buildName = !DEV
        ? 'production build'
        : reused
        ? 'portal on :3000'
        : 'development build';
      const rows = [
        {
          name: `Apps page cold, navigation → interactive (${buildName}, ${total}, median of ${RUNS})`,
          figure: median(cold),
          unit: 'ms',
          baseline: median(catalogCold),
          baselineName: 'catalog page cold',
          ratio: median(cold) / median(catalogCold),
          target: { op: '<=', value: 0.6, of: 'ratio' },
        },
        {
          name: 'Apps page cold, navigation → interactive (absolute)',
          figure: median(cold),
          unit: 'ms',
          target: { op: '<=', value: 600, of: 'figure' },
        },
        {
          name: 'Apps page warm, navigation → interactive',
          figure: median(load),
          unit: 'ms',
          baseline: median(catalogWarm),
          baselineName: 'catalog page warm',
          ratio: median(load) / median(catalogWarm),
          target: { op: '<=', value: 350, of: 'figure' },
        },
        {
          name: `Apps page keystroke → list filtered (DOM)`,
          figure: median(keyDom),
          unit: 'ms',
          target: { op: '<=', value: 40, of: 'figure' },
        },
        {
          name: 'Apps page keystroke: elements created (until filtered)',
          figure: median(keyAdded),
          unit: '',
        },
        {
          name: 'Apps page cold: JS fetched until interactive (compressed)',
          figure: median(coldJs) / 1024,
          unit: 'KB',
          baseline: median(catalogColdJs) / 1024,
          baselineName: 'catalog page cold',
          ratio: median(coldJs) / median(catalogColdJs),
        },
      ];
      if (chunkReport) {
        rows.push({
          name: `App Access's lazy chunks (${chunkReport.lazyFiles} files), gzip sum`,
          figure: chunkReport.lazyGzip / 1024,
          unit: 'KB',
          target: { op: '<=', value: 200, of: 'figure' },
        });
        rows.push({
          name: "App Access's code in the chunks loaded up front (minified)",
          figure: chunkReport.eagerOwnBytes / 1024,
          unit: 'KB',
        });
      }
      writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify({ rows }));
    }
  } finally {
    await browser?.close();
    if (DEV && reused && !KEEP && api) {
      const undone = await putBenchApps(api, false);
      console.log(
        `bench: unlisted the bench apps again (${undone.written} written)`,
      );
    }
    await stopPortal();
  }
}

runMain(main);

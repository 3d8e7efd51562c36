// The example portal as a company deploys it, for bench/apps-page.mjs: the
// frontend built for production (`backstage-cli package build` in
// packages/app, the step `yarn build:backend` runs for the bundle the
// Dockerfile ships) and served by the backend's app plugin on :7007, next to
// the APIs, from one origin. The build is cached: it is redone only when the
// commit or the uncommitted changes of what it is built from differ from
// those of the last build (a stamp file in packages/app/dist).
//
// The backend runs from source through the node transform (as `yarn start`
// runs it, but not in watch mode) with the example config: demo sign-in must
// stay on for the bench to sign in, and Backstage refuses it under
// NODE_ENV=production. The frontend it serves is the production bundle all
// the same: minified, split into chunks, served with long-lived caching.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './common.mjs';

export const appDir = join(repoRoot, 'packages', 'app');
export const distDir = join(appDir, 'dist');
const stampFile = join(distDir, '.bench-build-stamp');

/** What the frontend bundle is built from, besides node_modules. */
const SOURCES = [
  'packages/app',
  'plugins/app-access',
  'plugins/app-access-common',
  'app-config.yaml',
  'yarn.lock',
];

function git(args) {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
}

/** The commit plus a hash of uncommitted changes to the sources of the bundle. */
export function buildKey() {
  const head = git(['rev-parse', 'HEAD']).trim();
  const dirty = createHash('sha1')
    .update(git(['diff', 'HEAD', '--', ...SOURCES]))
    .update(
      git([
        'ls-files',
        '--others',
        '--exclude-standard',
        '-s',
        '--',
        ...SOURCES,
      ]),
    );
  // Untracked files' contents, not just their names.
  for (const f of git([
    'ls-files',
    '--others',
    '--exclude-standard',
    '--',
    ...SOURCES,
  ])
    .split('\n')
    .filter(Boolean))
    dirty.update(readFileSync(join(repoRoot, f)));
  return `${head} ${dirty.digest('hex')}`;
}

/**
 * Builds packages/app for production unless dist/ holds a build of the same
 * key. Returns { built, seconds, key }.
 */
export function ensureAppBuild({ log = console.log } = {}) {
  const key = buildKey();
  if (
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === key &&
    existsSync(join(distDir, 'index.html'))
  ) {
    log(`bench: reusing the production build in packages/app/dist (${key})`);
    return { built: false, seconds: 0, key };
  }
  log(
    `bench: building packages/app for production (backstage-cli package build; ${key})`,
  );
  const started = Date.now();
  execFileSync('yarn', ['build'], {
    cwd: appDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  writeFileSync(stampFile, `${key}\n`);
  const seconds = (Date.now() - started) / 1000;
  log(`bench: production build done in ${seconds.toFixed(0)} s`);
  return { built: true, seconds, key };
}

async function isUp(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * Starts the example backend on :7007 (fresh SQLite database in a temp
 * folder) serving packages/app/dist at / and waits until the backend, the
 * catalog (jane.doe can sign in) and the served frontend answer. Returns
 * { url, stop }.
 */
export async function startProdPortal({ port = 7007, log = console.log } = {}) {
  const url = `http://localhost:${port}`;
  if (await isUp(`${url}/api/app-access/health`)) {
    throw new Error(
      `a backend already answers on :${port}; stop it first (the bench serves the production build from a backend it starts)`,
    );
  }
  const workDir = mkdtempSync(join(tmpdir(), 'app-access-bench-prod-'));
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, 'backend.log');
  log(
    `bench: starting the backend serving the production build (log ${logFile})`,
  );
  const out = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'src/index.ts',
      '--config',
      join(repoRoot, 'app-config.yaml'),
    ],
    {
      cwd: join(repoRoot, 'packages', 'backend'),
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        APP_CONFIG_app_baseUrl: url,
        APP_CONFIG_backend_baseUrl: url,
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_backend_cors_origin: url,
        APP_CONFIG_backend_database_connection_directory: join(
          workDir,
          'sqlite',
        ),
      },
    },
  );
  const stop = async () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 20 && child.exitCode === null; i++)
      await new Promise(r => setTimeout(r, 500));
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  const waitFor = async (what, check, ms) => {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if (child.exitCode !== null)
        throw new Error(
          `${what}: the backend exited with ${child.exitCode} (log ${logFile})`,
        );
      if (await check()) return;
      await new Promise(r => setTimeout(r, 1000));
    }
    throw new Error(`${what} not ready within ${ms / 1000} s (log ${logFile})`);
  };
  try {
    await waitFor(
      'backend',
      () => isUp(`${url}/api/app-access/health`),
      300_000,
    );
    await waitFor(
      'catalog (demo user jane.doe)',
      async () => {
        try {
          const res = await fetch(
            `${url}/api/auth/demo/refresh?env=development`,
            { headers: { 'x-demo-user': 'jane.doe' } },
          );
          return res.ok;
        } catch {
          return false;
        }
      },
      180_000,
    );
    await waitFor(
      'the production frontend at /',
      async () => {
        try {
          const res = await fetch(`${url}/`);
          return res.ok && /<script/.test(await res.text());
        } catch {
          return false;
        }
      },
      60_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

/** JS files of packages/app/dist/static with their source maps' sources. */
function chunks() {
  const staticDir = join(distDir, 'static');
  return readdirSync(staticDir)
    .filter(f => f.endsWith('.js'))
    .map(file => {
      const code = readFileSync(join(staticDir, file));
      const mapFile = join(staticDir, `${file}.map`);
      const map = existsSync(mapFile)
        ? JSON.parse(readFileSync(mapFile, 'utf8'))
        : undefined;
      return { file, code, map };
    });
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function decodeVlq(seg) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    let digit = B64.indexOf(ch);
    const more = digit & 32;
    digit &= 31;
    value += digit << shift;
    if (more) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * A source map's mappings as, per generated line, the segments' generated
 * columns and source indexes (-1: no source).
 */
export function decodeMappings(map) {
  let source = 0;
  return map.mappings.split(';').map(line => {
    let col = 0;
    return line
      .split(',')
      .filter(Boolean)
      .map(s => {
        const d = decodeVlq(s);
        col += d[0];
        if (d.length >= 4) source += d[1];
        return { col, source: d.length >= 4 ? source : -1 };
      });
  });
}

/** Bytes of the minified chunk each source contributed, from the source map. */
function bytesBySource(code, map) {
  // Each segment's generated column range is charged to its source (the
  // usual source-map-explorer approach).
  const lines = code.toString('utf8').split('\n');
  const sizes = new Map();
  decodeMappings(map).forEach((segs, l) => {
    if (l >= lines.length) return;
    for (let i = 0; i < segs.length; i++) {
      const end = i + 1 < segs.length ? segs[i + 1].col : lines[l].length;
      if (segs[i].source < 0) continue;
      const name = map.sources[segs[i].source];
      sizes.set(name, (sizes.get(name) ?? 0) + (end - segs[i].col));
    }
  });
  return sizes;
}

/**
 * Summarises a V8 CPU profile (CDP Profiler) of the production build: self
 * time per original source file, through the chunks' source maps.
 */
export function profileBySource(profile) {
  const maps = new Map();
  const mapOf = url => {
    const file = url.replace(/^.*\/static\//, '');
    if (!maps.has(file)) {
      const path = join(distDir, 'static', `${file}.map`);
      if (!url.includes('/static/') || !existsSync(path)) maps.set(file, null);
      else {
        const map = JSON.parse(readFileSync(path, 'utf8'));
        maps.set(file, { map, lines: decodeMappings(map) });
      }
    }
    return maps.get(file);
  };
  const sourceOf = frame => {
    const { url, lineNumber, columnNumber, functionName } = frame;
    if (!url) return `(${functionName || 'program'})`;
    const m = mapOf(url);
    if (!m) return url.replace(/^.*\//, '');
    const segs = m.lines[lineNumber] ?? [];
    let hit = -1;
    for (const s of segs) if (s.col <= columnNumber) hit = s.source;
    return hit < 0
      ? url.replace(/^.*\//, '')
      : m.map.sources[hit]
          .replace(/^.*node_modules\//, '~/')
          .replace(/^webpack:\/\/app\//, '');
  };
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const key = sourceOf(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + (dt[i + 1] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    totalMs: total,
    top: [...self]
      .sort((a, b) => b[1] - a[1])
      .map(([source, ms]) => ({ source, ms })),
  };
}

const isAppAccess = source =>
  /plugins\/app-access(-common)?\/src\//.test(source) ||
  /@app-access\/plugin-app-access(-common)?\//.test(source);

/**
 * The emitted chunks that hold App Access's frontend code (its plugin and
 * its common package), found through the source maps: for each, its size and
 * gzip size, the bytes App Access's own sources take in it, whether
 * index.html loads it up front, and its largest sources.
 */
export function appAccessChunks() {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const result = [];
  for (const { file, code, map } of chunks()) {
    if (!map) continue;
    if (!map.sources.some(isAppAccess)) continue;
    const sizes = bytesBySource(code, map);
    let own = 0;
    for (const [s, n] of sizes) if (isAppAccess(s)) own += n;
    const top = [...sizes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([s, n]) => ({
        source: s.replace(/^.*node_modules\//, '~/').replace(/^.*\.\.\//, ''),
        bytes: n,
      }));
    result.push({
      file,
      bytes: code.length,
      gzip: gzipSync(code, { level: 9 }).length,
      appAccessBytes: own,
      eager: html.includes(file),
      top,
    });
  }
  return result.sort((a, b) => b.bytes - a.bytes);
}

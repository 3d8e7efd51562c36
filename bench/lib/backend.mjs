// The example backend (packages/backend, as `yarn start` runs it, with its
// real auth, catalog, permission policy and App Access) as one or more
// replicas on one PostgreSQL database, for the write-path benchmarks. Like
// the fault suite's scripts/faults/replicas.mjs, plus CPU pinning (taskset)
// and memory readings.
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  sharedReplicaConfig,
  writeReplicaConfigs,
} from '../../scripts/lib/replicaConfig.mjs';
import { backendDir, memoryOf, PG, repoRoot, sleep, sql } from './common.mjs';

export const workDir =
  process.env.BENCH_WORK_DIR ?? join(tmpdir(), 'app-access-bench');

export const APPROVER = 'sam.manager';

/**
 * Which backend the benchmarks start: `source` (default; packages/backend/src
 * through the node transform, as `yarn start` does) or `dist`
 * (BENCH_BACKEND=dist: the production bundle of `yarn build:backend`,
 * unpacked as packages/backend/Dockerfile does).
 */
export const BACKEND_KIND =
  process.env.BENCH_BACKEND === 'dist' ? 'dist' : 'source';

/**
 * The production bundle unpacked as packages/backend/Dockerfile (and
 * scripts/install-check/bundle.sh) does: skeleton, production install,
 * bundle, app-config*.yaml and examples. Kept in BENCH_DIST_DIR (default
 * under the bench work folder) and redone only when the bundle changed.
 */
export function prepareDistImage(log = console.log) {
  const dist = join(backendDir, 'dist');
  const bundle = join(dist, 'bundle.tar.gz');
  const skeleton = join(dist, 'skeleton.tar.gz');
  if (!existsSync(bundle) || !existsSync(skeleton)) {
    throw new Error(
      `BENCH_BACKEND=dist: ${bundle} is missing; run \`yarn build:backend\` first`,
    );
  }
  const image = process.env.BENCH_DIST_DIR ?? join(workDir, 'dist-image');
  const stamp = join(image, '.bench-bundle');
  const version = `${statSync(bundle).mtimeMs} ${statSync(skeleton).mtimeMs}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) {
    return image;
  }
  log(`unpacking the production bundle into ${image}`);
  rmSync(image, { recursive: true, force: true });
  mkdirSync(image, { recursive: true });
  for (const f of [
    '.yarnrc.yml',
    'backstage.json',
    'yarn.lock',
    'package.json',
  ])
    copyFileSync(join(repoRoot, f), join(image, f));
  execFileSync('tar', ['xzf', skeleton, '-C', image]);
  execFileSync('yarn', ['workspaces', 'focus', '--all', '--production'], {
    cwd: image,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      YARN_NM_MODE: 'hardlinks-global',
      YARN_ENABLE_SCRIPTS: 'false',
    },
  });
  // The image compiles better-sqlite3; the repository's build of the same
  // version for the same Node is copied instead (as bundle.sh does).
  const native = join('node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(join(image, native), { recursive: true });
  copyFileSync(
    join(repoRoot, native, 'better_sqlite3.node'),
    join(image, native, 'better_sqlite3.node'),
  );
  cpSync(join(repoRoot, 'examples'), join(image, 'examples'), {
    recursive: true,
  });
  for (const f of readdirSync(repoRoot).filter(n =>
    /^app-config.*\.yaml$/.test(n),
  ))
    copyFileSync(join(repoRoot, f), join(image, f));
  execFileSync('tar', ['xzf', bundle, '-C', image]);
  writeFileSync(stamp, version);
  return image;
}

/** Bench people: requesters in the catalog, managed by sam.manager. */
export function benchUsers(count) {
  return Array.from(
    { length: count },
    (_, i) => `bench.u${String(i + 1).padStart(4, '0')}`,
  );
}

function orgYaml(users) {
  return users
    .map(
      name => `---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ${name}
  annotations:
    app-access/title: Software Engineer
    app-access/department: Engineering
    app-access/manager: ${APPROVER}
spec:
  profile:
    displayName: Bench ${name}
    email: ${name}@acme.example
  memberOf: [engineering]
`,
    )
    .join('');
}

/** Apps that need sam.manager's approval and are fulfilled by hand (no vendor). */
function seedOf(appCount) {
  return {
    apiVersion: 'app-access.dev/v1',
    kind: 'AppCatalog',
    apps: Array.from({ length: appCount }, (_, i) => ({
      id: `wb-${String(i + 1).padStart(4, '0')}`,
      name: `Write bench ${i + 1}`,
      category: 'Benchmark',
      owner: 'group:default/it-admins',
      listed: true,
      approval: {
        required: 'everyone',
        level1: [{ type: 'user', ref: `user:default/${APPROVER}` }],
      },
      tiers: [{ id: 'std', name: 'Standard', fulfillment: { type: 'manual' } }],
    })),
  };
}

export function writeConfig({ database, users, apps, ports, extra = {} }) {
  mkdirSync(workDir, { recursive: true });
  const orgFile = join(workDir, 'bench-org.yaml');
  writeFileSync(orgFile, orgYaml(users));
  const seedFile = join(workDir, 'bench-seed.json');
  writeFileSync(seedFile, JSON.stringify(seedOf(apps)));
  return writeReplicaConfigs({
    dir: workDir,
    baseName: 'app-config.bench.json',
    ports,
    shared: sharedReplicaConfig({
      repoRoot,
      connection: { ...PG, database },
      appAccessPoolMax: 10,
      extraLocations: [
        { type: 'file', target: orgFile, rules: [{ allow: ['User'] }] },
      ],
      appAccess: {
        catalog: { seedFiles: [seedFile] },
        approvals: {
          method: 'portal',
          defaultApprovers: ['group:default/it-admins'],
        },
        ...extra,
      },
    }),
  });
}

/**
 * One example backend (not started) whose Okta module syncs the Okta fake at
 * `oktaUrl` (its API token) every `everyMinutes`, the first run two minutes
 * after start-up; `backend` options (cpuProf, distImage, …) go to Backend.
 */
export function oktaBackend({
  name,
  port,
  database,
  users,
  apps,
  oktaUrl,
  requestTimeoutSeconds,
  everyMinutes,
  ...backend
}) {
  const [configFiles] = writeConfig({
    database,
    users,
    apps,
    ports: [port],
    extra: {
      okta: {
        orgUrl: oktaUrl,
        apiToken: 'test-api-token',
        requestTimeoutSeconds,
        sync: { enabled: true, everyMinutes },
      },
    },
  });
  return new Backend({ name, port, configFiles, ...backend });
}

/** The NODE_OPTIONS that packages/backend/Dockerfile sets (empty if none). */
export function dockerNodeOptions() {
  const dockerfile = readFileSync(join(backendDir, 'Dockerfile'), 'utf8');
  return /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
}

/**
 * Every (user, app) pair of the seeded bench data (`wb-0001`…): each can hold
 * one open request. `interleave` reorders them so that concurrent requests
 * touch different apps and people.
 */
export function requestPairs(users, apps, { interleave = false } = {}) {
  const out = [];
  for (let a = 1; a <= apps; a++)
    for (const user of users)
      out.push({ user, appId: `wb-${String(a).padStart(4, '0')}` });
  if (interleave) {
    for (let i = out.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}

/** The pairs one after another, round and round: `() => the next pair`. */
export function cycle(pairs) {
  let next = 0;
  return () => pairs[next++ % pairs.length];
}

/**
 * An autocannon request that creates an access request for `nextPair()` (as
 * that pair's user, with `tokens`: user → token) and hands the new request's
 * id to `onId`. Phases that share `nextPair` never ask twice for one pair.
 */
export function createRequestSpec({ nextPair, tokens, justification, onId }) {
  return {
    method: 'POST',
    setupRequest: req => {
      const p = nextPair();
      return {
        ...req,
        path: '/api/app-access/requests',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens.get(p.user)}`,
        },
        body: JSON.stringify({ appId: p.appId, tierId: 'std', justification }),
      };
    },
    onResponse: (status, body) => {
      if (status === 201 && onId) onId(JSON.parse(body).id);
    },
  };
}

export class Backend {
  /** cpus: a taskset CPU list ("0", "1", "0,1") or undefined (no pinning). */
  /**
   * kind: 'source' or 'dist' (default BACKEND_KIND); distImage: the unpacked
   * bundle (prepareDistImage) when 'dist'. nodeEnv: NODE_ENV of a 'dist'
   * backend (default unset: demo sign-in, which the bench's callers use, is
   * refused under 'production').
   */
  constructor({
    name,
    port,
    configFiles,
    cpus,
    cpuProf,
    kind = BACKEND_KIND,
    distImage,
    nodeEnv,
  }) {
    Object.assign(this, {
      name,
      port,
      configFiles,
      cpus,
      cpuProf,
      kind,
      // Unpacked on first use (any benchmark that starts backends).
      distImage: kind === 'dist' ? distImage ?? prepareDistImage() : undefined,
      nodeEnv,
    });
    this.url = `http://127.0.0.1:${port}`;
    this.peakMb = 0;
  }

  start() {
    const logFile = join(workDir, `${this.name}.log`);
    const log = openSync(logFile, 'w');
    this.logFile = logFile;
    const dist = this.kind === 'dist';
    const node = [
      process.execPath,
      ...(this.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${this.cpuProf}`] : []),
      ...(dist
        ? ['packages/backend']
        : [
            '--require',
            '@backstage/cli/config/nodeTransform.cjs',
            'src/index.ts',
          ]),
      ...this.configFiles.flatMap(f => ['--config', f]),
    ];
    const [cmd, ...args] = this.cpus
      ? ['taskset', '-c', this.cpus, ...node]
      : node;
    const env = { ...process.env, LOG_LEVEL: 'warn' };
    // The bundle runs with the Dockerfile's NODE_OPTIONS (its heap size), as
    // a company's container does, unless the caller set NODE_OPTIONS.
    if (dist && !process.env.NODE_OPTIONS)
      env.NODE_OPTIONS = dockerNodeOptions();
    if (!dist) env.NODE_ENV = 'development';
    else if (this.nodeEnv) env.NODE_ENV = this.nodeEnv;
    else delete env.NODE_ENV;
    this.child = spawn(cmd, args, {
      cwd: dist ? this.distImage : backendDir,
      stdio: ['ignore', log, log],
      env,
    });
    this.exited = new Promise(resolve =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    // taskset execs node in place: the pid is the backend's.
    this.sampler = setInterval(() => this.sample(), 1000);
  }

  /** Resident memory now (MB), or undefined once it has exited. */
  rssMb() {
    return (this.child?.pid && memoryOf(this.child.pid))?.rssMb;
  }

  sample() {
    const m = this.child?.pid && memoryOf(this.child.pid);
    if (m) this.peakMb = Math.max(this.peakMb, m.peakMb, m.rssMb);
  }

  async waitHealthy(timeoutMs = 240_000) {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `${this.name} exited during start-up (see ${this.logFile})`,
        );
      try {
        const res = await fetch(`${this.url}/api/app-access/health`, {
          signal: AbortSignal.timeout(3000),
        });
        if (res.ok) return Date.now() - started;
      } catch {
        // not listening yet
      }
      await sleep(500);
    }
    throw new Error(
      `${this.name} not healthy within ${timeoutMs / 1000}s (see ${
        this.logFile
      })`,
    );
  }

  /** A Backstage user token from the demo sign-in; retried until the catalog has the user. */
  async token(user, timeoutMs = 180_000) {
    const started = Date.now();
    for (;;) {
      const res = await fetch(
        `${this.url}/api/auth/demo/refresh?env=development`,
        {
          headers: { 'x-demo-user': user },
          signal: AbortSignal.timeout(15_000),
        },
      );
      if (res.ok) return (await res.json()).backstageIdentity.token;
      if (Date.now() - started > timeoutMs)
        throw new Error(
          `sign-in as ${user}: HTTP ${res.status} ${await res.text()}`,
        );
      await sleep(1000);
    }
  }

  async stop() {
    clearInterval(this.sampler);
    if (!this.child || this.child.exitCode !== null || this.child.signalCode)
      return;
    this.sample();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Waits until the outbox of App Access in `database` has no job left to run
 * (pending or running), so that a measurement starts on a backend with no
 * background work left over from the one before. Returns how long that took
 * and how many jobs were left when it gave up (0 when drained).
 */
export async function waitForOutbox(database, { timeoutMs = 180_000 } = {}) {
  const started = Date.now();
  for (;;) {
    const [{ n }] = await sql(
      database,
      `select count(*)::int as n from "app-access".outbox where status in ('pending', 'running')`,
    );
    if (n === 0 || Date.now() - started > timeoutMs) {
      return { seconds: (Date.now() - started) / 1000, left: n };
    }
    await sleep(500);
  }
}

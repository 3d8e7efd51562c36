// The example backend as N replicas on one fresh PostgreSQL database, and the
// process control the faults need: kill -9, SIGTERM, restart, health.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { backendDir, outputDir, repoRoot } from './paths.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const pg = require(require.resolve('pg', { paths: [backendDir] }));

/** Where the run's database lives: the private cluster (see postgres.mjs). */
export const PG = { host: '127.0.0.1', port: undefined, user: 'postgres' };

export function usePostgres(connection) {
  Object.assign(PG, connection);
}

async function admin(sql) {
  const client = new pg.Client({ ...PG, database: 'postgres' });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createDatabase(name) {
  await admin(`CREATE DATABASE "${name}"`);
}

export async function dropDatabase(name) {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** One query on the run's database, for what the API does not show (outbox jobs). */
export async function queryDatabase(name, sql, params) {
  const client = new pg.Client({ ...PG, database: name });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function isUp(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * One replica: `node` on packages/backend/src/index.ts through the node
 * transform, with the base config and the run's own. `up` is true from the
 * moment it is ready (Backstage readiness and App Access health) until the runner stops or kills it, so a 5xx
 * from a replica that was up is told apart from a refused connection.
 */
export class Replica {
  /** When any replica was killed or sent SIGTERM (work in flight may be redone). */
  static interruptions = [];

  constructor({ index, port, configFiles }) {
    this.index = index;
    this.port = port;
    this.configFiles = configFiles;
    this.url = `http://127.0.0.1:${port}`;
    this.up = false;
    this.starts = 0;
    this.child = undefined;
  }

  get name() {
    return `replica-${this.index}`;
  }

  start() {
    this.starts += 1;
    const log = openSync(
      join(outputDir, `${this.name}.${this.starts}.log`),
      'w',
    );
    const args = [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'src/index.ts',
      ...this.configFiles.flatMap(f => ['--config', f]),
    ];
    this.child = spawn(process.execPath, args, {
      cwd: backendDir,
      stdio: ['ignore', log, log],
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info' },
    });
    this.exited = new Promise(resolve =>
      this.child.once('exit', (code, signal) => {
        this.up = false;
        resolve({ code, signal });
      }),
    );
  }

  async waitHealthy(timeoutMs) {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `${this.name} exited during start-up (see ${join(
            outputDir,
            `${this.name}.${this.starts}.log`,
          )})`,
        );
      }
      // Traffic is routed to a replica once it is ready, as an orchestrator's
      // readinessProbe does: Backstage's readiness answers 200 only after
      // every plugin (auth, catalog, App Access) has started, where App
      // Access's own health answers as soon as its router is mounted.
      if (
        (await isUp(`${this.url}/.backstage/health/v1/readiness`)) &&
        (await isUp(`${this.url}/api/app-access/health`))
      ) {
        this.up = true;
        return Date.now() - started;
      }
      await new Promise(r => setTimeout(r, 500));
    }
    throw new Error(`${this.name} not healthy within ${timeoutMs / 1000}s`);
  }

  /** kill -9: no shutdown hooks, its leases run out on their own. */
  async kill() {
    this.up = false;
    Replica.interruptions.push(Date.now());
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: shutdown hooks hand running jobs back. Returns how long it took. */
  async terminate(timeoutMs = 30_000) {
    this.up = false;
    Replica.interruptions.push(Date.now());
    const started = Date.now();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const { signal } = await this.exited;
    clearTimeout(timer);
    return { ms: Date.now() - started, forced: signal === 'SIGKILL' };
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode)
      return;
    await this.terminate(15_000);
  }
}

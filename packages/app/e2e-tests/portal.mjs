// Starts the example portal (backend :7007, frontend :3000) for e2e runs and
// stops everything it started, including the process group of `yarn start`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
);
export const outputDir = join(
  repoRoot,
  'packages',
  'app',
  'e2e-tests',
  'output',
);
export const APP_URL =
  process.env.APP_ACCESS_APP_URL ?? 'http://localhost:3000';
export const BACKEND_URL =
  process.env.APP_ACCESS_BACKEND_URL ?? 'http://localhost:7007';

async function isUp(url) {
  try {
    const res = await fetch(url);
    return res.ok;
  } catch {
    return false;
  }
}

async function waitFor(what, check, timeoutMs, child) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `${what}: the portal process exited with ${child.exitCode}`,
      );
    }
    if (await check()) return;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

/** Token for an example user through the demo provider. */
export async function demoToken(user) {
  const res = await fetch(
    `${BACKEND_URL}/api/auth/demo/refresh?env=development`,
    { headers: { 'x-demo-user': user } },
  );
  if (!res.ok) throw new Error(`demo sign-in as ${user}: HTTP ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

/**
 * Starts `yarn start` unless a portal already answers, waits until the
 * backend, the catalog (jane.doe can sign in) and the frontend are ready.
 * Returns a stop function.
 */
export async function startPortal() {
  mkdirSync(outputDir, { recursive: true });
  if (
    (await isUp(`${BACKEND_URL}/api/app-access/health`)) &&
    (await isUp(APP_URL))
  ) {
    console.log('e2e: using the portal that is already running');
    return async () => {};
  }
  const log = openSync(join(outputDir, 'portal.log'), 'w');
  console.log(
    `e2e: starting the example portal (log: packages/app/e2e-tests/output/portal.log)`,
  );
  const child = spawn('yarn', ['start'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      BROWSER: 'none',
      NODE_ENV: 'development',
      // A fresh database for every e2e run, so earlier demo data cannot interfere.
      APP_CONFIG_backend_database_connection_directory: mkdtempSync(
        join(tmpdir(), 'app-access-e2e-db-'),
      ),
    },
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 20 && child.exitCode === null; i++) {
      await new Promise(r => setTimeout(r, 500));
    }
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  try {
    await waitFor(
      'backend',
      () => isUp(`${BACKEND_URL}/api/app-access/health`),
      300_000,
      child,
    );
    await waitFor(
      'catalog (demo user jane.doe)',
      async () => {
        try {
          await demoToken('jane.doe');
          return true;
        } catch {
          return false;
        }
      },
      180_000,
      child,
    );
    await waitFor('frontend', () => isUp(APP_URL), 400_000, child);
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}

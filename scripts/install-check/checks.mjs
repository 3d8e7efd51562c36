// The install check's probes against a running fresh app:
//
//   node checks.mjs employee <base url> <user ref> <results file> <policy: installed|missing> <screenshot dir>
//   node checks.mjs admin    <base url> <user ref> <results file> <policy: installed|missing>
//
// One line per check ("PASS name", "FAIL name: why", "SKIP name: why") goes to
// stdout and to the results file; run.sh prints the summary. Chromium is
// launched the way the repository's e2e tests launch it.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../../packages/app/e2e-tests/launchBrowser.mjs';

const [phase, base, userRef, resultsFile, policy, screenshotDir] =
  process.argv.slice(2);
if (
  !['employee', 'admin'].includes(phase) ||
  !base ||
  !userRef ||
  !resultsFile ||
  !policy
) {
  console.error(
    'usage: checks.mjs employee|admin <base url> <user ref> <results file> <installed|missing> [screenshot dir]',
  );
  process.exit(2);
}
const api = `${base}/api/app-access`;
const ADMIN_GROUP = 'group:default/it-admins';

function record(status, name, detail) {
  const line = detail ? `${status} ${name}: ${detail}` : `${status} ${name}`;
  console.log(line);
  appendFileSync(resultsFile, `${line}\n`);
}

async function check(name, fn) {
  try {
    const detail = await fn();
    record('PASS', name, detail);
  } catch (e) {
    record('FAIL', name, String(e?.message ?? e).split('\n')[0]);
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Retries `attempt` until it returns a value or the time is up; throws the last error. */
async function eventually(what, attempt, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await sleep(1000);
  }
  throw new Error(
    `${what} within ${timeoutMs / 1000}s${last ? `: ${last.message}` : ''}`,
  );
}

async function text(res) {
  return (await res.text()).slice(0, 300).replace(/\s+/g, ' ');
}

/**
 * A token from the guest provider, once the catalog has the user (and, for
 * the admin, their it-admins membership) so the ownership refs the
 * permission policy looks at are the catalog's.
 */
async function guestToken(wantGroup) {
  return eventually(
    `guest sign-in as ${userRef}${wantGroup ? ` with ${wantGroup}` : ''}`,
    async () => {
      const res = await fetch(
        `${base}/api/auth/guest/refresh?env=development`,
        {
          headers: { 'x-requested-with': 'XMLHttpRequest' },
        },
      );
      if (!res.ok) throw new Error(`HTTP ${res.status} ${await text(res)}`);
      const { backstageIdentity } = await res.json();
      // The identity next to the token: the token itself may leave out the
      // ownership claim (auth.omitIdentityTokenOwnershipClaim).
      const { userEntityRef, ownershipEntityRefs: ent = [] } =
        backstageIdentity.identity ?? {};
      if (userEntityRef !== userRef)
        throw new Error(`signed in as ${userEntityRef}, not ${userRef}`);
      // Without the catalog entity the provider only knows the user ref itself.
      if (ent.length < 2 || (wantGroup && !ent.includes(wantGroup))) {
        throw new Error(
          `ownership refs ${JSON.stringify(ent)} (catalog not read yet?)`,
        );
      }
      return backstageIdentity.token;
    },
  );
}

function authed(token) {
  return (path, init = {}) =>
    fetch(`${api}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
}

async function expectSettings(call, want) {
  const res = await call('/settings');
  if (res.status !== want) {
    throw new Error(
      `GET /settings: HTTP ${res.status}, expected ${want}: ${await text(res)}`,
    );
  }
  return `GET /api/app-access/settings → ${res.status}`;
}

async function appsPageInChromium(dir) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
    });
    page.setDefaultTimeout(60_000);
    await page.goto(`${base}/apps`);
    // The fresh app's sign-in page offers the guest provider ("Enter").
    const enter = page.getByRole('button', { name: /enter/i });
    const heading = page.getByRole('heading', { name: 'Apps', level: 1 });
    await enter.or(heading).first().waitFor();
    if (await enter.isVisible()) await enter.click();
    await heading.waitFor();
    await page.getByText('App catalog').first().waitFor();
    await page.getByText('Whiteboard').first().waitFor();
    const path = join(dir, 'apps-page.png');
    await page.screenshot({ path });
    return `/apps shows the seeded app (screenshot ${path})`;
  } finally {
    await browser.close();
  }
}

if (phase === 'employee') {
  let token;
  await check('health', async () => {
    const res = await fetch(`${api}/health`);
    if (res.status !== 200)
      throw new Error(`HTTP ${res.status} ${await text(res)}`);
    return 'GET /api/app-access/health → 200';
  });
  await check('sign-in', async () => {
    token = await guestToken();
    return `guest token for ${userRef}`;
  });
  const call = token ? authed(token) : undefined;
  await check('request through the API', async () => {
    if (!call) throw new Error('no token');
    // The directory copies people from the catalog after start-up; until it
    // has the requester (and their manager) a request cannot be routed.
    const created = await eventually('POST /requests', async () => {
      const res = await call('/requests', {
        method: 'POST',
        body: JSON.stringify({
          appId: 'whiteboard',
          tierId: 'editor',
          justification: 'install check',
        }),
      });
      if (res.status !== 201)
        throw new Error(`HTTP ${res.status} ${await text(res)}`);
      return res.json();
    });
    const res = await call(`/requests/${created.id}`);
    if (res.status !== 200)
      throw new Error(`GET /requests/${created.id}: HTTP ${res.status}`);
    const body = await res.json();
    return `POST /api/app-access/requests → 201, ${created.id} is ${body.status}`;
  });
  if (policy === 'installed') {
    await check('non-admin refused /settings', async () => {
      if (!call) throw new Error('no token');
      return expectSettings(call, 403);
    });
  } else {
    record(
      'SKIP',
      'non-admin refused /settings',
      'policy package missing (plugins/permission-backend-module-app-access-policy), allow-all policy kept',
    );
  }
  await check('Apps page in Chromium', () => appsPageInChromium(screenshotDir));
} else {
  if (policy === 'installed') {
    await check('admin allowed /settings', async () => {
      const call = authed(await guestToken(ADMIN_GROUP));
      return expectSettings(call, 200);
    });
  } else {
    record(
      'SKIP',
      'admin allowed /settings',
      'policy package missing (plugins/permission-backend-module-app-access-policy)',
    );
  }
}

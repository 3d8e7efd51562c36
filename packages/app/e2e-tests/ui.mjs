// Helpers for the browser walks: screenshots, waiting on the UI, and putting
// the demo data in a known state through the API so a spec can run again
// against a portal that is already running (the runner only gives a fresh
// database when it starts the portal itself).
import { join } from 'node:path';
import { apiAs, expectStatus } from './api.mjs';

/** The size the README screenshots are taken at (docs/screenshots). */
export const SCREENSHOT_VIEWPORT = { width: 1280, height: 800 };

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/**
 * Saves a viewport screenshot (not full page, so files stay small) once
 * spinners are gone and fonts have loaded.
 */
export async function shot(page, outputDir, name) {
  await page
    .getByTestId('progress')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => {});
  await page.evaluate(() => document.fonts.ready);
  // Let ripples, label and dialog transitions finish (capped: some spinners never do).
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document.getAnimations().map(a => a.finished.catch(() => {})),
      ),
      new Promise(r => setTimeout(r, 1500)),
    ]),
  );
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Waits until the app's own loading indicators are gone. */
export async function settled(page) {
  await page.getByTestId('progress').first().waitFor({ state: 'detached' });
}

async function allMyRequests(api) {
  const items = [];
  let cursor;
  for (let i = 0; i < 50; i++) {
    const q = new URLSearchParams({
      limit: '100',
      ...(cursor ? { cursor } : {}),
    });
    const page = expectStatus(
      await api.get(`/requests?${q}`),
      200,
      'list my requests',
    );
    items.push(...page.items);
    if (!page.nextCursor || page.nextCursor === cursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

/**
 * Closes `user`'s open requests for the given apps, so the walk can request
 * them again: cancels those still cancellable and has the IT admin mark the
 * ones waiting for IT as fulfilled. Returns how many it touched.
 */
export async function settleOpenRequests(user, appIds) {
  const api = await apiAs(user);
  const admin = await apiAs('ivan.admin');
  let touched = 0;
  for (const r of await allMyRequests(api)) {
    if (!appIds.includes(r.appId)) continue;
    if (['submitted', 'pending_approval', 'approved'].includes(r.status)) {
      expectStatus(
        await api.post(`/requests/${r.id}/cancel`),
        200,
        `cancel ${r.id}`,
      );
      touched++;
    } else if (['awaiting_it', 'failed'].includes(r.status)) {
      expectStatus(
        await admin.post(`/admin/requests/${r.id}/mark-fulfilled`, {
          note: 'e2e clean-up',
        }),
        200,
        `mark ${r.id} fulfilled`,
      );
      touched++;
    }
  }
  return touched;
}

/** The request id from a /apps/requests/:id URL. */
export function requestIdFromUrl(url) {
  const m = new URL(url).pathname.match(/\/apps\/requests\/([^/?#]+)/);
  assert(m, `not a request page: ${url}`);
  return decodeURIComponent(m[1]);
}

/**
 * Reloads the page until `locator` shows up: the request page reads the
 * request once, and fulfilment runs in the background after a decision.
 */
export async function reloadUntilVisible(page, locator, timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    try {
      // A reload of the dev build can itself take seconds on a busy machine:
      // give the page time to render before reloading it again.
      await locator.first().waitFor({ timeout: 6_000 });
      return;
    } catch (e) {
      if (Date.now() - started > timeoutMs) throw e;
      await page.reload();
    }
  }
}

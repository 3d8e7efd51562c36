// Licences that pay for themselves, in the browser (issue #17): Ivan (IT admin)
// opens Usage and sees unused seats and what they cost; from Zoom's Basic tier
// he starts a reclamation campaign ("no sign-in for 60 days"), which finds
// Jane and Sam (examples/usage.yaml has them idle on Zoom for months). Jane
// answers "Keep it" with a reason in My access; Sam does not answer. Ivan ends
// the campaign now, and Sam loses the seat through the fulfiller (Zoom Basic
// is an Okta group, which the sandbox's Okta removes) while Jane keeps hers.
// Saved to packages/app/e2e-tests/output/campaigns-*.png at 1280x800; the
// Usage page and the campaign page are also written to docs/screenshots as
// usage-insight.png and campaign.png (the README shows them).
//
// Zoom is used by no other spec. A Zoom campaign still running from an
// earlier run is cancelled first, and Jane and Sam are given Zoom Basic
// through ordinary requests (the tier needs no approval), so the walk also
// runs against a portal with data from earlier runs.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { apiAs, expectStatus } from '../api.mjs';
import { repoRoot } from '../portal.mjs';
import { signInAs } from '../signIn.mjs';
import {
  assert,
  SCREENSHOT_VIEWPORT,
  settled,
  settleOpenRequests,
  shot,
} from '../ui.mjs';

const APP = { id: 'zoom', name: 'Zoom' };
const TIER = { id: 'basic', name: 'Basic' };
const HOLDERS = [
  { user: 'jane.doe', name: 'Jane Doe' },
  { user: 'sam.manager', name: 'Sam Manager' },
];
const REASON = 'I interview candidates over Zoom every week';

/** Polls `fn` until it returns something truthy. */
async function eventually(what, fn, timeoutMs = 120_000) {
  const started = Date.now();
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

/** The user's Zoom Basic grant that is still held or on its way out. */
async function heldBasic(api) {
  const mine = expectStatus(await api.get('/me/access'), 200, 'my access');
  return mine.items.find(
    g => g.appId === APP.id && g.tierId === TIER.id && g.status !== 'removed',
  );
}

/** Makes sure the user holds Zoom Basic, requesting it when they do not. */
async function holdBasic(user) {
  const api = await apiAs(user);
  const held = await heldBasic(api);
  if (held?.status === 'active') return held;
  if (!held) {
    await settleOpenRequests(user, [APP.id]);
    expectStatus(
      await api.post('/requests', {
        appId: APP.id,
        tierId: TIER.id,
        justification: 'Customer calls',
      }),
      201,
      `${user} requests ${APP.name} ${TIER.name}`,
    );
  }
  return eventually(`${user}'s ${APP.name} ${TIER.name}`, async () => {
    const g = await heldBasic(api);
    return g?.status === 'active' ? g : undefined;
  });
}

/** Copies a screenshot from the output folder to docs/screenshots. */
async function toDocs(path, name) {
  const dir = join(repoRoot, 'docs', 'screenshots');
  await mkdir(dir, { recursive: true });
  await copyFile(path, join(dir, name));
}

test('Ivan sees unused seats, runs a campaign on Zoom, Jane keeps hers and Sam loses his', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  const admin = await apiAs('ivan.admin');

  // --- A known state: Jane and Sam hold Zoom Basic ---------------------------
  const grants = {};
  for (const h of HOLDERS) grants[h.user] = await holdBasic(h.user);

  // --- Ivan opens Usage: unused seats and what they cost ----------------------
  await signInAs(page, APP_URL, 'ivan.admin');
  await page.goto(`${APP_URL}/apps/admin/usage`);
  const zoomRow = page.getByRole('row').filter({ hasText: APP.name });
  await zoomRow.first().waitFor();
  const insight = expectStatus(
    await admin.get('/admin/usage'),
    200,
    'usage insight',
  );
  const zoom = insight.items.find(a => a.appId === APP.id);
  assert(zoom, 'Usage lists Zoom');
  assert(
    zoom.unusedSeats > 0 && zoom.unusedSeatCostMonthly > 0,
    `Zoom should have unused seats with a cost, got ${JSON.stringify(zoom)}`,
  );
  const idle = zoom.tiers.find(t => t.tierId === TIER.id);
  assert(
    idle && idle.holders >= 2 && idle.active90 !== null,
    `Zoom Basic should count Jane and Sam with known sign-ins, got ${JSON.stringify(
      idle,
    )}`,
  );
  // The page shows the saving as the API computes it, in dollars.
  const saving = await page.evaluate(
    amount =>
      new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: 'USD',
      }).format(amount),
    zoom.unusedSeatCostMonthly,
  );
  await zoomRow.first().getByText(saving, { exact: true }).waitFor();
  await settled(page);
  const usageShot = await shot(page, outputDir, 'campaigns-01-usage');
  await toDocs(usageShot, 'usage-insight.png');

  // --- Reclaim on Zoom Basic opens New campaign, with who matches --------------
  // No Zoom campaign from an earlier run still asks them.
  const earlier = expectStatus(
    await admin.get('/admin/campaigns'),
    200,
    'list campaigns',
  );
  for (const c of earlier.items) {
    if (c.appId === APP.id && ['running', 'closing'].includes(c.status)) {
      expectStatus(
        await admin.post(`/admin/campaigns/${c.id}/cancel`),
        200,
        'cancel an earlier Zoom campaign',
      );
    }
  }
  await page.getByRole('button', { name: `Details of ${APP.name}` }).click();
  const detail = page.getByRole('region', { name: `Usage of ${APP.name}` });
  await detail.waitFor();
  await detail
    .getByRole('button', { name: `Reclaim ${APP.name} ${TIER.name}` })
    .click();
  await page.getByRole('heading', { name: 'New campaign' }).waitFor();
  await page.getByTestId('campaign-total').waitFor();
  const preview = page.getByRole('table').filter({ hasText: 'Held since' });
  for (const h of HOLDERS) {
    await preview.getByText(h.name, { exact: true }).first().waitFor();
  }
  await page
    .getByLabel('Message to holders (optional)')
    .fill('Zoom renews next month: keep your seat only if you use it.');
  await page.getByRole('button', { name: 'Start campaign' }).click();
  // The New campaign page is /campaigns/new?…: wait for the campaign's own page.
  await page.waitForURL(/\/apps\/admin\/campaigns\/(?!new\b)[^/?]+$/);
  const campaignId = decodeURIComponent(page.url().split('/').pop());
  const questions = page.getByRole('table', { name: 'Questions' });
  for (const h of HOLDERS) {
    await questions
      .getByRole('row')
      .filter({ hasText: h.name })
      .getByText('Waiting for an answer')
      .waitFor();
  }

  // --- Jane keeps hers, with a reason, in My access ---------------------------
  await signInAs(page, APP_URL, 'jane.doe');
  await page.goto(`${APP_URL}/apps/my-access`);
  const banner = page.getByRole('region', {
    name: `${APP.name} ${TIER.name}: keep it or give it back?`,
  });
  await banner.waitFor();
  await banner
    .getByRole('button', { name: `Keep ${APP.name} ${TIER.name}` })
    .click();
  const keep = page.getByRole('dialog', {
    name: `Keep ${APP.name} ${TIER.name}?`,
  });
  await keep.getByLabel('Why do you still need it?').fill(REASON);
  await keep.getByRole('button', { name: 'Keep it' }).click();
  await page
    .getByText(`You keep ${APP.name} ${TIER.name}. Thanks for saying why.`)
    .waitFor();

  // --- Ivan sees it, and ends the campaign now: Sam did not answer -----------
  await signInAs(page, APP_URL, 'ivan.admin');
  await page.goto(`${APP_URL}/apps/admin/campaigns/${campaignId}`);
  await page.getByText(REASON).waitFor();
  await page.getByRole('button', { name: 'End now' }).click();
  const end = page.getByRole('dialog', { name: 'End the campaign now?' });
  await end.getByRole('button', { name: 'End now' }).click();

  // Sam's seat goes through the fulfiller; the page follows by itself.
  const sam = await apiAs('sam.manager');
  await eventually("Sam's Zoom Basic to be removed", async () => {
    const g = (
      expectStatus(await sam.get('/me/access'), 200, "Sam's access").items ?? []
    ).find(x => x.id === grants['sam.manager'].id);
    return !g || g.status === 'removed';
  });
  const samRow = questions.getByRole('row').filter({ hasText: 'Sam Manager' });
  await samRow.getByText('Removed', { exact: true }).waitFor({
    timeout: 60_000,
  });
  await questions
    .getByRole('row')
    .filter({ hasText: 'Jane Doe' })
    .getByText('Kept', { exact: true })
    .waitFor();
  const jane = await apiAs('jane.doe');
  const janes = await heldBasic(jane);
  assert(
    janes?.status === 'active',
    `Jane keeps Zoom Basic, got ${JSON.stringify(janes)}`,
  );
  const campaign = expectStatus(
    await admin.get(`/admin/campaigns/${campaignId}`),
    200,
    'the campaign',
  );
  assert(
    campaign.counts.kept >= 1 && campaign.counts.removed >= 1,
    `the campaign counts Jane kept and Sam removed: ${JSON.stringify(
      campaign.counts,
    )}`,
  );
  await settled(page);
  const campaignShot = await shot(page, outputDir, 'campaigns-02-campaign');
  await toDocs(campaignShot, 'campaign.png');
});

// Access has an end, in the browser (issue #16): Jane requests PagerDuty
// Responder (at most 7 days, a duration is required) and picks 7 days; Sam
// approves and shortens it to 3 days; Jane finds it under "My access" in the
// sidebar with the shortened end, gives it back, and it is removed.
// Saved to packages/app/e2e-tests/output/timebound-*.png at 1280x800;
// timebound-01 (the duration picker) and timebound-03 (My access) are copied
// to docs/screenshots as duration-picker.png and my-access.png.
//
// PagerDuty is used by no other spec. Jane's open PagerDuty requests are
// settled and a Responder she still holds is given back first, so the walk
// also runs against a portal with data from earlier runs.
import { apiAs, expectStatus } from '../api.mjs';
import { signInAs } from '../signIn.mjs';
import {
  assert,
  reloadUntilVisible,
  requestIdFromUrl,
  SCREENSHOT_VIEWPORT,
  settled,
  settleOpenRequests,
  shot,
} from '../ui.mjs';

const APP = { id: 'pagerduty', name: 'PagerDuty' };
const TIER = { id: 'responder', name: 'Responder', maxDays: 7 };
const SHORTENED_DAYS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Polls `fn` until it returns something truthy. */
async function eventually(what, fn, timeoutMs = 90_000) {
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

/** Jane's Responder grants that are still held or on their way out. */
async function heldResponder(jane) {
  const mine = expectStatus(await jane.get('/me/access'), 200, 'my access');
  return mine.items.filter(
    g => g.appId === APP.id && g.tierId === TIER.id && g.status !== 'removed',
  );
}

test('Jane requests a 7-day tier, Sam shortens it, Jane sees the end in My access and removes it', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  const jane = await apiAs('jane.doe');
  await settleOpenRequests('jane.doe', [APP.id]);
  for (const g of await heldResponder(jane)) {
    if (g.status === 'active') {
      expectStatus(
        await jane.post(`/grants/${g.id}/remove`),
        200,
        'give back an earlier Responder',
      );
    }
  }
  await eventually(
    'an earlier Responder to be removed',
    async () => (await heldResponder(jane)).length === 0,
  );

  // --- Jane asks for Responder and picks the longest duration: 7 days -------------
  await signInAs(page, APP_URL, 'jane.doe');
  await page.goto(`${APP_URL}/apps/${APP.id}`);
  await page.getByRole('heading', { level: 1, name: APP.name }).waitFor();
  await page.getByRole('button', { name: `Request ${TIER.name}` }).click();
  const form = page.getByRole('dialog', {
    name: `Request access to ${APP.name}`,
  });
  await form.waitFor();
  assert(
    await form.getByRole('radio', { name: new RegExp(TIER.name) }).isChecked(),
    `${TIER.name} should be picked`,
  );
  await form
    .getByText(
      `${TIER.name} is granted for at most ${TIER.maxDays} days; it is removed when it ends and you are told before.`,
    )
    .waitFor();
  // A duration is required for this tier: submitting without one says so.
  await form
    .getByLabel('Why do you need it?')
    .fill('On call for payments next week');
  await form.getByRole('button', { name: 'Submit request' }).click();
  await form.getByText('Choose how long you need it').waitFor();

  await form.getByRole('button', { name: /For how long/ }).click();
  const choices = page.getByRole('listbox');
  await choices.waitFor();
  const offered = await choices.getByRole('option').allTextContents();
  assert(
    !offered.includes('Until I remove it'),
    `a required duration offers no "Until I remove it": ${offered}`,
  );
  assert(
    offered.at(-1) === `${TIER.maxDays} days`,
    `the longest choice should be the tier's maximum, got ${offered}`,
  );
  await shot(page, outputDir, 'timebound-01-duration-picker');
  await choices.getByRole('option', { name: `${TIER.maxDays} days` }).click();
  await form.getByRole('button', { name: 'Submit request' }).click();
  await page.waitForURL(/\/apps\/requests\/[^/]+$/);
  const requestId = requestIdFromUrl(page.url());
  await page.getByTestId('status-pending_approval').waitFor();
  const filed = expectStatus(
    await jane.get(`/requests/${encodeURIComponent(requestId)}`),
    200,
    'read the request',
  );
  assert(
    filed.durationDays === TIER.maxDays,
    `the request should ask for ${TIER.maxDays} days, got ${filed.durationDays}`,
  );

  // --- Sam approves and shortens it to 3 days ---------------------------------------
  await signInAs(page, APP_URL, 'sam.manager');
  await page.goto(`${APP_URL}/apps/approvals`);
  const approveButton = page.getByRole('button', {
    name: `Approve ${APP.name} for Jane Doe`,
  });
  await reloadUntilVisible(page, approveButton);
  await approveButton.first().click();
  const approve = page.getByRole('dialog', {
    name: `Approve ${APP.name} (${TIER.name}) for Jane Doe?`,
  });
  await approve.waitFor();
  await approve.getByRole('button', { name: /Access ends/ }).click();
  await page
    .getByRole('option', { name: `Shorter: ${SHORTENED_DAYS} days` })
    .click();
  await approve.getByText(`Shorter: ${SHORTENED_DAYS} days`).waitFor();
  await shot(page, outputDir, 'timebound-02-approve-shorter');
  await approve.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByText(`Approved ${APP.name} for Jane Doe.`).waitFor();

  // Granted (through the sandbox's Okta; by IT where fulfilment is manual).
  const admin = await apiAs('ivan.admin');
  const grant = await eventually('the Responder grant', async () => {
    const r = expectStatus(
      await jane.get(`/requests/${encodeURIComponent(requestId)}`),
      200,
      'read the request',
    );
    if (r.status === 'awaiting_it') {
      expectStatus(
        await admin.post(
          `/admin/requests/${encodeURIComponent(requestId)}/mark-fulfilled`,
          { note: 'Added to the on-call rotation' },
        ),
        200,
        'IT marks it fulfilled',
      );
    }
    return (await heldResponder(jane)).find(g => g.status === 'active');
  });
  assert(grant.endsAt, 'a time-bound grant records its end');
  const lasts = new Date(grant.endsAt) - new Date(grant.grantedAt);
  assert(
    Math.abs(lasts - SHORTENED_DAYS * DAY_MS) < 60_000,
    `the grant should last ${SHORTENED_DAYS} days (Sam shortened it), lasts ${
      lasts / DAY_MS
    } days`,
  );

  // --- Jane opens My access from the sidebar: the shortened end -------------------
  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('link', { name: 'My access' }).first().click();
  await page.waitForURL(`${APP_URL}/apps/my-access`);
  const row = page.getByRole('row').filter({ hasText: APP.name });
  await row.first().waitFor();
  // The end as the portal formats it, in the browser's locale.
  const until = await page.evaluate(
    iso =>
      new Date(iso).toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      }),
    grant.endsAt,
  );
  await row.getByText(until, { exact: true }).waitFor();
  await row.getByText(TIER.name, { exact: true }).waitFor();
  await row.getByText('Active', { exact: true }).waitFor();
  await settled(page);
  await shot(page, outputDir, 'timebound-03-my-access');

  // --- Jane gives it back ------------------------------------------------------------
  await row.getByRole('button', { name: 'Remove' }).click();
  const confirm = page.getByRole('dialog');
  await confirm.getByText(`Remove ${APP.name} ${TIER.name}?`).waitFor();
  await confirm.getByRole('button', { name: 'Remove my access' }).click();
  await page
    .getByText(
      `${APP.name} ${TIER.name} is being removed; you will be told when it is gone`,
    )
    .waitFor();

  // Removed through the fulfiller that granted it (IT's task where manual).
  await eventually('the Responder to be removed', async () => {
    const mine = expectStatus(await jane.get('/me/access'), 200, 'my access');
    const now = mine.items.find(g => g.id === grant.id);
    if (now?.status === 'removing' && now.fulfilledBy === 'manual') {
      expectStatus(
        await admin.post(`/admin/grants/${grant.id}/mark-removed`, {
          note: 'Taken off the rotation',
        }),
        200,
        'IT marks it removed',
      );
    }
    return !now || now.status === 'removed';
  });
  assert(
    (await heldResponder(jane)).length === 0,
    'Jane should hold no Responder any more',
  );
  // My access no longer offers to remove or extend it.
  await page.reload();
  await page
    .getByRole('heading', { name: /My access|You hold no access/ })
    .first()
    .waitFor();
  const after = page.getByRole('row').filter({ hasText: APP.name });
  if (await after.count()) {
    await after.getByText('Removed', { exact: true }).waitFor();
    assert(
      (await after.getByRole('button', { name: /Remove|Extend/ }).count()) ===
        0,
      'removed access offers no Remove or Extend',
    );
  }
  await settled(page);
  await shot(page, outputDir, 'timebound-04-my-access-removed');
});

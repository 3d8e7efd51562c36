// The employee and approver walk in the browser, as in the issue: Jane finds
// an app, requests a tier, Sam approves it; Jane requests another, Sam
// denies it with a reason; Jane sees each outcome on her request page.
// Every page visited is saved to packages/app/e2e-tests/output/employee-*.png
// at 1280x800 (the curated ones are copied to docs/screenshots).
//
// Apps used: Asana (Member) and Linear (Member), both "level 1: manager",
// which no other spec requests. Jane's open requests for them are settled
// through the API first, so the walk also runs against a portal that is
// already running with data from earlier runs.
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

const APPROVE_APP = { id: 'asana', name: 'Asana', tier: 'Member' };
const DENY_APP = { id: 'linear', name: 'Linear', tier: 'Member' };

async function openCatalog(page, APP_URL) {
  await page.getByRole('link', { name: 'Apps', exact: true }).first().click();
  await page.waitForURL(`${APP_URL}/apps`);
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await page.locator('[data-testid^="app-card-"]').first().waitFor();
}

/** Searches the catalog for an app, opens its card, requests its only tier. */
async function requestApp(page, APP_URL, outputDir, app, justification, shots) {
  await openCatalog(page, APP_URL);
  const search = page.getByLabel('Search apps');
  await search.fill(app.name.toLowerCase());
  const card = page.getByTestId(`app-card-${app.id}`);
  await card.waitFor();
  await page.getByText(/^\d+ of \d+ apps match$/).waitFor();
  assert(
    (await page.locator('[data-testid^="app-card-"]').count()) <= 3,
    `searching "${app.name}" should narrow the catalog`,
  );
  await shot(page, outputDir, shots.search);

  await card.click();
  await page.waitForURL(`${APP_URL}/apps/${app.id}`);
  await page.getByRole('heading', { level: 1, name: app.name }).waitFor();
  await page.getByTestId(`tier-${app.tier.toLowerCase()}`).waitFor();
  await shot(page, outputDir, shots.appPage);

  await page
    .getByRole('button', { name: 'Request access', exact: true })
    .first()
    .click();
  const dialog = page.getByRole('dialog', {
    name: `Request access to ${app.name}`,
  });
  await dialog.waitFor();
  // The app has one tier, so it is picked already.
  assert(
    await dialog.getByRole('radio', { name: new RegExp(app.tier) }).isChecked(),
    `the only tier (${app.tier}) should be preselected`,
  );
  // Justification is required for this tier: submitting without one says so.
  await dialog.getByRole('button', { name: 'Submit request' }).click();
  await dialog
    .getByText('Required for this tier: your approvers decide based on it')
    .waitFor();
  await dialog.getByLabel('Why do you need it?').fill(justification);
  // Approver preview: level 1 is Jane's manager.
  const approvers = dialog.getByRole('list', { name: 'Approvers' });
  await approvers.getByText('Level 1:').waitFor();
  await approvers.getByText(/Sam/).waitFor();
  await shot(page, outputDir, shots.form);

  await dialog.getByRole('button', { name: 'Submit request' }).click();
  await page.waitForURL(/\/apps\/requests\/[^/]+$/);
  await page
    .getByRole('heading', { level: 1, name: `${app.name} — ${app.tier}` })
    .waitFor();
  const chip = page.getByTestId('status-pending_approval');
  await chip.waitFor();
  assert(
    (await chip.textContent()) === 'Pending approval',
    'status chip should read "Pending approval"',
  );
  await page.getByTestId('event-submitted').waitFor();
  await page.getByTestId('event-approval_requested').waitFor();
  await settled(page);
  await shot(page, outputDir, shots.pending);
  return page.url();
}

/** Sam's inbox, with the row for Jane's request of `app`. */
async function openApprovals(page, APP_URL, app) {
  await page.getByRole('tab', { name: 'Approvals' }).click();
  await page.waitForURL(`${APP_URL}/apps/approvals`);
  await page.getByText(/^Waiting for your decision \(\d+\)$/).waitFor();
  const row = page
    .getByRole('row')
    .filter({ hasText: app.name })
    .filter({ hasText: 'Jane Doe' });
  await row.first().waitFor();
}

test('employee requests an app, the manager approves, the timeline shows fulfilment', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  await settleOpenRequests('jane.doe', [APPROVE_APP.id]);

  // --- Jane browses the catalog ---------------------------------------------------
  await signInAs(page, APP_URL, 'jane.doe');
  await openCatalog(page, APP_URL);
  await page.getByText(/^\d+ apps$/).waitFor();
  await shot(page, outputDir, 'employee-01-catalog-cards');

  await page.getByRole('button', { name: 'Table view' }).click();
  const tableLink = page
    .getByRole('row')
    .getByRole('link', { name: APPROVE_APP.name, exact: true });
  await page.getByRole('columnheader', { name: 'Your access' }).waitFor();
  await shot(page, outputDir, 'employee-02-catalog-table');
  await page.getByRole('button', { name: 'Card view' }).click();
  await page.locator('[data-testid^="app-card-"]').first().waitFor();
  assert(
    (await tableLink.count()) === 0,
    'the table should be gone in card view',
  );

  // --- Jane requests Asana ---------------------------------------------------------
  const requestUrl = await requestApp(
    page,
    APP_URL,
    outputDir,
    APPROVE_APP,
    'Marketing launch calendar for Q3 lives in Asana',
    {
      search: 'employee-03-catalog-search',
      appPage: 'employee-04-app-page',
      form: 'employee-05-request-form',
      pending: 'employee-06-request-pending',
    },
  );
  const requestId = requestIdFromUrl(requestUrl);

  // My requests lists it, pending.
  await page.getByRole('tab', { name: 'My requests' }).click();
  await page.waitForURL(`${APP_URL}/apps/requests`);
  const myRow = page
    .getByRole('row')
    .filter({
      has: page.getByRole('link', { name: APPROVE_APP.name, exact: true }),
    })
    .filter({ has: page.getByTestId('status-pending_approval') });
  await myRow.first().waitFor();
  await shot(page, outputDir, 'employee-07-my-requests');

  // The catalog card says "Requested" and the app page won't take a second request.
  await openCatalog(page, APP_URL);
  await page.getByLabel('Search apps').fill('asana');
  await page
    .getByTestId(`app-card-${APPROVE_APP.id}`)
    .getByText('Requested')
    .waitFor();
  await page.getByTestId(`app-card-${APPROVE_APP.id}`).click();
  // Asana has one tier: the tier with the open request, and so the main
  // button, are disabled (a tooltip says why).
  const tierButton = page.getByRole('button', {
    name: `Request ${APPROVE_APP.tier}`,
  });
  await tierButton.waitFor();
  assert(
    await tierButton.isDisabled(),
    `"Request ${APPROVE_APP.tier}" should be disabled`,
  );
  assert(
    await page
      .getByRole('button', { name: 'Request access', exact: true })
      .isDisabled(),
    '"Request access" should be disabled while the only tier is requested',
  );

  // --- Sam approves ----------------------------------------------------------------
  await signInAs(page, APP_URL, 'sam.manager');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  // The sidebar item added to the portal counts what waits for him.
  await page.getByRole('link', { name: /^Approvals \(\d+\)$/ }).waitFor();
  await openApprovals(page, APP_URL, APPROVE_APP);
  await shot(page, outputDir, 'employee-08-approvals-inbox');

  await page
    .getByRole('button', { name: `Approve ${APPROVE_APP.name} for Jane Doe` })
    .click();
  const approveDialog = page.getByRole('dialog', {
    name: `Approve ${APPROVE_APP.name} (${APPROVE_APP.tier}) for Jane Doe?`,
  });
  await approveDialog
    .getByText('They wrote: “Marketing launch calendar for Q3 lives in Asana”')
    .waitFor();
  await approveDialog.getByLabel('Comment').fill('Go ahead');
  await shot(page, outputDir, 'employee-09-approve-dialog');
  await approveDialog
    .getByRole('button', { name: 'Approve', exact: true })
    .click();
  await page.getByText(`Approved ${APPROVE_APP.name} for Jane Doe.`).waitFor();
  await approveDialog.waitFor({ state: 'detached' });
  await shot(page, outputDir, 'employee-10-approved-notice');
  assert(
    (await page
      .getByRole('button', { name: `Approve ${APPROVE_APP.name} for Jane Doe` })
      .count()) === 0,
    'the decided request should leave the inbox',
  );

  // --- Jane sees it approved and fulfilled ---------------------------------------
  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await page.goto(`${APP_URL}/apps/requests/${encodeURIComponent(requestId)}`);
  // The demo portal's vendor sandbox (appAccess.sandbox.enabled) is its
  // Okta: the Okta module adds Jane to Asana's group and the request ends
  // fulfilled.
  await reloadUntilVisible(page, page.getByTestId('event-fulfilled'));
  await page
    .getByTestId('event-approved')
    .getByText('Approved (level 1)')
    .waitFor();
  await page.getByTestId('event-approved').getByText('“Go ahead”').waitFor();
  await page.getByTestId('status-fulfilled').waitFor();
  assert(
    (await page.getByRole('button', { name: 'Cancel request' }).count()) === 0,
    'a fulfilled request can no longer be cancelled',
  );
  await settled(page);
  await shot(page, outputDir, 'employee-11-request-timeline-approved');
});

test('employee requests an app, the manager denies it with a reason', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  await settleOpenRequests('jane.doe', [DENY_APP.id]);
  const reason =
    'We standardised on Jira Software; ask for a Jira seat instead.';

  await signInAs(page, APP_URL, 'jane.doe');
  const requestUrl = await requestApp(
    page,
    APP_URL,
    outputDir,
    DENY_APP,
    'The mobile squad tracks its bugs in Linear',
    {
      search: 'employee-deny-01-catalog-search',
      appPage: 'employee-deny-02-app-page',
      form: 'employee-deny-03-request-form',
      pending: 'employee-deny-04-request-pending',
    },
  );
  const requestId = requestIdFromUrl(requestUrl);
  // The requester may cancel a pending request (not done here).
  await page.getByRole('button', { name: 'Cancel request' }).waitFor();

  // --- Sam denies: a reason is required ---------------------------------------------
  await signInAs(page, APP_URL, 'sam.manager');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await openApprovals(page, APP_URL, DENY_APP);
  await shot(page, outputDir, 'employee-deny-05-approvals-inbox');
  await page
    .getByRole('button', { name: `Deny ${DENY_APP.name} for Jane Doe` })
    .click();
  const denyDialog = page.getByRole('dialog', {
    name: `Deny ${DENY_APP.name} (${DENY_APP.tier}) for Jane Doe?`,
  });
  await denyDialog.waitFor();
  await denyDialog.getByRole('button', { name: 'Deny', exact: true }).click();
  await denyDialog
    .getByText('Tell Jane Doe why, so they know what to do instead')
    .waitFor();
  await denyDialog.getByLabel('Reason').fill(reason);
  await shot(page, outputDir, 'employee-deny-06-deny-dialog');
  await denyDialog.getByRole('button', { name: 'Deny', exact: true }).click();
  await page.getByText(`Denied ${DENY_APP.name} for Jane Doe.`).waitFor();

  // --- Jane sees the denial and the reason ---------------------------------------------
  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await page.goto(`${APP_URL}/apps/requests/${encodeURIComponent(requestId)}`);
  const chip = page.getByTestId('status-denied');
  await chip.waitFor();
  assert(
    (await chip.textContent()) === 'Denied',
    'status chip should read "Denied"',
  );
  const denied = page.getByTestId('event-denied');
  await denied.getByText('Denied (level 1)').waitFor();
  await denied.getByText(`“${reason}”`).waitFor();
  assert(
    (await page.getByRole('button', { name: 'Cancel request' }).count()) === 0,
    'a denied request cannot be cancelled',
  );
  await settled(page);
  await shot(page, outputDir, 'employee-deny-07-request-denied');
});

test('keyboard only: Tab to an app card and Enter opens the app page', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await page.locator('[data-testid^="app-card-"]').first().waitFor();
  // Start from the top of the document, as after a fresh page load.
  await page.evaluate(() =>
    document.activeElement instanceof HTMLElement
      ? document.activeElement.blur()
      : undefined,
  );

  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return {
        testId: el?.getAttribute('data-testid') ?? null,
        label:
          el?.getAttribute('aria-label') ??
          el?.textContent?.trim().slice(0, 40) ??
          null,
        href: el?.getAttribute('href') ?? null,
      };
    });
  const path = [];
  let onCard;
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await focused();
    path.push(f.testId ?? f.label);
    if (f.testId?.startsWith('app-card-')) {
      onCard = f;
      break;
    }
  }
  assert(
    onCard,
    `Tab never reached an app card; focus went: ${path.join(' → ')}`,
  );
  // The focused card shows a focus ring.
  const outline = await page.evaluate(
    () => getComputedStyle(document.activeElement).outlineStyle,
  );
  assert(
    outline && outline !== 'none',
    `the focused card has no visible outline (${outline})`,
  );
  await shot(page, outputDir, 'employee-keyboard-01-card-focused');

  await page.keyboard.press('Enter');
  const appId = onCard.testId.slice('app-card-'.length);
  await page.waitForURL(`${APP_URL}/apps/${appId}`);
  await page
    .getByRole('heading', { level: 1 })
    .filter({ hasNotText: 'Apps' })
    .waitFor();
  await shot(page, outputDir, 'employee-keyboard-02-app-page');
  assert(
    path.length <= 30,
    `reaching the first card took ${path.length} Tab presses: ${path.join(
      ' → ',
    )}`,
  );
});

test('portal wiring: the entity pages show the apps a user or group owns', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();

  // EntityAppAccessCard (InfoCard "Apps owned") on a user page...
  await page.goto(`${APP_URL}/catalog/default/user/olivia.owner`);
  const appsOwned = page
    .locator('[class*="MuiCard-root"]')
    .filter({ hasText: 'Apps owned' });
  await appsOwned.getByRole('link', { name: 'Asana', exact: true }).waitFor();
  await appsOwned.getByRole('link', { name: 'Notion', exact: true }).waitFor();
  await shot(page, outputDir, 'employee-wiring-01-user-apps-owned');
  await appsOwned.getByRole('link', { name: 'Asana', exact: true }).click();
  await page.waitForURL(`${APP_URL}/apps/asana`);
  await page.getByRole('heading', { level: 1, name: 'Asana' }).waitFor();

  // ...and on a group page.
  await page.goto(`${APP_URL}/catalog/default/group/it-admins`);
  const groupCard = page
    .locator('[class*="MuiCard-root"]')
    .filter({ hasText: 'Apps owned' });
  await groupCard.getByRole('link', { name: 'Slack', exact: true }).waitFor();
  await shot(page, outputDir, 'employee-wiring-02-group-apps-owned');

  // A user who owns nothing gets a pointer to the catalog instead.
  await page.goto(`${APP_URL}/catalog/default/user/jane.doe`);
  await page
    .locator('[class*="MuiCard-root"]')
    .filter({ hasText: 'Apps owned' })
    .getByText(/doesn't own any apps in/)
    .waitFor();
});

// The admin walk in the browser, as in the issue: Ivan (it-admins) takes an
// app that is not in the catalog, gives it two license tiers in the app
// editor and lists it; Jane finds it, requests the tier that needs approval
// and sees who decides; Sam approves level 1 and level 2 waits for the named
// approver. Jane may not open the admin pages. Ivan changes a setting on the
// settings page (it shows "changed here") and resets it to app-config.
// Every page visited is saved to packages/app/e2e-tests/output/admin-*.png
// at 1280x800 (admin-03 and admin-12 are copied to docs/screenshots as
// admin-app-editor.png and admin-settings.png).
//
// Data: a fresh unlisted app without tiers ("E2E Whiteboard <run id>") is
// created through the admin API for every run, so the walk also runs against
// a portal that is already running with data from earlier runs.
import { apiAs, expectStatus } from '../api.mjs';
import { signInAs, waitForBackend } from '../signIn.mjs';
import {
  assert,
  reloadUntilVisible,
  requestIdFromUrl,
  SCREENSHOT_VIEWPORT,
  settled,
  shot,
} from '../ui.mjs';

const RUN_ID = Date.now().toString(36);
const APP = {
  id: `e2e-whiteboard-${RUN_ID}`,
  name: `E2E Whiteboard ${RUN_ID}`,
  category: 'Design',
};
const JUSTIFICATION = 'Running the design critique boards for the Q3 roadmap';

/** Set by the first test, used by the second. */
let appListed = false;
let requestUrl;

/** The App Access header tabs (Catalog, My requests, Approvals and, for admins, Admin). */
function headerTab(page, name) {
  return page.getByRole('tab', { name, exact: true });
}

/**
 * Reloads the page until the portal has asked the backend about the user's
 * permissions and got an answer (the backend restarts in watch mode when a
 * plugin's source changes, and a check sent then fails).
 */
async function reloadUntilPermissionChecked(page) {
  for (let attempt = 1; ; attempt++) {
    await waitForBackend();
    const checked = page
      .waitForResponse(r => r.url().includes('/api/permission/authorize'), {
        timeout: 15_000,
      })
      .catch(() => undefined);
    await page.reload();
    const res = await checked;
    if (res?.ok()) return;
    if (attempt >= 4) {
      throw new Error(
        `no answer to the permission check after ${attempt} reloads (last: ${
          res ? `HTTP ${res.status()}` : 'none'
        })`,
      );
    }
  }
}

/**
 * Clicks a button that sends one write to the App Access API and waits for
 * its answer. When the backend was restarting (watch mode) and the call did
 * not get through, waits for it and clicks again; returns the HTTP status.
 */
async function clickAndCall(page, button, method, pathPattern) {
  const matches = req =>
    req.method() === method &&
    pathPattern.test(
      new URL(req.url()).pathname.replace(/^\/api\/app-access/, ''),
    );
  for (let attempt = 1; ; attempt++) {
    await waitForBackend();
    const outcome = Promise.race([
      page
        .waitForResponse(r => matches(r.request()), { timeout: 20_000 })
        .then(r => r.status()),
      page
        .waitForEvent('requestfailed', { predicate: matches, timeout: 20_000 })
        .then(() => 0),
    ]).catch(() => 0);
    await button.click();
    const status = await outcome;
    if (status && status < 502) return status;
    if (attempt >= 4) {
      throw new Error(
        `${method} ${pathPattern} did not get through after ${attempt} tries`,
      );
    }
  }
}

/** Picks `value` in a Material UI select (a button that opens a listbox). */
async function choose(page, scope, label, option) {
  await scope.getByRole('button', { name: label }).click();
  const listbox = page.getByRole('listbox');
  await listbox.getByRole('option', { name: option, exact: true }).click();
  await listbox.waitFor({ state: 'detached' });
}

/** Types into an entity-ref picker and picks the catalog entry whose name matches. */
async function pickEntity(page, input, typed, optionName) {
  await input.click();
  await input.fill(typed);
  await page.getByRole('option', { name: optionName }).first().click();
}

async function openAdminApps(page, APP_URL) {
  await waitForBackend();
  await headerTab(page, 'Admin').click();
  // /apps/admin opens on Settings.
  await page.waitForURL(`${APP_URL}/apps/admin/settings`);
  await page
    .getByRole('tablist', { name: 'App Access administration' })
    .getByRole('tab', { name: 'Apps', exact: true })
    .click();
  await page.waitForURL(`${APP_URL}/apps/admin/apps`);
  await page.getByRole('heading', { name: 'In the catalog' }).waitFor();
}

test('admin adds an app from "Not in catalog" with two tiers', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);

  // An app IT knows about but has not put in the catalog: no tiers yet.
  const admin = await apiAs('ivan.admin');
  expectStatus(
    await admin.put(`/admin/apps/${APP.id}`, {
      id: APP.id,
      name: APP.name,
      vendor: 'Acme Labs',
      category: 'Uncategorised',
      url: 'https://whiteboard.example.com',
      listed: false,
      tiers: [],
    }),
    200,
    `create unlisted ${APP.id}`,
  );

  await signInAs(page, APP_URL, 'ivan.admin');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await headerTab(page, 'Admin').waitFor();
  await openAdminApps(page, APP_URL);

  // --- Not in catalog › Add to catalog -------------------------------------------
  await page.getByRole('tab', { name: 'Not in catalog', exact: true }).click();
  await page.getByRole('heading', { name: 'Not in the catalog' }).waitFor();
  await page.getByLabel('Search apps').fill(APP.name);
  const addButton = page.getByRole('button', {
    name: `Add ${APP.name} to catalog`,
  });
  await addButton.waitFor();
  await page.getByText('1 app', { exact: true }).waitFor();
  await shot(page, outputDir, 'admin-01-not-in-catalog');
  await addButton.click();

  const dialog = page.getByRole('dialog', {
    name: `Add ${APP.name} to the catalog`,
  });
  await dialog.waitFor();
  const editor = dialog.getByRole('form', { name: 'App editor' });
  // The id is fixed, the listed switch is on, and there are no tiers yet.
  assert(
    await editor.getByRole('textbox', { name: /^Id/ }).isDisabled(),
    'the id of an existing app is fixed',
  );
  const listedSwitch = editor.getByRole('checkbox', {
    name: /^Listed in the catalog/,
  });
  assert(
    await listedSwitch.isChecked(),
    '"Add to catalog" should open the editor with "Listed" on',
  );
  await editor.getByText('No tiers yet.', { exact: false }).waitFor();

  // Saving a listed app without tiers is refused, in the form.
  await editor.getByRole('button', { name: 'Save app' }).click();
  await editor
    .getByTestId('tiers-error')
    .getByText('An app listed in the catalog needs at least one tier')
    .waitFor();
  await editor.getByText('Not saved: fix the fields marked in red.').waitFor();

  // --- Details -------------------------------------------------------------------------
  const category = editor.getByRole('textbox', { name: /^Category/ });
  await category.fill(APP.category);
  await editor
    .getByRole('textbox', { name: 'Description' })
    .fill('Shared whiteboards for design critiques and retros.');
  await editor.getByRole('textbox', { name: 'Logo initials' }).fill('WB');
  await editor.getByRole('textbox', { name: 'Logo colour' }).fill('#7B3FE4');
  const owner = editor.getByRole('textbox', { name: 'Owner' });
  await pickEntity(page, owner, 'Olivia', /Olivia Owner/);
  assert(
    (await owner.inputValue()) === 'user:default/olivia.owner',
    `owner should be Olivia's entity ref, got ${await owner.inputValue()}`,
  );
  await editor.evaluate(el => el.scrollIntoView({ block: 'start' }));
  await shot(page, outputDir, 'admin-02-app-editor-details');

  // --- Tiers: Viewer (no approval) and Editor (manager, then Olivia) ----------------
  const addTier = editor.getByRole('button', { name: 'Add tier' });
  await addTier.click();
  await addTier.click();
  await addTier.click();
  await editor.getByText('License tiers (3 of at most 3)').waitFor();
  assert(await addTier.isDisabled(), 'at most 3 tiers: "Add tier" is disabled');
  // The third is not wanted after all.
  await editor.getByRole('button', { name: 'Remove Tier 3' }).click();
  await editor.getByText('License tiers (2 of at most 3)').waitFor();

  const tier = n => editor.getByRole('group', { name: `Tier ${n}` });
  const viewer = tier(1);
  await viewer.getByRole('textbox', { name: /^Tier id/ }).fill('viewer');
  await viewer.getByRole('textbox', { name: /^Tier name/ }).fill('Viewer');
  await viewer
    .getByRole('textbox', { name: 'Tier description' })
    .fill('View and comment on boards.');
  await choose(page, viewer, /^Who needs approval/, 'Nobody: granted at once');
  assert(
    (await viewer
      .getByRole('button', { name: 'Add level 1 approver' })
      .count()) === 0,
    '"Nobody" needs no approvers',
  );

  let editorTier = tier(2);
  await editorTier.getByRole('textbox', { name: /^Tier id/ }).fill('editor');
  await editorTier.getByRole('textbox', { name: /^Tier name/ }).fill('Editor');
  await editorTier
    .getByRole('textbox', { name: 'Tier description' })
    .fill('Create and edit boards, invite guests.');
  // Reorder: Editor up to first place and back down again.
  await editor.getByRole('button', { name: 'Move Editor up' }).click();
  assert(
    (await tier(1)
      .getByRole('textbox', { name: /^Tier name/ })
      .inputValue()) === 'Editor',
    '"Move Editor up" should make Editor the first tier',
  );
  await editor.getByRole('button', { name: 'Move Editor down' }).click();
  editorTier = tier(2);
  assert(
    (await editorTier
      .getByRole('textbox', { name: /^Tier name/ })
      .inputValue()) === 'Editor',
    '"Move Editor down" should make Editor the second tier again',
  );

  await choose(page, editorTier, /^Who needs approval/, 'Everyone');
  await editorTier
    .getByRole('button', { name: 'Add level 1 approver' })
    .click();
  // A new approver is the requester's manager.
  await editorTier
    .getByRole('button', { name: /^Level 1 approver 1: type/ })
    .getByText('The requester’s manager')
    .waitFor();
  await editorTier.getByRole('button', { name: 'Add a second level' }).click();
  await choose(page, editorTier, /^Level 2 approver 1: type/, 'A named person');
  const person = editorTier.getByRole('textbox', { name: 'Person' });
  await pickEntity(page, person, 'olivia', /Olivia Owner/);
  assert(
    (await person.inputValue()) === 'user:default/olivia.owner',
    `level 2 should name Olivia, got ${await person.inputValue()}`,
  );
  // The README's editor screenshot: the Editor tier with both approval levels.
  await editorTier.evaluate(el => el.scrollIntoView({ block: 'start' }));
  await shot(page, outputDir, 'admin-03-app-editor-tiers');

  // --- Save: the app moves to "In catalog" -------------------------------------------
  const saveStatus = await clickAndCall(
    page,
    editor.getByRole('button', { name: 'Save app' }),
    'PUT',
    new RegExp(`^/admin/apps/${APP.id}$`),
  );
  assert(saveStatus === 200, `saving the app: HTTP ${saveStatus}`);
  await page.getByText(`${APP.name} is now in the catalog.`).waitFor();
  await dialog.waitFor({ state: 'detached' });
  const inCatalogTab = page.getByRole('tab', {
    name: 'In catalog',
    exact: true,
  });
  assert(
    (await inCatalogTab.getAttribute('aria-selected')) === 'true',
    'after listing the app, "In catalog" should be selected',
  );
  await page.getByRole('heading', { name: 'In the catalog' }).waitFor();
  const row = page.getByRole('row').filter({
    has: page.getByRole('link', { name: APP.name, exact: true }),
  });
  await row.waitFor();
  await row.getByText('Viewer, Editor').waitFor();
  await row.getByText(APP.category, { exact: true }).waitFor();
  await row.getByText('Olivia Owner').waitFor();
  await shot(page, outputDir, 'admin-04-in-catalog');

  // What was saved, as the backend has it.
  const saved = expectStatus(
    await admin.get(`/admin/apps/${APP.id}`),
    200,
    `GET ${APP.id}`,
  );
  assert(saved.listed === true, 'the app should be listed');
  assert(
    saved.category === APP.category,
    `category: ${JSON.stringify(saved.category)}`,
  );
  assert(saved.owner === 'user:default/olivia.owner', `owner: ${saved.owner}`);
  assert(
    JSON.stringify(saved.tiers.map(t => t.id)) === '["viewer","editor"]',
    `tiers: ${JSON.stringify(saved.tiers)}`,
  );
  const [savedViewer, savedEditor] = saved.tiers;
  assert(
    savedViewer.approval?.required === 'nobody',
    `Viewer approval: ${JSON.stringify(savedViewer.approval)}`,
  );
  assert(
    JSON.stringify(savedEditor.approval) ===
      JSON.stringify({
        required: 'everyone',
        level1: [{ type: 'manager' }],
        level2: [{ type: 'user', ref: 'user:default/olivia.owner' }],
      }),
    `Editor approval: ${JSON.stringify(savedEditor.approval)}`,
  );
  appListed = true;
});

test('employee requests the new app; level 1 is her manager, level 2 the named approver', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  assert(appListed, `needs ${APP.id} listed by the previous test`);
  await page.setViewportSize(SCREENSHOT_VIEWPORT);

  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await page.locator('[data-testid^="app-card-"]').first().waitFor();
  await page.getByLabel('Search apps').fill(APP.name);
  const card = page.getByTestId(`app-card-${APP.id}`);
  await card.waitFor();
  await page.getByText(/^1 of \d+ apps match$/).waitFor();
  await shot(page, outputDir, 'admin-05-employee-search');

  await card.click();
  await page.waitForURL(`${APP_URL}/apps/${APP.id}`);
  await page.getByRole('heading', { level: 1, name: APP.name }).waitFor();
  await page
    .getByTestId('tier-viewer')
    .getByText('No approval needed')
    .waitFor();
  await page.getByTestId('tier-editor').getByText('Needs approval').waitFor();
  await shot(page, outputDir, 'admin-06-employee-app-page');

  await page.getByRole('button', { name: 'Request Editor' }).click();
  const form = page.getByRole('dialog', {
    name: `Request access to ${APP.name}`,
  });
  await form.waitFor();
  assert(
    await form.getByRole('radio', { name: /Editor/ }).isChecked(),
    '"Request Editor" should preselect the Editor tier',
  );
  await form.getByLabel('Why do you need it?').fill(JUSTIFICATION);
  const approvers = form.getByRole('list', { name: 'Approvers' });
  const level1 = approvers
    .getByRole('listitem')
    .filter({ hasText: 'Level 1:' });
  const level2 = approvers
    .getByRole('listitem')
    .filter({ hasText: 'Level 2:' });
  await level1.getByRole('link', { name: 'Sam Manager' }).waitFor();
  await level2.getByRole('link', { name: 'Olivia Owner' }).waitFor();
  await shot(page, outputDir, 'admin-07-employee-request-form');

  const submitStatus = await clickAndCall(
    page,
    form.getByRole('button', { name: 'Submit request' }),
    'POST',
    /^\/requests$/,
  );
  assert(submitStatus === 201, `submitting the request: HTTP ${submitStatus}`);
  await page.waitForURL(/\/apps\/requests\/[^/]+$/);
  requestUrl = page.url();
  await page
    .getByRole('heading', { level: 1, name: `${APP.name} — Editor` })
    .waitFor();
  await page.getByTestId('status-pending_approval').waitFor();
  // The request page says who it waits for; the timeline whom it asked.
  await page.getByText('Level 1: Sam Manager', { exact: true }).waitFor();
  const asked1 = page
    .getByTestId('event-approval_requested')
    .filter({ hasText: 'Waiting for approval (level 1)' });
  await asked1.getByText('Asked: Sam Manager').waitFor();
  await page.getByText(JUSTIFICATION, { exact: true }).waitFor();
  await settled(page);
  await shot(page, outputDir, 'admin-08-employee-request-pending');

  // --- Sam approves level 1; level 2 waits for Olivia ------------------------------
  await signInAs(page, APP_URL, 'sam.manager');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await headerTab(page, 'Approvals').click();
  await page.waitForURL(`${APP_URL}/apps/approvals`);
  await page
    .getByRole('button', { name: `Approve ${APP.name} for Jane Doe` })
    .click();
  const approve = page.getByRole('dialog', {
    name: `Approve ${APP.name} (Editor) for Jane Doe?`,
  });
  await approve.getByText(`They wrote: “${JUSTIFICATION}”`).waitFor();
  await clickAndCall(
    page,
    approve.getByRole('button', { name: 'Approve', exact: true }),
    'POST',
    /^\/requests\/[^/]+\/decisions$/,
  );
  await page.getByText(`Approved ${APP.name} for Jane Doe.`).waitFor();

  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await waitForBackend();
  await page.goto(
    `${APP_URL}/apps/requests/${encodeURIComponent(
      requestIdFromUrl(requestUrl),
    )}`,
  );
  const asked2 = page
    .getByTestId('event-approval_requested')
    .filter({ hasText: 'Waiting for approval (level 2)' });
  await reloadUntilVisible(page, asked2);
  await asked2.getByText('Asked: Olivia Owner').waitFor();
  await page
    .getByTestId('event-approved')
    .getByText('Approved (level 1)')
    .waitFor();
  await page.getByText('Level 2: Olivia Owner', { exact: true }).waitFor();
  await page.getByTestId('status-pending_approval').waitFor();
  await settled(page);
  await shot(page, outputDir, 'admin-09-employee-request-level2');
});

test('employee: no Admin tab, and the admin pages refuse her', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  await signInAs(page, APP_URL, 'jane.doe');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();

  // Once the portal has asked about her permissions, the tabs stay without Admin.
  await reloadUntilPermissionChecked(page);
  await headerTab(page, 'Catalog').waitFor();
  await headerTab(page, 'Approvals').waitFor();
  await page.waitForTimeout(1_000);
  assert(
    (await headerTab(page, 'Admin').count()) === 0,
    'jane.doe should not see the Admin tab',
  );
  await shot(page, outputDir, 'admin-10-employee-no-admin-tab');

  // Typing the address anyway: a clear refusal naming the permission, no form.
  await waitForBackend();
  await page.goto(`${APP_URL}/apps/admin/settings`);
  const refused = page.getByTestId('app-access-not-allowed');
  await refused
    .getByText('You are not allowed to change App Access settings')
    .waitFor();
  await refused
    .getByText('This page is for App Access admins.', { exact: false })
    .waitFor();
  await refused.getByText('app-access.settings.manage').waitFor();
  assert(
    (await page.getByRole('form', { name: 'Default settings' }).count()) === 0,
    'the settings form should not be rendered for jane.doe',
  );
  // The header keeps its Admin tab on /apps/admin/* for everyone (Router.tsx:
  // "on an admin page it stays"), and the admin sub-navigation is shown above
  // the refusal, so the tab is only checked on the catalog above.
  await shot(page, outputDir, 'admin-11-employee-settings-refused');

  await waitForBackend();
  await page.goto(`${APP_URL}/apps/admin/apps`);
  await page
    .getByTestId('app-access-not-allowed')
    .getByText('You are not allowed to manage App Access apps')
    .waitFor();

  // The backend says no as well.
  const jane = await apiAs('jane.doe');
  const res = await jane.get('/settings');
  assert(
    res.status === 403,
    `GET /settings as jane.doe: expected 403, got ${res.status}`,
  );
});

test('admin changes a setting (changed here) and resets it to app-config', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  const admin = await apiAs('ivan.admin');

  await signInAs(page, APP_URL, 'ivan.admin');
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await waitForBackend();
  await headerTab(page, 'Admin').click();
  await page.waitForURL(`${APP_URL}/apps/admin/settings`);
  const defaults = page.getByRole('form', { name: 'Default settings' });
  await defaults.waitFor();
  const chip = page.getByTestId('source-reminders');
  const reset = page.getByRole('button', {
    name: 'Reset Reminders to app-config',
  });
  // A run that stopped half-way may have left an override: start from app-config.
  if ((await chip.textContent()) === 'changed here') {
    await reset.click();
    await chip.getByText('from app-config').waitFor();
  }
  assert(
    (await chip.textContent()) === 'from app-config',
    `reminders should come from app-config, chip says "${await chip.textContent()}"`,
  );
  assert((await reset.count()) === 0, 'nothing to reset yet');

  const maxCount = defaults.getByRole('spinbutton', {
    name: 'Reminders at most',
  });
  const before = await maxCount.inputValue();
  const after = before === '5' ? '4' : '5';
  await maxCount.fill(after);
  await defaults.getByText('No unsaved changes').waitFor({ state: 'detached' });
  await clickAndCall(
    page,
    defaults.getByRole('button', { name: 'Save default settings' }),
    'PUT',
    /^\/settings$/,
  );
  await page.getByText('Default settings saved.').waitFor();
  await chip.getByText('changed here').waitFor();
  await reset.waitFor();
  // Only the changed key became an override.
  await page
    .getByTestId('source-approvalMethod')
    .getByText('from app-config')
    .waitFor();
  const changed = expectStatus(
    await admin.get('/settings'),
    200,
    'GET /settings',
  );
  assert(
    changed.sources.reminders === 'database' &&
      String(changed.values.reminders.maxCount) === after,
    `backend: reminders ${JSON.stringify(changed.values.reminders)} from ${
      changed.sources.reminders
    }`,
  );
  // The README's settings screenshot: "changed here" next to "from app-config".
  await page
    .getByText('Reminders', { exact: true })
    .evaluate(el => el.scrollIntoView({ block: 'center' }));
  await shot(page, outputDir, 'admin-12-settings-changed-here');

  await clickAndCall(page, reset, 'PUT', /^\/settings$/);
  await page.getByText('Reminders reset to app-config.').waitFor();
  await chip.getByText('from app-config').waitFor();
  assert(
    (await maxCount.inputValue()) === before,
    `after the reset "Reminders at most" should be ${before} again, is ${await maxCount.inputValue()}`,
  );
  await shot(page, outputDir, 'admin-13-settings-reset');
  const back = expectStatus(await admin.get('/settings'), 200, 'GET /settings');
  assert(
    back.sources.reminders === 'config' &&
      String(back.values.reminders.maxCount) === before,
    `backend after reset: reminders ${JSON.stringify(
      back.values.reminders,
    )} from ${back.sources.reminders}`,
  );
});

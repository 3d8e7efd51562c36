// Requests on behalf of someone, in the browser: Sam (a manager) requests
// Confluence Editor for one of his reports; the approval goes up the
// report's manager chain (Sam filed it, so Sam's manager Victor decides);
// the report sees the request, "for" them and "filed by" Sam.
//
// The report is the first of Sam's reports with no Confluence request yet,
// so the walk also runs against a portal with data from earlier runs.
import { apiAs, expectStatus } from '../api.mjs';
import { signInAs } from '../signIn.mjs';
import {
  assert,
  reloadUntilVisible,
  requestIdFromUrl,
  SCREENSHOT_VIEWPORT,
  settled,
  shot,
} from '../ui.mjs';

const APP = { id: 'confluence', name: 'Confluence', tier: 'Editor' };
const REPORTS = [
  ['ethan.engineer', 'Ethan Engineer'],
  ['liam.nguyen', 'Liam Nguyen'],
  ['sofia.martinez', 'Sofia Martinez'],
  ['noah.kim', 'Noah Kim'],
  ['ava.patel', 'Ava Patel'],
];

async function freshReport() {
  for (const [user, name] of REPORTS) {
    const api = await apiAs(user);
    const mine = expectStatus(await api.get('/requests?limit=100'), 200, user);
    if (
      !mine.items.some(
        r =>
          r.appId === APP.id &&
          r.status !== 'cancelled' &&
          r.status !== 'denied',
      )
    ) {
      return { user, name, api };
    }
  }
  throw new Error('every report of Sam already asked for Confluence');
}

test('a manager requests access for a report; the approval goes up the report’s chain; the report sees it', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  const report = await freshReport();
  const grantee = `user:default/${report.user}`;

  // --- Sam files it from the app page -----------------------------------------------
  await signInAs(page, APP_URL, 'sam.manager');
  await page.goto(`${APP_URL}/apps/${APP.id}`);
  await page.getByRole('heading', { level: 1, name: APP.name }).waitFor();
  await page
    .getByRole('button', { name: 'Request access', exact: true })
    .first()
    .click();
  const dialog = page.getByRole('dialog', {
    name: `Request access to ${APP.name}`,
  });
  await dialog.waitFor();
  await dialog.getByRole('radio', { name: new RegExp(APP.tier) }).check();
  await dialog
    .getByRole('checkbox', { name: 'Request for someone else' })
    .check();
  await dialog.getByLabel(/Who needs access/).fill(report.name.split(' ')[0]);
  await page.getByRole('option', { name: report.name }).click();
  await dialog
    .getByText(
      `Approvals follow ${report.name}: their manager and groups decide, never you.`,
    )
    .waitFor();
  await dialog
    .getByLabel('Why do you need it?')
    .fill('Starts on the docs rotation next week');
  await shot(page, outputDir, 'onbehalf-01-request-form');
  await dialog.getByRole('button', { name: 'Submit request' }).click();
  await page.waitForURL(/\/apps\/requests\/[^/]+$/);
  const requestId = requestIdFromUrl(page.url());
  await page.getByTestId('status-pending_approval').waitFor();
  await page.getByText('Filed by').waitFor();
  await page.getByText(report.name).first().waitFor();
  await settled(page);
  await shot(page, outputDir, 'onbehalf-02-request-page');

  // --- The approval is Victor's (Sam's manager), never Sam's ---------------------
  const sam = await apiAs('sam.manager');
  const victor = await apiAs('victor.vance');
  const request = expectStatus(
    await sam.get(`/requests/${requestId}`),
    200,
    'the filer reads it',
  );
  assert(
    request.requester === 'user:default/sam.manager' &&
      request.grantee === grantee,
    `expected sam for ${grantee}, got ${request.requester} for ${request.grantee}`,
  );
  assert(
    request.approvals[0].approvers.join() === 'user:default/victor.vance',
    `level 1 should be Victor's, got ${request.approvals[0].approvers}`,
  );
  expectStatus(
    await sam.post(`/requests/${requestId}/decisions`, { decision: 'approve' }),
    403,
    'the filer deciding',
  );
  const inbox = expectStatus(await victor.get('/approvals'), 200, 'inbox');
  assert(
    inbox.items.some(t => t.requestId === requestId),
    'Victor does not see the request in his inbox',
  );

  // Victor's inbox says who it is for and who filed it.
  await signInAs(page, APP_URL, 'victor.vance');
  await page.goto(`${APP_URL}/apps/approvals`);
  const row = page
    .getByRole('row')
    .filter({ hasText: APP.name })
    .filter({ hasText: `for ${report.name}, filed by Sam Manager` });
  await reloadUntilVisible(page, row.first());
  await settled(page);
  await shot(page, outputDir, 'onbehalf-03-approvals-inbox');
  expectStatus(
    await victor.post(`/requests/${requestId}/decisions`, {
      decision: 'approve',
      comment: 'Welcome aboard',
    }),
    200,
    'Victor approves',
  );

  // --- The report sees it in My requests, approved ----------------------------------
  const theirs = expectStatus(
    await report.api.get('/requests?limit=100'),
    200,
    'the report lists their requests',
  );
  assert(
    theirs.items.some(r => r.id === requestId),
    'the request filed for the report is not in their list',
  );
  await signInAs(page, APP_URL, report.user);
  await page.goto(`${APP_URL}/apps/requests`);
  await page
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: APP.name, exact: true }) })
    .first()
    .waitFor();
  await page.goto(`${APP_URL}/apps/requests/${encodeURIComponent(requestId)}`);
  await reloadUntilVisible(page, page.getByTestId('event-approved'));
  await page.getByText('Filed by').waitFor();
  await page.getByText('Sam Manager').first().waitFor();
  await settled(page);
  await shot(page, outputDir, 'onbehalf-04-grantee-request-page');
});

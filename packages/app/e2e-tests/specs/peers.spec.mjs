// Peer usage in the demo portal, as the "done means" says: jane.doe
// sees team and role usage and recommendations, from examples/usage.yaml
// (no Okta). First the API (so a failure names the figure that is wrong),
// then the same things in the browser.
// Pages are saved to packages/app/e2e-tests/output/peers-*.png.
import { apiAs, expectStatus } from '../api.mjs';
import { signInAs } from '../signIn.mjs';
import { assert, shot } from '../ui.mjs';

const REASON = /^\d+ of \d+ in .+ use it$/;

test('peers: jane.doe sees team and role usage and recommendations', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  const jane = await apiAs('jane.doe');

  // GET /apps carries per-app counts; some app is used by her team.
  const apps = expectStatus(
    await jane.get('/apps?limit=200'),
    200,
    'GET /apps as jane.doe',
  ).items;
  assert(apps.length > 0, 'the demo catalog lists apps');
  const withTeam = apps.filter(a => a.peers && a.peers.team > 0);
  const withRole = apps.filter(a => a.peers && a.peers.role > 0);
  assert(
    withTeam.length > 0,
    `some app should have team usage for jane.doe: ${JSON.stringify(
      apps.map(a => [a.id, a.peers]),
    )}`,
  );
  assert(withRole.length > 0, 'some app should have role usage for jane.doe');

  // Recommendations: apps her peers use and she does not have, with a reason.
  const recs = expectStatus(
    await jane.get('/recommendations'),
    200,
    'GET /recommendations',
  ).items;
  assert(recs.length > 0, 'jane.doe gets recommendations');
  for (const r of recs) {
    assert(
      REASON.test(r.reason),
      `reason "${r.reason}" reads like "14 of 20 in Platform use it"`,
    );
    assert(
      r.team > 0 || r.role > 0,
      `recommendation ${r.appId} is backed by a count`,
    );
  }
  const top = recs[0];

  // Who uses it: teammates by name (the default), counts only for the role.
  const peers = expectStatus(
    await jane.get(`/apps/${top.appId}/peers`),
    200,
    `GET /apps/${top.appId}/peers`,
  );
  assert(
    peers.team.count === top.team,
    `team count ${peers.team.count} equals the recommendation's ${top.team}`,
  );
  if (peers.team.count > 0) {
    assert(
      peers.team.people?.length === Math.min(peers.team.count, 50),
      'teammates are named by default',
    );
    assert(
      !peers.team.people.some(p => p.ref === 'user:default/jane.doe'),
      'the viewer is never counted',
    );
  }
  assert(
    peers.role.people === undefined,
    'people in the same role are counts only by default',
  );

  // Unknown app: a clear 404, not a 500.
  const missing = await jane.get('/apps/no-such-app/peers');
  assert(
    missing.status === 404,
    `unknown app peers → 404, got ${missing.status}`,
  );

  // The same in the browser.
  await signInAs(page, APP_URL, 'jane.doe');
  await page.goto(`${APP_URL}/apps`);
  await page.getByRole('heading', { name: 'App catalog' }).waitFor();
  await page.getByRole('heading', { name: 'Popular with your team' }).waitFor();
  const recCard = page.getByTestId(`recommendation-${top.appId}`);
  await recCard.waitFor();
  await recCard.getByText(top.reason).waitFor();
  await page.getByTestId('peer-usage').first().waitFor();
  await shot(page, outputDir, 'peers-01-catalog');

  // Sort by "Popular with my team": the first card is the app most used by her team.
  await page
    .getByLabel('Sort by')
    .selectOption({ label: 'Popular with my team' });
  await page.waitForURL(/sort=team/);
  const mostUsed = [...apps].sort(
    (a, b) => (b.peers?.team ?? 0) - (a.peers?.team ?? 0),
  )[0];
  const firstCard = page.locator('[data-testid^="app-card-"]').first();
  await firstCard.waitFor();
  const firstId = (await firstCard.getAttribute('data-testid')).replace(
    'app-card-',
    '',
  );
  const first = apps.find(a => a.id === firstId);
  assert(
    (first?.peers?.team ?? 0) === mostUsed.peers.team,
    `first card ${firstId} (team ${first?.peers?.team}) should be as popular as ${mostUsed.id} (team ${mostUsed.peers.team})`,
  );
  await shot(page, outputDir, 'peers-02-sorted-by-team');

  // The recommended app's page has "Who uses it" with her teammates' names.
  await recCard.click();
  await page.waitForURL(`${APP_URL}/apps/${top.appId}`);
  const who = page
    .locator('[class*="MuiCard-root"]')
    .filter({ hasText: 'Who uses it' });
  await who.waitFor();
  if (peers.team.people?.length) {
    const name =
      peers.team.people[0].displayName ??
      peers.team.people[0].ref.split('/').pop();
    await who.getByText(name, { exact: false }).first().waitFor();
  }
  await shot(page, outputDir, 'peers-03-who-uses-it');
});

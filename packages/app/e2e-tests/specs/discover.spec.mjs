// App Access where people already are in Backstage: Jane types "figma" in the
// portal's search (Lunr, filled by the App Access collator) and the result
// leads to the app's page with a "Request access" link; unlisted Loom is not
// found. On User pages the access card shows Jane her own access, and tells
// her Ethan's (a teammate) is not hers to see.
import { signInAs } from '../signIn.mjs';
import { assert, reloadUntilVisible, shot } from '../ui.mjs';

test('search finds a listed app and links to where access is requested', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await signInAs(page, APP_URL, 'jane.doe');
  await page.goto(`${APP_URL}/search?query=figma`);
  // The collator's first run is ~10 s after the backend starts.
  await reloadUntilVisible(
    page,
    page.getByRole('link', { name: 'Request access to Figma' }),
    120_000,
  );
  await shot(page, outputDir, 'discover-search-figma');
  await page.getByRole('link', { name: 'Request access to Figma' }).click();
  await page.waitForURL(`${APP_URL}/apps/figma`);
  await page.getByRole('heading', { name: 'Figma' }).first().waitFor();

  await page.goto(`${APP_URL}/search?query=loom`);
  await page.getByRole('heading', { name: 'Search' }).first().waitFor();
  await page.waitForTimeout(3_000);
  assert(
    (await page
      .getByRole('link', { name: 'Request access to Loom' })
      .count()) === 0,
    'the unlisted Loom is in search',
  );
});

test("a User page shows the person's access to them, and not to others", async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await signInAs(page, APP_URL, 'jane.doe');
  await page.goto(`${APP_URL}/catalog/default/user/jane.doe`);
  await page
    .getByRole('list', { name: 'Open requests' })
    .or(page.getByText('No open requests.'))
    .first()
    .waitFor();
  await shot(page, outputDir, 'discover-user-card-jane');

  await page.goto(`${APP_URL}/catalog/default/user/ethan.engineer`);
  await page
    .getByText(/Only .* and their manager can see .* app access\./)
    .waitFor();
});

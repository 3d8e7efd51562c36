import { join } from 'node:path';
import { signInAs } from '../signIn.mjs';

async function expectAppsPage(page, APP_URL) {
  await page.getByRole('link', { name: 'Apps' }).first().click();
  await page.waitForURL(`${APP_URL}/apps`);
  await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
  await page.getByText('App catalog').waitFor();
}

test('jane.doe signs in through the picker and opens Apps', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await signInAs(page, APP_URL, 'jane.doe');
  await expectAppsPage(page, APP_URL);
  await page.screenshot({
    path: join(outputDir, 'smoke-jane-apps.png'),
    fullPage: true,
  });
});

test('ivan.admin signs in through the picker and opens Apps', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await signInAs(page, APP_URL, 'ivan.admin');
  await expectAppsPage(page, APP_URL);
  await page.screenshot({
    path: join(outputDir, 'smoke-ivan-apps.png'),
    fullPage: true,
  });
});

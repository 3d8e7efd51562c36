/** Signs in through the demo picker as `user` and waits for the portal. */
export async function signInAs(page, APP_URL, user) {
  await page.goto(APP_URL);
  await page.evaluate(() => window.localStorage.clear());
  await page.goto(`${APP_URL}/apps`);
  const persona = page.getByTestId(`persona-${user}`);
  const anyUser = page.getByTestId(`user-${user}`);
  await persona.or(anyUser).first().waitFor();
  if (await persona.count()) {
    await persona.click();
  } else {
    await anyUser.click();
  }
}

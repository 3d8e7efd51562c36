import { BACKEND_URL } from './portal.mjs';

/**
 * Waits until the backend answers its health check. `yarn start` runs the
 * backend in watch mode, so it restarts (for ~10-20 s) whenever a plugin's
 * source changes; a walk that starts during a restart would see "Failed to fetch".
 */
export async function waitForBackend(timeoutMs = 120_000) {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(`${BACKEND_URL}/api/app-access/health`);
      if (res.ok) return;
    } catch {
      /* not up (yet) */
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `the backend at ${BACKEND_URL} did not answer within ${
          timeoutMs / 1000
        }s`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

/**
 * Signs in through the demo picker as `user` and waits until the portal shows
 * the signed-in sidebar. Retries (a few times) when the picker or the sign-in
 * hits a backend that is restarting.
 */
export async function signInAs(page, APP_URL, user) {
  const failed = page.getByText(
    /Failed to fetch|Could not load the example users|Demo sign-in failed/,
  );
  for (let attempt = 1; ; attempt++) {
    await waitForBackend();
    await page.goto(APP_URL);
    await page.evaluate(() => window.localStorage.clear());
    await page.goto(`${APP_URL}/apps`);
    const persona = page.getByTestId(`persona-${user}`);
    const anyUser = page.getByTestId(`user-${user}`);
    await persona.or(anyUser).or(failed).first().waitFor();
    if (!(await failed.count())) {
      if (await persona.count()) {
        await persona.click();
      } else {
        await anyUser.click();
      }
      const signedIn = page.getByText('Switch user', { exact: true });
      await signedIn.or(failed).first().waitFor();
      if (!(await failed.count())) return;
    }
    if (attempt >= 4) {
      throw new Error(
        `signing in as ${user} failed ${attempt} times: ${await failed
          .first()
          .textContent()}`,
      );
    }
    await new Promise(r => setTimeout(r, 2_000));
  }
}

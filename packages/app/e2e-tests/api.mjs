import { BACKEND_URL, demoToken } from './portal.mjs';

/**
 * Retries `fn` while the backend cannot be reached: in `yarn start` it runs in
 * watch mode and restarts for a few seconds when a plugin's source changes.
 */
export async function whileRestarting(fn, timeoutMs = 90_000) {
  const started = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      // 404 from demo sign-in: the catalog has not ingested that user yet (fresh database).
      const unreachable =
        e instanceof TypeError ||
        /HTTP 50[234]|^demo sign-in as .*: HTTP 404/.test(String(e?.message));
      if (!unreachable || Date.now() - started > timeoutMs) throw e;
      await new Promise(r => setTimeout(r, 1000));
    }
  }
}

/** A tiny client for the App Access API as one example user. */
export async function apiAs(user) {
  const token = await whileRestarting(() => demoToken(user));
  const call = async (method, path, body) => {
    const res = await whileRestarting(() =>
      fetch(`${BACKEND_URL}/api/app-access${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }),
    );
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  return {
    get: path => call('GET', path),
    post: (path, body = {}) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
  };
}

export function expectStatus(res, status, what) {
  if (res.status !== status) {
    throw new Error(
      `${what}: expected HTTP ${status}, got ${res.status}: ${JSON.stringify(
        res.body,
      ).slice(0, 400)}`,
    );
  }
  return res.body;
}

/** Waits until a request reaches one of the given statuses (the outbox works in the background). */
export async function waitForStatus(api, id, statuses, timeoutMs = 20_000) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeoutMs) {
    last = expectStatus(await api.get(`/requests/${id}`), 200, 'GET request');
    if (statuses.includes(last.status)) return last;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(
    `request ${id} stayed ${last?.status}, expected ${statuses.join(' or ')}`,
  );
}

import { familyOf, OktaThrottle } from './OktaThrottle';
import { nextCursor } from './OktaSyncClient';
import { groupRefFor, sanitizeName, userRefCandidates } from './refs';

/** A throttle on a hand-moved clock; `sleeps` records every wait. */
function setup(
  options: {
    reservePercent?: number;
    requestsPerMinute?: number;
    reserveReleaseMs?: number;
  } = {},
) {
  const clock = { now: 1_700_000_000_000 };
  const sleeps: number[] = [];
  const throttle = new OktaThrottle({
    ...options,
    now: () => clock.now,
    sleep: async ms => {
      sleeps.push(ms);
      clock.now += ms;
    },
  });
  return { clock, sleeps, throttle };
}

/** Okta's answer headers: Date in whole seconds, reset in epoch seconds. */
function headers(values: {
  limit?: number;
  remaining?: number;
  reset?: number;
  date?: number;
}) {
  const map: Record<string, string> = {};
  if (values.limit !== undefined)
    map['x-rate-limit-limit'] = String(values.limit);
  if (values.remaining !== undefined)
    map['x-rate-limit-remaining'] = String(values.remaining);
  if (values.reset !== undefined)
    map['x-rate-limit-reset'] = String(values.reset);
  if (values.date !== undefined) map.date = new Date(values.date).toUTCString();
  return { get: (name: string) => map[name.toLowerCase()] ?? null };
}

describe('OktaThrottle', () => {
  it('sends while the window has more than the reserve, then waits for X-Rate-Limit-Reset', async () => {
    const { clock, sleeps, throttle } = setup({ reservePercent: 10 });
    const reset = clock.now / 1000 + 30;
    await throttle.acquire('users');
    throttle.observe(
      'users',
      headers({ limit: 20, remaining: 3, reset, date: clock.now }),
    );
    await throttle.acquire('users');
    expect(sleeps).toEqual([]);
    // 2 left = 10 % of 20: keep them for others.
    throttle.observe(
      'users',
      headers({ limit: 20, remaining: 2, reset, date: clock.now }),
    );
    await throttle.acquire('users');
    expect(sleeps).toEqual([30_000 + 50]);
    expect(throttle.stats.throttledMs).toBe(30_050);
    // Another family has its own window.
    await throttle.acquire('apps');
    expect(sleeps).toHaveLength(1);
    expect(throttle.stats.requests).toEqual({ users: 3, apps: 1 });
  });

  it('spends the reserve nobody used in the window’s last seconds, shrinking it linearly, never past what is left', async () => {
    const { clock, sleeps, throttle } = setup({
      reservePercent: 10,
      reserveReleaseMs: 10_000,
    });
    const reset = clock.now / 1000 + 30;
    const resetAt = clock.now + 30_000 + 50;
    await throttle.acquire('apps');
    // 4 left of 100: the reserve (10) keeps them until the reserve has
    // shrunk below 4, i.e. 4 s before the reset.
    throttle.observe(
      'apps',
      headers({ limit: 100, remaining: 4, reset, date: clock.now }),
    );
    await throttle.acquire('apps');
    expect(sleeps).toHaveLength(1);
    expect(resetAt - clock.now).toBeLessThan(4000);
    expect(resetAt - clock.now).toBeGreaterThan(3900);
    // Then one at a time as the reserve shrinks: 3 left (one in flight)
    // wait until the reserve is below 3.
    await throttle.acquire('apps');
    expect(sleeps).toHaveLength(2);
    expect(resetAt - clock.now).toBeLessThan(3000);
    await throttle.acquire('apps');
    await throttle.acquire('apps');
    expect(resetAt - clock.now).toBeLessThan(1000);
    // All 4 in flight: nothing is left, the next one waits for the reset.
    await throttle.acquire('apps');
    expect(clock.now).toBeGreaterThanOrEqual(resetAt);
    expect(throttle.stats.requests.apps).toBe(6);
  });

  it('keeps the whole reserve until the reset without reserveReleaseMs', async () => {
    const { clock, sleeps, throttle } = setup({ reservePercent: 10 });
    await throttle.acquire('apps');
    throttle.observe(
      'apps',
      headers({
        limit: 100,
        remaining: 10,
        reset: clock.now / 1000 + 30,
        date: clock.now,
      }),
    );
    await throttle.acquire('apps');
    expect(sleeps).toEqual([30_000 + 50]);
  });

  it('reads the reset on Okta’s clock: a server 5 s ahead means the window opens 5 s sooner on ours', async () => {
    const { clock, sleeps, throttle } = setup({ reservePercent: 0 });
    const serverNow = clock.now + 5000;
    await throttle.acquire('groups');
    throttle.observe(
      'groups',
      headers({
        limit: 10,
        remaining: 0,
        reset: serverNow / 1000 + 20,
        date: serverNow,
      }),
    );
    await throttle.acquire('groups');
    expect(sleeps).toEqual([20_000 + 50]);
  });

  it('never waits too little when the Date header is rounded down', async () => {
    const { clock, sleeps, throttle } = setup({ reservePercent: 0 });
    clock.now += 700; // 0.7 s into a second; Okta's Date says the whole second
    await throttle.acquire('apps');
    throttle.observe(
      'apps',
      headers({
        limit: 10,
        remaining: 0,
        reset: Math.floor(clock.now / 1000) + 10,
        date: clock.now,
      }),
    );
    await throttle.acquire('apps');
    const opensAt = (Math.floor((clock.now - sleeps[0]) / 1000) + 10) * 1000;
    expect(clock.now).toBeGreaterThanOrEqual(opensAt);
    expect(clock.now - opensAt).toBeLessThanOrEqual(1000 + 50);
  });

  it('counts requests in flight against what is left', async () => {
    const { clock, sleeps, throttle } = setup({ reservePercent: 0 });
    await throttle.acquire('apps');
    throttle.observe(
      'apps',
      headers({ limit: 10, remaining: 2, reset: clock.now / 1000 + 5 }),
    );
    await throttle.acquire('apps');
    await throttle.acquire('apps');
    expect(sleeps).toEqual([]);
    // Two in flight, two left: the third waits.
    await throttle.acquire('apps');
    expect(sleeps).toHaveLength(1);
  });

  it('keeps a configured requestsPerMinute per family', async () => {
    const { sleeps, throttle } = setup({ requestsPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      await throttle.acquire('users');
      throttle.release('users');
    }
    expect(sleeps).toEqual([]);
    await throttle.acquire('users');
    expect(sleeps).toEqual([60_000]);
    await throttle.acquire('groups');
    expect(sleeps).toHaveLength(1);
  });

  it('backs off after a 429 without usable headers', async () => {
    const { sleeps, throttle } = setup();
    await throttle.acquire('logs');
    throttle.observe('logs', headers({}));
    throttle.rateLimited('logs', 4000);
    await throttle.acquire('logs');
    expect(sleeps).toEqual([4000]);
    expect(throttle.stats.http429).toBe(1);
  });

  it('stops waiting when the run is stopped', async () => {
    const throttle = new OktaThrottle({ reservePercent: 0 });
    const controller = new AbortController();
    throttle.signal = controller.signal;
    await throttle.acquire('users');
    throttle.observe(
      'users',
      headers({
        limit: 5,
        remaining: 0,
        reset: Math.floor(Date.now() / 1000) + 60,
      }),
    );
    const waiting = throttle.acquire('users');
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });

  it('sorts URLs into endpoint families', () => {
    expect(familyOf('https://acme.okta.com/api/v1/users?limit=200')).toBe(
      'users',
    );
    expect(familyOf('https://acme.okta.com/api/v1/groups/00g1/users')).toBe(
      'groups',
    );
    expect(familyOf('https://acme.okta.com/api/v1/apps/0oa1/users')).toBe(
      'apps',
    );
    expect(familyOf('https://acme.okta.com/api/v1/logs?since=x')).toBe('logs');
    expect(familyOf('https://acme.okta.com/oauth2/v1/token')).toBe('oauth');
    expect(familyOf('https://acme.okta.com/api/v1/meta/types')).toBe('other');
  });
});

describe('paging and refs', () => {
  it('takes the after cursor from the next link', () => {
    expect(
      nextCursor(
        '<https://acme.okta.com/api/v1/users?limit=2>; rel="self", <https://acme.okta.com/api/v1/users?after=00u2&limit=2>; rel="next"',
      ),
    ).toBe('00u2');
    expect(
      nextCursor('<https://acme.okta.com/api/v1/users?limit=2>; rel="self"'),
    ).toBeUndefined();
    expect(nextCursor(null)).toBeUndefined();
  });

  it('makes valid entity names', () => {
    expect(sanitizeName('Jane.Doe', 'x')).toBe('jane.doe');
    expect(sanitizeName("o'brien+test", 'x')).toBe('o-brien-test');
    expect(sanitizeName('..__', 'fallback')).toBe('fallback');
    expect(sanitizeName('a'.repeat(80), 'x')).toHaveLength(63);
    expect(groupRefFor('R&D — Platform', '00g1')).toBe(
      'group:default/okta-r-d-platform',
    );
    expect(
      userRefCandidates('jane.doe@contractor.example', '00uAbCdEf123456'),
    ).toEqual([
      'user:default/jane.doe',
      'user:default/jane.doe-123456',
      'user:default/jane.doe-00uabcdef123456',
    ]);
  });
});

import { ZendeskThrottle } from './ZendeskThrottle';

function headers(values: Record<string, string>) {
  return {
    get: (name: string) => values[name.toLowerCase()] ?? null,
  };
}

describe('ZendeskThrottle', () => {
  function throttle(reservePercent = 0) {
    let now = 1_000_000;
    const slept: number[] = [];
    const t = new ZendeskThrottle({
      reservePercent,
      now: () => now,
      sleep: async ms => {
        slept.push(ms);
        now += ms;
      },
    });
    return { t, slept, advance: (ms: number) => (now += ms) };
  }

  it('sends while the window has budget, then waits for its reset instead of a 429', async () => {
    const { t, slept } = throttle();
    await t.acquire();
    t.observe(
      200,
      headers({
        'x-rate-limit': '3',
        'x-rate-limit-remaining': '2',
        'ratelimit-reset': '20',
      }),
    );
    // Two left: two calls go out at once, the third waits for the reset.
    await t.acquire();
    await t.acquire();
    expect(slept).toEqual([]);
    const third = t.acquire();
    await third;
    expect(slept).toEqual([20_000]);
    expect(t.stats).toMatchObject({ requests: 4, http429: 0 });
  });

  it('keeps the reserve of each window for other clients of the account', async () => {
    const { t, slept } = throttle(10);
    await t.acquire();
    t.observe(
      200,
      headers({
        'ratelimit-limit': '100',
        'ratelimit-remaining': '11',
        'ratelimit-reset': '5',
      }),
    );
    await t.acquire(); // 11 left, 10 kept back: this one may go
    t.observe(
      200,
      headers({
        'ratelimit-limit': '100',
        'ratelimit-remaining': '10',
        'ratelimit-reset': '5',
      }),
    );
    await t.acquire();
    expect(slept).toEqual([5000]);
  });

  it('after a 429 waits the Retry-After before the next call', async () => {
    const { t, slept } = throttle();
    await t.acquire();
    t.observe(429, headers({ 'retry-after': '7' }));
    await t.acquire();
    expect(slept).toEqual([7000]);
    expect(t.stats.http429).toBe(1);
  });

  it('without a reset header assumes a minute, and a new window starts unknown', async () => {
    const { t, slept, advance } = throttle();
    await t.acquire();
    t.observe(200, headers({ 'x-rate-limit-remaining': '0' }));
    advance(60_000);
    await t.acquire();
    expect(slept).toEqual([]);
  });
});

/**
 * Keeps one replica's Zendesk calls under the account's rate limit instead of
 * running into it. Zendesk counts every API call of the account per minute
 * and says on each answer how many are left (`X-Rate-Limit-Remaining`, or
 * `ratelimit-remaining`) and, in the newer headers, when the window reopens
 * (`ratelimit-reset`, seconds from now). Before each call the throttle looks
 * at what the latest answer said: when no more than the reserve is left
 * (counting the calls still in flight) it waits until the reset instead of
 * sending. A 429 that still happens (another client of the account used the
 * window) spends the window until its `Retry-After`.
 */

export type ZendeskHeaderReader = { get(name: string): string | null };

export type ZendeskThrottleOptions = {
  /** Percent of each window left unused for other clients of the account (default 10). */
  reservePercent?: number;
  /** Zendesk's window when an answer does not say when it resets (default 60 s). */
  windowMs?: number;
  /** Test seams. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export type ZendeskThrottleStats = {
  /** Time calls spent waiting for the window to reopen (summed over calls waiting together). */
  waitedMs: number;
  /** 429s received. */
  http429: number;
  requests: number;
};

function numberHeader(headers: ZendeskHeaderReader, ...names: string[]) {
  for (const name of names) {
    const raw = headers.get(name);
    if (raw === null || raw === '') continue;
    const value = Number(raw);
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

export class ZendeskThrottle {
  readonly stats: ZendeskThrottleStats = {
    waitedMs: 0,
    http429: 0,
    requests: 0,
  };
  private limit?: number;
  private remaining?: number;
  /** Local time (ms) when the window reopens. */
  private resetAt?: number;
  private inFlight = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly reservePercent: number;
  private readonly windowMs: number;

  constructor(options: ZendeskThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    this.reservePercent = options.reservePercent ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** Waits until a call may go out, then counts it as in flight. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (this.resetAt !== undefined && now >= this.resetAt) {
        // A new window: its budget is unknown until the next answer says.
        this.remaining = undefined;
        this.resetAt = undefined;
      }
      if (this.remaining !== undefined) {
        const reserve = Math.floor(
          ((this.limit ?? 0) * this.reservePercent) / 100,
        );
        if (this.remaining - this.inFlight <= reserve) {
          const wait = Math.max(1, (this.resetAt ?? now + 1000) - now);
          this.stats.waitedMs += wait;
          await this.sleep(wait);
          continue;
        }
      }
      this.inFlight += 1;
      this.stats.requests += 1;
      return;
    }
  }

  /** The call failed without an answer: nothing learnt, no longer in flight. */
  release() {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Learns the budget from an answer's headers (a 429 spends the window until Retry-After). */
  observe(
    status: number,
    headers: ZendeskHeaderReader,
    receivedAt = this.now(),
  ) {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const limit = numberHeader(headers, 'ratelimit-limit', 'x-rate-limit');
    const remaining = numberHeader(
      headers,
      'ratelimit-remaining',
      'x-rate-limit-remaining',
    );
    const resetS = numberHeader(headers, 'ratelimit-reset');
    if (limit !== undefined) this.limit = limit;
    if (status === 429) {
      this.stats.http429 += 1;
      const retryS = numberHeader(headers, 'retry-after') ?? resetS;
      this.remaining = 0;
      this.resetAt = Math.max(
        this.resetAt ?? 0,
        receivedAt + (retryS !== undefined ? retryS * 1000 : this.windowMs),
      );
      return;
    }
    if (remaining === undefined) return;
    // Whole seconds, rounded up by Zendesk: waiting until then is never early.
    const resetAt =
      resetS !== undefined
        ? receivedAt + resetS * 1000
        : this.resetAt ?? receivedAt + this.windowMs;
    if (
      this.remaining !== undefined &&
      this.resetAt !== undefined &&
      Math.abs(this.resetAt - resetAt) < 1500
    ) {
      // Same window; answers may arrive out of order, the lowest count is the truth.
      this.remaining = Math.min(this.remaining, remaining);
      this.resetAt = Math.max(this.resetAt, resetAt);
    } else {
      this.remaining = remaining;
      this.resetAt = resetAt;
    }
  }
}

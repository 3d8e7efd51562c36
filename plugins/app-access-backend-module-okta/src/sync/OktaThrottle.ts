/**
 * Keeps the sync under Okta's rate limits instead of running into them.
 *
 * Okta counts requests per endpoint family in fixed windows and says, on
 * every answer, how many are left (`X-Rate-Limit-Remaining`) and when the
 * window reopens (`X-Rate-Limit-Reset`, epoch seconds on Okta's clock). Before
 * each request the throttle looks at what the last answer of that family
 * said: when no more than the reserve is left, it waits until the reset
 * instead of sending; in the window's last seconds (`reserveReleaseMs`) the
 * reserve shrinks to nothing, so what nobody else used is not wasted. An optional `requestsPerMinute` adds the sync's own cap
 * (a sliding minute per family). A 429 that still happens (someone else used
 * the window) is counted and waited out the same way by the caller.
 */

export type HeaderReader = { get(name: string): string | null };

export type ThrottleStats = {
  /** Time spent waiting for windows to reopen, summed over families (they wait in parallel). */
  throttledMs: number;
  http429: number;
  requests: Record<string, number>;
};

type FamilyState = {
  limit?: number;
  remaining?: number;
  /** Local time (ms) when the window reopens, with the clock-offset margin applied. */
  resetAt?: number;
  inFlight: number;
  /** Send times of the last minute, for `requestsPerMinute`. */
  sent: number[];
};

export type OktaThrottleOptions = {
  /** Percent of each window left unused for other Okta clients (default 10). */
  reservePercent?: number;
  /**
   * In the window's last `reserveReleaseMs` the reserve shrinks linearly to
   * nothing: what other clients have not used by then would go unused, so
   * the sync spends it (default 0: the reserve holds to the reset).
   */
  reserveReleaseMs?: number;
  /** The sync's own cap per family and minute. */
  requestsPerMinute?: number;
  /** Test seams. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export function abortableSleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('Aborted'));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('Aborted'));
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The endpoint family of an Okta URL: users, groups, apps, logs, oauth or other. */
export function familyOf(url: string): string {
  const path = url.replace(/^https?:\/\/[^/]+/, '');
  const m = /^\/api\/v1\/(users|groups|apps|logs)\b/.exec(path);
  if (m) return m[1];
  if (path.startsWith('/oauth2/')) return 'oauth';
  return 'other';
}

function numberHeader(headers: HeaderReader, name: string) {
  const raw = headers.get(name);
  if (raw === null || raw === '' || raw.includes(',')) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

export class OktaThrottle {
  readonly stats: ThrottleStats = { throttledMs: 0, http429: 0, requests: {} };
  /** Aborts waits (the sync sets it per run). */
  signal?: AbortSignal;

  private readonly families = new Map<string, FamilyState>();
  /**
   * A lower bound of (Okta's clock − ours), from the `Date` headers: Okta
   * wrote the Date (whole seconds) before we received the answer, so
   * `Date − receivedAt` never exceeds the true offset. Waiting until
   * `reset − offsetLow` is therefore never early.
   */
  private offsetLow?: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly reservePercent: number;
  private readonly reserveReleaseMs: number;

  constructor(private readonly options: OktaThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.reservePercent = options.reservePercent ?? 10;
    this.reserveReleaseMs = Math.max(0, options.reserveReleaseMs ?? 0);
  }

  private state(family: string): FamilyState {
    let s = this.families.get(family);
    if (!s) {
      s = { inFlight: 0, sent: [] };
      this.families.set(family, s);
    }
    return s;
  }

  /** Waits until a request of this family may go out, then counts it as in flight. */
  async acquire(family: string): Promise<void> {
    const rpm = this.options.requestsPerMinute;
    for (;;) {
      if (this.signal?.aborted) {
        throw this.signal.reason ?? new Error('Aborted');
      }
      const s = this.state(family);
      const now = this.now();
      if (s.resetAt !== undefined && now >= s.resetAt) {
        // A new window: its budget is unknown until the next answer says.
        s.remaining = undefined;
        s.resetAt = undefined;
      }
      let until = 0;
      if (s.remaining !== undefined) {
        const full = Math.floor(((s.limit ?? 0) * this.reservePercent) / 100);
        const left = s.remaining - s.inFlight;
        const release = this.reserveReleaseMs;
        const reserve =
          release > 0 && s.resetAt !== undefined && s.resetAt - now < release
            ? Math.floor((full * Math.max(0, s.resetAt - now)) / release)
            : full;
        if (left <= reserve) {
          until = s.resetAt ?? now + 1000;
          if (left > 0 && release > 0 && full > 0 && s.resetAt !== undefined) {
            // The moment the shrinking reserve drops below what is left.
            until = Math.min(
              until,
              Math.floor(s.resetAt - (release * left) / full) + 1,
            );
          }
        }
      }
      if (rpm) {
        while (s.sent.length && s.sent[0] <= now - 60_000) s.sent.shift();
        if (s.sent.length >= rpm) until = Math.max(until, s.sent[0] + 60_000);
      }
      if (until > now) {
        const wait = until - now;
        this.stats.throttledMs += wait;
        await this.sleep(wait, this.signal);
        continue;
      }
      s.inFlight += 1;
      if (rpm) s.sent.push(now);
      this.stats.requests[family] = (this.stats.requests[family] ?? 0) + 1;
      return;
    }
  }

  /** The request failed without an answer: nothing to learn, just not in flight any more. */
  release(family: string) {
    const s = this.state(family);
    s.inFlight = Math.max(0, s.inFlight - 1);
  }

  /** Learns the family's budget from an answer's headers. */
  observe(family: string, headers: HeaderReader, receivedAt = this.now()) {
    const s = this.state(family);
    s.inFlight = Math.max(0, s.inFlight - 1);
    const date = Date.parse(headers.get('date') ?? '');
    if (!Number.isNaN(date)) {
      const offset = date - receivedAt;
      this.offsetLow =
        this.offsetLow === undefined
          ? offset
          : Math.max(this.offsetLow, offset);
    }
    const limit = numberHeader(headers, 'x-rate-limit-limit');
    const remaining = numberHeader(headers, 'x-rate-limit-remaining');
    const reset = numberHeader(headers, 'x-rate-limit-reset');
    if (remaining === undefined || reset === undefined) return;
    // Without a Date header, assume our clocks agree and keep a second's margin.
    const resetAt =
      this.offsetLow === undefined
        ? reset * 1000 + 1000
        : reset * 1000 - this.offsetLow + 50;
    if (
      s.remaining !== undefined &&
      s.resetAt !== undefined &&
      Math.abs(s.resetAt - resetAt) < 1000
    ) {
      // Same window; answers may arrive out of order, the lowest count is the truth.
      s.remaining = Math.min(s.remaining, remaining);
      s.resetAt = Math.max(s.resetAt, resetAt);
    } else {
      s.remaining = remaining;
      s.resetAt = resetAt;
    }
    if (limit !== undefined) s.limit = limit;
  }

  /**
   * After a 429: the window is spent whatever the headers claim; when the
   * answer had no usable reset, back off for `fallbackMs`.
   */
  rateLimited(family: string, fallbackMs = 5000) {
    this.stats.http429 += 1;
    const s = this.state(family);
    s.remaining = 0;
    if (s.resetAt === undefined || s.resetAt <= this.now()) {
      s.resetAt = this.now() + fallbackMs;
    }
  }

  /** What the throttle knows about a family (for logs and tests). */
  snapshot(family: string) {
    const s = this.state(family);
    return { limit: s.limit, remaining: s.remaining, resetAt: s.resetAt };
  }
}

import { Client } from '@okta/okta-sdk-nodejs';
import { OktaConfig } from '../config';
import {
  createOktaClient,
  OktaRequestExecutor,
  OktaRequestOptions,
} from '../OktaApi';
import { describeOktaError } from '../oktaErrors';
import { abortableSleep, familyOf, OktaThrottle } from './OktaThrottle';

/**
 * The SDK's executor behind the throttle: every request of the sync client
 * (token requests included) first waits for its family's window, and every
 * answer tells the throttle what is left. A 429 is waited out and sent again
 * (up to `max429Retries` times) instead of failing the page.
 */
export class ThrottledRequestExecutor extends OktaRequestExecutor {
  constructor(
    private readonly throttle: OktaThrottle,
    options: { requestTimeout: number; max429Retries?: number },
  ) {
    super({ maxRetries: 0, requestTimeout: options.requestTimeout });
    this.max429Retries = options.max429Retries ?? 5;
  }

  private readonly max429Retries: number;

  async fetch(request: OktaRequestOptions) {
    const family = familyOf(String(request.url ?? ''));
    for (let attempt = 0; ; attempt++) {
      await this.throttle.acquire(family);
      let response;
      try {
        response = await super.fetch(request);
      } catch (error) {
        this.throttle.release(family);
        throw error;
      }
      this.throttle.observe(family, response.headers);
      if (response.status !== 429) return response;
      this.throttle.rateLimited(family);
      if (attempt >= this.max429Retries) return response;
      // Let node-fetch free the connection before waiting.
      await response.arrayBuffer().catch(() => undefined);
    }
  }
}

export type OktaPage<T> = { items: T[]; next?: string };

/** Okta's `Link: <…>; rel="next"` header → the `after` cursor of the next page. */
export function nextCursor(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (m) {
      try {
        return new URL(m[1]).searchParams.get('after') ?? undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function isRetryable(error: unknown) {
  const status = Number((error as { status?: unknown })?.status);
  if (!Number.isFinite(status) || !status) return true; // network, timeout
  return status === 429 || status >= 500;
}

export type OktaSyncClientOptions = {
  /** Attempts per request for 5xx, network errors and timeouts (default 4). */
  attempts?: number;
  /** First back-off; doubles per attempt (default 2000 ms). */
  retryDelayMs?: number;
  /** Test seam: use this SDK client instead of building one. */
  client?: Client;
};

/**
 * The reads the sync makes, as raw JSON pages over the SDK's authenticated
 * HTTP layer (`client.http`: SSWS or OAuth with token refresh and DPoP). The
 * typed SDK collections hide the `Link` cursor the sync checkpoints and build
 * a model object per item, which is slow at millions of app users.
 */
export class OktaSyncClient {
  readonly throttle: OktaThrottle;
  /** Retries after 5xx / network errors (not 429s, which the throttle counts). */
  retries = 0;
  private readonly client: Client;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly config: Pick<
      OktaConfig,
      'orgUrl' | 'auth' | 'requestTimeoutMs'
    >,
    throttle: OktaThrottle,
    options: OktaSyncClientOptions = {},
  ) {
    this.throttle = throttle;
    this.attempts = options.attempts ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 2000;
    this.client =
      options.client ??
      createOktaClient(
        config,
        new ThrottledRequestExecutor(throttle, {
          requestTimeout: config.requestTimeoutMs,
        }),
        // The incremental sync reads the System Log.
        ['okta.logs.read'],
      );
  }

  /** One page of a list; `next` is the cursor to pass as `after` for the following one. */
  async page<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    signal?: AbortSignal,
  ): Promise<OktaPage<T>> {
    const url = new URL(path, this.config.orgUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        url.searchParams.set(key, String(value));
      }
    }
    const response = await this.request(url.toString(), signal);
    const items = (await response.json()) as T[];
    return { items, next: nextCursor(response.headers.get('link')) };
  }

  /** One object; undefined when Okta answers 404. */
  async get<T>(path: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      const response = await this.request(
        new URL(path, this.config.orgUrl).toString(),
        signal,
      );
      return (await response.json()) as T;
    } catch (error) {
      if (Number((error as { status?: unknown }).status) === 404) {
        return undefined;
      }
      throw error;
    }
  }

  private async request(url: string, signal?: AbortSignal) {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw signal.reason ?? new Error('Aborted');
      try {
        const request = {
          method: 'get',
          headers: { Accept: 'application/json' },
        } as Parameters<Client['http']['http']>[1];
        return await this.client.http.http(url, request);
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        if (!isRetryable(error) || attempt >= this.attempts) {
          const problem = describeOktaError(error, this.config.auth.type);
          throw Object.assign(
            new Error(
              `${problem.message} (GET ${url.replace(this.config.orgUrl, '')})`,
            ),
            { status: problem.status, kind: problem.kind, cause: error },
          );
        }
        this.retries += 1;
        await abortableSleep(this.retryDelayMs * 2 ** (attempt - 1), signal);
      }
    }
  }
}

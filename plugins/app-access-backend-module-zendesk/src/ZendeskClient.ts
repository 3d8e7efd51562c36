import { createClient, ZendeskClient as Sdk } from 'node-zendesk';
import { ZendeskSettings } from './config';
import { ZendeskThrottle } from './ZendeskThrottle';

/** A ticket as App Access reads it. */
export type ZendeskTicket = {
  id: number;
  external_id?: string | null;
  subject?: string;
  status?: string;
  tags?: string[];
  group_id?: number | null;
  requester_id?: number;
};

export type ZendeskComment = {
  id: number;
  body?: string;
  plain_body?: string;
  public?: boolean;
  author_id?: number;
};

/** One change set of a ticket (`GET /api/v2/tickets/{id}/audits`): who did what. */
export type ZendeskAudit = {
  id: number;
  /** The user who made the change; -1 for Zendesk itself (automations). */
  author_id: number;
  created_at?: string;
  events?: Array<{
    type: string;
    field_name?: string;
    value?: unknown;
    previous_value?: unknown;
  }>;
};

export type ZendeskUser = {
  id: number;
  name?: string;
  /** `end-user`, `agent` or `admin`. */
  role?: string;
};

/** A Zendesk call that did not work, however node-zendesk reported it. */
export class ZendeskCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ZendeskCallError';
  }
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date). */
export function parseRetryAfter(
  value: unknown,
  now = Date.now(),
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Zendesk's words: `{ error, description, details }` or `{ error: { title, message } }`. */
export function zendeskErrorText(body: unknown): string {
  if (!body || typeof body !== 'object')
    return typeof body === 'string' ? body : '';
  const b = body as Record<string, any>;
  const parts: string[] = [];
  if (typeof b.error === 'string') parts.push(b.error);
  if (b.error && typeof b.error === 'object') {
    parts.push([b.error.title, b.error.message].filter(Boolean).join(': '));
  }
  if (typeof b.description === 'string') parts.push(b.description);
  if (b.details && typeof b.details === 'object') {
    for (const [field, list] of Object.entries(b.details)) {
      const texts = (Array.isArray(list) ? list : [list]).map(
        (d: any) => d?.description ?? String(d),
      );
      parts.push(`${field}: ${texts.join(', ')}`);
    }
  }
  return parts.filter(Boolean).join('; ');
}

type Captured = { retryAfter?: string | null };
type SdkResponse = { response: { status: number }; result: any };

/**
 * node-zendesk 6 with its quirks ironed out: every failure becomes a
 * ZendeskCallError with the HTTP status and the Retry-After, whether the SDK
 * threw (most 4xx/5xx) or resolved (any answer carrying Retry-After resolves
 * with `response.status` 429 and an Error as `result`; statuses it does not
 * know, such as 502, resolve with the error body).
 */
export class ZendeskClient {
  /**
   * Every call waits for the account's rate-limit window and every answer
   * updates it: one throttle per client, and the module makes one client per
   * backend replica.
   */
  constructor(
    readonly settings: ZendeskSettings,
    readonly throttle: ZendeskThrottle = new ZendeskThrottle(),
  ) {}

  ticketUrl(id: number | string): string {
    return `${this.settings.agentBaseUrl}/agent/tickets/${id}`;
  }

  private sdk(customHeaders?: Record<string, string>): {
    sdk: Sdk;
    captured: Captured;
  } {
    const captured: Captured = {};
    const timeoutMs = this.settings.timeoutMs;
    const sdk = createClient({
      username: this.settings.email,
      token: this.settings.apiToken,
      endpointUri: this.settings.endpointUri,
      throwOriginalException: true,
      customHeaders,
      // Same as node-zendesk's default transport, on Node's fetch with a
      // timeout, and keeping each answer's Retry-After (list calls do not
      // hand the response back).
      transportConfig: {
        transportFn: async (
          uri: string,
          init: {
            method: string;
            headers: Record<string, string>;
            body?: string;
          },
        ) => {
          await this.throttle.acquire();
          let res: Response;
          try {
            res = await fetch(uri, {
              method: init.method,
              headers: init.headers,
              body: init.body,
              signal: AbortSignal.timeout(timeoutMs),
            });
          } catch (error) {
            this.throttle.release();
            throw error;
          }
          this.throttle.observe(res.status, res.headers);
          return res;
        },
        responseAdapter: (res: Response) => {
          captured.retryAfter = res.headers.get('retry-after');
          return {
            json: () => res.json(),
            status: res.status,
            headers: { get: (name: string) => res.headers.get(name) },
            statusText: res.statusText,
          };
        },
      },
    });
    return { sdk, captured };
  }

  private failure(
    error: unknown,
    doing: string,
    captured: Captured,
  ): ZendeskCallError {
    if (error instanceof ZendeskCallError) return error;
    const e = error as {
      statusCode?: number;
      result?: unknown;
      message?: string;
      name?: string;
      cause?: any;
    };
    const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
    if (status === undefined) {
      const why =
        e?.name === 'TimeoutError'
          ? 'timed out'
          : `${e?.message ?? error}${
              e?.cause?.code ? ` (${e.cause.code})` : ''
            }`;
      return new ZendeskCallError(
        `Could not reach Zendesk while ${doing}: ${why}`,
      );
    }
    const text = zendeskErrorText(e.result);
    return new ZendeskCallError(
      `Zendesk answered ${status} while ${doing}${text ? `: ${text}` : ''}`,
      status,
      parseRetryAfter(captured.retryAfter),
      e.result,
    );
  }

  /** One call that resolves with `{ response, result }`. */
  private async call<T>(
    doing: string,
    fn: (sdk: Sdk) => Promise<unknown>,
    headers?: Record<string, string>,
  ): Promise<T> {
    const { sdk, captured } = this.sdk(headers);
    let out: SdkResponse;
    try {
      out = (await fn(sdk)) as SdkResponse;
    } catch (error) {
      throw this.failure(error, doing, captured);
    }
    const status = out.response?.status ?? 0;
    if (status >= 400 || out.result instanceof Error) {
      const body =
        out.result instanceof Error ? (out.result as any).result : out.result;
      const effective = status >= 400 ? status : (out.result as any).statusCode;
      const text = zendeskErrorText(body);
      throw new ZendeskCallError(
        `Zendesk answered ${effective} while ${doing}${
          text ? `: ${text}` : ''
        }`,
        effective,
        parseRetryAfter(captured.retryAfter),
        body,
      );
    }
    return out.result as T;
  }

  /** A list call (`getAll`): resolves with the items, errors mixed in. */
  private async list<T>(
    doing: string,
    fn: (sdk: Sdk) => Promise<unknown[]>,
  ): Promise<T[]> {
    const { sdk, captured } = this.sdk();
    let items: unknown[];
    try {
      items = await fn(sdk);
    } catch (error) {
      throw this.failure(error, doing, captured);
    }
    const failed = items.find(i => i instanceof Error) as
      | (Error & { statusCode?: number; result?: unknown })
      | undefined;
    if (failed) {
      throw new ZendeskCallError(
        `Zendesk answered ${failed.statusCode ?? 'an error'} while ${doing}`,
        failed.statusCode,
        parseRetryAfter(captured.retryAfter),
        failed.result,
      );
    }
    return items as T[];
  }

  /** Creates a ticket; the Idempotency-Key makes a repeat return the same ticket. */
  async createTicket(
    ticket: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<ZendeskTicket> {
    const created = await this.call<ZendeskTicket>(
      'creating the ticket',
      sdk => sdk.tickets.create({ ticket } as any),
      { 'Idempotency-Key': idempotencyKey },
    );
    if (!created || typeof created.id !== 'number') {
      throw new ZendeskCallError(
        'Zendesk created the ticket but returned no ticket id',
      );
    }
    return created;
  }

  /** The oldest live ticket with this external id. */
  async findByExternalId(
    externalId: string,
  ): Promise<ZendeskTicket | undefined> {
    const tickets = await this.list<ZendeskTicket>(
      'looking the ticket up',
      sdk => sdk.tickets.listWithFilter('external_id', externalId),
    );
    return tickets
      .filter(t => t && t.external_id === externalId && t.status !== 'deleted')
      .sort((a, b) => a.id - b.id)[0];
  }

  /** The ticket, or undefined when Zendesk does not know it (404). */
  async showTicket(id: number): Promise<ZendeskTicket | undefined> {
    try {
      return await this.call<ZendeskTicket>(`reading ticket ${id}`, sdk =>
        sdk.tickets.show(id),
      );
    } catch (error) {
      if (error instanceof ZendeskCallError && error.status === 404)
        return undefined;
      throw error;
    }
  }

  async comments(id: number): Promise<ZendeskComment[]> {
    return this.list<ZendeskComment>(
      `reading the comments of ticket ${id}`,
      sdk => sdk.tickets.getComments(id),
    );
  }

  /** The ticket's audits, oldest first. */
  async audits(id: number): Promise<ZendeskAudit[]> {
    return this.list<ZendeskAudit>(`reading the audits of ticket ${id}`, sdk =>
      sdk.ticketaudits.list(id),
    );
  }

  /** A user, or undefined when Zendesk does not know them (404, deleted). */
  async user(id: number): Promise<ZendeskUser | undefined> {
    try {
      return await this.call<ZendeskUser>(`reading user ${id}`, sdk =>
        sdk.users.show(id),
      );
    } catch (error) {
      if (error instanceof ZendeskCallError && error.status === 404)
        return undefined;
      throw error;
    }
  }

  async me(): Promise<{
    id?: number | null;
    name?: string;
    email?: string;
    role?: string;
  }> {
    return this.call('reading the signed-in user', sdk => sdk.users.me());
  }

  async group(id: number): Promise<{ id: number; name?: string } | undefined> {
    try {
      return await this.call(`reading group ${id}`, sdk => sdk.groups.show(id));
    } catch (error) {
      if (error instanceof ZendeskCallError && error.status === 404)
        return undefined;
      throw error;
    }
  }
}

import http from 'node:http';
import {
  basicAuthorization,
  FakeVendorApi,
  FakeVendorCall,
  FakeVendorRequest,
  FakeVendorSend,
} from '@app-access/plugin-app-access-node/testUtils';

/* A local Zendesk Support API (/api/v2) that speaks the real wire format,
 * for node-zendesk to talk to in tests. The API is at `${url}/api/v2`. */

export type FakeZendeskUser = {
  id: number;
  name: string;
  email: string;
  role: 'end-user' | 'agent' | 'admin';
};

export type FakeZendeskComment = {
  id: number;
  type: 'Comment';
  author_id: number;
  body: string;
  plain_body: string;
  public: boolean;
  created_at: string;
};

export type FakeZendeskAuditEvent =
  | {
      id: number;
      type: 'Change' | 'Create';
      field_name: string;
      value: unknown;
      previous_value?: unknown;
    }
  | { id: number; type: 'Comment'; body: string; public: boolean };

export type FakeZendeskAudit = {
  id: number;
  ticket_id: number;
  created_at: string;
  author_id: number;
  via: { channel: string };
  events: FakeZendeskAuditEvent[];
};

export type FakeZendeskTicket = {
  id: number;
  external_id: string | null;
  subject: string;
  description: string;
  status: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
  requester_id: number;
  submitter_id: number;
  group_id: number | null;
  tags: string[];
  comments: FakeZendeskComment[];
  audits: FakeZendeskAudit[];
  created_at: string;
  updated_at: string;
};

export type FakeZendeskCall = FakeVendorCall;

/** The IT agent who works tickets in the tests. */
export const FAKE_AGENT_ID = 901;

export class FakeZendesk extends FakeVendorApi {
  readonly email = 'app-access-bot@example.com';
  apiToken = 'zendesk-api-token';
  users: FakeZendeskUser[] = [];
  groups: Array<{ id: number; name: string }> = [];
  tickets: FakeZendeskTicket[] = [];
  /** Idempotency-Key → the ticket it created and the body it was created with. */
  idempotency = new Map<string, { ticketId: number; body: string }>();
  /** Simulates a lagging index: listing by external_id finds nothing. */
  listLag = false;
  /**
   * The account's rate limit (`setRateLimit`): requests per window, counted
   * over every call in fixed windows as Zendesk's per-minute limit is.
   */
  private limit?: { perWindow: number; windowMs: number };
  private window = { start: 0, used: 0 };
  /** Calls answered 429 because the window was spent (not `rateLimitNext`). */
  rateLimited = 0;
  private readonly overLimit = new WeakSet<FakeVendorCall>();
  private nextId = 1;
  private nextCommentId = 1;

  protected jsonContentType = 'application/json; charset=utf-8';

  /** Back to the bot agent, group 360 "IT Access" and no tickets. */
  reset() {
    super.reset();
    this.apiToken = 'zendesk-api-token';
    this.users = [
      { id: 900, name: 'App Access Bot', email: this.email, role: 'agent' },
      {
        id: FAKE_AGENT_ID,
        name: 'Ida Agent',
        email: 'ida.agent@example.com',
        role: 'agent',
      },
    ];
    this.groups = [{ id: 360, name: 'IT Access' }];
    this.tickets = [];
    this.idempotency = new Map();
    this.nextId = 1;
    this.nextCommentId = 1;
    this.listLag = false;
    this.limit = undefined;
    this.window = { start: 0, used: 0 };
    this.rateLimited = 0;
  }

  /**
   * Enforces a rate limit like Zendesk's (e.g. 700 a minute on Enterprise):
   * every answer carries `X-Rate-Limit` / `X-Rate-Limit-Remaining` and the
   * newer `ratelimit-limit` / `ratelimit-remaining` / `ratelimit-reset`
   * (seconds until the window reopens); a call over the limit gets 429 with
   * `Retry-After` in seconds. `undefined` turns it off.
   */
  setRateLimit(perWindow: number | undefined, windowMs = 60_000) {
    this.limit = perWindow === undefined ? undefined : { perWindow, windowMs };
    this.window = { start: 0, used: 0 };
  }

  /** Counts every call in the current window and sets the rate-limit headers. */
  protected prepare({ res, call }: FakeVendorRequest) {
    if (!this.limit) return;
    const { perWindow, windowMs } = this.limit;
    const now = Date.now();
    if (now >= this.window.start + windowMs)
      this.window = { start: now, used: 0 };
    const exceeded = this.window.used >= perWindow;
    if (!exceeded) this.window.used += 1;
    const resetS = Math.max(
      1,
      Math.ceil((this.window.start + windowMs - now) / 1000),
    );
    const remaining = String(Math.max(0, perWindow - this.window.used));
    res.setHeader('X-Rate-Limit', String(perWindow));
    res.setHeader('X-Rate-Limit-Remaining', remaining);
    res.setHeader('ratelimit-limit', String(perWindow));
    res.setHeader('ratelimit-remaining', remaining);
    res.setHeader('ratelimit-reset', String(resetS));
    if (exceeded) {
      this.overLimit.add(call);
      this.rateLimited += 1;
      res.setHeader('Retry-After', String(resetS));
    }
  }

  ticket(id: number | string): FakeZendeskTicket | undefined {
    return this.tickets.find(t => t.id === Number(id));
  }

  /**
   * Someone replies and changes the status (and tags): an agent in the agent
   * workspace (the default), or, with `by: ticket.requester_id`, the end
   * user marking their own request solved in the help center. Each update
   * is one audit, as in Zendesk.
   */
  update(
    id: number | string,
    change: {
      status?: FakeZendeskTicket['status'];
      addTags?: string[];
      comment?: string;
      public?: boolean;
      /** Author of the change: a user id, or -1 for Zendesk (automations). */
      by?: number;
    },
  ) {
    const ticket = this.ticket(id);
    if (!ticket) throw new Error(`FakeZendesk: no ticket ${id}`);
    const author = change.by ?? FAKE_AGENT_ID;
    const events: FakeZendeskAuditEvent[] = [];
    if (change.comment) {
      const comment = this.comment(
        change.comment,
        author,
        change.public ?? true,
      );
      ticket.comments.push(comment);
      events.push({
        id: comment.id,
        type: 'Comment',
        body: comment.body,
        public: comment.public,
      });
    }
    if (change.addTags) {
      const tags = [
        ...new Set([...ticket.tags, ...change.addTags.map(normalizeTag)]),
      ];
      events.push(this.change('tags', tags, ticket.tags));
      ticket.tags = tags;
    }
    if (change.status && change.status !== ticket.status) {
      events.push(this.change('status', change.status, ticket.status));
      ticket.status = change.status;
    }
    ticket.updated_at = new Date().toISOString();
    if (events.length) this.audit(ticket, author, events);
  }

  private change(
    field: string,
    value: unknown,
    previous: unknown,
  ): FakeZendeskAuditEvent {
    return {
      id: 3000 + this.nextCommentId++,
      type: 'Change',
      field_name: field,
      value,
      previous_value: previous,
    };
  }

  private audit(
    ticket: FakeZendeskTicket,
    author: number,
    events: FakeZendeskAuditEvent[],
  ) {
    ticket.audits.push({
      id: 2000 + this.nextCommentId++,
      ticket_id: ticket.id,
      created_at: new Date().toISOString(),
      author_id: author,
      via: { channel: author === -1 ? 'rule' : 'web' },
      events,
    });
  }

  /** Successful ticket creations (idempotent replays excluded). */
  creations(): FakeZendeskCall[] {
    return this.calls.filter(
      c =>
        c.method === 'POST' &&
        c.path === '/api/v2/tickets.json' &&
        c.status === 201 &&
        !c.headers['x-replayed'],
    );
  }

  private comment(
    body: string,
    author: number,
    isPublic: boolean,
  ): FakeZendeskComment {
    return {
      id: 1000 + this.nextCommentId++,
      type: 'Comment',
      author_id: author,
      body,
      plain_body: body,
      public: isPublic,
      created_at: new Date().toISOString(),
    };
  }

  private ticketJson(t: FakeZendeskTicket) {
    const { comments: _c, audits: _a, ...rest } = t;
    return { ...rest, url: `${this.url}/api/v2/tickets/${t.id}.json` };
  }

  private userFor(
    requester: { name?: string; email?: string } | undefined,
  ): number {
    if (!requester?.email) return this.users[0].id;
    const existing = this.users.find(
      u => u.email.toLowerCase() === requester.email!.toLowerCase(),
    );
    if (existing) return existing.id;
    const user: FakeZendeskUser = {
      id: 5000 + this.users.length,
      name: requester.name ?? requester.email,
      email: requester.email,
      role: 'end-user',
    };
    this.users.push(user);
    return user.id;
  }

  // --- HTTP ---

  protected expectedAuthorization() {
    return basicAuthorization(`${this.email}/token`, this.apiToken);
  }

  protected unauthorizedBody() {
    return { error: "Couldn't authenticate you" };
  }

  protected failureBody(status: number) {
    return status === 429
      ? {
          error: 'APIRateLimitExceeded',
          description: 'Number of allowed API requests per minute exceeded',
        }
      : {
          error: 'ServiceUnavailable',
          description: `Fake outage (${status})`,
        };
  }

  protected route({
    req,
    res,
    method,
    path,
    query,
    raw,
    body,
    call,
    send,
  }: FakeVendorRequest) {
    let m: RegExpMatchArray | null;
    if (this.overLimit.has(call)) {
      send(429, this.failureBody(429));
      return;
    }
    if (path === '/api/v2/tickets.json' && method === 'POST') {
      this.create(req, raw, body, call, send, res);
      return;
    }
    if (path === '/api/v2/tickets.json' && method === 'GET') {
      const list = this.tickets
        .filter(
          t =>
            query.external_id === undefined ||
            t.external_id === query.external_id,
        )
        .filter(() => !(this.listLag && query.external_id !== undefined))
        .map(t => this.ticketJson(t));
      send(200, {
        tickets: list,
        meta: { has_more: false, after_cursor: null, before_cursor: null },
        links: { prev: null, next: null },
      });
      return;
    }
    m = path.match(/^\/api\/v2\/tickets\/(\d+)\.json$/);
    if (m && method === 'GET') {
      const ticket = this.ticket(m[1]);
      if (!ticket) {
        send(404, { error: 'RecordNotFound', description: 'Not found' });
        return;
      }
      send(200, { ticket: this.ticketJson(ticket) });
      return;
    }
    m = path.match(/^\/api\/v2\/tickets\/(\d+)\/comments\.json$/);
    if (m && method === 'GET') {
      const ticket = this.ticket(m[1]);
      if (!ticket) {
        send(404, { error: 'RecordNotFound', description: 'Not found' });
        return;
      }
      send(200, {
        comments: ticket.comments,
        next_page: null,
        previous_page: null,
        count: ticket.comments.length,
      });
      return;
    }
    m = path.match(/^\/api\/v2\/tickets\/(\d+)\/audits\.json$/);
    if (m && method === 'GET') {
      const ticket = this.ticket(m[1]);
      if (!ticket) {
        send(404, { error: 'RecordNotFound', description: 'Not found' });
        return;
      }
      send(200, {
        audits: ticket.audits,
        next_page: null,
        previous_page: null,
        count: ticket.audits.length,
      });
      return;
    }
    m = path.match(/^\/api\/v2\/users\/(\d+)\.json$/);
    if (m && method === 'GET') {
      const user = this.users.find(u => u.id === Number(m![1]));
      if (!user) {
        send(404, { error: 'RecordNotFound', description: 'Not found' });
        return;
      }
      send(200, { user: { ...user, active: true } });
      return;
    }
    if (path === '/api/v2/users/me.json' && method === 'GET') {
      const me = this.users[0];
      send(200, { user: { ...me, active: true, verified: true } });
      return;
    }
    m = path.match(/^\/api\/v2\/groups\/(\d+)\.json$/);
    if (m && method === 'GET') {
      const group = this.groups.find(g => g.id === Number(m![1]));
      if (!group) {
        send(404, { error: 'RecordNotFound', description: 'Not found' });
        return;
      }
      send(200, { group: { ...group, default: false, deleted: false } });
      return;
    }
    send(404, {
      error: 'InvalidEndpoint',
      description: `FakeZendesk: no route ${method} ${path}`,
    });
  }

  private create(
    req: http.IncomingMessage,
    raw: string,
    body: any,
    call: FakeVendorCall,
    send: FakeVendorSend,
    res: http.ServerResponse,
  ) {
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string' && key) {
      const seen = this.idempotency.get(key);
      if (seen) {
        if (seen.body !== raw) {
          send(400, {
            error: 'IdempotentRequestError',
            description:
              'Request parameters do not match the original request for this Idempotency-Key',
          });
          return;
        }
        const ticket = this.ticket(seen.ticketId)!;
        call.headers['x-replayed'] = 'true';
        send(
          201,
          { ticket: this.ticketJson(ticket) },
          { 'x-idempotency-lookup': 'hit' },
        );
        return;
      }
    }
    const t = body?.ticket;
    if (!t || typeof t !== 'object') {
      send(400, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { base: [{ description: 'Ticket is missing' }] },
      });
      return;
    }
    const commentBody = t.comment?.body ?? t.comment?.html_body;
    if (!commentBody) {
      send(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: {
          description: [
            {
              description: 'Description: cannot be blank',
              error: 'BlankValue',
            },
          ],
        },
      });
      return;
    }
    if (
      t.group_id !== undefined &&
      !this.groups.some(g => g.id === t.group_id)
    ) {
      send(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: {
          group: [{ description: 'Group: is invalid', error: 'InvalidValue' }],
        },
      });
      return;
    }
    const now = new Date().toISOString();
    const requesterId = this.userFor(t.requester);
    const ticket: FakeZendeskTicket = {
      id: this.nextId++,
      external_id: t.external_id ?? null,
      subject: t.subject ?? '',
      description: commentBody,
      status: 'new',
      requester_id: requesterId,
      submitter_id: this.users[0].id,
      group_id: t.group_id ?? null,
      tags: [...new Set<string>((t.tags ?? []).map(normalizeTag))],
      comments: [],
      audits: [],
      created_at: now,
      updated_at: now,
    };
    const description = this.comment(
      commentBody,
      this.users[0].id,
      t.comment?.public ?? true,
    );
    ticket.comments.push(description);
    this.audit(ticket, this.users[0].id, [
      {
        id: description.id,
        type: 'Comment',
        body: description.body,
        public: description.public,
      },
      {
        id: 3000 + this.nextCommentId++,
        type: 'Create',
        field_name: 'status',
        value: 'new',
      },
    ]);
    this.tickets.push(ticket);
    if (typeof key === 'string' && key)
      this.idempotency.set(key, { ticketId: ticket.id, body: raw });
    if (this.dropConnectionIfAsked(res)) return;
    send(
      201,
      {
        ticket: this.ticketJson(ticket),
        audit: { id: 2000 + this.nextCommentId++, events: [] },
      },
      {
        Location: `${this.url}/api/v2/tickets/${ticket.id}.json`,
      },
    );
  }
}

/** Zendesk stores tags lower-case with spaces turned into underscores. */
function normalizeTag(tag: string): string {
  return String(tag).trim().toLowerCase().replace(/\s+/g, '_');
}

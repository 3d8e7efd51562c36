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
  created_at: string;
  updated_at: string;
};

export type FakeZendeskCall = FakeVendorCall;

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
  private nextId = 1;
  private nextCommentId = 1;

  protected jsonContentType = 'application/json; charset=utf-8';

  /** Back to the bot agent, group 360 "IT Access" and no tickets. */
  reset() {
    super.reset();
    this.apiToken = 'zendesk-api-token';
    this.users = [
      { id: 900, name: 'App Access Bot', email: this.email, role: 'agent' },
    ];
    this.groups = [{ id: 360, name: 'IT Access' }];
    this.tickets = [];
    this.idempotency = new Map();
    this.nextId = 1;
    this.nextCommentId = 1;
    this.listLag = false;
  }

  ticket(id: number | string): FakeZendeskTicket | undefined {
    return this.tickets.find(t => t.id === Number(id));
  }

  /** An agent replies and changes the status (and tags), as in the agent workspace. */
  update(
    id: number | string,
    change: {
      status?: FakeZendeskTicket['status'];
      addTags?: string[];
      comment?: string;
      public?: boolean;
    },
  ) {
    const ticket = this.ticket(id);
    if (!ticket) throw new Error(`FakeZendesk: no ticket ${id}`);
    if (change.comment) {
      ticket.comments.push(
        this.comment(change.comment, 901, change.public ?? true),
      );
    }
    if (change.addTags)
      ticket.tags = [
        ...new Set([...ticket.tags, ...change.addTags.map(normalizeTag)]),
      ];
    if (change.status) ticket.status = change.status;
    ticket.updated_at = new Date().toISOString();
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
    const { comments: _c, ...rest } = t;
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
      created_at: now,
      updated_at: now,
    };
    ticket.comments.push(
      this.comment(commentBody, this.users[0].id, t.comment?.public ?? true),
    );
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

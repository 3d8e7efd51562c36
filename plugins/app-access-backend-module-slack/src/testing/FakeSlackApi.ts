import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Socket } from 'node:net';
import {
  FakeVendorApi,
  FakeVendorCall,
  FakeVendorRefusal,
  FakeVendorRequest,
} from '@app-access/plugin-app-access-node/testUtils';

/** A Slack user as the fake knows them. */
export type FakeSlackUser = {
  id: string;
  email: string;
  name?: string;
  deleted?: boolean;
};

/** One Web API call as the fake received it. */
export type FakeSlackCall = {
  method: string;
  args: Record<string, any>;
  /** The bearer token the call carried. */
  token?: string;
  /** HTTP status the fake answered with. */
  status: number;
  /** Body the fake answered with. */
  response: Record<string, any>;
  at: number;
};

/** A message as it currently reads in the fake workspace. */
export type FakeSlackMessage = {
  channel: string;
  ts: string;
  text?: string;
  blocks?: any[];
  threadTs?: string;
  /** The app metadata it was posted with (`{ event_type, event_payload }`). */
  metadata?: { event_type: string; event_payload: Record<string, any> };
  /** Every version of the message, oldest first (post, then each update). */
  history: Array<{ text?: string; blocks?: any[] }>;
};

/** A Slack-level failure: HTTP 200 with `{ ok: false, error }`. */
type ArmedError = {
  method: string;
  times: number;
  when?: (args: Record<string, any>) => boolean;
  error: string;
};

/** Fields the Web API client sends JSON-encoded inside form bodies. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

/**
 * The server side of one WebSocket (RFC 6455), just enough for Socket Mode:
 * unfragmented text frames, ping/pong and close.
 */
class FakeSocketModeConnection {
  private buffer = Buffer.alloc(0);

  constructor(
    readonly socket: Socket,
    private readonly onText: (text: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
  }

  sendText(text: string) {
    this.sendFrame(0x1, Buffer.from(text, 'utf8'));
  }

  private sendFrame(opcode: number, payload: Buffer) {
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x80 | opcode, payload.length]);
    } else if (payload.length < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    if (!this.socket.destroyed)
      this.socket.write(Buffer.concat([header, payload]));
  }

  private onData(chunk: Buffer) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      const masked = (this.buffer[1] & 0x80) !== 0;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return;
      const payload = Buffer.from(
        this.buffer.subarray(offset, offset + length),
      );
      if (masked) {
        for (let i = 0; i < payload.length; i++)
          payload[i] ^= this.buffer[maskAt + (i % 4)];
      }
      this.buffer = this.buffer.subarray(offset + length);
      switch (opcode) {
        case 0x1:
          this.onText(payload.toString('utf8'));
          break;
        case 0x8:
          this.sendFrame(0x8, payload.subarray(0, 2));
          this.socket.end();
          return;
        case 0x9:
          this.sendFrame(0xa, payload);
          break;
        default:
          break;
      }
    }
  }
}

/**
 * A local stand-in for the Slack Web API that speaks its wire format: POST
 * https://slack.com/api/<method> with a form-encoded or JSON body and
 * `Authorization: Bearer <token>`; answers are HTTP 200 with `{ ok: true, ... }`
 * or `{ ok: false, error }`, and HTTP 429 with `Retry-After` (seconds) when
 * rate-limited. Point the real WebClient at it with
 * `slackApiUrl: fake.apiUrl`. Every call is recorded.
 */
export class FakeSlackApi extends FakeVendorApi {
  readonly messages = new Map<string, FakeSlackMessage>();
  readonly users = new Map<string, FakeSlackUser>();
  /** Channel ids the bot may post in besides DMs (a configured channel). */
  readonly channels = new Set<string>();
  readonly team = { id: 'T0FAKE', name: 'Acme' };
  readonly bot = { id: 'U0BOT', name: 'app-access' };
  readonly token: string;

  private armed: ArmedError[] = [];
  private seq = 0;
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<FakeSocketModeConnection>();
  private readonly pendingAcks = new Map<
    string,
    (ack: Record<string, any>) => void
  >();
  /** Each call's Web API arguments, parsed once. */
  private readonly argsByCall = new WeakMap<
    FakeVendorCall,
    Record<string, any>
  >();

  /** App-level token (xapp-) accepted by apps.connections.open. */
  readonly appToken = 'xapp-fake-app-token';

  protected jsonContentType = 'application/json; charset=utf-8';

  /** Start it with `FakeSlackApi.start({ token, users })`. */
  constructor(options: { token?: string; users?: FakeSlackUser[] } = {}) {
    super();
    this.token = options.token ?? 'xoxb-fake-token';
    for (const user of options.users ?? []) this.addUser(user);
  }

  /** Base URL for `slackApiUrl` (ends in /api/). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Every Web API call received, oldest first, as Slack methods and arguments. */
  get apiCalls(): FakeSlackCall[] {
    return this.calls.map(call => {
      const args = this.argsOf(call);
      return {
        method: methodOf(call.path),
        args,
        token: tokenOf(call, args),
        status: call.status,
        response: (call.response ?? {}) as Record<string, any>,
        at: call.at,
      };
    });
  }

  // --- Socket Mode ---

  /** Open Socket Mode connections (after their hello). */
  get socketModeConnections(): number {
    return this.sockets.size;
  }

  /**
   * Sends an `interactive` envelope over the newest Socket Mode connection
   * and resolves with the app's acknowledgement (`{ envelope_id, payload? }`).
   */
  async sendInteractive(
    payload: object,
    timeoutMs = 3000,
  ): Promise<Record<string, any>> {
    const connection = [...this.sockets].pop();
    if (!connection) throw new Error('No Socket Mode connection is open');
    const envelopeId = randomUUID();
    const ack = new Promise<Record<string, any>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        reject(
          new Error(
            `No acknowledgement of envelope ${envelopeId} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pendingAcks.set(envelopeId, value => {
        clearTimeout(timer);
        resolve(value);
      });
    });
    connection.sendText(
      JSON.stringify({
        envelope_id: envelopeId,
        type: 'interactive',
        accepts_response_payload:
          (payload as { type?: string }).type === 'view_submission',
        payload,
        retry_attempt: 0,
        retry_reason: '',
      }),
    );
    return ack;
  }

  /** Sends `disconnect` (as Slack does before rotating a connection). */
  askToReconnect() {
    for (const connection of this.sockets) {
      connection.sendText(
        JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }),
      );
    }
  }

  protected upgrade(req: http.IncomingMessage, socket: Socket) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    const key = req.headers['sec-websocket-key'];
    if (
      url.pathname !== '/link' ||
      !this.tickets.delete(ticket) ||
      typeof key !== 'string'
    ) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    const accept = createHash('sha1')
      .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    const connection = new FakeSocketModeConnection(socket, text => {
      const message = JSON.parse(text);
      this.pendingAcks.get(message.envelope_id)?.(message);
      this.pendingAcks.delete(message.envelope_id);
    });
    this.sockets.add(connection);
    socket.on('close', () => this.sockets.delete(connection));
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        connection_info: { app_id: 'A0FAKE' },
      }),
    );
  }

  addUser(user: FakeSlackUser) {
    this.users.set(user.id, user);
  }

  /** Forgets calls, messages and armed failures (users and channels stay). */
  reset() {
    super.reset();
    this.messages.clear();
    this.armed = [];
  }

  /** The next `times` matching calls of `method` get HTTP 429 with Retry-After. */
  rateLimit(
    method: string,
    options: {
      times?: number;
      retryAfter?: number;
      when?: (args: Record<string, any>) => boolean;
    } = {},
  ) {
    const when = options.when;
    this.failNext(options.times ?? 1, 429, {
      retryAfterSeconds: options.retryAfter ?? 1,
      path: `/api/${method}`,
      when: when && (call => when(this.argsOf(call))),
    });
  }

  /** The next `times` matching calls of `method` answer `{ ok: false, error }`. */
  failWith(
    method: string,
    error: string,
    options: {
      times?: number;
      when?: (args: Record<string, any>) => boolean;
    } = {},
  ) {
    this.armed.push({
      method,
      times: options.times ?? 1,
      when: options.when,
      error,
    });
  }

  /** Recorded calls of one method (answered ones only, unless `all`). */
  callsTo(method: string, options: { all?: boolean } = {}): FakeSlackCall[] {
    return this.apiCalls.filter(
      c =>
        c.method === method &&
        (options.all || (c.status === 200 && c.response.ok)),
    );
  }

  /** The DM channel id between the bot and a user. */
  dmChannelOf(userId: string): string {
    return `D${userId}`;
  }

  /** Messages in the DM with a user, oldest first. */
  dmsTo(userId: string): FakeSlackMessage[] {
    return this.messagesIn(this.dmChannelOf(userId));
  }

  messagesIn(channel: string): FakeSlackMessage[] {
    return [...this.messages.values()].filter(m => m.channel === channel);
  }

  private argsOf(call: FakeVendorCall): Record<string, any> {
    let args = this.argsByCall.get(call);
    if (!args) {
      args = parseBody(call.body, String(call.headers['content-type'] ?? ''));
      this.argsByCall.set(call, args);
    }
    return args;
  }

  /**
   * Slack answers HTTP 200 with `not_authed` without a token, and with
   * `invalid_auth` or `not_allowed_token_type` for the wrong one.
   * apps.connections.open takes the app-level token, everything else the
   * bot token.
   */
  protected checkCredentials({
    call,
  }: FakeVendorRequest): FakeVendorRefusal | undefined {
    const token = tokenOf(call, this.argsOf(call));
    if (!token)
      return { status: 200, body: { ok: false, error: 'not_authed' } };
    const method = methodOf(call.path);
    const wanted =
      method === 'apps.connections.open' ? this.appToken : this.token;
    if (token === wanted) return undefined;
    const otherKind = token === this.token || token === this.appToken;
    return {
      status: 200,
      body: {
        ok: false,
        error: otherKind ? 'not_allowed_token_type' : 'invalid_auth',
      },
    };
  }

  protected failureBody(status: number) {
    return {
      ok: false,
      error: status === 429 ? 'ratelimited' : 'internal_error',
    };
  }

  protected route({ method: httpMethod, call, send }: FakeVendorRequest) {
    if (httpMethod !== 'POST' && httpMethod !== 'GET') {
      send(405, { ok: false, error: 'method_not_allowed' });
      return;
    }
    const method = methodOf(call.path);
    const args = this.argsOf(call);
    const armed = this.armed.find(
      a => a.method === method && a.times > 0 && (!a.when || a.when(args)),
    );
    if (armed) {
      armed.times--;
      send(200, { ok: false, error: armed.error });
      return;
    }
    send(200, this.answer(method, args));
  }

  private nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(
      6,
      '0',
    )}`;
  }

  private userJson(user: FakeSlackUser) {
    return {
      id: user.id,
      team_id: this.team.id,
      name: user.name ?? user.email.split('@')[0],
      deleted: Boolean(user.deleted),
      is_bot: false,
      profile: {
        email: user.email,
        real_name: user.name ?? user.email.split('@')[0],
      },
    };
  }

  private canPostIn(channel: string): boolean {
    return (
      this.channels.has(channel) ||
      (channel.startsWith('D') && this.users.has(channel.slice(1)))
    );
  }

  private answer(
    method: string,
    args: Record<string, any>,
  ): Record<string, any> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://acme.slack.com/',
          team: this.team.name,
          user: this.bot.name,
          team_id: this.team.id,
          user_id: this.bot.id,
          bot_id: 'B0BOT',
        };
      case 'apps.connections.open': {
        const ticket = randomUUID();
        this.tickets.add(ticket);
        return {
          ok: true,
          url: `${this.url.replace(/^http/, 'ws')}/link?ticket=${ticket}`,
        };
      }
      case 'users.lookupByEmail': {
        const email = String(args.email ?? '').toLowerCase();
        const user = [...this.users.values()].find(
          u => u.email.toLowerCase() === email,
        );
        return user
          ? { ok: true, user: this.userJson(user) }
          : { ok: false, error: 'users_not_found' };
      }
      case 'users.info': {
        const user = this.users.get(String(args.user ?? ''));
        return user
          ? { ok: true, user: this.userJson(user) }
          : { ok: false, error: 'user_not_found' };
      }
      case 'conversations.open': {
        const ids = String(args.users ?? '')
          .split(',')
          .filter(Boolean);
        if (ids.length !== 1) return { ok: false, error: 'not_enough_users' };
        if (!this.users.has(ids[0]))
          return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: this.dmChannelOf(ids[0]) } };
      }
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        if (!this.canPostIn(channel))
          return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        if (
          args.thread_ts &&
          ![...this.messages.values()].some(
            m => m.channel === channel && m.ts === args.thread_ts,
          )
        ) {
          return { ok: false, error: 'thread_not_found' };
        }
        const ts = this.nextTs();
        this.messages.set(`${channel}/${ts}`, {
          channel,
          ts,
          text: args.text,
          blocks: args.blocks,
          threadTs: args.thread_ts,
          ...(args.metadata?.event_type ? { metadata: args.metadata } : {}),
          history: [{ text: args.text, blocks: args.blocks }],
        });
        return {
          ok: true,
          channel,
          ts,
          message: { text: args.text, blocks: args.blocks, ts },
        };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        // history: top-level messages, newest first; replies: a thread's
        // parent and replies, oldest first. Between `oldest` and `latest`;
        // metadata only with include_all_metadata; pages by cursor (an offset).
        const channel = String(args.channel ?? '');
        if (!this.canPostIn(channel))
          return { ok: false, error: 'channel_not_found' };
        const replies = method === 'conversations.replies';
        const thread = String(args.ts ?? '');
        if (replies && !this.messages.has(`${channel}/${thread}`))
          return { ok: false, error: 'thread_not_found' };
        const oldest = Number(args.oldest ?? 0);
        const latest = args.latest ? Number(args.latest) : Infinity;
        const all = [...this.messages.values()]
          .filter(
            m =>
              m.channel === channel &&
              (replies
                ? m.ts === thread || m.threadTs === thread
                : !m.threadTs) &&
              Number(m.ts) >= oldest &&
              Number(m.ts) <= latest,
          )
          .sort((a, b) =>
            replies ? Number(a.ts) - Number(b.ts) : Number(b.ts) - Number(a.ts),
          );
        const limit = Math.min(Number(args.limit ?? 100), 999);
        const from = Number(args.cursor ?? 0);
        const page = all.slice(from, from + limit);
        const more = from + limit < all.length;
        const withMetadata = [true, 'true', 1, '1'].includes(
          args.include_all_metadata,
        );
        return {
          ok: true,
          messages: page.map(m => ({
            type: 'message',
            user: this.bot.id,
            ts: m.ts,
            text: m.text,
            blocks: m.blocks,
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
          })),
          has_more: more,
          response_metadata: { next_cursor: more ? String(from + limit) : '' },
        };
      }
      case 'chat.update': {
        const message = this.messages.get(`${args.channel}/${args.ts}`);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = args.text;
        message.blocks = args.blocks;
        message.history.push({ text: args.text, blocks: args.blocks });
        return {
          ok: true,
          channel: message.channel,
          ts: message.ts,
          text: args.text,
        };
      }
      case 'chat.postEphemeral': {
        const channel = String(args.channel ?? '');
        if (!this.canPostIn(channel))
          return { ok: false, error: 'channel_not_found' };
        if (!this.users.has(String(args.user ?? '')))
          return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'views.open': {
        if (!args.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
        if (!args.view?.type) return { ok: false, error: 'invalid_arguments' };
        return {
          ok: true,
          view: { id: `V${this.nextTs().replace('.', '')}`, ...args.view },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** The Web API method a path calls (`/api/chat.postMessage`). */
function methodOf(path: string): string {
  return path.replace(/^\/api\//, '');
}

/** The token a call carried: the bearer token, else a `token` argument. */
function tokenOf(
  call: FakeVendorCall,
  args: Record<string, any>,
): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(call.headers.authorization ?? '')?.[1];
  return bearer ?? (typeof args.token === 'string' ? args.token : undefined);
}

/** A call's arguments: its JSON body, or its form fields (some of them JSON-encoded). */
function parseBody(body: unknown, contentType: string): Record<string, any> {
  if (!body) return {};
  if (typeof body === 'object') return body as Record<string, any>;
  const raw = String(body);
  if (contentType.includes('application/json')) {
    return JSON.parse(raw);
  }
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = value;
    if (JSON_FIELDS.includes(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // Slack would reject it; keep the raw text so a test can see why.
      }
    }
  }
  return args;
}

import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';

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
  /** Every version of the message, oldest first (post, then each update). */
  history: Array<{ text?: string; blocks?: any[] }>;
};

type Failure =
  | { kind: 'ratelimit'; retryAfter: number }
  | { kind: 'error'; error: string };

type ArmedFailure = {
  method: string;
  times: number;
  when?: (args: Record<string, any>) => boolean;
  failure: Failure;
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
export class FakeSlackApi {
  readonly calls: FakeSlackCall[] = [];
  readonly messages = new Map<string, FakeSlackMessage>();
  readonly users = new Map<string, FakeSlackUser>();
  /** Channel ids the bot may post in besides DMs (a configured channel). */
  readonly channels = new Set<string>();
  readonly team = { id: 'T0FAKE', name: 'Acme' };
  readonly bot = { id: 'U0BOT', name: 'app-access' };

  private armed: ArmedFailure[] = [];
  private seq = 0;
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<FakeSocketModeConnection>();
  private readonly pendingAcks = new Map<
    string,
    (ack: Record<string, any>) => void
  >();

  /** App-level token (xapp-) accepted by apps.connections.open. */
  readonly appToken = 'xapp-fake-app-token';

  private constructor(
    private readonly server: http.Server,
    readonly token: string,
  ) {}

  /** Starts the fake on a free port of 127.0.0.1. */
  static async start(
    options: { token?: string; users?: FakeSlackUser[] } = {},
  ) {
    const server = http.createServer();
    const fake = new FakeSlackApi(server, options.token ?? 'xoxb-fake-token');
    server.on('request', (req, res) => {
      fake.onRequest(req, res).catch(error => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error));
      });
    });
    server.on('upgrade', (req, socket) =>
      fake.onUpgrade(req, socket as Socket),
    );
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    for (const user of options.users ?? []) fake.addUser(user);
    return fake;
  }

  /** Base URL for `slackApiUrl` (ends in /api/). */
  get apiUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/`;
  }

  async stop() {
    for (const connection of this.sockets) connection.socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close(error => (error ? reject(error) : resolve())),
    );
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

  private onUpgrade(req: http.IncomingMessage, socket: Socket) {
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
    this.calls.length = 0;
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
    this.armed.push({
      method,
      times: options.times ?? 1,
      when: options.when,
      failure: { kind: 'ratelimit', retryAfter: options.retryAfter ?? 1 },
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
      failure: { kind: 'error', error },
    });
  }

  /** Recorded calls of one method (answered ones only, unless `all`). */
  callsTo(method: string, options: { all?: boolean } = {}): FakeSlackCall[] {
    return this.calls.filter(
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

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const args = parseBody(raw, req.headers['content-type'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token =
      bearer ?? (typeof args.token === 'string' ? args.token : undefined);

    const send = (
      status: number,
      body: Record<string, any>,
      headers: Record<string, string> = {},
    ) => {
      this.calls.push({
        method,
        args,
        token,
        status,
        response: body,
        at: Date.now(),
      });
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        ...headers,
      });
      res.end(JSON.stringify(body));
    };

    if (req.method !== 'POST' && req.method !== 'GET') {
      send(405, { ok: false, error: 'method_not_allowed' });
      return;
    }
    if (!token) {
      send(200, { ok: false, error: 'not_authed' });
      return;
    }
    // apps.connections.open takes the app-level token, everything else the bot token.
    const wanted =
      method === 'apps.connections.open' ? this.appToken : this.token;
    if (token !== wanted) {
      const otherKind = token === this.token || token === this.appToken;
      send(200, {
        ok: false,
        error: otherKind ? 'not_allowed_token_type' : 'invalid_auth',
      });
      return;
    }
    const armed = this.armed.find(
      a => a.method === method && a.times > 0 && (!a.when || a.when(args)),
    );
    if (armed) {
      armed.times--;
      if (armed.failure.kind === 'ratelimit') {
        send(
          429,
          { ok: false, error: 'ratelimited' },
          { 'Retry-After': String(armed.failure.retryAfter) },
        );
      } else {
        send(200, { ok: false, error: armed.failure.error });
      }
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
        const { port } = this.server.address() as AddressInfo;
        return {
          ok: true,
          url: `ws://127.0.0.1:${port}/link?ticket=${ticket}`,
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
          history: [{ text: args.text, blocks: args.blocks }],
        });
        return {
          ok: true,
          channel,
          ts,
          message: { text: args.text, blocks: args.blocks, ts },
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

function parseBody(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
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

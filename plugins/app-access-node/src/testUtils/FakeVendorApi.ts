import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One HTTP call a fake vendor API received, and how it answered. */
export type FakeVendorCall = {
  method: string;
  path: string;
  /** The request target as sent: the path and the query string. */
  url: string;
  query: Record<string, string>;
  /** The body: parsed when it is JSON, else the text; undefined when empty. */
  body: any;
  headers: http.IncomingHttpHeaders;
  /** The status answered; 0 when the fake dropped the connection instead. */
  status: number;
  /** The body answered through `send`, as given to it. */
  response?: unknown;
  /** Whether the call is over: answered, or its connection dropped. */
  finished: boolean;
  at: number;
};

/** Answers a call: no body, a text body (a string) or a JSON body. */
export type FakeVendorSend = (
  status: number,
  payload?: unknown,
  headers?: Record<string, string>,
) => void;

/** One authenticated call, as a fake's routes see it. */
export type FakeVendorRequest = {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  query: Record<string, string>;
  /** The body as sent. */
  raw: string;
  /** The body: parsed when it is JSON, else the text; undefined when empty. */
  body: any;
  /** The call as recorded in `calls`. */
  call: FakeVendorCall;
  send: FakeVendorSend;
};

/** The value of an `Authorization: Basic` header. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A failure a switch forces on the next matching calls. */
export type FakeVendorFailure = {
  /** The status answered (default 503); unused when the connection is dropped. */
  status?: number;
  /** With 429 (or 503): the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  method?: string;
  /** The exact path, or a pattern. */
  path?: string | RegExp;
  /** Matches only the calls this accepts (a vendor's own notion of which call it is). */
  when?: (call: FakeVendorCall) => boolean;
  /** Lets this many matching calls through first ("fail after N pages"). */
  skip?: number;
  /**
   * Drops the connection instead of answering: `before` the call is handled
   * (a network error), or `after` (the change happened, the answer is lost).
   */
  drop?: 'before' | 'after';
  /** What a vendor's `answerFailure` needs besides (e.g. an HTML body, a reset time). */
  vendor?: Record<string, unknown>;
};

/** Why a call is refused for its credentials: the answer to give. */
export type FakeVendorRefusal = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
};

type FailureSwitch = FakeVendorFailure & { remaining: number };

/**
 * The plumbing of a local stand-in for a vendor's HTTP API, for the vendor's
 * real client library to talk to in tests: a server on a free port of
 * 127.0.0.1, every call recorded, switches that make the next calls fail
 * (5xx, 429 with Retry-After) or drop a create's connection, and the
 * credentials check. A subclass speaks the vendor's wire format: its routes,
 * its error bodies and the Authorization header it expects.
 */
export abstract class FakeVendorApi {
  /** Every call received, oldest first. */
  calls: FakeVendorCall[] = [];
  private switches: FailureSwitch[] = [];
  private drops = 0;
  private server?: http.Server;
  /** Connections taken over by `upgrade` (WebSockets): `stop` closes them too. */
  private readonly upgraded = new Set<Socket>();
  /** Keep at most this many calls in `calls`, the latest (a long benchmark makes millions). */
  protected callLimit = Infinity;

  /** Starts the fake, freshly reset, on a free port of 127.0.0.1. */
  static async start<T extends FakeVendorApi, A extends unknown[]>(
    this: new (...args: A) => T,
    ...args: A
  ): Promise<T> {
    const fake = new this(...args);
    fake.reset();
    await fake.listen();
    return fake;
  }

  /** Listens on this port of 127.0.0.1 (default: a free one). */
  async listen(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
        }
        res.end(String(error));
      });
    });
    server.on('upgrade', (req, socket) => {
      const connection = socket as Socket;
      if (!this.upgrade) {
        connection.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.upgraded.add(connection);
      connection.on('close', () => this.upgraded.delete(connection));
      this.upgrade(req, connection);
    });
    this.server = server;
    await new Promise<void>(resolve =>
      server.listen(port, '127.0.0.1', resolve),
    );
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop() {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.upgraded) socket.destroy();
    server.closeAllConnections?.();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  /** Forgets the calls, failure switches and drops. */
  reset() {
    this.calls = [];
    this.switches = [];
    this.drops = 0;
  }

  /**
   * The next `times` matching calls answer `status` (default 503), or fail
   * as the given failure describes (a status, or a dropped connection).
   */
  failNext(
    times: number,
    failure: number | FakeVendorFailure = 503,
    options: Omit<FakeVendorFailure, 'status'> = {},
  ) {
    const described =
      typeof failure === 'number' ? { status: failure } : failure;
    this.switches.push({ remaining: times, ...options, ...described });
  }

  /** Forgets the failure switches not used up yet. */
  clearFailures() {
    this.switches = [];
  }

  /** The next `times` matching calls answer 429 with Retry-After. */
  rateLimitNext(
    times: number,
    retryAfterSeconds: number,
    options: { method?: string; path?: string | RegExp } = {},
  ) {
    this.failNext(times, 429, { retryAfterSeconds, ...options });
  }

  /** The next create really creates, then drops the connection. */
  dropNextCreate(times = 1) {
    this.drops += times;
  }

  /**
   * The Authorization header every call must carry, for vendors that
   * authenticate that way (others override `checkCredentials`).
   */
  protected expectedAuthorization?(): string;

  /** The body of the 401 for a call without the right credentials. */
  protected unauthorizedBody?(): unknown;

  /**
   * Checks the call's credentials: undefined lets it through, else the
   * answer to refuse it with. By default the Authorization header must be
   * `expectedAuthorization()`, else 401 with `unauthorizedBody()`.
   */
  protected checkCredentials(
    request: FakeVendorRequest,
  ): FakeVendorRefusal | undefined {
    const expected = this.expectedAuthorization?.();
    if (
      expected !== undefined &&
      request.req.headers.authorization === expected
    )
      return undefined;
    return { status: 401, body: this.unauthorizedBody?.() };
  }

  /**
   * Runs for every call that is answered (failures included), before the
   * answer: a vendor's per-call headers, latency, rate-limit windows.
   */
  protected prepare?(request: FakeVendorRequest): void | Promise<void>;

  /** Answers a call a failure switch caught; by default `failureBody` with Retry-After. */
  protected answerFailure(
    request: FakeVendorRequest,
    failure: FakeVendorFailure,
  ): void {
    const status = failure.status ?? 503;
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined)
      headers['Retry-After'] = String(failure.retryAfterSeconds);
    request.send(status, this.failureBody(status), headers);
  }

  /** Takes over an upgraded connection (a WebSocket), for vendors that have one. */
  protected upgrade?(req: http.IncomingMessage, socket: Socket): void;

  /** The body of a failure a switch forces (429, or 5xx). */
  protected abstract failureBody(status: number): unknown;

  /** Answers an authenticated call; every path must `send` (or drop). */
  protected abstract route(request: FakeVendorRequest): void | Promise<void>;

  /** Content-Type of JSON answers. */
  protected jsonContentType = 'application/json;charset=UTF-8';

  /**
   * For a create that has done its work: when `dropNextCreate` asked for it,
   * drops the connection and returns true (the caller answers nothing).
   */
  protected dropConnectionIfAsked(res: http.ServerResponse): boolean {
    if (this.drops <= 0) return false;
    this.drops--;
    res.socket?.destroy();
    return true;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const raw = await new Promise<string>(resolve => {
      let data = '';
      req.on('data', chunk => (data += chunk));
      req.on('end', () => resolve(data));
    });
    let body: any = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const call: FakeVendorCall = {
      method,
      path,
      url: req.url ?? '/',
      query,
      body,
      headers: { ...req.headers },
      status: 0,
      finished: false,
      at: Date.now(),
    };
    this.calls.push(call);
    if (this.calls.length > this.callLimit)
      this.calls.splice(0, this.calls.length - this.callLimit);
    // Routes that write the answer themselves are recorded too.
    res.on('finish', () => {
      if (!call.status) call.status = res.statusCode;
      call.finished = true;
    });

    const send: FakeVendorSend = (status, payload, headers = {}) => {
      call.status = status;
      call.response = payload;
      res.statusCode = status;
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      if (payload === undefined) {
        res.end();
      } else if (typeof payload === 'string') {
        res.setHeader('Content-Type', 'text/plain;charset=UTF-8');
        res.end(payload);
      } else {
        res.setHeader('Content-Type', this.jsonContentType);
        res.end(JSON.stringify(payload));
      }
    };

    const request = { req, res, method, path, query, raw, body, call, send };

    let failure = this.takeFailure(call);
    if (failure?.drop === 'before') {
      this.dropConnection(res, call);
      return;
    }
    if (failure?.drop === 'after') {
      // Handled as usual; the answer never leaves.
      res.end = (() => {
        this.dropConnection(res, call);
        return res;
      }) as typeof res.end;
      failure = undefined;
    }

    await this.prepare?.(request);

    if (failure) {
      this.answerFailure(request, failure);
      return;
    }

    const refusal = this.checkCredentials(request);
    if (refusal) {
      send(refusal.status, refusal.body, refusal.headers);
      return;
    }

    await this.route(request);
  }

  private takeFailure(call: FakeVendorCall): FailureSwitch | undefined {
    const index = this.switches.findIndex(
      s =>
        s.remaining > 0 &&
        (!s.method || s.method.toUpperCase() === call.method) &&
        (!s.path ||
          (typeof s.path === 'string'
            ? s.path === call.path
            : s.path.test(call.path))) &&
        (!s.when || s.when(call)),
    );
    if (index === -1) return undefined;
    const failure = this.switches[index];
    if (failure.skip) {
      failure.skip -= 1;
      return undefined;
    }
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.switches.splice(index, 1);
    return failure;
  }

  private dropConnection(res: http.ServerResponse, call: FakeVendorCall) {
    call.status = 0;
    call.finished = true;
    res.socket?.destroy();
  }
}

import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One HTTP call a fake vendor API received, and how it answered. */
export type FakeVendorCall = {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The body: parsed when it is JSON, else the text; undefined when empty. */
  body: any;
  headers: http.IncomingHttpHeaders;
  /** The status answered; 0 when the fake dropped the connection instead. */
  status: number;
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

type FailureSwitch = {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
  method?: string;
  path?: string | RegExp;
};

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

  /** Starts the fake, freshly reset, on a free port of 127.0.0.1. */
  static async start<T extends FakeVendorApi>(this: new () => T): Promise<T> {
    const fake = new this();
    fake.reset();
    const server = http.createServer((req, res) => {
      fake.handle(req, res).catch(error => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    fake.server = server;
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop() {
    this.server?.closeAllConnections?.();
    await new Promise<void>(
      resolve => this.server?.close(() => resolve()) ?? resolve(),
    );
  }

  /** Forgets the calls, failure switches and drops. */
  reset() {
    this.calls = [];
    this.switches = [];
    this.drops = 0;
  }

  /** The next `times` matching calls answer `status` (default 503). */
  failNext(
    times: number,
    status = 503,
    options: {
      retryAfterSeconds?: number;
      method?: string;
      path?: string | RegExp;
    } = {},
  ) {
    this.switches.push({ remaining: times, status, ...options });
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

  /** The Authorization header every call must carry. */
  protected abstract expectedAuthorization(): string;

  /** The body of the 401 for a call without the right credentials. */
  protected abstract unauthorizedBody(): unknown;

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
      query,
      body,
      headers: { ...req.headers },
      status: 0,
      at: Date.now(),
    };
    this.calls.push(call);

    const send: FakeVendorSend = (status, payload, headers = {}) => {
      call.status = status;
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

    const sw = this.switches.find(
      s =>
        s.remaining > 0 &&
        (!s.method || s.method === method) &&
        (!s.path ||
          (typeof s.path === 'string' ? s.path === path : s.path.test(path))),
    );
    if (sw) {
      sw.remaining--;
      const headers: Record<string, string> = {};
      if (sw.retryAfterSeconds !== undefined)
        headers['Retry-After'] = String(sw.retryAfterSeconds);
      send(sw.status, this.failureBody(sw.status), headers);
      return;
    }

    if (req.headers.authorization !== this.expectedAuthorization()) {
      send(401, this.unauthorizedBody());
      return;
    }

    await this.route({ req, res, method, path, query, raw, body, call, send });
  }
}

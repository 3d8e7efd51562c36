import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One POST the receiver got. */
export type FakeTeamsPost = {
  /** The JSON body as sent. */
  body: any;
  /** The Adaptive Card inside it (when the envelope was right). */
  card?: any;
  /** Why the receiver refused it, if it did. */
  problems: string[];
  status: number;
  at: number;
};

type Armed = { status: number; times: number; headers: Record<string, string> };

/** Every action type anywhere in a card (card actions, ActionSets, selectActions). */
function actionTypes(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) actionTypes(n, out);
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (typeof obj.type === 'string' && obj.type.startsWith('Action.'))
      out.push(obj.type);
    for (const value of Object.values(obj)) actionTypes(value, out);
  }
  return out;
}

/** What a Teams Workflows webhook accepts, as far as App Access relies on it. */
export function cardProblems(body: any): string[] {
  const problems: string[] = [];
  if (body?.type !== 'message')
    problems.push(`type must be 'message', got ${JSON.stringify(body?.type)}`);
  const attachments = body?.attachments;
  if (!Array.isArray(attachments) || attachments.length !== 1) {
    problems.push('attachments must hold exactly one card');
    return problems;
  }
  const [attachment] = attachments;
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') {
    problems.push(
      `contentType must be application/vnd.microsoft.card.adaptive, got ${attachment.contentType}`,
    );
  }
  const card = attachment.content;
  if (card?.type !== 'AdaptiveCard')
    problems.push('content.type must be AdaptiveCard');
  if (card?.version !== '1.4')
    problems.push(
      `content.version must be '1.4', got ${JSON.stringify(card?.version)}`,
    );
  if (!Array.isArray(card?.body) || card.body.length === 0)
    problems.push('content.body must be a non-empty array');
  if (card?.actions !== undefined && !Array.isArray(card.actions))
    problems.push('content.actions must be an array');
  for (const type of actionTypes(card)) {
    if (type !== 'Action.OpenUrl')
      problems.push(
        `${type} is not supported by webhook cards (Action.OpenUrl only)`,
      );
  }
  for (const action of card?.actions ?? []) {
    if (
      action.type === 'Action.OpenUrl' &&
      !/^https?:\/\//.test(action.url ?? '')
    ) {
      problems.push(`Action.OpenUrl '${action.title}' has no absolute url`);
    }
  }
  return problems;
}

/**
 * A local stand-in for a Teams Workflows webhook: accepts a card message
 * with HTTP 202 as Teams does, refuses a malformed one with 400, and can be
 * told to fail (500, 429 with Retry-After). Every POST is recorded.
 */
export class FakeTeamsWebhook {
  readonly posts: FakeTeamsPost[] = [];
  private armed: Armed[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeTeamsWebhook> {
    const server = http.createServer();
    const fake = new FakeTeamsWebhook(server);
    server.on('request', (req, res) => {
      fake.onRequest(req, res).catch(error => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The webhook URL, with a signature-like query string as real ones have. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=test-signature`;
  }

  async stop() {
    await new Promise<void>((resolve, reject) =>
      this.server.close(error => (error ? reject(error) : resolve())),
    );
  }

  /** The next `times` posts get this status (e.g. 500, or 429 with Retry-After). */
  fail(status: number, options: { times?: number; retryAfter?: number } = {}) {
    this.armed.push({
      status,
      times: options.times ?? 1,
      headers:
        options.retryAfter !== undefined
          ? { 'Retry-After': String(options.retryAfter) }
          : {},
    });
  }

  /** Cards accepted, oldest first. */
  get cards(): any[] {
    return this.posts.filter(p => p.status === 202).map(p => p.card);
  }

  reset() {
    this.posts.length = 0;
    this.armed = [];
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const record = (
      status: number,
      body: any,
      problems: string[],
      headers: Record<string, string> = {},
    ) => {
      this.posts.push({
        body,
        card: body?.attachments?.[0]?.content,
        problems,
        status,
        at: Date.now(),
      });
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(
        status === 202
          ? ''
          : JSON.stringify({
              error: {
                code: String(status),
                message: problems.join('; ') || 'failure',
              },
            }),
      );
    };
    if (
      req.method !== 'POST' ||
      !new URL(req.url ?? '/', 'http://x').searchParams.get('sig')
    ) {
      record(401, undefined, ['POST with the signed URL only']);
      return;
    }
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      record(400, undefined, ['body is not JSON']);
      return;
    }
    if (
      !String(req.headers['content-type'] ?? '').includes('application/json')
    ) {
      record(400, body, ['Content-Type must be application/json']);
      return;
    }
    const armed = this.armed.find(a => a.times > 0);
    if (armed) {
      armed.times--;
      record(armed.status, body, [], armed.headers);
      return;
    }
    const problems = cardProblems(body);
    record(problems.length ? 400 : 202, body, problems);
  }
}

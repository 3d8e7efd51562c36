import {
  FakeVendorApi,
  FakeVendorCall,
  FakeVendorRefusal,
  FakeVendorRequest,
} from '@app-access/plugin-app-access-node/testUtils';

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

/** What Teams answers besides 202: `{ error: { code, message } }`. */
function errorBody(status: number, problems: string[]) {
  return {
    error: { code: String(status), message: problems.join('; ') || 'failure' },
  };
}

/**
 * A local stand-in for a Teams Workflows webhook: accepts a card message
 * with HTTP 202 as Teams does, refuses a malformed one with 400, and can be
 * told to fail (500, 429 with Retry-After). Every POST is recorded.
 */
export class FakeTeamsWebhook extends FakeVendorApi {
  /** Why each refused call was refused (the card checks), by call. */
  private readonly problems = new WeakMap<FakeVendorCall, string[]>();

  protected jsonContentType = 'application/json';

  /** The webhook URL, with a signature-like query string as real ones have. */
  get url(): string {
    return `${
      super.url
    }/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=test-signature`;
  }

  /** Every post received, oldest first. */
  get posts(): FakeTeamsPost[] {
    return this.calls.map(call => {
      const body = typeof call.body === 'object' ? call.body : undefined;
      return {
        body,
        card: body?.attachments?.[0]?.content,
        problems: this.problems.get(call) ?? [],
        status: call.status,
        at: call.at,
      };
    });
  }

  /** The next `times` posts get this status (e.g. 500, or 429 with Retry-After). */
  fail(status: number, options: { times?: number; retryAfter?: number } = {}) {
    this.failNext(options.times ?? 1, status, {
      retryAfterSeconds: options.retryAfter,
    });
  }

  /** Cards accepted, oldest first. */
  get cards(): any[] {
    return this.posts.filter(p => p.status === 202).map(p => p.card);
  }

  /** The URL's signature stands in for credentials: POST with it, or 401. */
  protected checkCredentials({
    method,
    query,
    call,
  }: FakeVendorRequest): FakeVendorRefusal | undefined {
    if (method === 'POST' && query.sig) return undefined;
    const problems = ['POST with the signed URL only'];
    this.problems.set(call, problems);
    return { status: 401, body: errorBody(401, problems) };
  }

  protected failureBody(status: number) {
    return errorBody(status, []);
  }

  protected route({ req, raw, call, send }: FakeVendorRequest) {
    const refuse = (problems: string[]) => {
      this.problems.set(call, problems);
      send(400, errorBody(400, problems));
    };
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      call.body = undefined;
      refuse(['body is not JSON']);
      return;
    }
    if (
      !String(req.headers['content-type'] ?? '').includes('application/json')
    ) {
      refuse(['Content-Type must be application/json']);
      return;
    }
    const problems = cardProblems(body);
    if (problems.length) {
      refuse(problems);
      return;
    }
    send(202);
  }
}

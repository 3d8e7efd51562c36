import http from 'node:http';
import { AddressInfo } from 'node:net';

/* A local Jira Cloud (platform REST v2 + Jira Service Management) that
 * speaks the real wire format, for jira.js to talk to in tests. */

export type FakeJiraCustomer = {
  accountId: string;
  emailAddress: string;
  displayName: string;
};

export type FakeServiceDesk = {
  id: string;
  projectId: string;
  projectKey: string;
  projectName: string;
  requestTypes: Array<{ id: string; name: string }>;
  customers: FakeJiraCustomer[];
};

export type FakeJiraIssue = {
  id: string;
  key: string;
  serviceDeskId: string;
  requestTypeId: string;
  summary: string;
  description: string;
  labels: string[];
  /** accountId of the reporter: the customer it was raised for, or the bot. */
  reporter: string;
  statusName: string;
  statusCategory: 'new' | 'indeterminate' | 'done';
  resolution?: string;
  comments: Array<{ id: string; body: string; created: string }>;
  created: string;
};

export type FakeJiraCall = {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  headers: http.IncomingHttpHeaders;
  status: number;
  at: number;
};

type Switch = {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
  method?: string;
  path?: string | RegExp;
};

const BOT_ACCOUNT = 'acct-bot';

const CATEGORY_NAMES = {
  new: 'To Do',
  indeterminate: 'In Progress',
  done: 'Done',
};

export class FakeJira {
  readonly email = 'app-access-bot@example.com';
  apiToken = 'jira-api-token';
  serviceDesks: FakeServiceDesk[] = [];
  issues: FakeJiraIssue[] = [];
  calls: FakeJiraCall[] = [];
  /** Whether the request type has the Labels field (labels settable at creation). */
  acceptLabelsOnCreate = true;
  /** Customers (account ids) Jira refuses to raise requests for (400). */
  refuseOnBehalfOf = new Set<string>();
  private switches: Switch[] = [];
  private dropCreates = 0;
  private server?: http.Server;
  private nextId = 10000;

  static async start(): Promise<FakeJira> {
    const fake = new FakeJira();
    fake.reset();
    fake.server = http.createServer((req, res) => {
      fake.handle(req, res).catch(error => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>(resolve =>
      fake.server!.listen(0, '127.0.0.1', resolve),
    );
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

  /** Back to one service desk 1 (project IT) with request type 11 and one customer. */
  reset() {
    this.apiToken = 'jira-api-token';
    this.serviceDesks = [
      {
        id: '1',
        projectId: '10001',
        projectKey: 'IT',
        projectName: 'IT Help',
        requestTypes: [
          { id: '11', name: 'Request application access' },
          { id: '12', name: 'Get IT help' },
        ],
        customers: [
          {
            accountId: 'acct-jane',
            emailAddress: 'jane.doe@example.com',
            displayName: 'Jane Doe',
          },
        ],
      },
    ];
    this.issues = [];
    this.calls = [];
    this.switches = [];
    this.dropCreates = 0;
    this.acceptLabelsOnCreate = true;
    this.refuseOnBehalfOf = new Set();
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

  /** The next create really creates the request, then drops the connection. */
  dropNextCreate(times = 1) {
    this.dropCreates += times;
  }

  /** Moves an issue along its workflow, as an agent would. */
  transition(
    key: string,
    to: {
      category: 'new' | 'indeterminate' | 'done';
      status?: string;
      resolution?: string;
      comment?: string;
    },
  ) {
    const issue = this.issue(key);
    if (!issue) throw new Error(`FakeJira: no issue ${key}`);
    issue.statusCategory = to.category;
    issue.statusName = to.status ?? CATEGORY_NAMES[to.category];
    issue.resolution =
      to.category === 'done' ? to.resolution ?? 'Done' : undefined;
    if (to.comment) {
      issue.comments.push({
        id: String(this.nextId++),
        body: to.comment,
        created: new Date().toISOString(),
      });
    }
  }

  issue(key: string): FakeJiraIssue | undefined {
    return this.issues.find(i => i.key === key || i.id === key);
  }

  /** Successful customer request creations. */
  creations(): FakeJiraCall[] {
    return this.calls.filter(
      c =>
        c.method === 'POST' &&
        c.path === '/rest/servicedeskapi/request' &&
        c.status === 201,
    );
  }

  // --- HTTP ---

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
    const call: FakeJiraCall = {
      method,
      path,
      query,
      body,
      headers: req.headers,
      status: 0,
      at: Date.now(),
    };
    this.calls.push(call);

    const send = (
      status: number,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) => {
      call.status = status;
      res.statusCode = status;
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      if (payload === undefined) {
        res.end();
      } else if (typeof payload === 'string') {
        res.setHeader('Content-Type', 'text/plain;charset=UTF-8');
        res.end(payload);
      } else {
        res.setHeader('Content-Type', 'application/json;charset=UTF-8');
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
      if (sw.status === 429) {
        send(
          429,
          { errorMessages: ['Rate limit exceeded.'], errors: {} },
          headers,
        );
      } else {
        send(
          sw.status,
          {
            errorMessages: [`Service unavailable (fake ${sw.status})`],
            errors: {},
          },
          headers,
        );
      }
      return;
    }

    const expected = `Basic ${Buffer.from(
      `${this.email}:${this.apiToken}`,
    ).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      send(401, 'Client must be authenticated to access this resource.');
      return;
    }

    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/rest/servicedeskapi/request') {
      this.createRequest(body, send, res);
      return;
    }
    m = path.match(/^\/rest\/servicedeskapi\/servicedesk\/([^/]+)(\/.*)?$/);
    if (m && method === 'GET') {
      const desk = this.serviceDesks.find(
        d => d.id === m![1] || d.projectKey === m![1],
      );
      if (!desk) {
        send(404, {
          errorMessage: `Service Desk with id ${m[1]} does not exist or you do not have permission to see it.`,
          i18nErrorMessage: {
            i18nKey: 'sd.admin.servicedesk.error.not.found',
            parameters: [],
          },
        });
        return;
      }
      const rest = m[2] ?? '';
      if (rest === '') {
        send(200, {
          id: desk.id,
          projectId: desk.projectId,
          projectName: desk.projectName,
          projectKey: desk.projectKey,
          _links: {
            self: `${this.url}/rest/servicedeskapi/servicedesk/${desk.id}`,
          },
        });
        return;
      }
      if (rest === '/requesttype') {
        send(
          200,
          paged(desk.requestTypes.map(t => this.requestTypeJson(desk, t))),
        );
        return;
      }
      const rt = rest.match(/^\/requesttype\/([^/]+)$/);
      if (rt) {
        const type = desk.requestTypes.find(t => t.id === rt[1]);
        if (!type) {
          send(404, {
            errorMessage: `The request type ${rt[1]} does not exist in this service desk.`,
          });
          return;
        }
        send(200, this.requestTypeJson(desk, type));
        return;
      }
      if (rest === '/customer') {
        if (req.headers['x-experimentalapi'] !== 'opt-in') {
          send(400, {
            errorMessage:
              'This is an experimental API: send X-ExperimentalApi: opt-in',
          });
          return;
        }
        const q = (query.query ?? '').toLowerCase();
        send(
          200,
          paged(
            desk.customers
              .filter(
                c =>
                  !q ||
                  c.emailAddress.toLowerCase().includes(q) ||
                  c.displayName.toLowerCase().includes(q),
              )
              .map(c => ({ ...c, active: true, timeZone: 'Etc/UTC' })),
          ),
        );
        return;
      }
    }
    m = path.match(/^\/rest\/api\/2\/(.*)$/);
    if (m) {
      this.platform(method, m[1], query, body, send);
      return;
    }
    send(404, {
      errorMessages: [`FakeJira: no route ${method} ${path}`],
      errors: {},
    });
  }

  private requestTypeJson(
    desk: FakeServiceDesk,
    type: { id: string; name: string },
  ) {
    return {
      id: type.id,
      name: type.name,
      description: '',
      serviceDeskId: desk.id,
      issueTypeId: '10004',
      groupIds: ['1'],
    };
  }

  private createRequest(
    body: any,
    send: (status: number, payload?: unknown) => void,
    res: http.ServerResponse,
  ) {
    const desk = this.serviceDesks.find(
      d => d.id === String(body?.serviceDeskId),
    );
    if (!desk) {
      send(404, {
        errorMessage: `Service Desk with id ${body?.serviceDeskId} does not exist.`,
      });
      return;
    }
    const type = desk.requestTypes.find(
      t => t.id === String(body?.requestTypeId),
    );
    if (!type) {
      send(400, {
        errorMessage: `The request type ${body?.requestTypeId} does not exist.`,
      });
      return;
    }
    const fields = body?.requestFieldValues ?? {};
    if (typeof fields.summary !== 'string' || !fields.summary.trim()) {
      send(400, {
        errorMessage: 'Summary: You must specify a summary of the issue.',
      });
      return;
    }
    if (typeof fields.description !== 'string') {
      send(400, { errorMessage: 'Description: expected a string.' });
      return;
    }
    for (const name of Object.keys(fields)) {
      if (!['summary', 'description', 'labels'].includes(name)) {
        send(400, {
          errorMessage: `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`,
        });
        return;
      }
    }
    if (fields.labels !== undefined && !this.acceptLabelsOnCreate) {
      send(400, {
        errorMessage:
          "Field 'labels' cannot be set. It is not on the appropriate screen, or unknown.",
      });
      return;
    }
    let reporter = BOT_ACCOUNT;
    if (body.raiseOnBehalfOf !== undefined && body.raiseOnBehalfOf !== null) {
      const customer = desk.customers.find(
        c =>
          c.accountId === body.raiseOnBehalfOf ||
          c.emailAddress === body.raiseOnBehalfOf,
      );
      if (!customer || this.refuseOnBehalfOf.has(customer.accountId)) {
        send(400, {
          errorMessage: `The user '${body.raiseOnBehalfOf}' is not a customer of this service desk (raiseOnBehalfOf).`,
        });
        return;
      }
      reporter = customer.accountId;
    }
    const id = String(this.nextId++);
    const key = `${desk.projectKey}-${
      this.issues.filter(i => i.serviceDeskId === desk.id).length + 1
    }`;
    const created = new Date().toISOString();
    const issue: FakeJiraIssue = {
      id,
      key,
      serviceDeskId: desk.id,
      requestTypeId: type.id,
      summary: fields.summary,
      description: fields.description,
      labels: Array.isArray(fields.labels) ? fields.labels.map(String) : [],
      reporter,
      statusName: 'Waiting for support',
      statusCategory: 'new',
      comments: [],
      created,
    };
    this.issues.push(issue);
    if (this.dropCreates > 0) {
      this.dropCreates--;
      res.socket?.destroy();
      return;
    }
    send(201, {
      issueId: id,
      issueKey: key,
      requestTypeId: type.id,
      serviceDeskId: desk.id,
      createdDate: {
        iso8601: created,
        jira: created,
        friendly: 'Today',
        epochMillis: Date.parse(created),
      },
      reporter: { accountId: reporter },
      requestFieldValues: [
        { fieldId: 'summary', label: 'Summary', value: issue.summary },
        {
          fieldId: 'description',
          label: 'Description',
          value: issue.description,
        },
      ],
      currentStatus: { status: issue.statusName, statusCategory: 'NEW' },
      _links: {
        web: `${this.url}/servicedesk/customer/portal/${desk.id}/${key}`,
        self: `${this.url}/rest/servicedeskapi/request/${id}`,
        jiraRest: `${this.url}/rest/api/2/issue/${id}`,
      },
    });
  }

  private issueJson(issue: FakeJiraIssue, fieldsParam?: string) {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      description: issue.description,
      labels: issue.labels,
      status: {
        name: issue.statusName,
        statusCategory: {
          key: issue.statusCategory,
          name: CATEGORY_NAMES[issue.statusCategory],
        },
      },
      resolution: issue.resolution ? { name: issue.resolution } : null,
      comment: {
        comments: issue.comments.map(c => ({
          ...c,
          author: { accountId: 'acct-agent', displayName: 'IT Agent' },
        })),
        maxResults: issue.comments.length,
        total: issue.comments.length,
        startAt: 0,
      },
      reporter: { accountId: issue.reporter },
      created: issue.created,
    };
    const wanted = fieldsParam
      ? fieldsParam.split(',').filter(Boolean)
      : undefined;
    const fields =
      wanted && !wanted.includes('*all')
        ? Object.fromEntries(
            Object.entries(all).filter(([k]) => wanted.includes(k)),
          )
        : all;
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.url}/rest/api/2/issue/${issue.id}`,
      fields,
    };
  }

  private platform(
    method: string,
    rest: string,
    query: Record<string, string>,
    body: any,
    send: (status: number, payload?: unknown) => void,
  ) {
    if (rest === 'myself' && method === 'GET') {
      send(200, {
        accountId: BOT_ACCOUNT,
        emailAddress: this.email,
        displayName: 'App Access Bot',
        active: true,
      });
      return;
    }
    if (rest === 'search/jql' && (method === 'GET' || method === 'POST')) {
      const jql: string = (method === 'GET' ? query.jql : body?.jql) ?? '';
      const fields =
        method === 'GET' ? query.fields : (body?.fields ?? []).join(',');
      const match = jql.match(
        /^\s*labels\s*=\s*"([^"]+)"\s*(ORDER BY created (ASC|DESC))?\s*$/i,
      );
      if (!match) {
        send(400, {
          errorMessages: [`FakeJira cannot run this JQL: ${jql}`],
          errors: {},
        });
        return;
      }
      let found = this.issues.filter(i => i.labels.includes(match[1]));
      if (match[3]?.toUpperCase() === 'DESC') found = [...found].reverse();
      const max = Number(query.maxResults ?? body?.maxResults ?? 50);
      send(200, {
        issues: found.slice(0, max).map(i => this.issueJson(i, fields)),
        isLast: true,
      });
      return;
    }
    const m = rest.match(/^issue\/([^/]+)(\/comment)?$/);
    if (m) {
      const issue = this.issue(m[1]);
      if (!issue) {
        send(404, {
          errorMessages: [
            'Issue does not exist or you do not have permission to see it.',
          ],
          errors: {},
        });
        return;
      }
      if (m[2] && method === 'GET') {
        const json = this.issueJson(issue).fields.comment;
        send(200, json);
        return;
      }
      if (method === 'GET') {
        send(200, this.issueJson(issue, query.fields));
        return;
      }
      if (method === 'PUT') {
        const ops: Array<Record<string, string>> = body?.update?.labels ?? [];
        for (const op of ops) {
          if (op.add && !issue.labels.includes(op.add))
            issue.labels.push(op.add);
          if (op.remove)
            issue.labels = issue.labels.filter(l => l !== op.remove);
          if (op.set) issue.labels = [...op.set];
        }
        if (Array.isArray(body?.fields?.labels))
          issue.labels = body.fields.labels.map(String);
        if (issue.labels.some(l => /\s/.test(l))) {
          send(400, {
            errorMessages: [],
            errors: { labels: 'The label must not contain spaces.' },
          });
          return;
        }
        send(204);
        return;
      }
    }
    send(404, {
      errorMessages: [`FakeJira: no route ${method} /rest/api/2/${rest}`],
      errors: {},
    });
  }
}

function paged<T>(values: T[]) {
  return {
    size: values.length,
    start: 0,
    limit: 50,
    isLastPage: true,
    values,
    _links: {},
  };
}

import http from 'node:http';
import {
  basicAuthorization,
  FakeVendorApi,
  FakeVendorCall,
  FakeVendorRequest,
  FakeVendorSend,
} from '@app-access/plugin-app-access-node/testUtils';

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

/** One entry of an issue's changelog (`expand=changelog`): who changed what. */
export type FakeJiraHistory = {
  id: string;
  author: { accountId: string; accountType: string; displayName: string };
  created: string;
  items: Array<{
    field: string;
    fieldtype: 'jira';
    from: string | null;
    fromString: string | null;
    to: string | null;
    toString: string | null;
  }>;
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
  changelog: FakeJiraHistory[];
  created: string;
};

export type FakeJiraCall = FakeVendorCall;

const BOT_ACCOUNT = 'acct-bot';
/** The service desk agent who works tickets in the tests. */
export const FAKE_AGENT_ACCOUNT = 'acct-agent';

const CATEGORY_NAMES = {
  new: 'To Do',
  indeterminate: 'In Progress',
  done: 'Done',
};

export class FakeJira extends FakeVendorApi {
  readonly email = 'app-access-bot@example.com';
  apiToken = 'jira-api-token';
  serviceDesks: FakeServiceDesk[] = [];
  issues: FakeJiraIssue[] = [];
  /** Whether the request type has the Labels field (labels settable at creation). */
  acceptLabelsOnCreate = true;
  /** Customers (account ids) Jira refuses to raise requests for (400). */
  refuseOnBehalfOf = new Set<string>();
  private nextId = 10000;
  private readonly nameIds = new Map<string, string>();

  /** Back to one service desk 1 (project IT) with request type 11 and one customer. */
  reset() {
    super.reset();
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
    this.acceptLabelsOnCreate = true;
    this.refuseOnBehalfOf = new Set();
  }

  /**
   * Moves an issue along its workflow, as an agent would (the default), or,
   * with `by` a customer's account id, as the customer resolving their own
   * request from the portal. Each move is one changelog entry.
   */
  transition(
    key: string,
    to: {
      category: 'new' | 'indeterminate' | 'done';
      status?: string;
      resolution?: string;
      comment?: string;
      by?: string;
    },
  ) {
    const issue = this.issue(key);
    if (!issue) throw new Error(`FakeJira: no issue ${key}`);
    const before = { status: issue.statusName, resolution: issue.resolution };
    issue.statusCategory = to.category;
    issue.statusName = to.status ?? CATEGORY_NAMES[to.category];
    issue.resolution =
      to.category === 'done' ? to.resolution ?? 'Done' : undefined;
    const items: FakeJiraHistory['items'] = [];
    const item = (field: string, from?: string, value?: string) => ({
      field,
      fieldtype: 'jira' as const,
      from: from ? this.idOf(from) : null,
      fromString: from ?? null,
      to: value ? this.idOf(value) : null,
      toString: value ?? null,
    });
    if (before.status !== issue.statusName) {
      items.push(item('status', before.status, issue.statusName));
    }
    if (before.resolution !== issue.resolution) {
      items.push(item('resolution', before.resolution, issue.resolution));
    }
    if (items.length) {
      issue.changelog.push({
        id: String(this.nextId++),
        author: this.account(to.by ?? FAKE_AGENT_ACCOUNT),
        created: new Date().toISOString(),
        items,
      });
    }
    if (to.comment) {
      issue.comments.push({
        id: String(this.nextId++),
        body: to.comment,
        created: new Date().toISOString(),
      });
    }
  }

  /** Jira's id of a status or resolution, by its name (stable per fake). */
  private idOf(name: string): string {
    if (!this.nameIds.has(name)) {
      this.nameIds.set(name, String(10100 + this.nameIds.size));
    }
    return this.nameIds.get(name)!;
  }

  /** An account as Jira shows it; customers of a service desk are `customer` accounts. */
  private account(accountId: string): FakeJiraHistory['author'] {
    const customer = this.serviceDesks
      .flatMap(d => d.customers)
      .find(c => c.accountId === accountId);
    return customer
      ? {
          accountId,
          accountType: 'customer',
          displayName: customer.displayName,
        }
      : { accountId, accountType: 'atlassian', displayName: 'IT Agent' };
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

  protected expectedAuthorization() {
    return basicAuthorization(this.email, this.apiToken);
  }

  protected unauthorizedBody() {
    return 'Client must be authenticated to access this resource.';
  }

  protected failureBody(status: number) {
    return status === 429
      ? { errorMessages: ['Rate limit exceeded.'], errors: {} }
      : {
          errorMessages: [`Service unavailable (fake ${status})`],
          errors: {},
        };
  }

  protected route({
    req,
    res,
    method,
    path,
    query,
    body,
    send,
  }: FakeVendorRequest) {
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
    send: FakeVendorSend,
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
      changelog: [],
      created,
    };
    this.issues.push(issue);
    if (this.dropConnectionIfAsked(res)) return;
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

  private issueJson(
    issue: FakeJiraIssue,
    fieldsParam?: string,
    expand?: string,
  ) {
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
    const changelog = (expand ?? '').split(',').includes('changelog')
      ? {
          // Jira lists the most recent changes first.
          histories: [...issue.changelog].reverse(),
          startAt: 0,
          maxResults: issue.changelog.length,
          total: issue.changelog.length,
        }
      : undefined;
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.url}/rest/api/2/issue/${issue.id}`,
      fields,
      ...(changelog ? { changelog } : {}),
    };
  }

  private platform(
    method: string,
    rest: string,
    query: Record<string, string>,
    body: any,
    send: FakeVendorSend,
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
        send(200, this.issueJson(issue, query.fields, query.expand));
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

import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FulfillmentContext } from '@app-access/plugin-app-access-node';
import { FakeJira } from './testing/FakeJira';
import { JiraClient } from './JiraClient';
import { JiraFulfiller } from './JiraFulfiller';
import { readJiraConfig } from './config';

jest.setTimeout(30_000);

describe('JiraFulfiller against the fake Jira', () => {
  let fake: FakeJira;
  let getSettings: jest.Mock | undefined;

  beforeAll(async () => {
    fake = await FakeJira.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    getSettings = undefined;
  });

  function fulfiller(overrides: Record<string, unknown> = {}) {
    const settings = readJiraConfig(
      new ConfigReader({
        appAccess: {
          jira: {
            baseUrl: fake.url,
            email: fake.email,
            apiToken: fake.apiToken,
            serviceDeskId: '1',
            requestTypeId: '11',
            ...overrides,
          },
        },
      }),
    )!;
    const created = new JiraFulfiller({
      client: new JiraClient(settings),
      logger: mockServices.logger.mock(),
    });
    if (getSettings) {
      created.connect({
        getSettings,
        getRequest: async id => {
          throw new Error(`request ${id} is not in this test`);
        },
        getPerson: async () => undefined,
      });
    }
    return created;
  }

  function context(
    overrides: Partial<FulfillmentContext> & { email?: string } = {},
  ): FulfillmentContext & { checkpoint: jest.Mock } {
    const id = '3f1c9d62-6c51-4c1e-8a38-5f4d2e0c0a11';
    const email =
      'email' in overrides ? overrides.email : 'jane.doe@example.com';
    return {
      request: {
        id,
        kind: 'access',
        appId: 'salesforce',
        tierId: 'read-only',
        appName: 'Salesforce',
        tierName: 'Read Only',
        requester: 'user:default/jane.doe',
        status: 'fulfilling',
        level: 0,
        justification: 'Quarterly pipeline review',
        createdAt: '2025-01-01T00:00:00Z',
        updatedAt: '2025-01-01T00:00:00Z',
        approvals: [
          {
            id: 't1',
            requestId: id,
            level: 1,
            approvers: ['user:default/sam.manager'],
            status: 'approved',
            decidedBy: 'user:default/sam.manager',
            decidedAt: '2025-01-02T10:00:00Z',
            comment: 'ok for Q1',
            reminders: 0,
            fallback: false,
            createdAt: '2025-01-01T00:00:00Z',
          },
        ],
      },
      app: {
        id: 'salesforce',
        name: 'Salesforce',
        vendor: 'Salesforce',
        category: 'Sales',
        listed: true,
        externalIds: {},
        tiers: [],
      },
      tier: {
        id: 'read-only',
        name: 'Read Only',
        fulfillment: { type: 'ticket' },
      },
      spec: { type: 'ticket' },
      requester: {
        ref: 'user:default/jane.doe',
        displayName: 'Jane Doe',
        email,
        groups: [],
      },
      idempotencyKey: `app-access-${id}`,
      requestUrl: `http://localhost:3000/apps/requests/${id}`,
      checkpoint: jest.fn(async () => {}),
      ...overrides,
    } as FulfillmentContext & { checkpoint: jest.Mock };
  }

  it('raises a customer request on behalf of a customer, labelled, with the details', async () => {
    const ctx = context();
    const result = await fulfiller().fulfill(ctx);
    expect(result).toEqual({
      status: 'awaiting_it',
      externalRef: 'IT-1',
      externalUrl: `${fake.url}/browse/IT-1`,
      message: 'Filed Jira ticket IT-1; waiting for IT',
    });
    const issue = fake.issue('IT-1')!;
    expect(issue.reporter).toBe('acct-jane');
    expect(issue.labels).toEqual([`app-access-${ctx.request.id}`]);
    expect(issue.summary).toBe('App Access: Salesforce Read Only for Jane Doe');
    expect(issue.description).toContain(
      'Requester: Jane Doe <jane.doe@example.com> (user:default/jane.doe)',
    );
    expect(issue.description).toContain(
      'Jane Doe asked for Salesforce Read Only and the request was approved.',
    );
    expect(issue.description).not.toContain('filed by');
    expect(issue.description).toContain('Tier: Read Only');
    expect(issue.description).toContain(
      'Justification: Quarterly pipeline review',
    );
    expect(issue.description).toContain(
      'Level 1: approved by sam.manager on 2025-01-02: "ok for Q1"',
    );
    expect(issue.description).toContain(
      `Request in the portal: ${ctx.requestUrl}`,
    );
    expect(ctx.checkpoint.mock.calls.map(c => c[0])).toEqual([
      { note: expect.stringContaining('Creating Jira ticket') },
      { externalRef: 'IT-1', note: 'Jira ticket IT-1 created' },
    ]);
    const create = fake.creations()[0];
    expect(create.body.raiseOnBehalfOf).toBe('acct-jane');
  });

  it('names the grantee first and who filed it for a request on their behalf', async () => {
    const base = context();
    const ctx = context({
      request: {
        ...base.request,
        requester: 'user:default/sam.manager',
        grantee: 'user:default/jane.doe',
      },
      filer: {
        ref: 'user:default/sam.manager',
        displayName: 'Sam Manager',
        groups: [],
      },
    });
    await fulfiller().fulfill(ctx);
    const issue = fake.issue('IT-1')!;
    // The ticket is the grantee's: raised on her behalf, her access.
    expect(issue.reporter).toBe('acct-jane');
    expect(issue.summary).toBe(
      'App Access: Salesforce Read Only for Jane Doe, filed by Sam Manager',
    );
    expect(issue.description).toContain(
      'Salesforce Read Only for Jane Doe, filed by Sam Manager, was approved. Please grant it to Jane Doe',
    );
    expect(issue.description).toContain(
      'For: Jane Doe <jane.doe@example.com> (user:default/jane.doe)',
    );
    expect(issue.description).toContain(
      'Filed by: Sam Manager (user:default/sam.manager)',
    );
    expect(issue.description).not.toContain('Requester:');
  });

  it('raises it as the bot, naming the requester, when they are not a customer', async () => {
    const ctx = context({ email: 'kim.lee@example.com' } as any);
    const result = await fulfiller().fulfill(ctx);
    expect(result.status).toBe('awaiting_it');
    const issue = fake.issue('IT-1')!;
    expect(issue.reporter).toBe('acct-bot');
    expect(issue.description).toContain('<kim.lee@example.com>');
    expect(issue.description).toContain(
      "not on the requester's behalf: kim.lee@example.com is not a customer of service desk 1",
    );
  });

  it('falls back to the bot when Jira refuses raiseOnBehalfOf (400 about the customer)', async () => {
    fake.refuseOnBehalfOf.add('acct-jane');
    const result = await fulfiller().fulfill(context());
    expect(result.status).toBe('awaiting_it');
    expect(fake.issue('IT-1')!.reporter).toBe('acct-bot');
    expect(
      fake.calls
        .filter(c => c.path === '/rest/servicedeskapi/request')
        .map(c => c.status),
    ).toEqual([400, 201]);
    expect(fake.issue('IT-1')!.description).toContain(
      'Jira would not raise it on their behalf',
    );
  });

  it('labels the issue after creation when the request type has no Labels field', async () => {
    fake.acceptLabelsOnCreate = false;
    const ctx = context();
    const result = await fulfiller().fulfill(ctx);
    expect(result.status).toBe('awaiting_it');
    expect(fake.issue('IT-1')!.labels).toEqual([
      `app-access-${ctx.request.id}`,
    ]);
    const put = fake.calls.find(c => c.method === 'PUT');
    expect(put?.path).toBe('/rest/api/2/issue/IT-1');
    expect(put?.body).toEqual({
      update: { labels: [{ add: `app-access-${ctx.request.id}` }] },
    });
  });

  it('never files a second ticket when the result of the first call was lost', async () => {
    const jira = fulfiller();
    await jira.fulfill(context()); // result dropped: nothing recorded
    const again = await jira.fulfill(
      context({ previousExternalRef: undefined }),
    );
    expect(again).toMatchObject({ status: 'awaiting_it', externalRef: 'IT-1' });
    expect(fake.issues).toHaveLength(1);
    expect(fake.creations()).toHaveLength(1);
  });

  it('reuses the recorded ticket without searching', async () => {
    const jira = fulfiller();
    await jira.fulfill(context());
    fake.calls = [];
    const again = await jira.fulfill(context({ previousExternalRef: 'IT-1' }));
    expect(again).toMatchObject({ status: 'awaiting_it', externalRef: 'IT-1' });
    expect(fake.calls.map(c => `${c.method} ${c.path}`)).toEqual([
      'GET /rest/api/2/issue/IT-1',
    ]);
  });

  it('asks to retry after the Retry-After of a 429', async () => {
    fake.rateLimitNext(1, 7, { method: 'POST' });
    const result = await fulfiller().fulfill(context());
    expect(result).toEqual({
      status: 'retry',
      error: 'Jira is rate limiting App Access (429) while filing the ticket',
      retryAfterMs: 7000,
    });
    expect(fake.issues).toHaveLength(0);
  });

  it('asks to retry on 5xx and fails for good on bad credentials', async () => {
    fake.failNext(1, 503);
    expect((await fulfiller().fulfill(context())).status).toBe('retry');
    const bad = await fulfiller({ apiToken: 'wrong' }).fulfill(context());
    expect(bad).toEqual({
      status: 'failed',
      error: expect.stringContaining('Jira rejected the credentials (401)'),
    });
  });

  it('files one audit record per idempotency key', async () => {
    const jira = fulfiller();
    const ctx = context({
      idempotencyKey: 'app-access-audit-3f1c9d62-6c51-4c1e-8a38-5f4d2e0c0a11',
      request: {
        ...context().request,
        status: 'fulfilled',
        fulfilledBy: 'okta-group',
      },
    });
    const first = await jira.recordAudit(ctx);
    const second = await jira.recordAudit(ctx);
    expect(first).toEqual({
      externalRef: 'IT-1',
      externalUrl: `${fake.url}/browse/IT-1`,
    });
    expect(second).toEqual(first);
    const issue = fake.issue('IT-1')!;
    expect(issue.summary).toBe(
      'Record: Salesforce Read Only granted to Jane Doe',
    );
    expect(issue.labels).toEqual([
      'app-access-audit-3f1c9d62-6c51-4c1e-8a38-5f4d2e0c0a11',
    ]);
    expect(issue.reporter).toBe('acct-bot');
  });

  it('sends tickets where the settings page says, over the config', async () => {
    fake.serviceDesks.push({
      ...fake.serviceDesks[0],
      id: '2',
      projectKey: 'HR',
      projectName: 'HR Help',
      requestTypes: [{ id: '21', name: 'Access' }],
    });
    getSettings = jest.fn(async () => ({
      ticketing: {
        system: 'jira',
        jira: { serviceDeskId: '2', requestTypeId: '21' },
      },
    }));
    const result = await fulfiller().fulfill(context());
    expect(result).toMatchObject({
      status: 'awaiting_it',
      externalRef: 'HR-1',
    });
    expect(fake.creations()[0].body).toMatchObject({
      serviceDeskId: '2',
      requestTypeId: '21',
    });
    expect(await fulfiller().selfTest()).toMatchObject({
      ok: true,
      message: 'Jira is ready: tickets go to HR Help (HR), request type 21',
    });
  });

  it('fails clearly when no service desk is set anywhere', async () => {
    const result = await fulfiller({ serviceDeskId: undefined }).fulfill(
      context(),
    );
    expect(result).toEqual({
      status: 'failed',
      error:
        'No Jira service desk is set: set appAccess.jira.serviceDeskId or the service desk id on the App Access settings page',
    });
    expect(fake.issues).toHaveLength(0);
  });

  it('self-test reports exactly what is wrong', async () => {
    expect(await fulfiller().selfTest()).toMatchObject({
      ok: true,
      message: 'Jira is ready: tickets go to IT Help (IT), request type 11',
    });
    expect(await fulfiller({ apiToken: 'nope' }).selfTest()).toMatchObject({
      ok: false,
      message: 'Jira rejected the credentials (401)',
    });
    expect(await fulfiller({ serviceDeskId: '7' }).selfTest()).toMatchObject({
      ok: false,
      message: 'Jira: unknown service desk 7 (appAccess.jira.serviceDeskId)',
    });
    expect(await fulfiller({ requestTypeId: '99' }).selfTest()).toMatchObject({
      ok: false,
      message:
        'Jira: unknown request type 99 in service desk 1 (appAccess.jira.requestTypeId)',
    });
  });
});

describe('readJiraConfig', () => {
  const base = {
    baseUrl: 'https://acme.atlassian.net/',
    email: 'bot@acme.com',
    apiToken: 't',
    serviceDeskId: '7',
    requestTypeId: '12',
  };
  const read = (jira: unknown) =>
    readJiraConfig(new ConfigReader({ appAccess: { jira } } as any));

  it('is off without the section and fills defaults', () => {
    expect(readJiraConfig(new ConfigReader({}))).toBeUndefined();
    expect(read(base)).toEqual({
      baseUrl: 'https://acme.atlassian.net',
      email: 'bot@acme.com',
      apiToken: 't',
      serviceDeskId: '7',
      requestTypeId: '12',
      followEveryMinutes: 10,
      doneResolutionsWontDo: ["Won't Do", 'Declined', "Won't Fix"],
      timeoutMs: 30_000,
    });
  });

  it('names the invalid key', () => {
    expect(() => read({ ...base, baseUrl: 'acme' })).toThrow(
      /appAccess\.jira\.baseUrl/,
    );
    expect(() => read({ ...base, serviceDeskId: 'IT desk' })).toThrow(
      "Invalid config appAccess.jira.serviceDeskId: 'IT desk' is not a numeric Jira id such as '7'",
    );
    expect(() => read({ ...base, requestTypeId: 12 })).toThrow(
      /appAccess\.jira\.requestTypeId/,
    );
    expect(() => read({ ...base, apiToken: undefined })).toThrow(
      /appAccess\.jira\.apiToken/,
    );
    expect(() => read({ ...base, email: undefined })).toThrow(
      /appAccess\.jira\.email/,
    );
    expect(() => read({ ...base, followEveryMinutes: 0 })).toThrow(
      'Invalid config appAccess.jira.followEveryMinutes: must be a positive number',
    );
  });
});

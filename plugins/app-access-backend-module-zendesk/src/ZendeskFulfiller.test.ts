import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FulfillmentContext } from '@app-access/plugin-app-access-node';
import { FakeZendesk } from './testing/FakeZendesk';
import { ZendeskClient } from './ZendeskClient';
import { ZendeskFulfiller } from './ZendeskFulfiller';
import { readZendeskConfig } from './config';

jest.setTimeout(30_000);

const ID = '3f1c9d62-6c51-4c1e-8a38-5f4d2e0c0a11';

function context(
  overrides: Partial<FulfillmentContext> & { email?: string | undefined } = {},
) {
  const email = 'email' in overrides ? overrides.email : 'jane.doe@example.com';
  return {
    request: {
      id: ID,
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
      events: [
        {
          id: 'e1',
          at: '2025-01-02T10:00:00Z',
          actor: 'user:default/sam.manager',
          type: 'approved',
          level: 1,
          comment: 'ok for Q1',
        },
      ],
    },
    app: {
      id: 'salesforce',
      name: 'Salesforce',
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
    idempotencyKey: `app-access-${ID}`,
    requestUrl: `http://localhost:3000/apps/requests/${ID}`,
    checkpoint: jest.fn(async () => {}),
    ...overrides,
  } as FulfillmentContext & { checkpoint: jest.Mock };
}

describe('ZendeskFulfiller against the fake Zendesk', () => {
  let fake: FakeZendesk;
  let getSettings: jest.Mock | undefined;

  beforeAll(async () => {
    fake = await FakeZendesk.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    getSettings = undefined;
  });

  function fulfiller(overrides: Record<string, unknown> = {}) {
    const settings = readZendeskConfig(
      new ConfigReader({
        appAccess: {
          zendesk: {
            endpointUri: `${fake.url}/api/v2`,
            email: fake.email,
            apiToken: fake.apiToken,
            groupId: '360',
            ...overrides,
          },
        },
      }),
    )!;
    const created = new ZendeskFulfiller({
      client: new ZendeskClient(settings),
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

  it('files a ticket for the requester with tags, group, external id and Idempotency-Key', async () => {
    const ctx = context();
    const result = await fulfiller().fulfill(ctx);
    expect(result).toEqual({
      status: 'awaiting_it',
      externalRef: '1',
      externalUrl: `${fake.url}/agent/tickets/1`,
      message: 'Filed Zendesk ticket #1; waiting for IT',
    });
    const create = fake.creations()[0];
    expect(create.headers['idempotency-key']).toBe(`app-access-${ID}`);
    expect(create.body.ticket).toMatchObject({
      subject: 'App Access: Salesforce Read Only for Jane Doe',
      requester: { name: 'Jane Doe', email: 'jane.doe@example.com' },
      tags: ['app-access'],
      external_id: ID,
      group_id: 360,
    });
    const ticket = fake.ticket(1)!;
    expect(ticket.description).toContain(
      'Level 1: approved by sam.manager on 2025-01-02: "ok for Q1"',
    );
    expect(ticket.description).toContain(
      `Request in the portal: ${ctx.requestUrl}`,
    );
    expect(fake.users.find(u => u.id === ticket.requester_id)?.email).toBe(
      'jane.doe@example.com',
    );
    expect(ctx.checkpoint.mock.calls.map(c => c[0])).toEqual([
      { note: `Creating Zendesk ticket (external id ${ID})` },
      { externalRef: '1', note: 'Zendesk ticket #1 created' },
    ]);
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
    const create = fake.creations()[0];
    expect(create.body.ticket).toMatchObject({
      subject:
        'App Access: Salesforce Read Only for Jane Doe, filed by Sam Manager',
      requester: { name: 'Jane Doe', email: 'jane.doe@example.com' },
    });
    const ticket = fake.ticket(1)!;
    expect(ticket.description).toContain(
      'For: Jane Doe <jane.doe@example.com> (user:default/jane.doe)',
    );
    expect(ticket.description).toContain(
      'Filed by: Sam Manager (user:default/sam.manager)',
    );
  });

  it('never files a second ticket when the result of the first call was lost', async () => {
    const zendesk = fulfiller();
    await zendesk.fulfill(context()); // result dropped
    const again = await zendesk.fulfill(
      context({ previousExternalRef: undefined }),
    );
    expect(again).toMatchObject({ status: 'awaiting_it', externalRef: '1' });
    expect(fake.tickets).toHaveLength(1);
    expect(fake.calls.filter(c => c.method === 'POST')).toHaveLength(1);
  });

  it('the Idempotency-Key dedupes a repeat the lookup missed (lagging index)', async () => {
    fake.dropNextCreate();
    const zendesk = fulfiller();
    const first = await zendesk.fulfill(context());
    expect(first.status).toBe('retry');
    fake.listLag = true;
    const again = await zendesk.fulfill(context());
    expect(again).toMatchObject({ status: 'awaiting_it', externalRef: '1' });
    expect(fake.tickets).toHaveLength(1);
    expect(fake.calls.filter(c => c.method === 'POST')).toHaveLength(2);
  });

  it('reuses the recorded ticket, but not one of another request or a Jira key', async () => {
    const zendesk = fulfiller();
    await zendesk.fulfill(context());
    fake.calls = [];
    expect(
      await zendesk.fulfill(context({ previousExternalRef: '1' })),
    ).toMatchObject({
      externalRef: '1',
    });
    expect(fake.calls.map(c => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v2/tickets/1.json',
    ]);
    fake.calls = [];
    await zendesk.fulfill(context({ previousExternalRef: 'IT-4' }));
    expect(fake.calls[0].path).toBe('/api/v2/tickets.json');
  });

  it('handles the 429 quirk: create resolves with status 429, the request is retried after Retry-After', async () => {
    fake.rateLimitNext(1, 3, { method: 'POST' });
    const result = await fulfiller().fulfill(context());
    expect(result).toEqual({
      status: 'retry',
      error:
        'Zendesk answered 429 while creating the ticket: APIRateLimitExceeded; Number of allowed API requests per minute exceeded',
      retryAfterMs: 3000,
    });
    expect(fake.tickets).toHaveLength(0);
  });

  it('a 429 on the lookup (list call) keeps its Retry-After too', async () => {
    fake.rateLimitNext(1, 2, { method: 'GET' });
    const result = await fulfiller().fulfill(context());
    expect(result).toMatchObject({ status: 'retry', retryAfterMs: 2000 });
  });

  it('retries on 5xx (also 502, which node-zendesk resolves), fails on bad credentials', async () => {
    fake.failNext(1, 503);
    expect(await fulfiller().fulfill(context())).toMatchObject({
      status: 'retry',
    });
    fake.failNext(1, 502, { method: 'POST' });
    expect(await fulfiller().fulfill(context())).toMatchObject({
      status: 'retry',
      error: expect.stringContaining('Zendesk answered 502'),
    });
    expect(fake.tickets).toHaveLength(0);
    expect(await fulfiller({ apiToken: 'wrong' }).fulfill(context())).toEqual({
      status: 'failed',
      error:
        'Zendesk rejected the credentials (401): check appAccess.zendesk.email and appAccess.zendesk.apiToken',
    });
  });

  it('uses the group and tags from the settings page', async () => {
    fake.groups.push({ id: 777, name: 'Access Desk' });
    getSettings = jest.fn(async () => ({
      ticketing: {
        system: 'zendesk',
        zendesk: { groupId: '777', tags: ['access', 'sso'] },
      },
    }));
    await fulfiller().fulfill(context());
    expect(fake.creations()[0].body.ticket).toMatchObject({
      group_id: 777,
      tags: ['access', 'sso'],
    });
  });

  it('files one audit record per idempotency key, without emailing the person', async () => {
    const zendesk = fulfiller();
    const ctx = context({ idempotencyKey: `app-access-audit-${ID}` });
    const first = await zendesk.recordAudit(ctx);
    const second = await zendesk.recordAudit(ctx);
    expect(first).toEqual({
      externalRef: '1',
      externalUrl: `${fake.url}/agent/tickets/1`,
    });
    expect(second).toEqual(first);
    expect(fake.tickets).toHaveLength(1);
    const body = fake.creations()[0].body.ticket;
    expect(body.subject).toBe(
      'Record: Salesforce Read Only granted to Jane Doe',
    );
    expect(body.external_id).toBe(`app-access-audit-${ID}`);
    expect(body.tags).toEqual(['app-access', 'app_access_audit']);
    expect(body.requester).toBeUndefined();
  });

  it('self-test reports exactly what is wrong', async () => {
    expect(await fulfiller().selfTest()).toMatchObject({
      ok: true,
      message: 'Zendesk is ready: tickets go to group IT Access (360)',
    });
    expect(await fulfiller({ apiToken: 'nope' }).selfTest()).toMatchObject({
      ok: false,
      message: 'Zendesk rejected the credentials (401)',
    });
    expect(await fulfiller({ groupId: '42' }).selfTest()).toMatchObject({
      ok: false,
      message: 'Zendesk: unknown group 42 (appAccess.zendesk.groupId)',
    });
    fake.users[0].role = 'end-user';
    expect(await fulfiller().selfTest()).toMatchObject({
      ok: false,
      message: `${fake.email} is not a Zendesk agent (role end-user): tickets need an agent's API token`,
    });
  });
});

describe('readZendeskConfig', () => {
  const read = (zendesk: unknown) =>
    readZendeskConfig(new ConfigReader({ appAccess: { zendesk } } as any));
  const base = { subdomain: 'acme', email: 'bot@acme.com', apiToken: 't' };

  it('is off without the section, derives URLs and fills defaults', () => {
    expect(readZendeskConfig(new ConfigReader({}))).toBeUndefined();
    expect(read(base)).toEqual({
      endpointUri: 'https://acme.zendesk.com/api/v2',
      agentBaseUrl: 'https://acme.zendesk.com',
      email: 'bot@acme.com',
      apiToken: 't',
      groupId: undefined,
      tags: ['app-access'],
      followEveryMinutes: 10,
      timeoutMs: 30_000,
    });
    expect(
      read({
        ...base,
        subdomain: undefined,
        endpointUri: 'https://help.acme.com/api/v2/',
      }),
    ).toMatchObject({
      endpointUri: 'https://help.acme.com/api/v2',
      agentBaseUrl: 'https://help.acme.com',
    });
  });

  it('names the invalid key', () => {
    expect(() => read({ ...base, subdomain: undefined })).toThrow(
      'Invalid config appAccess.zendesk: set subdomain (acme for acme.zendesk.com) or endpointUri',
    );
    expect(() =>
      read({ ...base, endpointUri: 'https://acme.zendesk.com' }),
    ).toThrow(
      "Invalid config appAccess.zendesk.endpointUri: 'https://acme.zendesk.com' must be an http(s) URL ending in /api/v2",
    );
    expect(() => read({ ...base, subdomain: 'acme.zendesk.com' })).toThrow(
      /appAccess\.zendesk\.subdomain/,
    );
    expect(() => read({ ...base, groupId: 'IT' })).toThrow(
      /appAccess\.zendesk\.groupId/,
    );
    expect(() => read({ ...base, tags: ['has space'] })).toThrow(
      /appAccess\.zendesk\.tags/,
    );
    expect(() => read({ ...base, apiToken: undefined })).toThrow(
      /appAccess\.zendesk\.apiToken/,
    );
    expect(() => read({ ...base, followEveryMinutes: -1 })).toThrow(
      'Invalid config appAccess.zendesk.followEveryMinutes: must be a positive number',
    );
  });
});

import { TestDatabases } from '@backstage/backend-test-utils';
import jiraModule from '.';
import { CLOSED_BY_REQUESTER_NOTE } from '@app-access/plugin-app-access-node';
import { FakeJira } from './testing/FakeJira';
// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  JANE,
  KIM,
  SAM,
  IVAN,
  fakeOktaModule,
  startTicketingModuleTestBackend,
  TicketingModuleTestBackend,
  waitFor,
} from '@app-access/plugin-app-access-backend/testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'Jira module through the App Access core on %p',
  databaseId => {
    let fake: FakeJira;
    let backend: TicketingModuleTestBackend | undefined;

    beforeAll(async () => {
      fake = await FakeJira.start();
    });
    afterAll(() => fake.stop());

    beforeEach(() => fake.reset());
    afterEach(async () => {
      await backend?.stop();
      backend = undefined;
    });

    async function start(
      jira: Record<string, unknown> = {},
      more: { auditTickets?: boolean } = {},
    ) {
      backend = await startTicketingModuleTestBackend({
        ...more,
        extraFeatures: [fakeOktaModule],
        knex: await databases.init(databaseId),
        module: jiraModule,
        ticketing: 'jira',
        followTaskId: 'app-access-jira-follow',
        vendorConfig: {
          jira: {
            baseUrl: fake.url,
            email: fake.email,
            apiToken: fake.apiToken,
            serviceDeskId: '1',
            requestTypeId: '11',
            followEveryMinutes: 5,
            ...jira,
          },
        },
      });
      return backend;
    }

    it('files one ticket for an approved app without an Okta group; the request awaits IT with the key and link', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'read-only',
        approver: SAM,
      });
      const request = await b.waitForStatus(id, JANE, 'awaiting_it');

      expect(request.fulfilledBy).toBe('jira');
      expect(request.externalRef).toBe('IT-1');
      expect(request.externalUrl).toBe(`${fake.url}/browse/IT-1`);
      expect(fake.creations()).toHaveLength(1);
      const issue = fake.issue('IT-1')!;
      expect(issue.reporter).toBe('acct-jane');
      expect(issue.labels).toEqual([`app-access-${id}`]);
      expect(issue.summary).toBe(
        'App Access: Salesforce Read Only for Jane Doe',
      );
      expect(issue.description).toContain(
        'Justification: Quarterly pipeline review',
      );
      expect(issue.description).toMatch(
        /Level 1: approved by sam\.manager on \d{4}-\d\d-\d\d: "fine for Q1"/,
      );
      expect(issue.description).toContain(
        `Request in the portal: http://portal.example.com/apps/requests/${id}`,
      );

      const types = (
        request.events as Array<{ type: string; comment?: string }>
      ).map(e => e.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'fulfillment_started',
          'fulfillment_progress',
          'awaiting_it',
        ]),
      );
    });

    it('does not file a second ticket when the answer to the create was lost (crash/timeout)', async () => {
      fake.dropNextCreate();
      const b = await start();
      const id = await b.requestAccess({
        requester: KIM,
        tierId: 'sales-cloud',
      });
      const request = await b.waitForStatus(id, KIM, 'awaiting_it');

      expect(request.externalRef).toBe('IT-1');
      expect(fake.issues).toHaveLength(1);
      // the first create went through but its answer was lost; the retry found it by label
      const creates = fake.calls.filter(
        c => c.path === '/rest/servicedeskapi/request',
      );
      expect(creates).toHaveLength(1);
      expect(
        fake.calls.some(
          c =>
            c.path === '/rest/api/2/search/jql' &&
            c.query.jql === `labels = "app-access-${id}" ORDER BY created ASC`,
        ),
      ).toBe(true);
      expect(fake.issue('IT-1')!.reporter).toBe('acct-bot'); // Kim is no customer
    });

    it('gets through once Jira recovers from an outage (503s)', async () => {
      fake.failNext(4, 503);
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      const request = await b.waitForStatus(id, JANE, 'awaiting_it');
      expect(request.externalRef).toBe('IT-1');
      expect(fake.calls.filter(c => c.status === 503)).toHaveLength(4);
      expect(fake.issues).toHaveLength(1);
    });

    it('waits for the Retry-After of a 429 before trying again', async () => {
      fake.rateLimitNext(1, 1, {
        method: 'POST',
        path: '/rest/servicedeskapi/request',
      });
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');
      const creates = fake.calls.filter(
        c => c.path === '/rest/servicedeskapi/request',
      );
      expect(creates.map(c => c.status)).toEqual([429, 201]);
      expect(creates[1].at - creates[0].at).toBeGreaterThanOrEqual(900);
      expect(fake.issues).toHaveLength(1);
    });

    it('follow-up: a done ticket fulfils the request and tells the requester', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');

      await b.runFollowTask(); // still open: nothing happens
      expect((await b.api('GET', `/requests/${id}`, JANE)).body.status).toBe(
        'awaiting_it',
      );

      fake.transition('IT-1', {
        category: 'done',
        status: 'Resolved',
        resolution: 'Done',
      });
      await b.runFollowTask();
      const request = await b.waitForStatus(id, JANE, 'fulfilled');
      expect(
        request.events.find((e: any) => e.type === 'fulfilled').comment,
      ).toBe('Jira ticket IT-1 is Resolved (Done)');
      await waitFor('the requester to be notified', async () =>
        b.notificationsSend.mock.calls.find(
          ([n]) =>
            n.recipients.entityRef.includes(JANE) &&
            n.payload.title ===
              'Your request for Salesforce Sales Cloud User is fulfilled: you have access',
        ),
      );
    });

    it('follow-up: a ticket the requester resolved leaves the request with IT, noted once on the timeline', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');
      // Raised on behalf of Jane, a portal customer, who resolves it herself.
      expect(fake.issue('IT-1')!.reporter).toBe('acct-jane');
      fake.transition('IT-1', {
        category: 'done',
        status: 'Resolved',
        resolution: 'Done',
        by: 'acct-jane',
      });
      // A follower runs every few minutes and sees the same ticket each time.
      await b.runFollowTask();
      await b.runFollowTask();

      const request = (await b.api('GET', `/requests/${id}`, JANE)).body;
      expect(request.status).toBe('awaiting_it');
      expect(
        request.events.filter(
          (e: any) =>
            e.type === 'fulfillment_progress' &&
            e.comment === CLOSED_BY_REQUESTER_NOTE,
        ),
      ).toHaveLength(1);

      // An agent resolving it afterwards is IT's answer.
      fake.transition('IT-1', { category: 'indeterminate' });
      fake.transition('IT-1', { category: 'done', status: 'Resolved' });
      await b.runFollowTask();
      await b.waitForStatus(id, JANE, 'fulfilled');
    });

    it("follow-up: a ticket closed as won't do fails the request with the reason", async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');
      fake.transition('IT-1', {
        category: 'done',
        status: 'Closed',
        resolution: "Won't Do",
        comment: 'Use the shared reporting dashboard instead.',
      });
      await b.runFollowTask();
      // complete() has finished when the task returns. Needs the core to accept
      // awaiting_it -> failed in RequestWorkflow.completeFulfillment.
      const request = (await b.api('GET', `/requests/${id}`, JANE)).body;
      expect(request.status).toBe('failed');
      expect(request.failureReason).toBe(
        "Closed in Jira as Won't Do: Use the shared reporting dashboard instead.",
      );
    });

    it('files an audit-trail record ticket for a request fulfilled through Okta', async () => {
      const b = await start({}, { auditTickets: true });
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'analytics',
      });
      await b.waitForStatus(id, JANE, 'fulfilled');
      const request = await waitFor('the audit ticket note', async () => {
        const res = await b.api('GET', `/requests/${id}`, JANE);
        return res.body.events.some((e: any) =>
          e.comment?.startsWith('Audit ticket'),
        )
          ? res.body
          : undefined;
      });
      expect(request.events.map((e: any) => e.comment)).toContain(
        `Audit ticket IT-1 filed in jira (${fake.url}/browse/IT-1)`,
      );
      const issue = fake.issue('IT-1')!;
      expect(issue.summary).toBe(
        'Record: Salesforce Analytics granted to Jane Doe',
      );
      expect(issue.labels).toEqual([`app-access-audit-${id}`]);
      expect(fake.issues).toHaveLength(1);
      // the request itself stays with Okta's reference
      expect(request.externalRef).toMatch(/^okta:/);
    });

    it('files tickets in the service desk chosen on the settings page', async () => {
      fake.serviceDesks.push({
        ...fake.serviceDesks[0],
        id: '2',
        projectKey: 'ACC',
        projectName: 'Access Requests',
        requestTypes: [{ id: '21', name: 'Application access' }],
      });
      const b = await start();
      const current = await b.api('GET', '/settings', IVAN);
      const saved = await b.api('PUT', '/settings', IVAN, {
        ticketing: {
          ...current.body.values.ticketing,
          jira: { serviceDeskId: '2', requestTypeId: '21' },
        },
      });
      expect(saved.status).toBe(200);
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      const request = await b.waitForStatus(id, JANE, 'awaiting_it');
      expect(request.externalRef).toBe('ACC-1');
      const test = await b.api(
        'POST',
        '/admin/modules/fulfiller/jira/test',
        IVAN,
      );
      expect(test.body).toMatchObject({
        ok: true,
        message:
          'Jira is ready: tickets go to Access Requests (ACC), request type 21',
      });
    });

    it('self-test: bad token, unknown service desk, all good', async () => {
      let b = await start({ apiToken: 'expired-token' });
      let res = await b.api('POST', '/admin/modules/fulfiller/jira/test', IVAN);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ok: false,
        message: 'Jira rejected the credentials (401)',
      });
      await b.stop();

      b = await start({ serviceDeskId: '7' });
      res = await b.api('POST', '/admin/modules/fulfiller/jira/test', IVAN);
      expect(res.body).toMatchObject({
        ok: false,
        message: 'Jira: unknown service desk 7 (appAccess.jira.serviceDeskId)',
      });
      await b.stop();

      b = await start();
      res = await b.api('POST', '/admin/modules/fulfiller/jira/test', IVAN);
      expect(res.body).toMatchObject({ ok: true });
    });
  },
);

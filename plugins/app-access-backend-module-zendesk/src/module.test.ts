import { TestDatabases } from '@backstage/backend-test-utils';
import zendeskModule from '.';
import { CLOSED_BY_REQUESTER_NOTE } from '@app-access/plugin-app-access-node';
import { FakeZendesk } from './testing/FakeZendesk';
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
  'Zendesk module through the App Access core on %p',
  databaseId => {
    let fake: FakeZendesk;
    let backend: TicketingModuleTestBackend | undefined;

    beforeAll(async () => {
      fake = await FakeZendesk.start();
    });
    afterAll(() => fake.stop());

    beforeEach(() => fake.reset());
    afterEach(async () => {
      await backend?.stop();
      backend = undefined;
    });

    async function start(
      zendesk: Record<string, unknown> = {},
      more: { auditTickets?: boolean } = {},
    ) {
      backend = await startTicketingModuleTestBackend({
        ...more,
        extraFeatures: [fakeOktaModule],
        knex: await databases.init(databaseId),
        module: zendeskModule,
        ticketing: 'zendesk',
        followTaskId: 'app-access-zendesk-follow',
        vendorConfig: {
          zendesk: {
            endpointUri: `${fake.url}/api/v2`,
            email: fake.email,
            apiToken: fake.apiToken,
            groupId: '360',
            followEveryMinutes: 5,
            ...zendesk,
          },
        },
      });
      return backend;
    }

    it('files one ticket for an approved app without an Okta group; the request awaits IT with the id and link', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'read-only',
        approver: SAM,
      });
      const request = await b.waitForStatus(id, JANE, 'awaiting_it');

      expect(request.fulfilledBy).toBe('zendesk');
      expect(request.externalRef).toBe('1');
      expect(request.externalUrl).toBe(`${fake.url}/agent/tickets/1`);
      expect(fake.creations()).toHaveLength(1);
      const create = fake.creations()[0];
      expect(create.headers['idempotency-key']).toBe(`app-access-${id}`);
      expect(create.body.ticket).toMatchObject({
        subject: 'App Access: Salesforce Read Only for Jane Doe',
        requester: { name: 'Jane Doe', email: 'jane.doe@example.com' },
        tags: ['app-access'],
        external_id: id,
        group_id: 360,
      });
      const ticket = fake.ticket(1)!;
      expect(ticket.description).toContain(
        'Justification: Quarterly pipeline review',
      );
      expect(ticket.description).toMatch(
        /Level 1: approved by sam\.manager on \d{4}-\d\d-\d\d: "fine for Q1"/,
      );
      expect(ticket.description).toContain(
        `Request in the portal: http://portal.example.com/apps/requests/${id}`,
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
      expect(request.externalRef).toBe('1');
      expect(fake.tickets).toHaveLength(1);
      expect(fake.calls.filter(c => c.method === 'POST')).toHaveLength(1);
      expect(
        fake.calls.some(
          c =>
            c.path === '/api/v2/tickets.json' &&
            c.method === 'GET' &&
            c.query.external_id === id,
        ),
      ).toBe(true);
    });

    it('gets through once Zendesk recovers from an outage (503s)', async () => {
      fake.failNext(4, 503);
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      const request = await b.waitForStatus(id, JANE, 'awaiting_it');
      expect(request.externalRef).toBe('1');
      expect(fake.calls.filter(c => c.status === 503)).toHaveLength(4);
      expect(fake.tickets).toHaveLength(1);
    });

    it('handles the 429 quirk (create resolves with status 429) and retries after Retry-After', async () => {
      fake.rateLimitNext(1, 1, {
        method: 'POST',
        path: '/api/v2/tickets.json',
      });
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      const request = await b.waitForStatus(id, JANE, 'awaiting_it');
      const posts = fake.calls.filter(c => c.method === 'POST');
      expect(posts.map(c => c.status)).toEqual([429, 201]);
      expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(900);
      expect(fake.tickets).toHaveLength(1);
      expect(request.externalRef).toBe('1');
    });

    it('follow-up: a solved ticket fulfils the request and tells the requester', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');

      fake.update(1, { status: 'pending', comment: 'Which profile?' });
      await b.runFollowTask();
      expect((await b.api('GET', `/requests/${id}`, JANE)).body.status).toBe(
        'awaiting_it',
      );

      fake.update(1, { status: 'solved', comment: 'Done.' });
      await b.runFollowTask();
      const request = await b.waitForStatus(id, JANE, 'fulfilled');
      expect(
        request.events.find((e: any) => e.type === 'fulfilled').comment,
      ).toBe('Zendesk ticket #1 is solved');
      await waitFor('the requester to be notified', async () =>
        b.notificationsSend.mock.calls.find(
          ([n]) =>
            n.recipients.entityRef.includes(JANE) &&
            n.payload.title ===
              'Your request for Salesforce Sales Cloud User is fulfilled: you have access',
        ),
      );
    });

    it('follow-up: a ticket the requester solved leaves the request with IT, noted once on the timeline', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');
      const ticket = fake.ticket(1)!;
      expect(fake.users.find(u => u.id === ticket.requester_id)?.role).toBe(
        'end-user',
      );
      fake.update(1, {
        status: 'solved',
        comment: 'I do not need it any more',
        by: ticket.requester_id,
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

      // An agent solving it afterwards is IT's answer.
      fake.update(1, { status: 'open' });
      fake.update(1, { status: 'solved', comment: 'Seat assigned.' });
      await b.runFollowTask();
      await b.waitForStatus(id, JANE, 'fulfilled');
    });

    it('follow-up: a ticket solved with the app_access_wont_do tag fails the request with the reason', async () => {
      const b = await start();
      const id = await b.requestAccess({
        requester: JANE,
        tierId: 'sales-cloud',
      });
      await b.waitForStatus(id, JANE, 'awaiting_it');
      fake.update(1, {
        status: 'solved',
        addTags: ['app_access_wont_do'],
        comment: 'We have no Salesforce licences left this quarter.',
      });
      await b.runFollowTask();
      // complete() has finished when the task returns. Needs the core to accept
      // awaiting_it -> failed in RequestWorkflow.completeFulfillment.
      const request = (await b.api('GET', `/requests/${id}`, JANE)).body;
      expect(request.status).toBe('failed');
      expect(request.failureReason).toBe(
        "Closed in Zendesk as won't do: We have no Salesforce licences left this quarter.",
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
        `Audit ticket 1 filed in zendesk (${fake.url}/agent/tickets/1)`,
      );
      const body = fake.creations()[0].body.ticket;
      expect(body.subject).toBe(
        'Record: Salesforce Analytics granted to Jane Doe',
      );
      expect(body.external_id).toBe(`app-access-audit-${id}`);
      expect(fake.tickets).toHaveLength(1);
    });

    it('self-test: bad token, unknown group, all good', async () => {
      let b = await start({ apiToken: 'revoked' });
      let res = await b.api(
        'POST',
        '/admin/modules/fulfiller/zendesk/test',
        IVAN,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ok: false,
        message: 'Zendesk rejected the credentials (401)',
      });
      await b.stop();

      b = await start({ groupId: '42' });
      res = await b.api('POST', '/admin/modules/fulfiller/zendesk/test', IVAN);
      expect(res.body).toMatchObject({
        ok: false,
        message: 'Zendesk: unknown group 42 (appAccess.zendesk.groupId)',
      });
      await b.stop();

      b = await start();
      res = await b.api('POST', '/admin/modules/fulfiller/zendesk/test', IVAN);
      expect(res.body).toMatchObject({
        ok: true,
        message: 'Zendesk is ready: tickets go to group IT Access (360)',
      });
    });
  },
);

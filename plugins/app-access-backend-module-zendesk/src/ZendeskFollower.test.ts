import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AppAccessFulfillmentApi,
  CLOSED_BY_REQUESTER_NOTE,
} from '@app-access/plugin-app-access-node';
import { FakeZendesk } from './testing/FakeZendesk';
import { ZendeskClient } from './ZendeskClient';
import { ZendeskFollower } from './ZendeskFollower';
import { ZendeskThrottle } from './ZendeskThrottle';
import { readZendeskConfig } from './config';

describe('ZendeskFollower', () => {
  let fake: FakeZendesk;
  /** The client's rate-limit clock, moved on by the tests. */
  let clock = Date.now();

  beforeAll(async () => {
    fake = await FakeZendesk.start();
  });
  afterAll(() => fake.stop());

  async function setup() {
    fake.reset();
    const settings = readZendeskConfig(
      new ConfigReader({
        appAccess: {
          zendesk: {
            endpointUri: `${fake.url}/api/v2`,
            email: fake.email,
            apiToken: fake.apiToken,
          },
        },
      }),
    )!;
    clock = Date.now();
    const client = new ZendeskClient(
      settings,
      new ZendeskThrottle({ now: () => clock }),
    );
    for (const n of [1, 2, 3, 4, 5]) {
      await client.createTicket(
        {
          subject: `t${n}`,
          comment: { body: `Please grant ${n}` },
          external_id: `r${n}`,
          tags: ['app-access'],
          requester: { name: `Person ${n}`, email: `person${n}@acme.example` },
        },
        `k${n}`,
      );
    }
    const awaiting = [1, 2, 3, 4, 5, 6].map(n => ({
      id: `r${n}`,
      externalRef: n === 6 ? 'IT-6' : String(n), // 6: a Jira key from before a switch
    }));
    const fulfillment = {
      listAwaiting: jest.fn(async () => awaiting as any),
      complete: jest.fn(async (_id: string, _result: unknown) => {}),
      note: jest.fn(async (_id: string, _text: string) => {}),
      getSettings: jest.fn(),
    } satisfies AppAccessFulfillmentApi;
    const follower = new ZendeskFollower({
      client,
      fulfillment,
      logger: mockServices.logger.mock(),
    });
    return { follower, fulfillment };
  }

  it("completes solved/closed tickets; the app_access_wont_do tag fails the request with the agent's reason", async () => {
    const { follower, fulfillment } = await setup();
    fake.update(1, { status: 'solved', comment: 'Done, you have a seat now.' });
    fake.update(2, { status: 'closed' });
    fake.update(3, {
      status: 'solved',
      addTags: ['app_access_wont_do'],
      comment: 'internal: budget',
      public: false,
    });
    fake.update(3, {
      comment: 'We have no Salesforce licences left this quarter.',
    });
    fake.update(4, {
      status: 'pending',
      comment: 'Which profile do you need?',
    });
    fake.update(5, { status: 'solved', addTags: ['app_access_wont_do'] });

    const summary = await follower.run();

    expect(fulfillment.listAwaiting).toHaveBeenCalledWith('zendesk', 200);
    expect(fulfillment.complete.mock.calls).toEqual([
      ['r1', { status: 'fulfilled', message: 'Zendesk ticket #1 is solved' }],
      ['r2', { status: 'fulfilled', message: 'Zendesk ticket #2 is closed' }],
      [
        'r3',
        {
          status: 'failed',
          message:
            "Closed in Zendesk as won't do: We have no Salesforce licences left this quarter.",
        },
      ],
      [
        'r5',
        {
          status: 'failed',
          message: "Closed in Zendesk as won't do (ticket #5)",
        },
      ],
    ]);
    expect(summary).toEqual({
      checked: 5,
      fulfilled: ['r1', 'r2'],
      failed: ['r3', 'r5'],
      closedByRequester: [],
      removed: [],
      errors: 0,
    });
    expect(fulfillment.note).not.toHaveBeenCalled();
  });

  it('leaves a ticket the requester solved with IT and says so on the timeline', async () => {
    const { follower, fulfillment } = await setup();
    const requesterOf = (id: number) => fake.ticket(id)!.requester_id;
    // An end user marks their own request solved in the help center.
    fake.update(1, {
      status: 'solved',
      comment: 'Never mind, I found a workaround',
      by: requesterOf(1),
    });
    // Solved by the requester, then closed by Zendesk's own automation.
    fake.update(2, { status: 'solved', by: requesterOf(2) });
    fake.update(2, { status: 'closed', by: -1 });
    // The requester solved it, an agent reopened it and solved it for good.
    fake.update(3, { status: 'solved', by: requesterOf(3) });
    fake.update(3, { status: 'open', comment: 'Reopening: not done yet' });
    fake.update(3, { status: 'solved', comment: 'Seat assigned.' });

    const first = await follower.run();
    expect(first.closedByRequester).toEqual(['r1', 'r2']);
    expect(first.fulfilled).toEqual(['r3']);
    expect(fulfillment.complete.mock.calls.map(c => c[0])).toEqual(['r3']);
    expect(fulfillment.note.mock.calls).toEqual([
      ['r1', CLOSED_BY_REQUESTER_NOTE],
      ['r2', CLOSED_BY_REQUESTER_NOTE],
    ]);
    expect(fake.calls.map(c => c.path)).toContain(
      '/api/v2/tickets/1/audits.json',
    );
  });

  it('stops the round on a rate limit and picks up next time', async () => {
    const { follower, fulfillment } = await setup();
    fake.update(1, { status: 'solved' });
    fake.rateLimitNext(1, 30);
    expect((await follower.run()).errors).toBe(1);
    expect(fulfillment.complete).not.toHaveBeenCalled();
    // The next round, once the Retry-After has passed.
    clock += 30_000;
    await follower.run();
    expect(fulfillment.complete.mock.calls.map(c => c[0])).toEqual(['r1']);
  });
});

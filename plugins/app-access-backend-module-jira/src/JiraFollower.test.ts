import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AppAccessFulfillmentApi,
  CLOSED_BY_REQUESTER_NOTE,
} from '@app-access/plugin-app-access-node';
import { FakeJira } from './testing/FakeJira';
import { JiraClient } from './JiraClient';
import { JiraFollower } from './JiraFollower';
import { readJiraConfig } from './config';

describe('JiraFollower', () => {
  let fake: FakeJira;

  beforeAll(async () => {
    fake = await FakeJira.start();
  });
  afterAll(() => fake.stop());

  function issue(n: number) {
    fake.issues.push({
      id: String(20000 + n),
      key: `IT-${n}`,
      serviceDeskId: '1',
      requestTypeId: '11',
      summary: `ticket ${n}`,
      description: '',
      labels: [`app-access-r${n}`],
      reporter: 'acct-bot',
      statusName: 'Waiting for support',
      statusCategory: 'new',
      comments: [],
      changelog: [],
      created: new Date().toISOString(),
    });
  }

  function setup(wontDo?: string[]) {
    fake.reset();
    for (const n of [1, 2, 3, 4]) issue(n);
    const awaiting = [1, 2, 3, 4, 5].map(n => ({
      id: `r${n}`,
      externalRef: n === 5 ? '12345' : `IT-${n}`, // 5: a Zendesk id from before a switch
    }));
    const fulfillment = {
      listAwaiting: jest.fn(async () => awaiting as any),
      complete: jest.fn(async (_id: string, _result: unknown) => {}),
      note: jest.fn(async (_id: string, _text: string) => {}),
      getSettings: jest.fn(),
    } satisfies AppAccessFulfillmentApi;
    const settings = readJiraConfig(
      new ConfigReader({
        appAccess: {
          jira: {
            baseUrl: fake.url,
            email: fake.email,
            apiToken: fake.apiToken,
            serviceDeskId: '1',
            requestTypeId: '11',
            ...(wontDo ? { doneResolutionsWontDo: wontDo } : {}),
          },
        },
      }),
    )!;
    const follower = new JiraFollower({
      client: new JiraClient(settings),
      fulfillment,
      logger: mockServices.logger.mock(),
    });
    return { follower, fulfillment };
  }

  it("completes done tickets: fulfilled, or failed for a won't-do resolution with the last comment", async () => {
    const { follower, fulfillment } = setup();
    fake.transition('IT-1', {
      category: 'done',
      status: 'Resolved',
      resolution: 'Done',
    });
    fake.transition('IT-2', {
      category: 'done',
      status: 'Closed',
      resolution: 'Declined',
      comment: 'first',
    });
    fake.transition('IT-2', {
      category: 'done',
      status: 'Closed',
      resolution: 'Declined',
      comment: 'Licence budget is spent',
    });
    fake.transition('IT-3', { category: 'indeterminate' });
    fake.transition('IT-4', { category: 'done', resolution: "Won't Fix" });

    const summary = await follower.run();

    expect(fulfillment.listAwaiting).toHaveBeenCalledWith('jira', 200);
    expect(fulfillment.complete.mock.calls).toEqual([
      [
        'r1',
        { status: 'fulfilled', message: 'Jira ticket IT-1 is Resolved (Done)' },
      ],
      [
        'r2',
        {
          status: 'failed',
          message: 'Closed in Jira as Declined: Licence budget is spent',
        },
      ],
      ['r4', { status: 'failed', message: "Closed in Jira as Won't Fix" }],
    ]);
    expect(summary).toEqual({
      checked: 4,
      fulfilled: ['r1'],
      failed: ['r2', 'r4'],
      closedByRequester: [],
      removed: [],
      errors: 0,
    });
    expect(fulfillment.note).not.toHaveBeenCalled();
    expect(fake.calls.some(c => c.path.endsWith('/12345'))).toBe(false);
  });

  it('leaves a ticket the requester resolved with IT and says so on the timeline', async () => {
    const { follower, fulfillment } = setup();
    // IT-1 was raised for Jane (a portal customer), who resolves it herself.
    fake.issue('IT-1')!.reporter = 'acct-jane';
    fake.transition('IT-1', {
      category: 'done',
      status: 'Resolved',
      by: 'acct-jane',
    });
    // IT-2: a customer cancels from the portal with a won't-do resolution.
    fake.transition('IT-2', {
      category: 'done',
      status: 'Canceled',
      resolution: "Won't Do",
      by: 'acct-jane',
    });
    // IT-3: Jane resolved it, an agent reopened it and resolved it for good.
    fake.transition('IT-3', { category: 'done', by: 'acct-jane' });
    fake.transition('IT-3', { category: 'indeterminate' });
    fake.transition('IT-3', { category: 'done', status: 'Resolved' });
    // IT-4: raised for an agent's colleague who is a licensed user, and
    // resolved by that same account (the reporter).
    fake.issue('IT-4')!.reporter = 'acct-kim';
    fake.transition('IT-4', { category: 'done', by: 'acct-kim' });

    const summary = await follower.run();

    expect(summary.closedByRequester).toEqual(['r1', 'r2', 'r4']);
    expect(summary.fulfilled).toEqual(['r3']);
    expect(fulfillment.complete.mock.calls.map(c => c[0])).toEqual(['r3']);
    expect(fulfillment.note.mock.calls).toEqual([
      ['r1', CLOSED_BY_REQUESTER_NOTE],
      ['r2', CLOSED_BY_REQUESTER_NOTE],
      ['r4', CLOSED_BY_REQUESTER_NOTE],
    ]);
    expect(
      fake.calls.find(c => c.path === '/rest/api/2/issue/IT-1')?.query.expand,
    ).toBe('changelog');
  });

  it("uses the configured won't-do resolutions", async () => {
    const { follower, fulfillment } = setup(['Rejected']);
    fake.transition('IT-1', { category: 'done', resolution: "Won't Do" });
    fake.transition('IT-2', {
      category: 'done',
      resolution: 'rejected',
      comment: 'No.',
    });
    await follower.run();
    expect(fulfillment.complete.mock.calls).toEqual([
      [
        'r1',
        { status: 'fulfilled', message: "Jira ticket IT-1 is Done (Won't Do)" },
      ],
      ['r2', { status: 'failed', message: 'Closed in Jira as rejected: No.' }],
    ]);
  });

  it('stops the round on a rate limit and picks up next time', async () => {
    const { follower, fulfillment } = setup();
    fake.transition('IT-1', { category: 'done' });
    fake.transition('IT-2', { category: 'done' });
    fake.rateLimitNext(1, 30);
    const first = await follower.run();
    expect(first.errors).toBe(1);
    expect(fulfillment.complete).not.toHaveBeenCalled();
    await follower.run();
    expect(fulfillment.complete.mock.calls.map(c => c[0])).toEqual([
      'r1',
      'r2',
    ]);
  });
});

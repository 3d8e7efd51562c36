import { mockServices } from '@backstage/backend-test-utils';
import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { TeamsWebhookNotifier } from './TeamsWebhookNotifier';
import { FakeTeamsWebhook } from './testing/FakeTeamsWebhook';

const people: DirectoryPerson[] = [
  { ref: 'user:default/jane.doe', displayName: 'Jane Doe', groups: [] },
  { ref: 'user:default/sam.manager', displayName: 'Sam Manager', groups: [] },
  { ref: 'user:default/ivan.admin', displayName: 'Ivan Admin', groups: [] },
];

const decisions = {
  getPerson: async (ref: string) => people.find(p => p.ref === ref),
  portalUrl: (path: string) => `https://portal.acme.example${path}`,
} as unknown as AppAccessDecisionApi;

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appId: 'zoom',
  tierId: 'webinar',
  appName: 'Zoom',
  tierName: 'Webinar add-on',
  requester: 'user:default/jane.doe',
  status: 'pending_approval',
  level: 1,
  justification: 'Customer webinar series',
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:00:00.000Z',
};

const task: ApprovalTask = {
  id: 'task-1',
  requestId: 'req-1',
  level: 1,
  approvers: ['user:default/sam.manager'],
  status: 'open',
  reminders: 0,
  fallback: false,
  createdAt: '2026-11-27T10:00:00.000Z',
};

function message(overrides: Partial<AppAccessMessage> = {}): AppAccessMessage {
  return {
    kind: 'approval_needed',
    audience: 'approvers',
    recipients: ['user:default/sam.manager'],
    request,
    task,
    url: 'https://portal.acme.example/apps/approvals',
    idempotencyKey:
      'notify:msteams:approvers:approval_needed:req-1:task-1:initial',
    ...overrides,
  };
}

const texts = (card: any): string[] => [
  ...card.body
    .filter((b: any) => b.type === 'TextBlock')
    .map((b: any) => b.text),
  ...card.body
    .filter((b: any) => b.type === 'FactSet')
    .flatMap((b: any) => b.facts.map((f: any) => `${f.title}: ${f.value}`)),
];

describe('TeamsWebhookNotifier', () => {
  let fake: FakeTeamsWebhook;
  let notifier: TeamsWebhookNotifier;

  beforeAll(async () => {
    fake = await FakeTeamsWebhook.start();
    notifier = new TeamsWebhookNotifier({
      webhookUrl: fake.url,
      decisions,
      logger: mockServices.logger.mock(),
    });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('posts no reclamation question to the channel and reports the holder unreachable', async () => {
    const result = await notifier.notify(
      message({
        kind: 'reclaim_question',
        audience: 'holder',
        recipients: ['user:default/jane'],
        task: undefined,
        reclaim: {
          questionId: 'q-1',
          campaignId: 'camp-1',
          grantId: 'grant-1',
          deadlineAt: '2026-12-15T09:00:00.000Z',
          inactiveDays: 60,
        },
      }),
    );
    expect(result).toEqual({ unreachable: ['user:default/jane'] });
    expect(fake.posts).toHaveLength(0);
  });

  it('posts an approval-needed card with links to the approvals page and the request', async () => {
    await expect(notifier.notify(message())).resolves.toEqual({
      unreachable: [],
    });
    expect(fake.posts).toHaveLength(1);
    expect(fake.posts[0].problems).toEqual([]);
    expect(fake.posts[0].body).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
    const [card] = fake.cards;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Approval needed: Jane Doe asks for Zoom Webinar add-on',
        'Requester: Jane Doe',
        'App: Zoom',
        'Tier: Webinar add-on',
        'Level: 1',
        'Approvers: Sam Manager',
        'Customer webinar series',
      ]),
    );
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Review in App Access',
        url: 'https://portal.acme.example/apps/approvals',
      },
      {
        type: 'Action.OpenUrl',
        title: 'Open request',
        url: 'https://portal.acme.example/apps/requests/req-1',
      },
    ]);
  });

  it('posts a reminder card', async () => {
    await notifier.notify(message({ kind: 'reminder', reminderNumber: 2 }));
    expect(texts(fake.cards[0])[0]).toBe(
      "Reminder 2: Jane Doe's request for Zoom Webinar add-on still waits for approval",
    );
  });

  it('posts a decision once, for the approvers, not again for the requester', async () => {
    const decided: ApprovalTask = {
      ...task,
      status: 'denied',
      decidedBy: 'user:default/sam.manager',
      comment: 'No licences left',
    };
    const denied = { ...request, status: 'denied' as const, level: 0 };
    await notifier.notify(
      message({ kind: 'decision_recorded', task: decided, request: denied }),
    );
    await notifier.notify(
      message({
        kind: 'decision_recorded',
        audience: 'requester',
        recipients: ['user:default/jane.doe'],
        task: decided,
        request: denied,
      }),
    );
    expect(fake.cards).toHaveLength(1);
    expect(texts(fake.cards[0])).toEqual(
      expect.arrayContaining([
        "Denied: Jane Doe's request for Zoom Webinar add-on",
        'Denied by: Sam Manager',
        'Reason: No licences left',
      ]),
    );
    expect(fake.cards[0].actions.map((a: any) => a.title)).toEqual([
      'Open request',
    ]);
  });

  it('says an approved level hands over to the next one', async () => {
    await notifier.notify(
      message({
        kind: 'decision_recorded',
        task: {
          ...task,
          status: 'approved',
          decidedBy: 'user:default/sam.manager',
        },
        request: { ...request, level: 2 },
      }),
    );
    expect(texts(fake.cards[0])).toEqual(
      expect.arrayContaining([
        "Approved: level 1 of Jane Doe's request for Zoom Webinar add-on",
        'It now waits for level 2.',
      ]),
    );
  });

  it('posts status changes', async () => {
    await notifier.notify(
      message({
        kind: 'status_changed',
        audience: 'requester',
        recipients: ['user:default/jane.doe'],
        task: undefined,
        request: {
          ...request,
          status: 'failed',
          level: 0,
          failureReason: 'Okta group not found',
        },
      }),
    );
    expect(texts(fake.cards[0])).toEqual(
      expect.arrayContaining([
        "Jane Doe's request for Zoom Webinar add-on: setting up access failed",
        'Why: Okta group not found',
      ]),
    );
  });

  it('throws on a 500 so the outbox retries, and posts on the retry', async () => {
    fake.fail(500);
    await expect(notifier.notify(message())).rejects.toThrow(
      'Teams webhook answered HTTP 500',
    );
    await notifier.notify(message());
    expect(fake.posts.map(p => p.status)).toEqual([500, 202]);
    expect(fake.cards).toHaveLength(1);
  });

  it('throws on a 429 naming Retry-After', async () => {
    fake.fail(429, { retryAfter: 17 });
    await expect(notifier.notify(message())).rejects.toThrow(
      'Teams webhook rate-limited the post (HTTP 429); Retry-After 17 s',
    );
  });

  it('never puts the webhook URL (a credential) in errors', async () => {
    const unreachable = new TeamsWebhookNotifier({
      webhookUrl: 'http://127.0.0.1:1/invoke?sig=top-secret',
      decisions,
      logger: mockServices.logger.mock(),
    });
    const error = await unreachable.notify(message()).catch(e => e);
    expect(error.message).toMatch(
      /^Teams webhook at 127\.0\.0\.1:1 could not be reached/,
    );
    expect(error.message).not.toContain('top-secret');
  });

  it('self-tests the configuration without posting', async () => {
    const good = new TeamsWebhookNotifier({
      webhookUrl:
        'https://prod-01.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=secret',
      decisions,
      logger: mockServices.logger.mock(),
    });
    const result = await good.selfTest();
    expect(result).toMatchObject({
      ok: true,
      message:
        'Webhook URL is set (https://prod-01.westeurope.logic.azure.com/…); nothing was posted',
    });
    expect(JSON.stringify(result)).not.toContain('secret');
    await expect(notifier.selfTest()).resolves.toMatchObject({ ok: false });
    expect(fake.posts).toHaveLength(0);
  });
});

describe('FakeTeamsWebhook', () => {
  it('refuses cards with Action.Submit, as Teams webhooks do', async () => {
    const fake = await FakeTeamsWebhook.start();
    try {
      const res = await fetch(fake.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.card.adaptive',
              content: {
                type: 'AdaptiveCard',
                version: '1.4',
                body: [{ type: 'TextBlock', text: 'x' }],
                actions: [{ type: 'Action.Submit', title: 'Approve' }],
              },
            },
          ],
        }),
      });
      expect(res.status).toBe(400);
      expect(fake.posts[0].problems).toEqual([
        'Action.Submit is not supported by webhook cards (Action.OpenUrl only)',
      ]);
    } finally {
      await fake.stop();
    }
  });
});

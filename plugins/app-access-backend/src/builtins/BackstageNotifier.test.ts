import { AccessRequest } from '@app-access/plugin-app-access-common';
import { AppAccessMessage } from '@app-access/plugin-app-access-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { FakeDirectory, people } from '../__testUtils__/fakes';
import { BackstageNotifier } from './BackstageNotifier';

const JANE = 'user:default/jane.doe';
const SAM = 'user:default/sam.manager';

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appId: 'notion',
  tierId: 'editor',
  appName: 'Notion',
  tierName: 'Editor',
  requester: JANE,
  status: 'fulfilled',
  level: 1,
  justification: 'Writing the launch plan',
  createdAt: '2026-09-01T10:00:00.000Z',
  updatedAt: '2026-09-01T10:00:00.000Z',
};

function setup() {
  const sent: Array<Parameters<NotificationService['send']>[0]> = [];
  const notifications = {
    send: async (options: Parameters<NotificationService['send']>[0]) => {
      sent.push(options);
    },
  } as NotificationService;
  return {
    sent,
    notifier: new BackstageNotifier(notifications, new FakeDirectory(people)),
  };
}

const reclaim: AppAccessMessage = {
  kind: 'reclaim_question',
  audience: 'holder',
  recipients: [JANE],
  request,
  url: 'http://portal.test/apps/my-access',
  idempotencyKey: 'notify:backstage:holder:reclaim_question:q-1',
  reclaim: {
    questionId: 'q-1',
    campaignId: 'camp-1',
    grantId: 'grant-1',
    deadlineAt: '2026-12-15T09:00:00.000Z',
    inactiveDays: 60,
    lastSignInAt: '2026-08-20T12:00:00.000Z',
    message: 'We renew in January',
  },
};

describe('BackstageNotifier', () => {
  it('asks the holder in words, with the rule, the admin’s message, the deadline and a link to My access', async () => {
    const { notifier, sent } = setup();
    expect(await notifier.notify(reclaim)).toEqual({ unreachable: [] });
    expect(sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: [JANE] },
        payload: expect.objectContaining({
          title: 'Do you still need Notion Editor? Keep it or give it back',
          description:
            'We ask because of no sign-in for 60 days (last sign-in 2026-08-20). From IT: We renew in January Answer by 2026-12-15: without an answer the access is removed then.',
          link: 'http://portal.test/apps/my-access',
          severity: 'normal',
        }),
      },
    ]);
  });

  it('marks a reclamation reminder as such and urgent', async () => {
    const { notifier, sent } = setup();
    await notifier.notify({
      ...reclaim,
      kind: 'reclaim_reminder',
      reminderNumber: 1,
      reclaim: { ...reclaim.reclaim!, message: undefined },
    });
    expect(sent[0].payload).toEqual(
      expect.objectContaining({
        title:
          'Reminder: do you still need Notion Editor? Keep it or give it back',
        description:
          'We ask because of no sign-in for 60 days (last sign-in 2026-08-20). Answer by 2026-12-15: without an answer the access is removed then.',
        severity: 'high',
      }),
    );
  });

  it('puts the seat warning before the justification for approvers, only when set', async () => {
    const { notifier, sent } = setup();
    const approval: AppAccessMessage = {
      kind: 'approval_needed',
      audience: 'approvers',
      recipients: [SAM],
      request: { ...request, status: 'pending_approval' },
      url: 'http://portal.test/apps/approvals',
      idempotencyKey: 'k1',
    };
    await notifier.notify(approval);
    await notifier.notify({
      ...approval,
      idempotencyKey: 'k2',
      seatWarning: 'All 50 seats are in use; approving buys one more.',
    });
    expect(sent.map(s => s.payload.description)).toEqual([
      'Writing the launch plan',
      'All 50 seats are in use; approving buys one more. Writing the launch plan',
    ]);
  });
});

import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  AccessRequest,
  ApprovalTask,
  ReclaimQuestion,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { DatabaseSlackMessageStore } from './database/DatabaseSlackMessageStore';
import { migrateSlackTables } from './database/migrations';
import { createSlackWebClient } from './SlackApi';
import { SlackApprovalNotifier } from './SlackApprovalNotifier';
import { SlackInteractionHandler } from './SlackInteractionHandler';
import { FakeSlackApi } from './testing/FakeSlackApi';
import { buttonClick, viewSubmission } from './__testUtils__/slackInteractions';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const JANE = 'user:default/jane.doe';
const people: DirectoryPerson[] = [
  {
    ref: JANE,
    displayName: 'Jane Doe',
    email: 'jane.doe@acme.example',
    groups: [],
  },
  {
    ref: 'user:default/sam.manager',
    displayName: 'Sam Manager',
    email: 'sam.manager@acme.example',
    groups: [],
  },
];

type AnswerInput = Parameters<AppAccessDecisionApi['answerReclaim']>[0];

/**
 * The decision API as the module sees it, recording answers: it applies the
 * documented rules of answerReclaim to one question held by Jane.
 */
function decisionsFixture() {
  const answers: AnswerInput[] = [];
  let current: ReclaimQuestion = {
    id: 'q-1',
    campaignId: 'camp-1',
    grantId: 'grant-1',
    holder: JANE,
    appId: 'notion',
    tierId: 'editor',
    tierName: 'Editor',
    status: 'asked',
    askedAt: '2026-12-01T09:00:00.000Z',
    deadlineAt: '2026-12-15T09:00:00.000Z',
    reminders: 0,
  };
  const api = {
    getPerson: async (ref: string) => people.find(p => p.ref === ref),
    portalUrl: (path: string) => `http://portal.test${path}`,
    identify: async ({ email }: { email?: string }) => {
      const found = people.filter(
        p => p.email?.toLowerCase() === email?.toLowerCase(),
      );
      return found.length === 1
        ? { person: found[0] }
        : { refused: 'your account matches no Backstage user' };
    },
    answerReclaim: async (input: AnswerInput) => {
      answers.push(input);
      if (input.questionId !== current.id) {
        throw new NotAllowedError('No such question');
      }
      if (input.personRef !== current.holder) {
        throw new NotAllowedError('Only the holder answers this question');
      }
      if (input.answer === 'keep' && !input.reason?.trim()) {
        throw new InputError('reason: say why you keep it');
      }
      const status = input.answer === 'keep' ? 'kept' : 'released';
      if (current.status !== 'asked') {
        if (current.status === status) return current;
        throw new ConflictError(`Already answered: ${current.status}`);
      }
      current = {
        ...current,
        status,
        reason: input.reason,
        answeredVia: input.channel,
      };
      return current;
    },
  };
  return { api: api as unknown as AppAccessDecisionApi, answers };
}

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
  createdAt: '2026-09-01T10:00:00.000Z',
  updatedAt: '2026-09-01T10:00:00.000Z',
};

function question(overrides: Partial<AppAccessMessage> = {}): AppAccessMessage {
  return {
    kind: 'reclaim_question',
    audience: 'holder',
    recipients: [JANE],
    request,
    url: 'http://portal.test/apps/my-access',
    idempotencyKey: `notify:slack:holder:reclaim_question:q-1:${Math.random()}`,
    reclaim: {
      questionId: 'q-1',
      campaignId: 'camp-1',
      grantId: 'grant-1',
      deadlineAt: '2026-12-15T09:00:00.000Z',
      inactiveDays: 60,
      lastSignInAt: '2026-08-20T12:00:00.000Z',
      message: 'Licences are <tight> this quarter & we renew in January',
    },
    ...overrides,
  };
}

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

describe.each(databases.eachSupportedId())(
  'Slack reclamation questions on %p',
  databaseId => {
    let fake: FakeSlackApi;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    const logger = mockServices.logger.mock();

    beforeAll(async () => {
      fake = await FakeSlackApi.start({
        users: [
          { id: 'U0JANE', email: 'jane.doe@acme.example' },
          { id: 'U0SAM', email: 'sam.manager@acme.example' },
          { id: 'U0GHOST', email: 'ghost@elsewhere.example' },
        ],
      });
      knex = await databases.init(databaseId);
      await migrateSlackTables(knex);
    });
    afterAll(() => fake?.stop());
    beforeEach(() => fake.reset());

    function setup() {
      const decisions = decisionsFixture();
      const client = createSlackWebClient(
        { botToken: fake.token, apiUrl: fake.apiUrl },
        logger,
      );
      const notifier = new SlackApprovalNotifier({
        client,
        store: new DatabaseSlackMessageStore(knex),
        decisions: decisions.api,
        logger,
      });
      const handler = new SlackInteractionHandler({
        client,
        decisions: decisions.api,
        logger,
      });
      return { ...decisions, notifier, handler };
    }

    /** Asks Jane; returns her DM. */
    async function ask(notifier: SlackApprovalNotifier) {
      expect(await notifier.notify(question())).toEqual({ unreachable: [] });
      const dms = fake.dmsTo('U0JANE');
      expect(dms).toHaveLength(1);
      return dms[0];
    }

    const lastEphemeral = () =>
      fake.callsTo('chat.postEphemeral').map(c => c.args.text);

    it('DMs the holder the app, tier, rule, last sign-in, message and deadline with Keep it / Give it back', async () => {
      const { notifier } = setup();
      const dm = await ask(notifier);
      expect(dm.text).toBe(
        'Do you still need Notion Editor? Keep it or give it back by 2026-12-15',
      );
      const text = JSON.stringify(dm.blocks);
      expect(text).toContain('*App*\\nNotion');
      expect(text).toContain('*Tier*\\nEditor');
      expect(text).toContain(
        'no sign-in for 60 days (last sign-in 2026-08-20)',
      );
      expect(text).toContain(
        'Licences are &lt;tight&gt; this quarter &amp; we renew in January',
      );
      expect(text).toContain(
        `<!date^${
          Date.parse('2026-12-15T09:00:00.000Z') / 1000
        }^{date_long}|2026-12-15>`,
      );
      expect(text).toContain('http://portal.test/apps/my-access');
      const actions = dm.blocks!.find((b: any) => b.type === 'actions');
      const value = '{"questionId":"q-1","what":"Notion Editor"}';
      expect(actions.elements).toEqual([
        expect.objectContaining({
          action_id: 'app_access_reclaim_keep',
          text: { type: 'plain_text', text: 'Keep it' },
          value,
        }),
        expect.objectContaining({
          action_id: 'app_access_reclaim_release',
          text: { type: 'plain_text', text: 'Give it back' },
          value,
          confirm: expect.objectContaining({
            confirm: { type: 'plain_text', text: 'Give it back' },
          }),
        }),
      ]);
    });

    it('says "Reminder" in a reminder and leaves the last sign-in out when unknown', async () => {
      const { notifier } = setup();
      const base = question();
      await notifier.notify({
        ...base,
        kind: 'reclaim_reminder',
        reminderNumber: 2,
        reclaim: { ...base.reclaim!, lastSignInAt: undefined },
      });
      const [dm] = fake.dmsTo('U0JANE');
      expect(dm.text).toMatch(/^Reminder: Do you still need Notion Editor\?/);
      const text = JSON.stringify(dm.blocks);
      expect(text).toContain(':bell: Reminder 2:');
      expect(text).toContain('no sign-in for 60 days');
      expect(text).not.toContain('last sign-in');
    });

    it('delivers a retried question once, updating the DM', async () => {
      const { notifier } = setup();
      const once = question();
      await notifier.notify(once);
      await notifier.notify(once);
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
      expect(fake.dmsTo('U0JANE')).toHaveLength(1);
    });

    it('reports a holder without Slack as unreachable', async () => {
      const { notifier } = setup();
      const result = await notifier.notify(
        question({ recipients: ['user:default/nobody'] }),
      );
      expect(result).toEqual({ unreachable: ['user:default/nobody'] });
      expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    });

    it('Give it back records a release as the identified holder and shows it in the message', async () => {
      const { notifier, handler, answers } = setup();
      const dm = await ask(notifier);
      await handler.handle(
        buttonClick({
          slackUserId: 'U0JANE',
          message: dm,
          actionId: 'app_access_reclaim_release',
        }),
      );
      expect(answers).toEqual([
        {
          questionId: 'q-1',
          personRef: JANE,
          answer: 'release',
          reason: undefined,
          channel: 'slack',
        },
      ]);
      const [updated] = fake.dmsTo('U0JANE');
      expect(updated.text).toBe(
        'You gave Notion Editor back; it is being removed. Thank you.',
      );
      expect(JSON.stringify(updated.blocks)).not.toContain(
        'app_access_reclaim',
      );
      expect(lastEphemeral()).toEqual([]);
    });

    it('Keep it opens a modal; without a reason it is refused there, with one it records keep', async () => {
      const { notifier, handler, answers } = setup();
      const dm = await ask(notifier);
      await handler.handle(
        buttonClick({
          slackUserId: 'U0JANE',
          message: dm,
          actionId: 'app_access_reclaim_keep',
        }),
      );
      expect(answers).toEqual([]);
      const [opened] = fake.callsTo('views.open');
      expect(opened.args.view.callback_id).toBe(
        'app_access_reclaim_keep_reason',
      );

      const blank = await handler.handle(
        viewSubmission({
          slackUserId: 'U0JANE',
          view: opened.args.view,
          values: { reason: { reason_input: '   ' } },
        }),
      );
      expect(blank).toEqual({
        response_action: 'errors',
        errors: { reason: 'A reason is required to keep it' },
      });
      expect(answers).toEqual([]);

      const kept = await handler.handle(
        viewSubmission({
          slackUserId: 'U0JANE',
          view: opened.args.view,
          values: { reason: { reason_input: 'Weekly planning docs' } },
        }),
      );
      expect(kept).toBeUndefined();
      expect(answers).toEqual([
        {
          questionId: 'q-1',
          personRef: JANE,
          answer: 'keep',
          reason: 'Weekly planning docs',
          channel: 'slack',
        },
      ]);
      const [updated] = fake.dmsTo('U0JANE');
      expect(updated.text).toBe(
        'You keep Notion Editor. Your reason: Weekly planning docs',
      );
    });

    it('tells someone other than the holder why not, in words, and leaves the message', async () => {
      const { notifier, handler } = setup();
      const dm = await ask(notifier);
      await handler.handle(
        buttonClick({
          slackUserId: 'U0SAM',
          message: dm,
          actionId: 'app_access_reclaim_release',
        }),
      );
      expect(lastEphemeral()).toEqual([
        'Only the holder answers this question',
      ]);
      expect(fake.dmsTo('U0JANE')[0].history).toHaveLength(1);

      // A Slack account that matches no Backstage user.
      await handler.handle(
        buttonClick({
          slackUserId: 'U0GHOST',
          message: dm,
          actionId: 'app_access_reclaim_release',
        }),
      );
      expect(lastEphemeral()[1]).toBe(
        'We could not tell who you are: your Slack account matches no Backstage user',
      );
    });

    it('refuses a different second answer with the reason in the modal', async () => {
      const { notifier, handler } = setup();
      const dm = await ask(notifier);
      // The keep button as it was before the release updated the message
      // (a second device, or a stale client).
      const staleKeep = buttonClick({
        slackUserId: 'U0JANE',
        message: dm,
        actionId: 'app_access_reclaim_keep',
      });
      await handler.handle(
        buttonClick({
          slackUserId: 'U0JANE',
          message: dm,
          actionId: 'app_access_reclaim_release',
        }),
      );
      await handler.handle(staleKeep);
      const [opened] = fake.callsTo('views.open');
      const refused = await handler.handle(
        viewSubmission({
          slackUserId: 'U0JANE',
          view: opened.args.view,
          values: { reason: { reason_input: 'Changed my mind' } },
        }),
      );
      expect(refused).toEqual({
        response_action: 'errors',
        errors: { reason: 'Already answered: released' },
      });
    });

    it('shows the seat warning in approval DMs when set, and not otherwise', async () => {
      const { notifier } = setup();
      const approval: AppAccessMessage = {
        kind: 'approval_needed',
        audience: 'approvers',
        recipients: ['user:default/sam.manager'],
        request: { ...request, status: 'pending_approval' },
        task,
        url: 'http://portal.test/apps/approvals',
        idempotencyKey: `notify:slack:approvers:${Math.random()}`,
      };
      await notifier.notify(approval);
      expect(JSON.stringify(fake.dmsTo('U0SAM')[0].blocks)).not.toContain(
        ':warning:',
      );
      fake.reset();
      await notifier.notify({
        ...approval,
        kind: 'reminder',
        reminderNumber: 1,
        idempotencyKey: `notify:slack:approvers:${Math.random()}`,
        seatWarning: 'All 50 seats are in use; approving buys one more.',
      });
      expect(JSON.stringify(fake.dmsTo('U0SAM')[0].blocks)).toContain(
        ':warning: All 50 seats are in use; approving buys one more.',
      );
    });
  },
);

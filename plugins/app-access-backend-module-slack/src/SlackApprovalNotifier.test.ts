import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  AccessRequest,
  ApprovalTask,
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
import { FakeSlackApi } from './testing/FakeSlackApi';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const people: DirectoryPerson[] = [
  {
    ref: 'user:default/jane.doe',
    displayName: 'Jane Doe',
    email: 'jane.doe@acme.example',
    groups: [],
  },
  {
    ref: 'user:default/sam.manager',
    displayName: 'Sam Manager',
    email: 'Sam.Manager@acme.example',
    groups: [],
  },
  {
    ref: 'user:default/nina.nobody',
    displayName: 'Nina Nobody',
    email: 'nina.nobody@acme.example',
    groups: [],
  },
  { ref: 'user:default/no.email', displayName: 'No Email', groups: [] },
];

const decisions = {
  getPerson: async (ref: string) => people.find(p => p.ref === ref),
  portalUrl: (path: string) => `http://portal.test${path}`,
} as unknown as AppAccessDecisionApi;

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appId: 'notion',
  tierId: 'editor',
  appName: 'Notion',
  tierName: 'Editor',
  requester: 'user:default/jane.doe',
  status: 'pending_approval',
  level: 1,
  justification: 'Writing the <launch> plan & notes',
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
    url: 'http://portal.test/apps/approvals',
    idempotencyKey: `notify:slack:approvers:approval_needed:req-1:task-1:${Math.random()}`,
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'SlackApprovalNotifier on %p',
  databaseId => {
    let fake: FakeSlackApi;
    let notifier: SlackApprovalNotifier;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    const logger = mockServices.logger.mock();

    beforeAll(async () => {
      fake = await FakeSlackApi.start({
        users: [
          { id: 'U0JANE', email: 'jane.doe@acme.example' },
          { id: 'U0SAM', email: 'sam.manager@acme.example' },
        ],
      });
      knex = await databases.init(databaseId);
      await migrateSlackTables(knex);
      notifier = new SlackApprovalNotifier({
        client: createSlackWebClient(
          { botToken: fake.token, apiUrl: fake.apiUrl },
          logger,
        ),
        store: new DatabaseSlackMessageStore(knex),
        decisions,
        logger,
      });
    });

    afterAll(() => fake?.stop());
    beforeEach(() => fake.reset());

    it('DMs the approver a summary with Approve and Deny buttons', async () => {
      const result = await notifier.notify(message());
      expect(result).toEqual({ unreachable: [] });
      const [dm] = fake.dmsTo('U0SAM');
      expect(dm.text).toBe(
        'Jane Doe asks for access to Notion Editor: approve or deny',
      );
      const text = JSON.stringify(dm.blocks);
      expect(text).toContain('Writing the &lt;launch&gt; plan &amp; notes');
      expect(text).toContain('*Level*\\n1');
      const actions = dm.blocks!.find((b: any) => b.type === 'actions');
      expect(actions.elements).toEqual([
        expect.objectContaining({
          action_id: 'app_access_approve',
          style: 'primary',
          value: '{"requestId":"req-1","taskId":"task-1"}',
        }),
        expect.objectContaining({
          action_id: 'app_access_deny',
          style: 'danger',
          value: '{"requestId":"req-1","taskId":"task-1"}',
        }),
      ]);
      // Every call carried the bot token.
      expect(fake.apiCalls.every(c => c.token === fake.token)).toBe(true);
    });

    it('reports approvers without a Slack account or without an email as unreachable', async () => {
      const result = await notifier.notify(
        message({
          recipients: [
            'user:default/nina.nobody',
            'user:default/no.email',
            'user:default/sam.manager',
          ],
        }),
      );
      expect(result.unreachable).toEqual([
        'user:default/nina.nobody',
        'user:default/no.email',
      ]);
      expect(
        fake.callsTo('users.lookupByEmail').map(c => c.args.email),
      ).toEqual(['Sam.Manager@acme.example']);
      expect(fake.dmsTo('U0SAM')).toHaveLength(1);
    });

    it('updates instead of posting again when the same delivery is retried', async () => {
      const first = message();
      await notifier.notify(first);
      await notifier.notify(first);
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
      expect(fake.callsTo('chat.update')).toHaveLength(1);
      expect(fake.dmsTo('U0SAM')).toHaveLength(1);
    });

    it('posts again when the message of an earlier attempt was deleted in Slack', async () => {
      const first = message();
      await notifier.notify(first);
      fake.messages.clear();
      await notifier.notify(first);
      expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
      expect(fake.dmsTo('U0SAM')).toHaveLength(1);
    });

    describe('a post whose answer or record was lost', () => {
      const postPath = '/api/chat.postMessage';

      it('finds the earlier attempt’s message by its marker and updates it instead of posting again', async () => {
        const first = message();
        // Slack posts the DM, the answer never arrives (a timeout or a
        // cut connection after the post): the outbox retries the delivery.
        fake.failNext(1, { drop: 'after' }, { path: postPath });
        await expect(notifier.notify(first)).rejects.toThrow();
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);

        await notifier.notify(first);
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);
        expect(fake.callsTo('chat.postMessage', { all: true })).toHaveLength(1);
        expect(fake.callsTo('conversations.history')).toHaveLength(1);
        expect(fake.callsTo('chat.update')).toHaveLength(1);
        // Found once, the ts is recorded: a third attempt just updates.
        await notifier.notify(first);
        expect(fake.callsTo('conversations.history')).toHaveLength(1);
        expect(fake.callsTo('chat.update')).toHaveLength(2);
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);
      });

      it('finds it when the post succeeded but storing its ts failed (the database went away)', async () => {
        const real = new DatabaseSlackMessageStore(knex);
        let failOnce = true;
        const flaky = Object.create(real, {
          save: {
            value: async (record: { ts: string }) => {
              if (record.ts && failOnce) {
                failOnce = false;
                throw new Error('Connection terminated unexpectedly');
              }
              return real.save(record as any);
            },
          },
        });
        const flakyNotifier = new SlackApprovalNotifier({
          client: createSlackWebClient(
            { botToken: fake.token, apiUrl: fake.apiUrl },
            logger,
          ),
          store: flaky,
          decisions,
          logger,
        });
        const first = message();
        await expect(flakyNotifier.notify(first)).rejects.toThrow(
          'Connection terminated unexpectedly',
        );
        await flakyNotifier.notify(first);
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);
        expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
        // The decision reaches the one copy.
        await notifier.notify(
          message({
            kind: 'decision_recorded',
            task: {
              ...task,
              status: 'approved',
              decidedBy: 'user:default/sam.manager',
            },
            idempotencyKey: `${first.idempotencyKey}:decided`,
          }),
        );
        const [dm] = fake.dmsTo('U0SAM');
        expect(JSON.stringify(dm.blocks)).not.toContain('app_access_approve');
      });

      it('posts on the retry when the earlier attempt failed before Slack posted', async () => {
        const first = message();
        fake.failNext(1, 500, { path: postPath });
        await expect(notifier.notify(first)).rejects.toThrow();
        expect(fake.dmsTo('U0SAM')).toHaveLength(0);
        await notifier.notify(first);
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);
        expect(fake.callsTo('conversations.history')).toHaveLength(1);
        expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
      });

      it('looks only when an attempt may have posted: a first post reads no history', async () => {
        await notifier.notify(message());
        expect(fake.callsTo('conversations.history', { all: true })).toEqual(
          [],
        );
        const [post] = fake.callsTo('chat.postMessage');
        expect(post.args.metadata).toEqual({
          event_type: 'app_access_delivery',
          event_payload: { delivery: expect.stringMatching(/^[0-9a-f]{32}$/) },
        });
      });

      it('without the history scope it says so and posts again (the documented second copy)', async () => {
        const first = message();
        fake.failNext(1, { drop: 'after' }, { path: postPath });
        await expect(notifier.notify(first)).rejects.toThrow();
        fake.failWith('conversations.history', 'missing_scope');
        logger.warn.mockClear();
        await notifier.notify(first);
        expect(fake.dmsTo('U0SAM')).toHaveLength(2);
        expect(logger.warn).toHaveBeenCalledWith(
          expect.stringContaining('missing_scope'),
        );
      });

      it('throws (and posts nothing) when the history cannot be read for another reason', async () => {
        const first = message();
        fake.failNext(1, { drop: 'after' }, { path: postPath });
        await expect(notifier.notify(first)).rejects.toThrow();
        fake.failNext(1, 500, { path: '/api/conversations.history' });
        await expect(notifier.notify(first)).rejects.toThrow(
          'conversations.history',
        );
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);
        await notifier.notify(first);
        expect(fake.dmsTo('U0SAM')).toHaveLength(1);
      });
    });

    it('takes the buttons off every approver copy once the task is decided', async () => {
      const decided = { ...task, id: 'task-decided' };
      await notifier.notify(message({ task: decided }));
      await notifier.notify(
        message({ task: decided, kind: 'reminder', reminderNumber: 1 }),
      );
      expect(fake.dmsTo('U0SAM').map(m => m.text)).toEqual([
        'Jane Doe asks for access to Notion Editor: approve or deny',
        'Reminder: Jane Doe asks for access to Notion Editor: approve or deny',
      ]);
      await notifier.notify(
        message({
          kind: 'decision_recorded',
          task: {
            ...decided,
            status: 'approved',
            decidedBy: 'user:default/sam.manager',
          },
        }),
      );
      for (const dm of fake.dmsTo('U0SAM')) {
        expect(dm.blocks!.some((b: any) => b.type === 'actions')).toBe(false);
        expect(dm.text).toContain('Approved by Sam Manager');
      }
    });

    it('tells the requester how their request ended', async () => {
      const result = await notifier.notify(
        message({
          kind: 'status_changed',
          audience: 'requester',
          recipients: ['user:default/jane.doe'],
          task: undefined,
          request: { ...request, status: 'fulfilled', level: 0 },
          url: 'http://portal.test/apps/requests/req-1',
        }),
      );
      expect(result.unreachable).toEqual([]);
      const [dm] = fake.dmsTo('U0JANE');
      expect(dm.text).toBe('You now have access to Notion Editor.');
      expect(JSON.stringify(dm.blocks)).toContain(
        'http://portal.test/apps/requests/req-1',
      );
    });

    it('throws on a 429 so the outbox retries, naming Retry-After', async () => {
      fake.rateLimit('chat.postMessage', { retryAfter: 30 });
      await expect(notifier.notify(message())).rejects.toThrow(
        'Slack rate-limited chat.postMessage (HTTP 429); Retry-After 30 s',
      );
      // One attempt only: the client does not wait 30 s and retry by itself.
      expect(fake.callsTo('chat.postMessage', { all: true })).toHaveLength(1);
    });

    it('throws on other Slack errors with the error code', async () => {
      fake.failWith('users.lookupByEmail', 'missing_scope');
      await expect(notifier.notify(message())).rejects.toThrow(
        'Slack users.lookupByEmail failed: missing_scope',
      );
    });

    it('self-tests the token with auth.test', async () => {
      await expect(notifier.selfTest()).resolves.toMatchObject({
        ok: true,
        message: 'Connected to Slack workspace Acme as app-access',
      });
      const broken = new SlackApprovalNotifier({
        client: createSlackWebClient(
          { botToken: 'xoxb-revoked', apiUrl: fake.apiUrl },
          logger,
        ),
        store: new DatabaseSlackMessageStore(await databases.init(databaseId)),
        decisions,
        logger,
      });
      await expect(broken.selfTest()).resolves.toEqual({
        ok: false,
        message: 'Slack refused the bot token: invalid_auth',
      });
    });
  },
);

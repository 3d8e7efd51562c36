import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { connectTeamsDatabase } from '../database/migrations';
import { TeamsBotStore } from '../database/TeamsBotStore';
import { FakeBotFramework, FakeTeamsUser } from '../testing/FakeBotFramework';
import { readTeamsSettings } from '../config';
import { ConfigReader } from '@backstage/config';
import { BotConnector } from './BotConnector';
import { TeamsBotNotifier } from './TeamsBotNotifier';
import { APPROVE_VERB } from './BotCards';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const APP_ID = '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b';

const sam: FakeTeamsUser = {
  name: 'Sam Manager',
  email: 'sam@acme.example',
  aadObjectId: '00000000-0000-4000-8000-000000000001',
};

/** The catalog side: people by ref, portal links; nothing else is used. */
function directory(people: DirectoryPerson[]): AppAccessDecisionApi {
  const unused = () => {
    throw new Error('not used by the notifier');
  };
  return {
    getPerson: async ref => people.find(p => p.ref === ref),
    portalUrl: path => `https://portal.acme.example${path}`,
    decide: unused,
    answerReclaim: unused,
    getRequest: unused,
    getTask: unused,
    findPersonByEmail: unused,
    identify: unused,
    getSettings: unused,
  };
}

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appName: 'Notion',
  tierName: 'Editor',
  requester: 'user:default/jane',
  status: 'pending_approval',
  level: 1,
  justification: 'Team wiki',
  createdAt: '2026-12-06T10:00:00Z',
  updatedAt: '2026-12-06T10:00:00Z',
};

const message = (key: string, kind: AppAccessMessage['kind']) =>
  ({
    kind,
    audience: 'approvers',
    recipients: ['user:default/sam', 'user:default/nobody'],
    request,
    task: {
      id: 'task-1',
      requestId: 'req-1',
      level: 1,
      approvers: ['user:default/sam', 'user:default/nobody'],
      status: 'open',
      reminders: 0,
      fallback: false,
      createdAt: '2026-12-06T10:00:00Z',
    },
    url: 'https://portal.acme.example/apps/approvals',
    idempotencyKey: key,
    reminderNumber: kind === 'reminder' ? 1 : undefined,
  } as AppAccessMessage);

describe.each(databases.eachSupportedId())(
  'TeamsBotNotifier on %p',
  databaseId => {
    let fake: FakeBotFramework;
    let store: TeamsBotStore;
    let notifier: TeamsBotNotifier;
    const settings = (appPassword: string) =>
      readTeamsSettings(
        new ConfigReader({
          appAccess: {
            msteams: {
              bot: {
                appId: APP_ID,
                appPassword,
                tenantId: fake.tenantId,
                openIdMetadataUrl: fake.openIdMetadataUrl,
                issuer: fake.issuer,
                tokenUrl: fake.tokenUrl,
              },
            },
          },
        }),
      )!.bot!;

    beforeAll(async () => {
      fake = await FakeBotFramework.start({ appId: APP_ID, users: [sam] });
      const knex = await databases.init(databaseId);
      store = new TeamsBotStore(
        await connectTeamsDatabase(
          mockServices.database({ knex, migrations: { skip: false } }),
        ),
      );
      await store.saveConversation({
        aadObjectId: sam.aadObjectId,
        personRef: 'user:default/sam',
        email: sam.email,
        userId: fake.userIdOf(sam),
        conversationId: fake.conversationIdOf(sam),
        serviceUrl: fake.serviceUrl,
      });
      notifier = new TeamsBotNotifier({
        connector: new BotConnector(settings(fake.appPassword)),
        store,
        decisions: directory([
          { ref: 'user:default/jane', displayName: 'Jane Doe', groups: [] },
          { ref: 'user:default/sam', displayName: 'Sam Manager', groups: [] },
        ]),
        logger: mockServices.logger.mock(),
      });
    });

    afterAll(async () => {
      await fake?.stop();
    });

    it('sends each approver one card; someone without the app is unreachable', async () => {
      expect(await notifier.notify(message('k-1', 'approval_needed'))).toEqual({
        unreachable: ['user:default/nobody'],
      });
      const cards = fake.messagesTo(sam);
      expect(cards).toHaveLength(1);
      expect(JSON.stringify(cards[0].activity)).toContain('Jane Doe');
      expect(JSON.stringify(cards[0].activity)).toContain(APPROVE_VERB);
    });

    it('a retried delivery updates the card it already sent instead of sending another', async () => {
      await notifier.notify(message('k-1', 'approval_needed'));
      const cards = fake.messagesTo(sam);
      expect(cards).toHaveLength(1);
      expect(cards[0].history).toHaveLength(2);
    });

    it('a reminder is a new card with the same buttons, not an edit of the first', async () => {
      await notifier.notify(message('k-r1', 'reminder'));
      const cards = fake.messagesTo(sam);
      expect(cards).toHaveLength(2);
      expect(JSON.stringify(cards[1].activity)).toContain('Reminder 1');
      expect(JSON.stringify(cards[1].activity)).toContain(APPROVE_VERB);
      expect(cards[0].history).toHaveLength(2);
    });

    it('a Bot Connector failure fails the delivery (the outbox retries it) and is kept as the last error', async () => {
      fake.failNext(1, 503, { method: 'POST', path: /\/activities$/ });
      await expect(
        notifier.notify(message('k-f', 'approval_needed')),
      ).rejects.toThrow(/refused to send a message: HTTP 503/);
      expect((await store.lastError())?.message).toMatch(/HTTP 503/);
      // The retry goes through and sends one card.
      const before = fake.messagesTo(sam).length;
      await notifier.notify(message('k-f', 'approval_needed'));
      expect(fake.messagesTo(sam)).toHaveLength(before + 1);
    });

    it('a chat Teams says is gone makes the approver unreachable, from then on without a call', async () => {
      fake.deleteConversation(sam);
      expect(await notifier.notify(message('k-2', 'reminder'))).toEqual({
        unreachable: ['user:default/sam', 'user:default/nobody'],
      });
      expect(await store.conversationOf('user:default/sam')).toBeUndefined();
      const calls = fake.connectorCalls.length;
      await notifier.notify(message('k-3', 'reminder'));
      expect(fake.connectorCalls.length).toBe(calls);
    });

    it('"Send test" names Entra\'s refusal of a wrong secret, and the reach and last error', async () => {
      const wrong = new TeamsBotNotifier({
        connector: new BotConnector(settings('not-the-secret')),
        store,
        decisions: directory([]),
        logger: mockServices.logger.mock(),
      });
      await store.recordError('Teams Bot Connector refused: HTTP 502');
      const result = await wrong.selfTest();
      expect(result.ok).toBe(false);
      expect(result.message).toContain('AADSTS7000215');
      expect(result.details).toEqual([
        expect.stringContaining(': 0'),
        expect.stringContaining('HTTP 502'),
      ]);
    });
  },
);

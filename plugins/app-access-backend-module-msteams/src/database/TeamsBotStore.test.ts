import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { connectTeamsDatabase } from './migrations';
import { TeamsBotStore } from './TeamsBotStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'TeamsBotStore on %p',
  databaseId => {
    let store: TeamsBotStore;
    let clock = Date.parse('2026-12-06T10:00:00Z');

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const db = await connectTeamsDatabase(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      store = new TeamsBotStore(db, () => new Date((clock += 1000)));
    });

    const conv = (aad: string, personRef?: string) => ({
      aadObjectId: aad,
      personRef,
      email: `${aad}@acme.example`,
      userId: `29:${aad}`,
      conversationId: `a:${aad}`,
      serviceUrl: 'https://smba.trafficmanager.net/amer/',
      tenantId: 'tenant',
    });

    it('keeps one reference per Entra user; a reinstall replaces it and revives a gone chat', async () => {
      await store.saveConversation(conv('aad-1', 'user:default/sam'));
      await store.saveConversation(conv('aad-2'));
      expect(await store.conversationOf('user:default/sam')).toEqual(
        conv('aad-1', 'user:default/sam'),
      );
      expect(await store.countReachable()).toBe(1);

      await store.markGone('a:aad-1');
      expect(await store.conversationOf('user:default/sam')).toBeUndefined();
      expect(await store.countReachable()).toBe(0);

      await store.saveConversation({
        ...conv('aad-1', 'user:default/sam'),
        conversationId: 'a:aad-1-new',
      });
      expect(
        (await store.conversationOf('user:default/sam'))?.conversationId,
      ).toBe('a:aad-1-new');
      expect(await store.countReachable()).toBe(1);
    });

    it('records one message per delivery and recipient, and lists approver copies of a task', async () => {
      const base = {
        requestId: 'r1',
        taskId: 't1',
        kind: 'approval_needed',
        conversationId: 'a:aad-1',
        serviceUrl: 'https://smba.trafficmanager.net/amer/',
      };
      await store.saveMessage({
        ...base,
        idempotencyKey: 'k1',
        recipient: 'user:default/sam',
        approverRef: 'user:default/sam',
        activityId: '1:first',
      });
      await store.saveMessage({
        ...base,
        idempotencyKey: 'k1',
        recipient: 'user:default/sam',
        approverRef: 'user:default/sam',
        activityId: '1:second',
      });
      await store.saveMessage({
        ...base,
        idempotencyKey: 'k1',
        recipient: 'user:default/kim',
        activityId: '1:requester',
      });
      expect(
        (await store.findMessage('k1', 'user:default/sam'))?.activityId,
      ).toBe('1:second');
      expect(
        (await store.listApproverMessages('t1')).map(m => m.recipient),
      ).toEqual(['user:default/sam']);
    });

    it('remembers the last error for the settings page', async () => {
      expect(await store.lastError()).toBeUndefined();
      await store.recordError('Teams Bot Connector refused: HTTP 403');
      expect(await store.lastError()).toEqual({
        message: 'Teams Bot Connector refused: HTTP 403',
        at: expect.stringMatching(/^2026-12-06T10:/),
      });
    });
  },
);

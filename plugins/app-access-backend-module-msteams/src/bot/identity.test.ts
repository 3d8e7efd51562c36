import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { AppAccessDecisionApi } from '@app-access/plugin-app-access-node';
import { connectTeamsDatabase } from '../database/migrations';
import { TeamsBotStore } from '../database/TeamsBotStore';
import { UnmatchedChats } from './identity';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const conv = (aad: string, email: string, personRef?: string) => ({
  aadObjectId: aad,
  personRef,
  email,
  userId: `29:${aad}`,
  conversationId: `a:${aad}`,
  serviceUrl: 'https://smba.trafficmanager.net/amer/',
  tenantId: 'tenant',
});

/**
 * Someone installs the app (or IT installs it for everyone) before the
 * catalog has read them: Teams sends that install once, so the stored chat
 * must find its person when the catalog does, without a reinstall.
 */
describe.each(databases.eachSupportedId())(
  'Teams chats installed before the catalog knew their person, on %p',
  databaseId => {
    it('are matched once the catalog knows the person, at most once a minute, and a matched chat is never moved', async () => {
      const knex = await databases.init(databaseId);
      const db = await connectTeamsDatabase(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const store = new TeamsBotStore(db);
      // The catalog, as identify() reads it: empty at first.
      const catalog = new Map<string, string>();
      const identify = jest.fn(async ({ email }: { email?: string }) => {
        const ref = email ? catalog.get(email) : undefined;
        return ref
          ? { person: { ref } }
          : { refused: `no catalog person has ${email}` };
      });
      const decisions = { identify } as unknown as AppAccessDecisionApi;
      let now = Date.parse('2026-12-06T10:00:00Z');
      const unmatched = new UnmatchedChats({
        store,
        decisions,
        logger: mockServices.logger.mock(),
        objectIdAnnotations: ['graph.microsoft.com/user-id'],
        now: () => now,
      });

      await store.saveConversation(conv('aad-new', 'nina.new@acme.example'));
      await store.saveConversation(
        conv('aad-sam', 'sam@acme.example', 'user:default/sam.manager'),
      );
      expect(await unmatched.match()).toBe(0);
      // Only the unmatched chat was looked at, by its object id and email.
      expect(identify).toHaveBeenCalledTimes(1);
      expect(identify.mock.calls[0][0]).toMatchObject({
        email: 'nina.new@acme.example',
        externalId: { value: 'aad-new' },
        channel: 'msteams',
      });

      // The catalog reads Nina; within the minute nothing is asked again.
      catalog.set('nina.new@acme.example', 'user:default/nina.new');
      now += 30_000;
      expect(await unmatched.match()).toBe(0);
      expect(identify).toHaveBeenCalledTimes(1);
      expect(
        await store.conversationOf('user:default/nina.new'),
      ).toBeUndefined();

      now += 31_000;
      expect(await unmatched.match()).toBe(1);
      expect(await store.conversationOf('user:default/nina.new')).toEqual(
        conv('aad-new', 'nina.new@acme.example', 'user:default/nina.new'),
      );
      expect(await store.countReachable()).toBe(2);

      // Matched chats are not looked at again, and never re-pointed.
      now += 61_000;
      identify.mockClear();
      expect(await unmatched.match()).toBe(0);
      expect(identify).not.toHaveBeenCalled();
      await store.matchConversation('aad-sam', 'user:default/someone.else');
      expect(
        (await store.conversationOf('user:default/sam.manager'))?.aadObjectId,
      ).toBe('aad-sam');
    });

    it('looks at 50 chats a pass, the least recently looked at first, so none is starved', async () => {
      const knex = await databases.init(databaseId);
      const db = await connectTeamsDatabase(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      let clock = Date.parse('2026-12-06T10:00:00Z');
      const store = new TeamsBotStore(db, () => new Date((clock += 1000)));
      for (let i = 0; i < 60; i++) {
        await store.saveConversation(conv(`aad-${i}`, `p${i}@acme.example`));
      }
      const first = await store.unmatchedConversations(50);
      expect(first).toHaveLength(50);
      const second = await store.unmatchedConversations(50);
      // The ten not looked at yet come first.
      expect(
        second
          .slice(0, 10)
          .map(c => c.aadObjectId)
          .sort(),
      ).toEqual(Array.from({ length: 10 }, (_, i) => `aad-${50 + i}`).sort());
    });
  },
);

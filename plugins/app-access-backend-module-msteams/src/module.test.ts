import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeTeamsWebhook } from './testing/FakeTeamsWebhook';
import {
  TeamsTestBackend,
  ref,
  startTeamsTestBackend,
  waitFor,
} from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const title = (card: any): string => card.body[0].text;

describe.each(databases.eachSupportedId())(
  'Teams cards through the core on %p',
  databaseId => {
    let fake: FakeTeamsWebhook;
    let backend: TeamsTestBackend;

    beforeAll(async () => {
      fake = await FakeTeamsWebhook.start();
      backend = await startTeamsTestBackend({
        knex: await databases.init(databaseId),
        webhookUrl: fake.url,
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    it('retries a card the webhook refused with 500 and posts it once; decisions follow', async () => {
      fake.fail(500);
      const submitted = await backend.api(
        ref('jane.doe'),
        'POST',
        '/requests',
        {
          appId: 'notion',
          tierId: 'editor',
          justification: 'Team wiki',
        },
      );
      expect(submitted.status).toBe(201);
      const id = submitted.body.id;

      const card = await waitFor('the approval card', () =>
        fake.cards.find(
          c => title(c) === 'Approval needed: Jane Doe asks for Notion Editor',
        ),
      );
      expect(fake.posts.map(p => p.status)).toEqual([500, 202]);
      expect(fake.posts.every(p => p.problems.length === 0)).toBe(true);
      expect(card.actions).toEqual([
        {
          type: 'Action.OpenUrl',
          title: 'Review in App Access',
          url: 'http://portal.test/apps/approvals',
        },
        {
          type: 'Action.OpenUrl',
          title: 'Open request',
          url: `http://portal.test/apps/requests/${id}`,
        },
      ]);
      // The outbox waited before retrying.
      expect(fake.posts[1].at - fake.posts[0].at).toBeGreaterThanOrEqual(90);

      // Teams cannot tell who saw the card: nobody is unreachable, no fallback.
      const pending = await backend.api(
        ref('jane.doe'),
        'GET',
        `/requests/${id}`,
      );
      expect(pending.body.events.map((e: any) => e.type)).not.toContain(
        'fallback_asked',
      );

      // Sam follows the link and approves in the portal.
      const decided = await backend.api(
        ref('sam.manager'),
        'POST',
        `/requests/${id}/decisions`,
        {
          decision: 'approve',
        },
      );
      expect(decided.status).toBe(200);
      await waitFor('the decision card', () =>
        fake.cards.find(
          c =>
            title(c) ===
            "Approved: level 1 of Jane Doe's request for Notion Editor",
        ),
      );
      const status = await waitFor('a status card', () =>
        fake.cards.find(c =>
          title(c).startsWith("Jane Doe's request for Notion Editor: "),
        ),
      );
      expect(title(status)).toBe(
        "Jane Doe's request for Notion Editor: with IT, who will set up access",
      );
      // Settle, then check the decision was posted once although the core sends
      // it to approvers and requester alike.
      await new Promise(resolve => setTimeout(resolve, 300));
      expect(
        fake.cards.filter(c => title(c).startsWith('Approved:')),
      ).toHaveLength(1);
      expect(fake.posts.every(p => p.problems.length === 0)).toBe(true);
    });
  },
);

describe('Teams module start-up', () => {
  it('fails start-up naming the wrong key', async () => {
    await expect(
      startTeamsTestBackend({
        knex: await databases.init('SQLITE_3'),
        webhookUrl:
          'http://prod-01.westeurope.logic.azure.com/workflows/x?sig=secret',
      }),
    ).rejects.toThrow(
      'Invalid config appAccess.msteams.webhookUrl: must be an https URL',
    );
  });
});

import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeSlackApi } from './testing/FakeSlackApi';
import { signInteraction } from './__testUtils__/slackInteractions';
import {
  SIGNING_SECRET,
  ref,
  slackUsers,
  startSlackTestBackend,
  waitFor,
} from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('Slack module start-up', () => {
  let fake: FakeSlackApi;

  beforeAll(async () => {
    fake = await FakeSlackApi.start({ users: slackUsers });
  });
  afterAll(() => fake.stop());

  it('fails start-up naming the wrong key', async () => {
    await expect(
      startSlackTestBackend({
        knex: await databases.init('SQLITE_3'),
        fake,
        slack: { botToken: 'xoxp-a-user-token' },
      }),
    ).rejects.toThrow(
      'Invalid config appAccess.slack.botToken: must be a bot token',
    );
  });

  it('registers nothing without appAccess.slack: no route, no Slack messages', async () => {
    const backend = await startSlackTestBackend({
      knex: await databases.init('SQLITE_3'),
      fake,
      slack: false,
    });
    try {
      const signed = signInteraction(SIGNING_SECRET, { type: 'block_actions' });
      const res = await request(backend.server)
        .post('/api/app-access/slack/interactions')
        .set(signed.headers)
        .send(signed.body);
      expect(res.status).toBe(404);

      // Approvals fall back to the portal's own notifications.
      const id = await backend.submit(ref('jane.doe'), 'notion', 'editor');
      await waitFor('the approval to be requested', async () =>
        (
          await backend.getRequest(ref('jane.doe'), id)
        ).events.some((e: any) => e.type === 'approval_requested'),
      );
      await new Promise(resolve => setTimeout(resolve, 300));
      expect(fake.apiCalls).toHaveLength(0);
    } finally {
      await backend.stop();
    }
  });
});

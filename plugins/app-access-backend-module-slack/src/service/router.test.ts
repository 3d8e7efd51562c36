import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeSlackApi } from '../testing/FakeSlackApi';
import { signBody, signInteraction } from '../__testUtils__/slackInteractions';
import {
  SIGNING_SECRET,
  SlackTestBackend,
  slackUsers,
  startSlackTestBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const PATH = '/api/app-access/slack/interactions';

/** A click on a button that is not App Access's: harmless, answered with 200. */
let seq = 0;
function harmlessPayload() {
  seq += 1;
  return {
    type: 'block_actions',
    user: { id: 'U0BOB' },
    trigger_id: `trigger-${seq}`,
    actions: [{ action_id: 'someone_elses_button', value: String(seq) }],
  };
}

describe.each(databases.eachSupportedId())(
  'POST /slack/interactions on %p',
  databaseId => {
    let fake: FakeSlackApi;
    let backend: SlackTestBackend;

    beforeAll(async () => {
      fake = await FakeSlackApi.start({ users: slackUsers });
      backend = await startSlackTestBackend({
        knex: await databases.init(databaseId),
        fake,
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    const post = (signed: { body: string; headers: Record<string, string> }) =>
      request(backend.server).post(PATH).set(signed.headers).send(signed.body);

    it('accepts a correctly signed request without Backstage credentials', async () => {
      const res = await post(
        signInteraction(SIGNING_SECRET, harmlessPayload()),
      );
      expect(res.status).toBe(200);
    });

    it('refuses a request signed with another secret', async () => {
      const res = await post(
        signInteraction('not-the-signing-secret', harmlessPayload()),
      );
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('Invalid Slack signature');
    });

    it('refuses a body changed after signing', async () => {
      const signed = signInteraction(SIGNING_SECRET, harmlessPayload());
      const res = await post({
        ...signed,
        body: signed.body.replace('someone_elses_button', 'app_access_approve'),
      });
      expect(res.status).toBe(401);
    });

    it('refuses a request signed 6 minutes ago', async () => {
      const res = await post(
        signInteraction(SIGNING_SECRET, harmlessPayload(), {
          timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
        }),
      );
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/Stale/);
    });

    it('refuses a replayed request', async () => {
      const signed = signInteraction(SIGNING_SECRET, harmlessPayload());
      expect((await post(signed)).status).toBe(200);
      const replay = await post(signed);
      expect(replay.status).toBe(401);
      expect(replay.body.error.message).toBe('Replayed Slack request');
    });

    it('refuses a request without signature headers', async () => {
      const signed = signInteraction(SIGNING_SECRET, harmlessPayload());
      const res = await request(backend.server)
        .post(PATH)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(signed.body);
      expect(res.status).toBe(401);
    });

    /** A "Give it back" click on a reclamation question. */
    const reclaimClick = () => {
      seq += 1;
      return {
        type: 'block_actions',
        user: { id: 'U0JANE' },
        trigger_id: `trigger-${seq}`,
        channel: { id: 'D0JANE' },
        container: { channel_id: 'D0JANE', message_ts: `${seq}.0001` },
        actions: [
          {
            action_id: 'app_access_reclaim_release',
            value: JSON.stringify({ questionId: `q-${seq}`, what: 'Notion' }),
          },
        ],
      };
    };

    it('refuses a forged reclamation answer before anyone is looked up', async () => {
      fake.reset();
      const res = await post(
        signInteraction('not-the-signing-secret', reclaimClick()),
      );
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('Invalid Slack signature');
      expect(fake.callsTo('users.info')).toHaveLength(0);
    });

    it('refuses a replayed reclamation answer', async () => {
      const signed = signInteraction(SIGNING_SECRET, reclaimClick());
      expect((await post(signed)).status).toBe(200);
      fake.reset();
      const replay = await post(signed);
      expect(replay.status).toBe(401);
      expect(replay.body.error.message).toBe('Replayed Slack request');
      expect(fake.callsTo('users.info')).toHaveLength(0);
    });

    it('answers 400 to a signed body without a JSON payload', async () => {
      const res = await post(signBody(SIGNING_SECRET, 'payload=not-json'));
      expect(res.status).toBe(400);
    });
  },
);

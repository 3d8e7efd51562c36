// End to end through the real core: a campaign started over HTTP asks the
// holder in Slack, and her click is recorded through AppAccessEngine.answerReclaim.
import request from 'supertest';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
// The campaign runs in the real core, on purpose.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  grantThenStartCampaign,
  staleSignInModule,
} from '@app-access/plugin-app-access-backend/testUtils';
import { FakeSlackApi } from './testing/FakeSlackApi';
import { buttonClick } from './__testUtils__/slackInteractions';
import {
  SlackTestBackend,
  ref,
  slackIdOf,
  slackUsers,
  startSlackTestBackend,
  waitFor,
} from './__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const BASE = '/api/app-access';
const JANE = ref('jane.doe');
const IVAN = ref('ivan.admin');
const as = (user: string) => mockCredentials.user.header(user);

/** Jane last signed in to Notion 200 days ago, as a usage source reports it. */
const signIns = staleSignInModule([
  { personRef: JANE, appId: 'notion', daysAgo: 200 },
]);

describe.each(databases.eachSupportedId())(
  'Slack reclamation campaign through the core on %p',
  databaseId => {
    let fake: FakeSlackApi;
    let backend: SlackTestBackend;

    beforeAll(async () => {
      fake = await FakeSlackApi.start({ users: slackUsers });
      backend = await startSlackTestBackend({
        knex: await databases.init(databaseId),
        fake,
        features: [signIns],
        admin: IVAN,
      });
    });
    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    const api = () => request(backend.server);

    it('asks the holder in Slack; Give it back is recorded as her answer through Slack', async () => {
      // Jane holds Notion Editor (Sam approves, IT marks it done); Ivan
      // asks everyone inactive for 60 days.
      const { campaignId } = await grantThenStartCampaign(backend.api, {
        holders: [JANE],
        approver: ref('sam.manager'),
        admin: IVAN,
        appId: 'notion',
        tierId: 'editor',
        message: 'We renew Notion in January',
      });

      const dm = await waitFor("Jane's question in Slack", async () =>
        fake
          .dmsTo(slackIdOf('jane.doe'))
          .find(m => m.text?.includes('Do you still need Notion Editor?')),
      );
      expect(JSON.stringify(dm.blocks)).toContain('We renew Notion in January');

      // Someone else clicking is refused in words and changes nothing.
      const bobs = await backend.interact(
        buttonClick({
          slackUserId: slackIdOf('bob.other'),
          message: dm,
          actionId: 'app_access_reclaim_release',
        }),
      );
      expect(bobs.status).toBe(200);

      const res = await backend.interact(
        buttonClick({
          slackUserId: slackIdOf('jane.doe'),
          message: dm,
          actionId: 'app_access_reclaim_release',
        }),
      );
      expect(res.status).toBe(200);
      const questions = await api()
        .get(`${BASE}/admin/campaigns/${campaignId}/questions`)
        .set('Authorization', as(IVAN))
        .expect(200);
      expect(questions.body.items).toEqual([
        expect.objectContaining({
          holder: JANE,
          status: 'released',
          answeredVia: 'slack',
        }),
      ]);
      expect(fake.dmsTo(slackIdOf('jane.doe'))).toContainEqual(
        expect.objectContaining({
          text: 'You gave Notion Editor back; it is being removed. Thank you.',
        }),
      );
      // Bob was told why not, only he sees it.
      expect(
        fake
          .callsTo('chat.postEphemeral')
          .filter(c => c.args.user === slackIdOf('bob.other'))
          .map(c => c.args.text),
      ).toHaveLength(1);
    });
  },
);

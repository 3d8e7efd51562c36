// End to end through the real core: a campaign started over HTTP asks the
// holders in Teams through the Bot Framework fake, and their Action.Execute
// clicks are recorded through AppAccessEngine.answerReclaim.
import { TestDatabases } from '@backstage/backend-test-utils';
// The campaign runs in the real core, on purpose.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  grantThenStartCampaign,
  staleSignInModule,
} from '@app-access/plugin-app-access-backend/testUtils';
import { FakeBotFramework, findExecute } from './testing/FakeBotFramework';
import {
  BOT_APP_ID,
  BotTestBackend,
  TEAMS_USERS,
  ref,
  startBotTestBackend,
  waitFor,
} from './__testUtils__/botTestBackend';
import { KEEP_REASON_INPUT, KEEP_VERB, RELEASE_VERB } from './bot/BotCards';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const JANE = ref('jane.doe');
const KIM = ref('kim.lee');
const IVAN = ref('ivan.admin');

/** The card an invoke answered with (shown to the clicker only). */
const answerCard = (res: { status: number; body: any }) => {
  expect(res.status).toBe(200);
  expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
  return JSON.stringify(res.body.value);
};

describe.each(databases.eachSupportedId())(
  'Teams reclamation campaign through the core on %p',
  databaseId => {
    let fake: FakeBotFramework;
    let backend: BotTestBackend;

    beforeAll(async () => {
      fake = await FakeBotFramework.start({
        appId: BOT_APP_ID,
        users: Object.values(TEAMS_USERS),
      });
      backend = await startBotTestBackend({
        knex: await databases.init(databaseId),
        fake,
        // Neither Jane nor Kim signed in to Notion for 200 days.
        features: [
          staleSignInModule([
            { personRef: JANE, appId: 'notion', daysAgo: 200 },
            { personRef: KIM, appId: 'notion', daysAgo: 200 },
          ]),
        ],
      });
      for (const name of ['jane.doe', 'kim.lee', 'sam.manager']) {
        const res = await backend.send(
          fake.installActivity(TEAMS_USERS[name], 'personal'),
        );
        if (res.status !== 200) {
          throw new Error(`install ${name}: ${res.status}`);
        }
      }
    });
    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    const questionCard = (name: string) =>
      waitFor(`${name}'s reclamation card`, () =>
        fake
          .messagesTo(TEAMS_USERS[name])
          .find(m => findExecute(m.activity, KEEP_VERB)),
      );

    it('asks each holder in Teams; keep with a reason and give back reach the core; someone else is refused', async () => {
      const { campaignId } = await grantThenStartCampaign(backend.api, {
        holders: [JANE, KIM],
        approver: ref('sam.manager'),
        admin: IVAN,
        appId: 'notion',
        tierId: 'editor',
        message: 'We renew Notion in January',
      });
      const questions = async () => {
        const res = await backend.api(
          'GET',
          `/admin/campaigns/${campaignId}/questions`,
          IVAN,
        );
        expect(res.status).toBe(200);
        return new Map<string, any>(
          res.body.items.map((q: any) => [q.holder, q]),
        );
      };
      const jane = await questionCard('jane.doe');
      const kim = await questionCard('kim.lee');
      expect(JSON.stringify(jane.activity)).toContain(
        'We renew Notion in January',
      );

      // Sam clicks on Jane's card (a forwarded card): refused in words.
      const sams = await backend.send(
        fake.invokeActivity(TEAMS_USERS['sam.manager'], jane, RELEASE_VERB),
      );
      const refused = answerCard(sams);
      expect(refused).toContain('Your answer was not recorded');
      expect(refused).toContain('Only the holder of this access answers');
      expect((await questions()).get(JANE).status).toBe('asked');

      // Keep it without a reason: Teams asks again, the core records nothing.
      const blank = await backend.send(
        fake.invokeActivity(TEAMS_USERS['jane.doe'], jane, KEEP_VERB, {
          [KEEP_REASON_INPUT]: ' ',
        }),
      );
      expect(answerCard(blank)).toContain('A reason is required to keep it');
      expect((await questions()).get(JANE).status).toBe('asked');

      const kept = await backend.send(
        fake.invokeActivity(TEAMS_USERS['jane.doe'], jane, KEEP_VERB, {
          [KEEP_REASON_INPUT]: 'Weekly planning',
        }),
      );
      expect(answerCard(kept)).toContain(
        'You keep Notion Editor. Your reason: Weekly planning',
      );
      const given = await backend.send(
        fake.invokeActivity(TEAMS_USERS['kim.lee'], kim, RELEASE_VERB),
      );
      expect(answerCard(given)).toContain('You gave Notion Editor back');

      const answered = await questions();
      expect(answered.get(JANE)).toMatchObject({
        status: 'kept',
        reason: 'Weekly planning',
        answeredVia: 'msteams',
      });
      expect(answered.get(KIM)).toMatchObject({
        status: 'released',
        answeredVia: 'msteams',
      });
      // Kim's removal is queued: the revoke job hands it to IT.
      const removal = await waitFor("the removal of Kim's grant", async () =>
        (
          (
            await backend.api('GET', '/admin/removals', IVAN)
          ).body.items as any[]
        ).find(g => g.grantee === KIM),
      );
      expect(removal).toMatchObject({ appId: 'notion', status: 'removing' });

      // Jane changing her mind on the card is refused by the core.
      const late = await backend.send(
        fake.invokeActivity(TEAMS_USERS['jane.doe'], jane, RELEASE_VERB),
      );
      expect(answerCard(late)).toContain('It was already answered: keep it');
      expect((await questions()).get(JANE).status).toBe('kept');
    });
  },
);

import { TestDatabases } from '@backstage/backend-test-utils';
import {
  FakeBotFramework,
  FakeTeamsMessage,
  findExecute,
} from './testing/FakeBotFramework';
import {
  BOT_APP_ID,
  BotTestBackend,
  TEAMS_USERS,
  ref,
  startBotTestBackend,
  waitFor,
} from './__testUtils__/botTestBackend';
import { APPROVE_VERB } from './bot/BotCards';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const user = (name: string) => TEAMS_USERS[name];
const text = (m: FakeTeamsMessage) => JSON.stringify(m.activity);
const hasButtons = (m: FakeTeamsMessage) =>
  Boolean(findExecute(m.activity, APPROVE_VERB));
/** The card an invoke answered with (shown to the clicker only). */
const answerCard = (body: any) => {
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  return JSON.stringify(body.value);
};

/**
 * Who a Teams user is: the Entra ID object id in the catalog first
 * (`graph.microsoft.com/user-id`, or the configured annotation), the email
 * only when no User entity carries the object id.
 */
describe.each(databases.eachSupportedId())(
  'Teams bot identity by Entra ID object id on %p',
  databaseId => {
    let fake: FakeBotFramework;
    let backend: BotTestBackend;

    const about = (name: string, requestId: string) =>
      fake.messagesTo(user(name)).filter(m => text(m).includes(requestId));
    const approvalCard = (name: string, requestId: string) =>
      waitFor(`${name}'s approval card for ${requestId}`, () =>
        about(name, requestId).find(hasButtons),
      );
    const click = (name: string, message: FakeTeamsMessage) =>
      backend.send(fake.invokeActivity(user(name), message, APPROVE_VERB));

    beforeAll(async () => {
      fake = await FakeBotFramework.start({
        appId: BOT_APP_ID,
        users: Object.values(TEAMS_USERS),
      });
      backend = await startBotTestBackend({
        knex: await databases.init(databaseId),
        fake,
      });
      for (const name of [
        'olga.oid',
        'quinn.one',
        'cara.custom',
        'fiona.fallback',
        'eve.external',
      ]) {
        const res = await backend.send(
          fake.installActivity(user(name), 'personal'),
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

    it('finds the person by the object id the Graph provider writes, whatever their Teams email', async () => {
      // Olga's Teams email (olga@contoso.example) is no catalog person's.
      expect(user('olga.oid').email).not.toContain('acme.example');
      const id = await backend.submit(ref('liam.new'), 'notion', 'editor');
      const card = await approvalCard('olga.oid', id);
      const res = await click('olga.oid', card);
      expect(res.status).toBe(200);
      expect(answerCard(res.body)).toContain('Approved by Olga Oid');
      const request = await backend.getRequest(ref('liam.new'), id);
      expect(request.approvals[0]).toMatchObject({
        status: 'approved',
        decidedBy: ref('olga.oid'),
      });
    });

    it('reads the configured annotation too', async () => {
      const id = await backend.submit(ref('dan.new'), 'notion', 'editor');
      const card = await approvalCard('cara.custom', id);
      const res = await click('cara.custom', card);
      expect(answerCard(res.body)).toContain('Approved by Cara Custom');
      expect(
        (await backend.getRequest(ref('dan.new'), id)).approvals[0],
      ).toMatchObject({ status: 'approved', decidedBy: ref('cara.custom') });
    });

    it('refuses an object id two people carry, even though the email names one of them', async () => {
      // Quinn maps to nobody: unreachable, so the fallback approver is asked.
      const id = await backend.submit(ref('max.new'), 'notion', 'editor');
      const fiona = await approvalCard('fiona.fallback', id);
      const request = await backend.getRequest(ref('max.new'), id);
      expect(request.approvals[0]).toMatchObject({ fallback: true });
      expect(about('quinn.one', id)).toEqual([]);

      // Quinn clicks Fiona's card (forwarded, say): the object id decides
      // who Quinn is, and it belongs to two people.
      const quinn = await click('quinn.one', fiona);
      const refusal = answerCard(quinn.body);
      expect(refusal).toContain('You cannot decide this');
      expect(refusal).toContain('Entra ID object id of your Teams account');
      expect(refusal).toContain(ref('quinn.one'));
      expect(refusal).toContain(ref('quinn.two'));
      expect((await backend.getRequest(ref('max.new'), id)).status).toBe(
        'pending_approval',
      );
    });

    it('refuses a Teams user neither the object id nor the email maps to', async () => {
      const id = await backend.submit(ref('liam.new'), 'zoom', 'webinar');
      const card = await approvalCard('olga.oid', id);
      const eve = await click('eve.external', card);
      const refusal = answerCard(eve.body);
      expect(refusal).toContain('You cannot decide this');
      expect(refusal).toContain(
        'no Backstage user has the Entra ID object id or the email address of your Teams account',
      );
      expect((await backend.getRequest(ref('liam.new'), id)).status).toBe(
        'pending_approval',
      );
    });

    it('counts only the people the bot could map to exactly one catalog person', async () => {
      const res = await backend.test();
      expect(res.body.ok).toBe(true);
      // Olga, Cara and Fiona; not Quinn (two people), not Eve (nobody).
      expect(res.body.message).toContain('it can reach 3 people');
    });
  },
);

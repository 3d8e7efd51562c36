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
import {
  APPROVE_VERB,
  DENY_VERB,
  KEEP_VERB,
  REASON_INPUT,
} from './bot/BotCards';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const user = (name: string) => TEAMS_USERS[name];
const text = (m: FakeTeamsMessage | { activity: any }) =>
  JSON.stringify(m.activity);
const hasButtons = (m: FakeTeamsMessage) =>
  Boolean(findExecute(m.activity, APPROVE_VERB));
/** The card an invoke answered with (shown to the clicker only). */
const answerCard = (body: any) => {
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  return JSON.stringify(body.value);
};

describe.each(databases.eachSupportedId())(
  'Teams bot approvals through the core on %p',
  databaseId => {
    let fake: FakeBotFramework;
    let backend: BotTestBackend;

    const about = (name: string, requestId: string) =>
      fake.messagesTo(user(name)).filter(m => text(m).includes(requestId));
    const approvalCard = (name: string, requestId: string) =>
      waitFor(`${name}'s approval card for ${requestId}`, () =>
        about(name, requestId).find(hasButtons),
      );
    const click = (
      name: string,
      message: FakeTeamsMessage,
      verb: string,
      inputs?: Record<string, string>,
    ) => backend.send(fake.invokeActivity(user(name), message, verb, inputs));
    const install = (name: string, kind: 'personal' | 'admin' = 'personal') =>
      backend.send(fake.installActivity(user(name), kind));

    beforeAll(async () => {
      fake = await FakeBotFramework.start({
        appId: BOT_APP_ID,
        users: Object.values(TEAMS_USERS),
      });
      backend = await startBotTestBackend({
        knex: await databases.init(databaseId),
        fake,
      });
      // Most install the app themselves; IT installs it for the admins
      // from the Teams admin centre (an installationUpdate per person).
      for (const name of [
        'jane.doe',
        'kim.lee',
        'raj.patel',
        'sam.manager',
        'fiona.fallback',
        'una.new',
        'pat.twin',
        'eve.external',
      ]) {
        const res = await install(name);
        if (res.status !== 200)
          throw new Error(`install ${name}: ${res.status}`);
      }
      for (const name of ['ivan.admin', 'tom.tech', 'nina.nobody']) {
        const res = await install(name, 'admin');
        if (res.status !== 200)
          throw new Error(`install ${name}: ${res.status}`);
      }
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    it('approves level 1 and denies level 2 with a reason; every copy is refreshed; a late click is refused', async () => {
      const id = await backend.submit(ref('kim.lee'), 'zoom', 'webinar');
      const sam = await approvalCard('sam.manager', id);
      for (const fact of [
        'Kim Lee',
        'Zoom',
        'Webinar add-on',
        'Needed for the Q3 launch',
      ]) {
        expect(text(sam)).toContain(fact);
      }
      expect(text(sam)).toMatch(/"title":"Level","value":"1"/);
      expect(sam.activity.attachments[0].contentType).toBe(
        'application/vnd.microsoft.card.adaptive',
      );
      const approve = findExecute(sam.activity, APPROVE_VERB);
      const task = (await backend.getRequest(ref('kim.lee'), id)).approvals[0];
      expect(approve.data).toEqual({ requestId: id, taskId: task.id });

      const res = await click('sam.manager', sam, APPROVE_VERB);
      expect(res.status).toBe(200);
      expect(answerCard(res.body)).toContain('Approved by Sam Manager');
      const atLevel2 = await backend.getRequest(ref('kim.lee'), id);
      expect(atLevel2).toMatchObject({ status: 'pending_approval', level: 2 });
      expect(
        atLevel2.events.find((e: any) => e.type === 'approved')?.data,
      ).toMatchObject({ channel: 'msteams' });

      // Sam's own copy is updated in place: same message, no buttons.
      await waitFor("Sam's card to lose its buttons", () => !hasButtons(sam));
      expect(text(sam)).toContain('Approved by Sam Manager');
      expect(sam.history.length).toBeGreaterThan(1);

      // Kim hears about it in her own chat.
      const kim = await waitFor("Kim's update", () => about('kim.lee', id)[0]);
      expect(text(kim)).toContain('approved level 1');

      const ivan = await approvalCard('ivan.admin', id);
      const tom = await approvalCard('tom.tech', id);

      // Deny without a reason: the card asks again, nothing is decided.
      const empty = await click('ivan.admin', ivan, DENY_VERB, {
        [REASON_INPUT]: '   ',
      });
      expect(answerCard(empty.body)).toContain('A reason is required to deny');
      expect((await backend.getRequest(ref('kim.lee'), id)).status).toBe(
        'pending_approval',
      );

      const denied = await click('ivan.admin', ivan, DENY_VERB, {
        [REASON_INPUT]: 'No webinar licences left',
      });
      expect(answerCard(denied.body)).toContain('Denied by Ivan Admin');
      const after = await backend.getRequest(ref('kim.lee'), id);
      expect(after.status).toBe('denied');
      expect(after.approvals[1]).toMatchObject({
        status: 'denied',
        decidedBy: ref('ivan.admin'),
        comment: 'No webinar licences left',
      });

      // Both level-2 copies are refreshed, not only the decider's.
      for (const card of [ivan, tom]) {
        await waitFor(
          'level-2 cards to lose their buttons',
          () => !hasButtons(card),
        );
        expect(text(card)).toContain('Denied by Ivan Admin');
        expect(text(card)).toContain('No webinar licences left');
      }

      // Tom clicks his (stale) Approve afterwards: privately refused.
      const late = await click(
        'tom.tech',
        { ...tom, activity: tom.history[0] },
        APPROVE_VERB,
      );
      const lateCard = answerCard(late.body);
      expect(lateCard).toContain('You cannot decide this');
      expect(lateCard).toMatch(/Already decided|no longer open|not open/i);
      expect((await backend.getRequest(ref('kim.lee'), id)).status).toBe(
        'denied',
      );

      const kimDenied = await waitFor("Kim's denial", () =>
        about('kim.lee', id).find(m => text(m).includes('denied')),
      );
      expect(text(kimDenied)).toContain('No webinar licences left');
    });

    it('refuses a Teams user who is not in the catalog, and one whose email belongs to two people', async () => {
      const id = await backend.submit(ref('jane.doe'), 'notion', 'editor');
      const sam = await approvalCard('sam.manager', id);

      const eve = await click('eve.external', sam, APPROVE_VERB);
      expect(answerCard(eve.body)).toContain('You cannot decide this');

      // Kim's token-valid click, claiming Sam's chat.
      const spoof = await backend.send({
        ...fake.invokeActivity(user('kim.lee'), sam, APPROVE_VERB),
        conversation: {
          id: fake.conversationIdOf(user('sam.manager')),
          conversationType: 'personal',
        },
      });
      expect(answerCard(spoof.body)).toContain(
        'Teams did not confirm who you are',
      );

      // Una's manager Pat shares an email with an admin alias: nobody is Pat
      // in Teams, so Pat is unreachable and the fallback approver is asked.
      const una = await backend.submit(ref('una.new'), 'notion', 'editor');
      const fiona = await approvalCard('fiona.fallback', una);
      expect(
        (await backend.getRequest(ref('una.new'), una)).approvals[0],
      ).toMatchObject({ fallback: true });
      expect(
        (await backend.getRequest(ref('una.new'), una)).approvals[0].approvers,
      ).toContain(ref('fiona.fallback'));
      expect(about('pat.twin', una)).toEqual([]);
      const pat = await click('pat.twin', fiona, APPROVE_VERB);
      expect(answerCard(pat.body)).toContain('You cannot decide this');

      expect((await backend.getRequest(ref('jane.doe'), id)).status).toBe(
        'pending_approval',
      );
      expect((await backend.getRequest(ref('una.new'), una)).status).toBe(
        'pending_approval',
      );

      // Sam decides in the portal instead: his Teams card follows.
      const portal = await backend.decideInPortal(
        ref('sam.manager'),
        id,
        'approve',
      );
      expect(portal.status).toBe(200);
      await waitFor("Sam's card to show the portal decision", () =>
        !hasButtons(sam) ? sam : undefined,
      );
      expect(text(sam)).toContain('Approved by Sam Manager');
    });

    it('answers 401 to forged, expired or misaddressed tokens and decides nothing', async () => {
      const id = await backend.submit(ref('kim.lee'), 'notion', 'editor');
      const sam = await approvalCard('sam.manager', id);
      const invoke = fake.invokeActivity(
        user('sam.manager'),
        sam,
        APPROVE_VERB,
      );
      const bad = {
        none: undefined,
        garbage: 'not-a-jwt',
        forged: await fake.channelToken({ forged: true }),
        expired: await fake.channelToken({ expiresInSeconds: -600 }),
        otherBot: await fake.channelToken({
          audience: '99999999-9999-4999-8999-999999999999',
        }),
        otherIssuer: await fake.channelToken({
          issuer: 'https://evil.example',
        }),
        noServiceUrl: await fake.channelToken({ serviceUrl: null }),
        otherServiceUrl: await fake.channelToken({
          serviceUrl: 'https://evil.example/amer/',
        }),
      };
      // Handling a click starts with looking the clicker up; the outbox may
      // still be sending other cards meanwhile.
      const lookups = () =>
        fake.connectorCalls.filter(c => c.path.includes('/members/')).length;
      const calls = lookups();
      for (const [what, token] of Object.entries(bad)) {
        const res = await backend.post(invoke, token);
        expect({ what, status: res.status }).toEqual({ what, status: 401 });
      }
      // A right token on an activity claiming another channel or service URL.
      for (const [what, activity] of Object.entries({
        otherChannel: { ...invoke, channelId: 'slack' },
        otherServiceUrl: {
          ...invoke,
          serviceUrl: 'https://evil.example/amer/',
        },
      })) {
        const res = await backend.send(activity);
        expect({ what, status: res.status }).toEqual({ what, status: 401 });
      }
      // Nothing was read or looked up for them.
      expect(lookups()).toBe(calls);
      expect((await backend.getRequest(ref('kim.lee'), id)).status).toBe(
        'pending_approval',
      );
      expect(hasButtons(sam)).toBe(true);
    });

    it('answers 401 to a reclamation answer with a forged or expired token, looking no one up', async () => {
      // A Keep it click as Teams would send it, on a card the bot sent.
      const card: FakeTeamsMessage = {
        id: 'reclaim-card',
        conversationId: fake.conversationIdOf(user('jane.doe')),
        history: [],
        activity: {
          attachments: [
            {
              content: {
                actions: [
                  {
                    type: 'Action.Execute',
                    verb: KEEP_VERB,
                    data: { questionId: 'q-1', what: 'Notion Editor' },
                  },
                ],
              },
            },
          ],
        },
      };
      const invoke = fake.invokeActivity(user('jane.doe'), card, KEEP_VERB, {
        keepReason: 'Still needed',
      });
      const lookups = () =>
        fake.connectorCalls.filter(c => c.path.includes('/members/')).length;
      const calls = lookups();
      for (const token of [
        await fake.channelToken({ forged: true }),
        await fake.channelToken({ expiresInSeconds: -600 }),
      ]) {
        expect((await backend.post(invoke, token)).status).toBe(401);
      }
      expect(lookups()).toBe(calls);
    });

    it('reports an approver whose chat no longer exists as unreachable, so the fallback approver is asked', async () => {
      fake.deleteConversation(user('nina.nobody'));
      const id = await backend.submit(ref('raj.patel'), 'notion', 'editor');
      const fiona = await approvalCard('fiona.fallback', id);
      expect(text(fiona)).toContain('fallback approver');
      const request = await backend.getRequest(ref('raj.patel'), id);
      // Nina was asked first and could not be reached; Fiona stands in.
      expect(request.approvals[0]).toMatchObject({ fallback: true });
      expect(request.approvals[0].approvers).toEqual(
        expect.arrayContaining([ref('nina.nobody'), ref('fiona.fallback')]),
      );
      expect(about('nina.nobody', id)).toEqual([]);

      // Fiona approves from Teams.
      const res = await click('fiona.fallback', fiona, APPROVE_VERB);
      expect(answerCard(res.body)).toContain('Approved by Fiona Fallback');
      const done = await backend.getRequest(ref('raj.patel'), id);
      expect(done.approvals[0]).toMatchObject({
        status: 'approved',
        decidedBy: ref('fiona.fallback'),
      });
    });

    it('"Send test" signs in to Entra, reports how many people the bot reaches and sends the admin a test card', async () => {
      const before = fake.messagesTo(user('fiona.fallback')).length;
      const res = await backend.test(ref('fiona.fallback'));
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.message).toContain(
        'Test card sent to your Teams chat with the App Access bot',
      );
      // Everyone who installed and is exactly one catalog person: not Eve
      // (not in the catalog), not Pat (two people), not Nina (chat gone).
      expect(res.body.message).toContain('it can reach 8 people');
      const sent = fake.messagesTo(user('fiona.fallback'));
      expect(sent).toHaveLength(before + 1);
      expect(text(sent[sent.length - 1])).toContain('App Access test message');
      expect(text(sent[sent.length - 1])).toContain('http://portal.test/apps');
    });

    it('"Send test" tells an admin without a chat with the bot to install the app first', async () => {
      const calls = fake.connectorCalls.length;
      // Tom's app was installed from the admin centre, Olga never installed it.
      const res = await backend.test(ref('olga.oid'));
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.message).toContain(
        `you (${ref('olga.oid')}) have no chat with the App Access bot`,
      );
      expect(res.body.message).toContain(
        'install the App Access app in Teams first',
      );
      // No test card went anywhere (other tests' updates may still flow).
      expect(
        fake.connectorCalls
          .slice(calls)
          .filter(
            c =>
              c.method === 'POST' &&
              JSON.stringify(c.body).includes('App Access test message'),
          ),
      ).toEqual([]);
    });

    it('answers someone who writes to it with what it does', async () => {
      const base = fake.installActivity(user('kim.lee'), 'personal');
      const res = await backend.send({
        ...base,
        type: 'message',
        text: 'hi',
        membersAdded: undefined,
      });
      expect(res.status).toBe(200);
      const reply = await waitFor('the reply', () =>
        fake
          .messagesTo(user('kim.lee'))
          .find(m => m.activity.text?.includes('I am the App Access bot')),
      );
      expect(reply.activity.text).toContain('http://portal.test/apps');
    });

    it('forgets a chat when the app is removed for someone', async () => {
      const removed = await backend.send({
        ...fake.installActivity(user('jane.doe'), 'admin'),
        action: 'remove',
      });
      expect(removed.status).toBe(200);
      const res = await backend.test();
      expect(res.body.message).toContain('it can reach 7 people');
    });
  },
);

import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  AccessRequest,
  ReclaimQuestion,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { readTeamsSettings } from '../config';
import { connectTeamsDatabase } from '../database/migrations';
import { TeamsBotStore } from '../database/TeamsBotStore';
import {
  FakeBotFramework,
  FakeTeamsUser,
  findExecute,
} from '../testing/FakeBotFramework';
import { APPROVE_VERB, KEEP_VERB, RELEASE_VERB } from './BotCards';
import { BotConnector } from './BotConnector';
import { TeamsBotHandler } from './TeamsBotHandler';
import { TeamsBotNotifier } from './TeamsBotNotifier';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const APP_ID = '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b';
const ANNOTATION = 'graph.microsoft.com/user-id';

const jane: FakeTeamsUser = {
  name: 'Jane Doe',
  email: 'jane@acme.example',
  aadObjectId: '00000000-0000-4000-8000-00000000000a',
};
const sam: FakeTeamsUser = {
  name: 'Sam Manager',
  email: 'sam@acme.example',
  aadObjectId: '00000000-0000-4000-8000-000000000001',
};
const JANE = 'user:default/jane';
const SAM = 'user:default/sam';

const people: Array<DirectoryPerson & { aadObjectId: string }> = [
  {
    ref: JANE,
    displayName: 'Jane Doe',
    email: jane.email,
    groups: [],
    aadObjectId: jane.aadObjectId,
  },
  {
    ref: SAM,
    displayName: 'Sam Manager',
    email: sam.email,
    groups: [],
    aadObjectId: sam.aadObjectId,
  },
];

type AnswerInput = Parameters<AppAccessDecisionApi['answerReclaim']>[0];

/**
 * The decision API as the bot sees it: people identified by Entra object id
 * (else email), and answerReclaim recording calls under its documented
 * rules for one question held by Jane.
 */
function decisionsFixture() {
  const answers: AnswerInput[] = [];
  let current: ReclaimQuestion = {
    id: 'q-1',
    campaignId: 'camp-1',
    grantId: 'grant-1',
    holder: JANE,
    appId: 'notion',
    tierId: 'editor',
    tierName: 'Editor',
    status: 'asked',
    askedAt: '2026-12-01T09:00:00.000Z',
    deadlineAt: '2026-12-15T09:00:00.000Z',
    reminders: 0,
  };
  const unused = () => {
    throw new Error('not used by reclamation questions');
  };
  const api: AppAccessDecisionApi = {
    getPerson: async ref => people.find(p => p.ref === ref),
    portalUrl: path => `https://portal.acme.example${path}`,
    identify: async ({ email, externalId }) => {
      const byId = people.filter(
        p =>
          externalId?.annotations.includes(ANNOTATION) &&
          p.aadObjectId === externalId.value,
      );
      const found = byId.length ? byId : people.filter(p => p.email === email);
      return found.length === 1
        ? { person: found[0] }
        : { refused: 'your account matches no Backstage user' };
    },
    answerReclaim: async input => {
      answers.push(input);
      if (input.personRef !== current.holder) {
        throw new NotAllowedError('Only the holder answers this question');
      }
      if (input.answer === 'keep' && !input.reason?.trim()) {
        throw new InputError('reason: say why you keep it');
      }
      const status = input.answer === 'keep' ? 'kept' : 'released';
      if (current.status !== 'asked' && current.status !== status) {
        throw new ConflictError(`Already answered: ${current.status}`);
      }
      current = { ...current, status, reason: input.reason };
      return current;
    },
    decide: unused,
    getRequest: unused,
    getTask: unused,
    findPersonByEmail: unused,
    getSettings: unused,
  };
  return { api, answers };
}

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appId: 'notion',
  tierId: 'editor',
  appName: 'Notion',
  tierName: 'Editor',
  requester: JANE,
  status: 'fulfilled',
  level: 1,
  createdAt: '2026-09-01T10:00:00Z',
  updatedAt: '2026-09-01T10:00:00Z',
};

let seq = 0;
function question(recipient = JANE): AppAccessMessage {
  seq += 1;
  return {
    kind: 'reclaim_question',
    audience: 'holder',
    recipients: [recipient],
    request,
    url: 'https://portal.acme.example/apps/my-access',
    idempotencyKey: `notify:msteams:holder:q-1:${seq}`,
    reclaim: {
      questionId: 'q-1',
      campaignId: 'camp-1',
      grantId: 'grant-1',
      deadlineAt: '2026-12-15T09:00:00.000Z',
      inactiveDays: 60,
      lastSignInAt: '2026-08-20T12:00:00.000Z',
      message: 'We renew in January',
    },
  };
}

const cardOf = (res: { status: number; body?: any }) => {
  expect(res.status).toBe(200);
  expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
  return JSON.stringify(res.body.value);
};

describe.each(databases.eachSupportedId())(
  'Teams reclamation questions on %p',
  databaseId => {
    let fake: FakeBotFramework;
    let store: TeamsBotStore;
    let connector: BotConnector;

    beforeAll(async () => {
      fake = await FakeBotFramework.start({
        appId: APP_ID,
        users: [jane, sam],
      });
      const knex = await databases.init(databaseId);
      store = new TeamsBotStore(
        await connectTeamsDatabase(
          mockServices.database({ knex, migrations: { skip: false } }),
        ),
      );
      for (const [u, personRef] of [
        [jane, JANE],
        [sam, SAM],
      ] as const) {
        await store.saveConversation({
          aadObjectId: u.aadObjectId,
          personRef,
          email: u.email,
          userId: fake.userIdOf(u),
          conversationId: fake.conversationIdOf(u),
          serviceUrl: fake.serviceUrl,
        });
      }
      connector = new BotConnector(
        readTeamsSettings(
          new ConfigReader({
            appAccess: {
              msteams: {
                bot: {
                  appId: APP_ID,
                  appPassword: fake.appPassword,
                  tenantId: fake.tenantId,
                  openIdMetadataUrl: fake.openIdMetadataUrl,
                  issuer: fake.issuer,
                  tokenUrl: fake.tokenUrl,
                },
              },
            },
          }),
        )!.bot!,
      );
    });
    afterAll(async () => {
      await fake?.stop();
    });

    function setup() {
      const decisions = decisionsFixture();
      const logger = mockServices.logger.mock();
      return {
        ...decisions,
        notifier: new TeamsBotNotifier({
          connector,
          store,
          decisions: decisions.api,
          logger,
        }),
        handler: new TeamsBotHandler({
          connector,
          store,
          decisions: decisions.api,
          logger,
          objectIdAnnotations: [ANNOTATION],
        }),
      };
    }

    async function ask(
      notifier: TeamsBotNotifier,
      to: FakeTeamsUser = jane,
      ref = JANE,
    ) {
      const before = fake.messagesTo(to).length;
      expect(await notifier.notify(question(ref))).toEqual({ unreachable: [] });
      const messages = fake.messagesTo(to);
      expect(messages).toHaveLength(before + 1);
      return messages[messages.length - 1];
    }

    it('sends the holder a card with the app, tier, rule, message, deadline, a reason field and Keep / Give back', async () => {
      const { notifier } = setup();
      const card = await ask(notifier);
      const text = JSON.stringify(card.activity);
      expect(card.activity.summary).toBe('Do you still need Notion?');
      expect(text).toContain('Do you still need Notion Editor?');
      const facts = card.activity.attachments[0].content.body.find(
        (b: any) => b.type === 'FactSet',
      ).facts;
      // Teams renders Markdown: the parentheses are escaped.
      expect(facts).toContainEqual({
        title: 'Why we ask',
        value: 'no sign-in for 60 days \\(last sign-in 2026-08-20\\)',
      });
      expect(text).toContain('2026-12-15');
      expect(text).toContain('We renew in January');
      expect(text).toContain('"type":"Input.Text","id":"keepReason"');
      // Teams checks the reason before Keep it; Give it back ignores it.
      expect(text).toContain('"isRequired":true');
      expect(findExecute(card.activity, KEEP_VERB).data).toEqual({
        questionId: 'q-1',
        what: 'Notion Editor',
      });
      expect(findExecute(card.activity, RELEASE_VERB)).toBeDefined();
    });

    it('Keep it without a reason is refused in the card; with one it records keep as the identified holder', async () => {
      const { notifier, handler, answers } = setup();
      const card = await ask(notifier);
      const blank = await handler.handle(
        fake.invokeActivity(jane, card, KEEP_VERB, { keepReason: '  ' }),
      );
      expect(cardOf(blank)).toContain('A reason is required to keep it');
      expect(answers).toEqual([]);

      const kept = await handler.handle(
        fake.invokeActivity(jane, card, KEEP_VERB, {
          keepReason: 'Weekly planning',
        }),
      );
      expect(cardOf(kept)).toContain(
        'You keep Notion Editor. Your reason: Weekly planning',
      );
      expect(answers).toEqual([
        {
          questionId: 'q-1',
          personRef: JANE,
          answer: 'keep',
          reason: 'Weekly planning',
          channel: 'msteams',
        },
      ]);
    });

    it('Give it back records release and the card shows it', async () => {
      const { notifier, handler, answers } = setup();
      const card = await ask(notifier);
      const given = await handler.handle(
        fake.invokeActivity(jane, card, RELEASE_VERB),
      );
      const shown = cardOf(given);
      expect(shown).toContain('You gave Notion Editor back');
      expect(shown).not.toContain(KEEP_VERB);
      expect(answers).toEqual([
        {
          questionId: 'q-1',
          personRef: JANE,
          answer: 'release',
          reason: undefined,
          channel: 'msteams',
        },
      ]);
    });

    it('tells someone other than the holder why not, in words', async () => {
      const { notifier, handler, answers } = setup();
      // The question reached Sam's chat; it is Jane's.
      const card = await ask(notifier, sam, SAM);
      const refused = await handler.handle(
        fake.invokeActivity(sam, card, RELEASE_VERB),
      );
      const shown = cardOf(refused);
      expect(shown).toContain('Your answer was not recorded');
      expect(shown).toContain('Only the holder answers this question');
      expect(answers.map(a => a.personRef)).toEqual([SAM]);
    });

    it('shows the seat warning on approval cards when set, and not otherwise', async () => {
      const { notifier } = setup();
      const approval = (key: string, seatWarning?: string) =>
        ({
          kind: 'approval_needed',
          audience: 'approvers',
          recipients: [SAM],
          request: { ...request, status: 'pending_approval' },
          task: {
            id: `task-${key}`,
            requestId: 'req-1',
            level: 1,
            approvers: [SAM],
            status: 'open',
            reminders: 0,
            fallback: false,
            createdAt: '2026-12-06T10:00:00Z',
          },
          url: 'https://portal.acme.example/apps/approvals',
          idempotencyKey: `approval-${key}-${Math.random()}`,
          ...(seatWarning ? { seatWarning } : {}),
        } as AppAccessMessage);
      await notifier.notify(approval('a'));
      await notifier.notify(
        approval('b', 'All 50 seats are in use; approving buys one more.'),
      );
      const cards = fake
        .messagesTo(sam)
        .filter(m => findExecute(m.activity, APPROVE_VERB))
        .slice(-2)
        .map(m => JSON.stringify(m.activity));
      expect(cards[0]).not.toContain('seats are in use');
      expect(cards[1]).toContain(
        'All 50 seats are in use; approving buys one more.',
      );
    });
  },
);

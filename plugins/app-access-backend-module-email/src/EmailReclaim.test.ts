import express from 'express';
import request from 'supertest';
import { randomBytes, randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { ReclaimQuestion } from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
} from '@app-access/plugin-app-access-node';
import { EmailActions } from './actions/EmailActions';
import { ReclaimActions } from './actions/ReclaimActions';
import { DatabaseActionTokenStore } from './database/DatabaseActionTokenStore';
import { DatabaseSentMailStore } from './database/DatabaseSentMailStore';
import { migrateEmailDatabase } from './database/migrations';
import { ReclaimTokenStore } from './database/ReclaimTokenStore';
import { EmailNotifier } from './EmailNotifier';
import { EmailSettingsSource } from './EmailSettingsSource';
import { SmtpMailer } from './mail/SmtpMailer';
import { ActionPages } from './rendering/ActionPages';
import { ReclaimPages } from './rendering/ReclaimPages';
import { createActionsRouter } from './service/router';
import { TestSmtpServer } from './testing/TestSmtpServer';
import {
  emailConfig,
  JANE,
  logger,
  makeMessage,
  makeRequest,
  SAM,
  StaticDecisionApi,
} from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const RECLAIM_LINK =
  /http:\/\/backstage\.test:7007(\/api\/app-access\/actions\/reclaim\/[A-Za-z0-9_-]{43})/g;

type AnswerInput = Parameters<AppAccessDecisionApi['answerReclaim']>[0];

/**
 * The decision API with answerReclaim recording every call and applying
 * its documented rules to questions held by Jane.
 */
class RecordingDecisionApi extends StaticDecisionApi {
  readonly answers: AnswerInput[] = [];
  private readonly questions = new Map<string, ReclaimQuestion>();

  ask(id: string = randomUUID()): string {
    this.questions.set(id, {
      id,
      campaignId: 'camp-1',
      grantId: `grant-${id}`,
      holder: JANE,
      appId: 'figma',
      tierId: 'editor',
      tierName: 'Editor',
      status: 'asked',
      askedAt: new Date().toISOString(),
      deadlineAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      reminders: 0,
    });
    return id;
  }

  async answerReclaim(input: AnswerInput): Promise<ReclaimQuestion> {
    this.answers.push(input);
    const question = this.questions.get(input.questionId);
    if (!question) throw new ConflictError('The question was withdrawn');
    if (input.personRef !== question.holder) {
      throw new NotAllowedError(
        'Only the holder of the access answers this question',
      );
    }
    if (input.answer === 'keep' && !input.reason?.trim()) {
      throw new InputError('reason: say why you keep it');
    }
    const answered: ReclaimQuestion = {
      ...question,
      status: input.answer === 'keep' ? 'kept' : 'released',
      reason: input.reason,
      answeredVia: input.channel,
    };
    this.questions.set(question.id, answered);
    return answered;
  }
}

describe('Email reclamation questions', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(() => smtp.reset());

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateEmailDatabase(knex);
    });

    function setup() {
      const config = emailConfig(smtp.smtpConfig);
      const decisions = new RecordingDecisionApi();
      const settings = new EmailSettingsSource({
        config,
        getSettings: () => decisions.getSettings(),
        logger,
      });
      const tokens = new DatabaseActionTokenStore(knex);
      const reclaimTokens = new ReclaimTokenStore(knex);
      const notifier = new EmailNotifier({
        config,
        mailer: new SmtpMailer(config),
        settings,
        tokens,
        reclaimTokens,
        sent: new DatabaseSentMailStore(knex),
        decisions,
        logger,
      });
      const app = express();
      const routerReady = createActionsRouter({
        actions: new EmailActions({ tokens, decisions, logger }),
        pages: async () =>
          new ActionPages(
            (await settings.current()).branding,
            'http://portal.test/apps/approvals',
          ),
        reclaim: {
          actions: new ReclaimActions({
            tokens: reclaimTokens,
            decisions,
            logger,
          }),
          pages: async () =>
            new ReclaimPages(
              (await settings.current()).branding,
              'http://portal.test/apps/my-access',
            ),
        },
        logger,
      }).then(router => app.use('/api/app-access', router));
      return { decisions, notifier, app, routerReady, reclaimTokens };
    }

    function question(
      questionId: string,
      overrides: Partial<AppAccessMessage> = {},
    ): AppAccessMessage {
      return makeMessage({
        kind: 'reclaim_question',
        audience: 'holder',
        recipients: [JANE],
        request: makeRequest({ status: 'fulfilled' }),
        task: undefined,
        url: 'http://portal.test/apps/my-access',
        reclaim: {
          questionId,
          campaignId: 'camp-1',
          grantId: `grant-${questionId}`,
          deadlineAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
          inactiveDays: 60,
          lastSignInAt: '2026-08-20T12:00:00.000Z',
          message: 'Licences renew in January',
        },
        ...overrides,
      });
    }

    /** Sends the question; returns the mail's keep and release paths. */
    async function send(
      notifier: EmailNotifier,
      message: AppAccessMessage,
    ): Promise<{ keep: string; release: string; text: string }> {
      expect(await notifier.notify(message)).toEqual({ unreachable: [] });
      const mail = smtp.messages[smtp.messages.length - 1];
      const text = mail.parsed.text ?? '';
      const [keep, release] = [...text.matchAll(RECLAIM_LINK)].map(m => m[1]);
      expect(keep).toBeDefined();
      expect(release).toBeDefined();
      expect(keep).not.toBe(release);
      return { keep, release, text };
    }

    it('emails the holder the app, tier, rule, last sign-in, message and deadline with two links of their own', async () => {
      const { notifier, decisions } = setup();
      const id = decisions.ask();
      const { text } = await send(notifier, question(id));
      const [mail] = smtp.messages;
      expect(mail.to).toEqual(['jane.doe@acme.example']);
      expect(mail.parsed.subject).toBe('Do you still need Figma Editor?');
      expect(text).toContain(
        'no sign-in for 60 days (last sign-in 2026-08-20)',
      );
      expect(text).toContain('Licences renew in January');
      expect(text).toContain('Keep it');
      expect(text).toContain('Give it back');
      expect(text).toContain('without an answer the access is removed then');
      expect(mail.parsed.html).toContain('/api/app-access/actions/reclaim/');
      expect(decisions.answers).toEqual([]);
    });

    it('Keep it: the link only shows a form, a blank reason is refused, a reason records keep as the holder once', async () => {
      const { notifier, decisions, app, routerReady } = setup();
      await routerReady;
      const id = decisions.ask();
      const { keep, release } = await send(notifier, question(id));

      const look = await request(app).get(keep);
      expect(look.status).toBe(200);
      expect(look.text).toContain('Keep Figma Editor?');
      expect(look.text).toContain('name="reason"');
      expect(decisions.answers).toEqual([]);

      const blank = await request(app)
        .post(keep)
        .type('form')
        .send({ reason: '  ' });
      expect(blank.status).toBe(400);
      expect(blank.text).toContain('Please say what you still use it for');
      expect(decisions.answers).toEqual([]);

      const kept = await request(app)
        .post(keep)
        .type('form')
        .send({ reason: 'Design reviews every week' });
      expect(kept.status).toBe(200);
      expect(kept.text).toContain(
        'You keep Figma Editor. Your reason: Design reviews every week',
      );
      expect(decisions.answers).toEqual([
        {
          questionId: id,
          personRef: JANE,
          answer: 'keep',
          reason: 'Design reviews every week',
          channel: 'email',
        },
      ]);

      // Both links of the email are spent, and a replay too.
      for (const path of [keep, release]) {
        const again = await request(app)
          .post(path)
          .type('form')
          .send({ reason: 'x' });
        expect(again.status).toBe(410);
        expect(again.text).toContain('You already answered');
      }
      expect(decisions.answers).toHaveLength(1);
    });

    it('Give it back: a confirm page, then the POST records release', async () => {
      const { notifier, decisions, app, routerReady } = setup();
      await routerReady;
      const id = decisions.ask();
      const { release } = await send(notifier, question(id));
      const look = await request(app).get(release);
      expect(look.status).toBe(200);
      expect(look.text).toContain('Give Figma Editor back?');
      expect(decisions.answers).toEqual([]);
      const given = await request(app).post(release).type('form').send({});
      expect(given.status).toBe(200);
      expect(given.text).toContain('You gave Figma Editor back');
      expect(decisions.answers).toEqual([
        {
          questionId: id,
          personRef: JANE,
          answer: 'release',
          reason: undefined,
          channel: 'email',
        },
      ]);
    });

    it('refuses a forged link, a link past the deadline, and a person other than the holder, in words', async () => {
      const { notifier, decisions, app, routerReady } = setup();
      await routerReady;
      const forged = await request(app).post(
        `/api/app-access/actions/reclaim/${randomBytes(32).toString(
          'base64url',
        )}`,
      );
      expect(forged.status).toBe(404);
      expect(forged.text).toContain('This link is not valid');

      const late = decisions.ask();
      const base = question(late);
      const { release: lateLink } = await send(notifier, {
        ...base,
        reclaim: {
          ...base.reclaim!,
          deadlineAt: new Date(Date.now() - 1000).toISOString(),
        },
      });
      const expired = await request(app).post(lateLink).type('form').send({});
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('The deadline has passed');

      // The question reached Sam (it is Jane's): the core refuses him.
      const id = decisions.ask();
      const { release } = await send(
        notifier,
        question(id, { recipients: [SAM] }),
      );
      const refused = await request(app).post(release).type('form').send({});
      expect(refused.status).toBe(403);
      expect(refused.text).toContain(
        'Only the holder of the access answers this question',
      );
      expect(decisions.answers.map(a => a.personRef)).toEqual([SAM]);
      // The refusal did not spend the link.
      const again = await request(app).get(release);
      expect(again.status).toBe(200);
    });

    it('says so when the question was withdrawn meanwhile', async () => {
      const { notifier, app, routerReady } = setup();
      await routerReady;
      const { release } = await send(notifier, question(randomUUID()));
      const closed = await request(app).post(release).type('form').send({});
      expect(closed.status).toBe(410);
      expect(closed.text).toContain('The question was withdrawn');
    });

    it('puts the seat warning in approval emails when set, and not otherwise', async () => {
      const { notifier } = setup();
      await notifier.notify(makeMessage());
      await notifier.notify(
        makeMessage({
          seatWarning: 'All 50 seats are in use; approving buys one more.',
        }),
      );
      const [plain, warned] = smtp.messages.map(m => m.parsed.text ?? '');
      expect(plain).not.toContain('seats are in use');
      expect(warned).toContain(
        'All 50 seats are in use; approving buys one more.',
      );
    });
  });
});

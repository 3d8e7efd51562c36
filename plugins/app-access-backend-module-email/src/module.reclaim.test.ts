// End to end through the real core: a campaign started over HTTP asks the
// holder by email over real SMTP, and following her links is recorded
// through AppAccessEngine.answerReclaim.
import { Knex } from 'knex';
import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
// On purpose: the module is tested against the real core, not a fake of it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  CoreTestBackend,
  grantThenStartCampaign,
  staleSignInModule,
  startCoreTestBackend,
  testCatalogEntities,
  userRef,
  waitFor,
} from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModuleEmail from '.';
import { RECLAIM_LEASE_MS } from './actions/ReclaimActions';
import { ReclaimTokenStore } from './database/ReclaimTokenStore';
import { TestSmtpServer } from './testing/TestSmtpServer';

jest.setTimeout(180_000);

const JANE = userRef('jane.doe');
const SAM = userRef('sam.manager');
const IVAN = userRef('ivan.admin');
const BOB = userRef('bob.other');

/** One app per case, each with one tier Jane holds and has not used. */
const APPS = [
  ['notion', 'Notion'],
  ['figma', 'Figma'],
  ['miro', 'Miro'],
  ['loom', 'Loom'],
  ['zoom', 'Zoom'],
  ['asana', 'Asana'],
];

const SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
${APPS.map(
  ([id, name]) => `  - id: ${id}
    name: ${name}
    category: Tools
    listed: true
    tiers:
      - id: editor
        name: Editor
        approval:
          required: everyone
          level1:
            - type: manager
        fulfillment:
          type: manual
`,
).join('')}`;

const RECLAIM_LINK =
  /http:\/\/backstage\.test:7007(\/api\/app-access\/actions\/reclaim\/[A-Za-z0-9_-]{43})/g;

describe('Email reclamation campaigns through the core', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let backend: CoreTestBackend;

    beforeAll(async () => {
      smtp.reset();
      knex = await databases.init(databaseId);
      backend = await startCoreTestBackend({
        knex,
        features: [
          appAccessModuleEmail,
          staleSignInModule(
            APPS.map(([appId]) => ({ personRef: JANE, appId, daysAgo: 200 })),
          ),
        ],
        admin: IVAN,
        seedYaml: SEED_YAML,
        entities: testCatalogEntities([
          {
            name: 'jane.doe',
            displayName: 'Jane Doe',
            manager: 'sam.manager',
            groups: ['engineering'],
          },
          { name: 'sam.manager', displayName: 'Sam Manager', groups: [] },
          { name: 'ivan.admin', displayName: 'Ivan Admin', groups: [] },
          { name: 'bob.other', displayName: 'Bob Other', groups: [] },
        ]),
        config: {
          backend: { baseUrl: 'http://backstage.test:7007' },
          app: { baseUrl: 'http://portal.test' },
          appAccess: {
            approvals: { method: 'email', fallbackApprover: IVAN },
            outbox: {
              pollIntervalMs: 50,
              baseDelaySeconds: 0.1,
              maxDelaySeconds: 0.5,
            },
            email: {
              smtp: smtp.smtpConfig,
              from: { name: 'Acme IT', address: 'it-apps@acme.example' },
            },
          },
        },
      });
    });
    afterAll(async () => {
      await backend?.stop();
    });

    const post = (path: string, form: Record<string, string> = {}) =>
      request(backend.server).post(path).type('form').send(form);

    /**
     * Jane holds the app's Editor tier and Ivan starts a campaign on it;
     * returns the campaign, Jane's question and her email's two links.
     */
    async function askJane(appId: string) {
      const name = APPS.find(([id]) => id === appId)![1];
      const {
        requestIds: [requestId],
        campaignId,
      } = await grantThenStartCampaign(backend.api, {
        holders: [JANE],
        approver: SAM,
        admin: IVAN,
        appId,
        tierId: 'editor',
        message: `We renew ${name} in January`,
      });
      const [mail] = await smtp.waitFor(
        m =>
          m.to.includes('jane.doe@acme.example') &&
          m.parsed.subject === `Do you still need ${name} Editor?`,
      );
      const text = mail.parsed.text ?? '';
      expect(text).toContain(`We renew ${name} in January`);
      const [keep, release] = [...text.matchAll(RECLAIM_LINK)].map(m => m[1]);
      expect(keep).toBeDefined();
      expect(release).toBeDefined();
      const question = await readQuestion(campaignId);
      expect(question).toMatchObject({ holder: JANE, status: 'asked' });
      return { requestId, campaignId, questionId: question.id, keep, release };
    }

    async function readQuestion(campaignId: string) {
      const res = await backend.api(
        'GET',
        `/admin/campaigns/${campaignId}/questions`,
        IVAN,
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      return res.body.items[0];
    }

    /** How many answers the core recorded on the request (its audit trail). */
    async function answersRecorded(requestId: string) {
      const res = await backend.api('GET', `/requests/${requestId}`, JANE);
      expect(res.status).toBe(200);
      return (res.body.events as Array<{ type: string }>).filter(
        e => e.type === 'reclaim_answered',
      ).length;
    }

    it('Keep it: the link shows a form, a reason records keep through the core, and either link again is refused', async () => {
      const { campaignId, requestId, keep, release } = await askJane('notion');
      const look = await request(backend.server).get(keep);
      expect(look.status).toBe(200);
      expect(look.text).toContain('Keep Notion Editor?');
      const blank = await post(keep, { reason: ' ' });
      expect(blank.status).toBe(400);
      expect((await readQuestion(campaignId)).status).toBe('asked');

      const kept = await post(keep, { reason: 'Weekly planning' });
      expect(kept.status).toBe(200);
      expect(kept.text).toContain(
        'You keep Notion Editor. Your reason: Weekly planning',
      );
      expect(await readQuestion(campaignId)).toMatchObject({
        status: 'kept',
        reason: 'Weekly planning',
        answeredVia: 'email',
      });

      for (const path of [keep, release]) {
        const again = await post(path, { reason: 'Again' });
        expect(again.status).toBe(410);
        expect(again.text).toContain('This link was already used');
        expect(again.text).toContain('You already answered');
      }
      expect(await answersRecorded(requestId)).toBe(1);
    });

    it('Give it back queues the removal of the grant; a link issued to someone else for her question is refused', async () => {
      const { campaignId, questionId, release } = await askJane('figma');
      // Bob cannot answer her question in the portal…
      const portal = await backend.api(
        'POST',
        `/reclaim-questions/${questionId}/answer`,
        BOB,
        { answer: 'release' },
      );
      expect(portal.status).toBe(404);
      // …nor through a link issued to him for it: the core refuses him.
      const bobs = await new ReclaimTokenStore(knex).issuePair({
        questionId,
        holderRef: BOB,
        subject: 'Figma Editor',
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      const refused = await post(
        `/api/app-access/actions/reclaim/${bobs.release}`,
      );
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('Only the holder of this access answers');
      expect((await readQuestion(campaignId)).status).toBe('asked');

      const given = await post(release);
      expect(given.status).toBe(200);
      expect(given.text).toContain('You gave Figma Editor back');
      expect(await readQuestion(campaignId)).toMatchObject({
        status: 'released',
        answeredVia: 'email',
      });
      // The removal is queued: the revoke job hands it to IT.
      const removal = await waitFor('the removal of the grant', async () =>
        (
          (
            await backend.api('GET', '/admin/removals', IVAN)
          ).body.items as any[]
        ).find(g => g.appId === 'figma' && g.grantee === JANE),
      );
      expect(removal).toMatchObject({ status: 'removing', tierId: 'editor' });
    });

    it('refuses a link after the campaign was cancelled, and after the deadline, in words', async () => {
      const cancelled = await askJane('miro');
      const cancel = await backend.api(
        'POST',
        `/admin/campaigns/${cancelled.campaignId}/cancel`,
        IVAN,
      );
      expect(cancel.status).toBe(200);
      const closed = await post(cancelled.release);
      expect(closed.status).toBe(410);
      expect(closed.text).toContain('This question is closed');
      expect(closed.text).toContain('The campaign was cancelled');
      expect((await readQuestion(cancelled.campaignId)).status).toBe(
        'cancelled',
      );

      const late = await askJane('loom');
      // Fifteen days on (the campaign gives fourteen): only the clock moves.
      jest.useFakeTimers({
        now: Date.now() + 15 * 86_400_000,
        advanceTimers: true,
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'requestAnimationFrame',
          'cancelAnimationFrame',
          'requestIdleCallback',
          'cancelIdleCallback',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      try {
        const expired = await post(late.keep, { reason: 'Still needed' });
        expect(expired.status).toBe(410);
        expect(expired.text).toContain('The deadline has passed');
      } finally {
        jest.useRealTimers();
      }
      expect((await readQuestion(late.campaignId)).status).toBe('asked');
    });

    it('a link claimed by a use that crashed before answering works again once the lease ran out, and the answer is recorded once', async () => {
      const { campaignId, requestId, keep } = await askJane('zoom');
      const tokens = new ReclaimTokenStore(knex);
      const { groupId } = (await tokens.find(keep.split('/').pop()!))!;

      // A replica took the lease and stopped before asking the core.
      const crashed = await tokens.claimGroup(
        groupId,
        new Date(),
        RECLAIM_LEASE_MS,
      );
      expect(crashed).toBeDefined();
      const busy = await post(keep, { reason: 'Customer calls' });
      expect(busy.status).toBe(409);
      expect(busy.text).toContain('Your answer is being recorded');
      expect((await readQuestion(campaignId)).status).toBe('asked');

      // Its lease has run out: the link works again.
      await knex('app_access_email_reclaim_tokens')
        .where({ group_id: groupId })
        .update({
          claimed_at: new Date(
            Date.now() - RECLAIM_LEASE_MS - 1000,
          ).toISOString(),
        });
      const kept = await post(keep, { reason: 'Customer calls' });
      expect(kept.status).toBe(200);
      expect(kept.text).toContain('You keep Zoom Editor');
      expect(await readQuestion(campaignId)).toMatchObject({
        status: 'kept',
        reason: 'Customer calls',
      });

      // Recorded once, and the links are spent now.
      expect(await answersRecorded(requestId)).toBe(1);
      const again = await post(keep, { reason: 'Customer calls' });
      expect(again.status).toBe(410);
    });

    it('two clicks at once, on both links: one answer, the other is told it was used', async () => {
      const { campaignId, requestId, keep, release } = await askJane('asana');
      const results = await Promise.all([
        post(keep, { reason: 'Roadmaps' }),
        post(release),
        post(keep, { reason: 'Roadmaps' }),
      ]);
      const statuses = results.map(r => r.status).sort();
      expect(statuses).toEqual([200, 410, 410]);
      const answered = results.find(r => r.status === 200)!;
      const question = await readQuestion(campaignId);
      expect(['kept', 'released']).toContain(question.status);
      expect(answered.text).toContain(
        question.status === 'kept' ? 'You keep Asana Editor' : 'You gave',
      );
      for (const r of results.filter(x => x.status === 410)) {
        expect(r.text).toContain('This link was already used');
      }
      expect(await answersRecorded(requestId)).toBe(1);
    });
  });
});

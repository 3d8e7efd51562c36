import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { App } from '@app-access/plugin-app-access-common';
import { AppAccessEngine } from '../AppAccessEngine';
import { Caller } from './RequestWorkflow';
import {
  FakeDirectory,
  people,
  RecordingNotifier,
  ScriptedFulfiller,
} from '../__testUtils__/fakes';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const DAY = 86_400_000;
const as = (name: string): Caller => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`],
});
const ivan = as('ivan.admin');
const HOLDERS = ['jane.doe', 'sam.manager', 'olivia.owner', 'tom.tech'];

/** A licence every employee gets without approval, priced per seat. */
function miro(autoReclaim?: { inactiveDays: number; answerDays: number }): App {
  return {
    id: 'miro',
    name: 'Miro',
    category: 'Design',
    listed: true,
    externalIds: {},
    approval: { required: 'nobody' },
    tiers: [
      {
        id: 'seat',
        name: 'Seat',
        costPerSeatMonthly: 8.5,
        currency: 'EUR',
        fulfillment: { type: 'okta-group', oktaGroupId: '00g-miro' },
        ...(autoReclaim ? { autoReclaim } : {}),
      },
    ],
  };
}

describe.each(databases.eachSupportedId())(
  'reclamation campaigns on %p',
  databaseId => {
    let engine: AppAccessEngine;
    let notifier: RecordingNotifier;
    let grantedAt: number;
    const grantOf = new Map<string, string>();

    async function settle(now = new Date(Date.now() + 400 * DAY)) {
      for (let i = 0; i < 400; i++) {
        if ((await engine.worker.runOnce(now)) === 0) return;
      }
      throw new Error('outbox did not settle');
    }

    async function setUp(app: App = miro()) {
      const knex = await databases.init(databaseId);
      notifier = new RecordingNotifier('backstage');
      engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: { outbox: { maxAttempts: 3, baseDelaySeconds: 1 } },
        }),
        logger: mockServices.logger.mock(),
        knex,
        directory: new FakeDirectory(people),
        notifiers: [notifier],
        fulfillers: [new ScriptedFulfiller(['okta-group'])],
      });
      await engine.seeds.importApps([app]);
      grantOf.clear();
      for (const name of HOLDERS) {
        await engine.workflow.submit(as(name), {
          appId: 'miro',
          tierId: 'seat',
          justification: 'whiteboards',
        });
      }
      await settle();
      for (const name of HOLDERS) {
        const [grant] = await engine.grants.forGrantee(`user:default/${name}`);
        expect(grant.status).toBe('active');
        grantOf.set(name, grant.id);
        grantedAt = new Date(grant.grantedAt).getTime();
      }
      notifier.messages.length = 0;
    }

    /** Sign-ins as the Okta sync records them (lastUsed). */
    async function signIns(days: Record<string, number>) {
      await engine.usageApi().markLastUsed(
        Object.entries(days).map(([name, d]) => ({
          personRef: `user:default/${name}`,
          appId: 'miro',
          at: new Date(grantedAt + d * DAY).toISOString(),
        })),
      );
    }

    /** Day 100 after the grants; jane and tom signed in lately, sam long ago, olivia never. */
    const day = (d: number) => new Date(grantedAt + d * DAY);

    it('matches only when sign-ins are known, longest unused first, and starts one question and notice per holder', async () => {
      await setUp();
      const rule = { appId: 'miro', tierId: 'seat', inactiveDays: 60 };
      // No sign-in was ever recorded for the app: nobody is asked on a guess.
      const unknown = await engine.reclaims.preview(rule, day(100));
      expect(unknown).toMatchObject({ signInsTracked: false, total: 0 });
      await expect(
        engine.reclaims.start(ivan, { ...rule, answerDays: 14 }, day(100)),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          /^appId: sign-ins to Miro are not known/,
        ),
      });

      await signIns({ 'jane.doe': 90, 'sam.manager': 10, 'tom.tech': 95 });
      const preview = await engine.reclaims.preview(rule, day(100));
      expect(preview).toMatchObject({
        signInsTracked: true,
        total: 2,
        alreadyAsked: 0,
        monthlySaving: 17,
        currency: 'EUR',
      });
      expect(preview.items.map(i => i.holder)).toEqual([
        'user:default/olivia.owner',
        'user:default/sam.manager',
      ]);
      expect(preview.items[1].lastSignInAt).toBe(day(10).toISOString());
      expect(preview.items[0].lastSignInAt).toBeUndefined();

      const campaign = await engine.reclaims.start(
        ivan,
        { ...rule, answerDays: 14, message: 'Seats cost money' },
        day(100),
      );
      expect(campaign).toMatchObject({
        status: 'running',
        source: 'admin',
        deadlineAt: day(114).toISOString(),
        counts: { total: 2, asked: 2 },
        monthlySaving: 0,
      });
      await settle(day(100));
      const asked = notifier.messages.filter(
        m => m.kind === 'reclaim_question',
      );
      expect(asked.map(m => m.recipients).sort()).toEqual([
        ['user:default/olivia.owner'],
        ['user:default/sam.manager'],
      ]);
      for (const m of asked) {
        expect(m.audience).toBe('holder');
        expect(m.url).toBe('http://portal.test/apps/my-access');
        expect(m.reclaim).toMatchObject({
          campaignId: campaign.id,
          deadlineAt: campaign.deadlineAt,
          inactiveDays: 60,
          message: 'Seats cost money',
        });
        const grant = await engine.grants.get(m.reclaim!.grantId);
        expect(m.request.id).toBe(grant!.requestId);
      }
      const started = await engine.events.listEvents({
        type: 'reclaim_campaign_started',
        limit: 10,
      });
      expect(started.items).toHaveLength(1);
      expect(started.items[0]).toMatchObject({
        actor: ivan.userRef,
        appId: 'miro',
        data: { campaignId: campaign.id, questions: 2 },
      });

      // Already asked: a second campaign finds nobody and says so.
      expect(await engine.reclaims.preview(rule, day(100))).toMatchObject({
        total: 0,
        alreadyAsked: 2,
      });
      await expect(
        engine.reclaims.start(ivan, { ...rule, answerDays: 14 }, day(100)),
      ).rejects.toMatchObject({ name: 'ConflictError' });

      // My access shows the open question on the grant.
      const mine = await engine.services().access.mine(as('sam.manager'));
      expect(mine.items[0].reclaim).toMatchObject({
        campaignId: campaign.id,
        deadlineAt: campaign.deadlineAt,
        lastSignInAt: day(10).toISOString(),
      });
      const janes = await engine.services().access.mine(as('jane.doe'));
      expect(janes.items[0].reclaim).toBeUndefined();
    });

    it('grantIds restrict to those who still match', async () => {
      await setUp();
      await signIns({ 'jane.doe': 90, 'sam.manager': 10 });
      const campaign = await engine.reclaims.start(
        ivan,
        {
          appId: 'miro',
          inactiveDays: 60,
          answerDays: 7,
          // jane signed in lately: she is never asked, even when named.
          grantIds: [grantOf.get('sam.manager')!, grantOf.get('jane.doe')!],
        },
        day(100),
      );
      const page = await engine.reclaims.questions(campaign.id, {});
      expect(page.items.map(q => q.holder)).toEqual([
        'user:default/sam.manager',
      ]);
    });

    it('keep needs a reason, only the holder answers, release removes through the fulfiller path and counts the saving', async () => {
      await setUp();
      await signIns({ 'jane.doe': 90 });
      const campaign = await engine.reclaims.start(
        ivan,
        { appId: 'miro', inactiveDays: 60, answerDays: 14 },
        day(100),
      );
      const { items } = await engine.reclaims.questions(campaign.id, {});
      const q = (name: string) =>
        items.find(i => i.holder === `user:default/${name}`)!;
      expect(items).toHaveLength(3);

      // Anyone but the holder: 404 in the portal, NotAllowed from a channel.
      await expect(
        engine
          .services()
          .campaigns.answer(as('jane.doe'), q('sam.manager').id, {
            answer: 'release',
          }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(
        engine.decisionApi().answerReclaim({
          questionId: q('sam.manager').id,
          personRef: 'user:default/jane.doe',
          answer: 'release',
          channel: 'slack',
        }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });

      const answer = (name: string, a: 'keep' | 'release', reason?: string) =>
        engine.reclaims.answer(
          {
            questionId: q(name).id,
            personRef: `user:default/${name}`,
            answer: a,
            reason,
            channel: 'slack',
          },
          day(101),
        );
      await expect(answer('sam.manager', 'keep', '   ')).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^reason: required/),
      });
      const kept = await answer('sam.manager', 'keep', 'Quarterly planning');
      expect(kept).toMatchObject({
        status: 'kept',
        reason: 'Quarterly planning',
        answeredVia: 'slack',
      });
      // The same answer again changes nothing; a different one is a conflict.
      expect(await answer('sam.manager', 'keep', 'again')).toMatchObject({
        status: 'kept',
        reason: 'Quarterly planning',
      });
      await expect(answer('sam.manager', 'release')).rejects.toMatchObject({
        name: 'ConflictError',
      });

      const released = await answer('olivia.owner', 'release');
      expect(released.status).toBe('released');
      expect(await answer('olivia.owner', 'release')).toMatchObject({
        status: 'released',
      });
      const grant = await engine.grants.get(grantOf.get('olivia.owner')!);
      expect(grant).toMatchObject({
        status: 'removing',
        removalReason: 'Given back in the Miro campaign',
        removedBy: 'user:default/olivia.owner',
      });
      // The scripted Okta stand-in cannot remove: IT removes it by hand.
      await settle(day(101));
      expect((await engine.grants.get(grant!.id))?.removalHandler).toBe(
        'manual',
      );
      await engine.access.markRemoved(ivan, grant!.id, 'done');
      const done = await engine.reclaims.get(campaign.id);
      expect(done.counts).toMatchObject({
        total: 3,
        asked: 1,
        kept: 1,
        removed: 1,
      });
      expect(done.monthlySaving).toBe(8.5);
      const types = (
        await engine.events.eventsForRequest(grant!.requestId)
      ).map(e => e.type);
      expect(types.filter(t => t === 'reclaim_answered')).toHaveLength(1);
      expect(types.filter(t => t === 'access_removal_started')).toHaveLength(1);
      expect(types.filter(t => t === 'access_removed')).toHaveLength(1);
      // The holder was told it is going and when it was gone.
      await settle(day(102));
      const told = notifier
        .to('user:default/olivia.owner', 'access_changed')
        .map(m => m.access?.change);
      expect(told).toEqual(['removal_started', 'removed']);
    });

    it('reminds once per step, then at the deadline removes the unanswered and leaves the kept alone', async () => {
      await setUp();
      await signIns({ 'jane.doe': 90 });
      const campaign = await engine.reclaims.start(
        ivan,
        { appId: 'miro', inactiveDays: 60, answerDays: 10 },
        day(100),
      );
      const { items } = await engine.reclaims.questions(campaign.id, {});
      const sam = items.find(i => i.holder === 'user:default/sam.manager')!;
      await engine.reclaims.answer(
        {
          questionId: sam.id,
          personRef: sam.holder,
          answer: 'keep',
          reason: 'Daily use offline',
          channel: 'email',
        },
        day(101),
      );
      // Nothing due yet.
      expect(await engine.reclaims.runPass(day(105))).toMatchObject({
        reminded: 0,
        expired: 0,
      });
      // Three days before: one reminder each of the two open questions.
      expect((await engine.reclaims.runPass(day(107.5))).reminded).toBe(2);
      expect((await engine.reclaims.runPass(day(107.6))).reminded).toBe(0);
      // One day before: the second reminder, once.
      expect((await engine.reclaims.runPass(day(109.5))).reminded).toBe(2);
      expect((await engine.reclaims.runPass(day(109.6))).reminded).toBe(0);
      await settle(day(109.6));
      const reminders = notifier.messages.filter(
        m => m.kind === 'reclaim_reminder',
      );
      expect(reminders.map(m => m.reminderNumber).sort()).toEqual([1, 1, 2, 2]);
      expect(
        reminders.some(m => m.recipients.includes('user:default/sam.manager')),
      ).toBe(false);

      // The deadline passes: the two who did not answer lose it.
      const pass = await engine.reclaims.runPass(day(110.1));
      expect(pass).toMatchObject({ expired: 2 });
      expect((await engine.reclaims.runPass(day(110.2))).expired).toBe(0);
      expect((await engine.reclaims.get(campaign.id)).status).toBe('closing');
      for (const name of ['olivia.owner', 'tom.tech']) {
        expect(await engine.grants.get(grantOf.get(name)!)).toMatchObject({
          status: 'removing',
          removedBy: 'app-access:system',
        });
      }
      expect(
        (await engine.grants.get(grantOf.get('sam.manager')!))?.status,
      ).toBe('active');
      // Answering after the deadline is a conflict.
      await expect(
        engine.reclaims.answer(
          {
            questionId: items.find(i => i.holder.endsWith('tom.tech'))!.id,
            personRef: 'user:default/tom.tech',
            answer: 'keep',
            reason: 'late',
            channel: 'portal',
          },
          day(110.3),
        ),
      ).rejects.toMatchObject({ name: 'ConflictError' });

      await settle(day(110.3));
      for (const name of ['olivia.owner', 'tom.tech']) {
        await engine.access.markRemoved(ivan, grantOf.get(name)!, 'by hand');
      }
      expect((await engine.reclaims.runPass(day(110.4))).completed).toBe(1);
      expect(await engine.reclaims.get(campaign.id)).toMatchObject({
        status: 'completed',
        counts: { kept: 1, removed: 2, asked: 0 },
        monthlySaving: 17,
      });
    });

    it('a cancel racing two deadline passes never both cancels and removes', async () => {
      await setUp();
      await signIns({ 'jane.doe': 90 });
      const campaign = await engine.reclaims.start(
        ivan,
        { appId: 'miro', inactiveDays: 60, answerDays: 5 },
        day(100),
      );
      const deadline = day(105.5);
      const results = await Promise.allSettled([
        engine.reclaims.runPass(deadline),
        engine.reclaims.cancel(ivan, campaign.id, deadline),
        engine.reclaims.runPass(deadline),
      ]);
      expect(results.filter(r => r.status === 'rejected')).toEqual([]);
      const after = await engine.reclaims.get(campaign.id);
      expect(after.status).toBe('cancelled');
      const { items } = await engine.reclaims.questions(campaign.id, {});
      expect(items).toHaveLength(3);
      // Cancelled ⇒ the access is untouched; expired ⇒ its removal began
      // before the cancel committed. Nothing else.
      const pairs = await Promise.all(
        items.map(async q => [
          q.status,
          (await engine.grants.get(q.grantId))?.status,
        ]),
      );
      expect(
        pairs.filter(
          ([q, g]) =>
            !(q === 'cancelled' && g === 'active') &&
            !(q === 'expired' && g === 'removing'),
        ),
      ).toEqual([]);
      // After the cancel, no pass removes anything.
      const active = items.filter(q => q.status === 'cancelled').length;
      expect((await engine.reclaims.runPass(day(106))).expired).toBe(0);
      const stillActive = await Promise.all(
        items.map(q => engine.grants.get(q.grantId)),
      );
      expect(stillActive.filter(g => g?.status === 'active')).toHaveLength(
        active,
      );
      // Holders whose question was withdrawn are told they keep it.
      await settle(day(106));
      const kept = notifier.messages.filter(
        m => m.kind === 'access_changed' && m.access?.change === 'kept',
      );
      expect(kept).toHaveLength(active);
      await expect(
        engine.reclaims.cancel(ivan, campaign.id, day(106)),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it('ending early brings the deadline to now; a grant removed another way is skipped', async () => {
      await setUp();
      await signIns({ 'jane.doe': 90 });
      const campaign = await engine.reclaims.start(
        ivan,
        { appId: 'miro', inactiveDays: 60, answerDays: 14 },
        day(100),
      );
      await engine.access.revoke(
        ivan,
        grantOf.get('tom.tech')!,
        'left the team',
      );
      const ended = await engine.reclaims.end(ivan, campaign.id, day(101));
      expect(ended.status).toBe('closing');
      expect(ended.deadlineAt).toBe(day(101).toISOString());
      expect(ended.counts).toMatchObject({ skipped: 1, expired: 2 });
      await expect(
        engine.reclaims.end(ivan, campaign.id, day(101)),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it('the auto-reclaim pass opens a policy campaign for newly matching holders only', async () => {
      await setUp(miro({ inactiveDays: 30, answerDays: 7 }));
      await signIns({ 'jane.doe': 90, 'sam.manager': 80 });
      const [first, ...none] = await engine.reclaims.runPolicies(day(100));
      expect(none).toEqual([]);
      expect(first).toMatchObject({
        source: 'policy',
        createdBy: 'app-access:system',
        inactiveDays: 30,
        deadlineAt: day(107).toISOString(),
        counts: { total: 2 },
      });
      // The next day: they are asked already, nobody new matches.
      expect(await engine.reclaims.runPolicies(day(101))).toEqual([]);

      const { items } = await engine.reclaims.questions(first.id, {});
      const olivia = items.find(i => i.holder.endsWith('olivia.owner'))!;
      await engine.reclaims.answer(
        {
          questionId: olivia.id,
          personRef: olivia.holder,
          answer: 'keep',
          reason: 'Board meetings',
          channel: 'msteams',
        },
        day(102),
      );
      await engine.reclaims.runPass(day(108));
      // Later, sam stopped signing in: he is asked; olivia kept it within
      // the policy's days and is not asked again yet.
      const [second] = await engine.reclaims.runPolicies(day(112));
      const asked = (await engine.reclaims.questions(second.id, {})).items;
      expect(asked.map(q => q.holder)).toEqual(['user:default/sam.manager']);
    });

    it('keeps the policy and prices away from employees', async () => {
      await setUp(miro({ inactiveDays: 30, answerDays: 7 }));
      const admin = await engine.apps.get('miro');
      expect(admin?.tiers[0].autoReclaim).toEqual({
        inactiveDays: 30,
        answerDays: 7,
      });
      const page = await engine
        .services()
        .catalog.getApp(as('jane.doe'), 'miro');
      expect(page.tiers[0]).not.toHaveProperty('autoReclaim');
    });
  },
);

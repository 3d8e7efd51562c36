import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AppAccessEngine } from '../AppAccessEngine';
import { Caller } from './RequestWorkflow';
import {
  FakeDirectory,
  people,
  RecordingNotifier,
  ScriptedFulfiller,
  testApps,
} from '../__testUtils__/fakes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const as = (name: string, groups: string[] = []): Caller => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`, ...groups],
});
const jane = as('jane.doe', ['group:default/engineering']);
const sam = as('sam.manager', ['group:default/engineering']);
const olivia = as('olivia.owner');
const ivan = as('ivan.admin', ['group:default/it-admins']);
const fiona = as('fiona.fallback');

const HOUR = 3600_000;
/** A time far enough ahead that every rescheduled job is due. */
const later = () => new Date(Date.now() + 48 * HOUR);

describe.each(databases.eachSupportedId())(
  'request workflow on %p',
  databaseId => {
    let engine: AppAccessEngine;
    let notifier: RecordingNotifier;
    let okta: ScriptedFulfiller;

    /** Runs the outbox until nothing is left, whatever the backoff says. */
    async function settle() {
      for (let i = 0; i < 100; i++) {
        if ((await engine.worker.runOnce(later())) === 0) return;
      }
      throw new Error('outbox did not settle');
    }

    async function events(requestId: string) {
      return (await engine.events.eventsForRequest(requestId)).map(e => e.type);
    }

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      notifier = new RecordingNotifier('backstage');
      okta = new ScriptedFulfiller(['okta-group']);
      engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: {
            approvals: { fallbackApprover: 'user:default/fiona.fallback' },
            reminders: { intervalHours: 24, maxCount: 3 },
            outbox: { maxAttempts: 3, baseDelaySeconds: 1 },
          },
        }),
        logger: mockServices.logger.mock(),
        knex,
        directory: new FakeDirectory(people),
        notifiers: [notifier],
        fulfillers: [okta],
      });
      await engine.seeds.importApps(testApps());
    });

    it('deny at level 1: the request is denied and the requester told, with the comment', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      expect(r.status).toBe('pending_approval');
      expect(r.level).toBe(1);
      await settle();
      expect(notifier.to(sam.userRef, 'approval_needed')).toHaveLength(1);

      const denied = await engine.workflow.decide(sam, r.id, {
        decision: 'deny',
        comment: 'use Confluence',
      });
      expect(denied.status).toBe('denied');
      await settle();
      const told = notifier.to(jane.userRef, 'decision_recorded');
      expect(told).toHaveLength(1);
      expect(told[0].task?.status).toBe('denied');
      expect(told[0].task?.comment).toBe('use Confluence');
      expect(await events(r.id)).toEqual([
        'submitted',
        'approval_requested',
        'denied',
      ]);
      expect(okta.calls).toHaveLength(0);
    });

    it('approve at level 1 then deny at level 2', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'admin',
        justification: 'workspace admin',
      });
      const afterL1 = await engine.workflow.decide(sam, r.id, {
        decision: 'approve',
      });
      expect(afterL1.status).toBe('pending_approval');
      expect(afterL1.level).toBe(2);
      await settle();
      expect(notifier.to(olivia.userRef, 'approval_needed')).toHaveLength(1);
      // The level-1 approver cannot decide level 2.
      await expect(
        engine.workflow.decide(sam, r.id, { decision: 'approve' }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });

      const denied = await engine.workflow.decide(olivia, r.id, {
        decision: 'deny',
        comment: 'too many admins',
      });
      expect(denied.status).toBe('denied');
      await settle();
      expect(
        notifier.to(jane.userRef, 'decision_recorded').map(m => m.task?.status),
      ).toEqual(['approved', 'denied']);
      const tasks = await engine.tasks.tasksForRequest(r.id);
      expect(tasks.map(t => [t.level, t.status, t.decidedBy])).toEqual([
        [1, 'approved', sam.userRef],
        [2, 'denied', olivia.userRef],
      ]);
      expect(okta.calls).toHaveLength(0);
    });

    it('ignore: the request stays open, reminders go out at most maxCount times, the fallback is not asked', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await settle();
      const start = Date.now();
      expect(await engine.reminders.run(new Date(start + 1 * HOUR))).toBe(0);
      for (let day = 1; day <= 5; day++) {
        await engine.reminders.run(new Date(start + day * 25 * HOUR));
      }
      await settle();
      const reminders = notifier.to(sam.userRef, 'reminder');
      expect(reminders.map(m => m.reminderNumber)).toEqual([1, 2, 3]);
      const request = await engine.workflow.getRequest(r.id);
      expect(request.status).toBe('pending_approval');
      expect(notifier.to(fiona.userRef)).toHaveLength(0);
      expect(await events(r.id)).not.toContain('fallback_asked');
      const [task] = await engine.tasks.tasksForRequest(r.id);
      expect(task.reminders).toBe(3);
    });

    it('the sweep reminds a batch in one go, each task once, however often the batch is offered', async () => {
      const first = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      const second = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      await settle();
      const [t1] = await engine.tasks.tasksForRequest(first.id);
      const [t2] = await engine.tasks.tasksForRequest(second.id);
      const batch = [
        { id: t1.id, reminders: 0 },
        { id: t2.id, reminders: 0 },
      ];
      const dueAt = new Date(Date.now() + 25 * HOUR);
      expect(await engine.workflow.remindMany(batch, dueAt)).toBe(2);
      // The same batch again (another sweep that read it before): nothing.
      expect(await engine.workflow.remindMany(batch, dueAt)).toBe(0);
      await settle();
      expect(
        notifier.to(sam.userRef, 'reminder').map(m => m.reminderNumber),
      ).toEqual([1]);
      for (const id of [first.id, second.id]) {
        expect(
          (await events(id)).filter(e => e === 'reminder_sent'),
        ).toHaveLength(1);
      }
      for (const id of [first.id, second.id]) {
        const [after] = await engine.tasks.tasksForRequest(id);
        expect(after.reminders).toBe(1);
      }
    });

    it('two sweeps offered the same batch at once (two replicas) remind each task once, with its event and notice', async () => {
      const submitted = [];
      for (const [appId, tierId] of [
        ['notion', 'editor'],
        ['workday', 'seat'],
      ]) {
        submitted.push(
          await engine.workflow.submit(jane, {
            appId,
            tierId,
            justification: 'work',
          }),
        );
      }
      await settle();
      const batch = [];
      for (const r of submitted) {
        const [task] = await engine.tasks.tasksForRequest(r.id);
        batch.push({ id: task.id, reminders: 0 });
      }
      const dueAt = new Date(Date.now() + 25 * HOUR);
      const stats = { writeMs: -1 };
      const counted = await Promise.all([
        engine.workflow.remindMany(batch, dueAt, stats),
        engine.workflow.remindMany(batch, dueAt),
        engine.workflow.remindMany(batch, dueAt),
      ]);
      expect(counted.reduce((a, b) => a + b, 0)).toBe(2);
      expect(stats.writeMs).toBeGreaterThanOrEqual(0);
      await settle();
      const reminders = notifier.messages.filter(m => m.kind === 'reminder');
      expect(reminders.map(m => m.reminderNumber)).toEqual([1, 1]);
      expect(new Set(reminders.map(m => m.request.id))).toEqual(
        new Set(submitted.map(r => r.id)),
      );
      for (const r of submitted) {
        const all = await engine.events.eventsForRequest(r.id);
        const sent = all.filter(e => e.type === 'reminder_sent');
        expect(sent).toHaveLength(1);
        expect(sent[0].data).toMatchObject({ reminderNumber: 1 });
        // The reminder is the request's last event, after its submission.
        expect(all[all.length - 1].type).toBe('reminder_sent');
        const [task] = await engine.tasks.tasksForRequest(r.id);
        expect(task.reminders).toBe(1);
        expect(task.lastRemindedAt).toBe(dueAt.toISOString());
      }
    });

    it('send reminders now: the approvers are reminded at once, it counts toward the maximum, and a decided request cannot be', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await settle();
      const admin = as('ivan.admin', ['group:default/it-admins']);
      const requests = engine.services().requests;
      await requests.remindNow(admin, r.id);
      await settle();
      expect(
        notifier.to(sam.userRef, 'reminder').map(m => m.reminderNumber),
      ).toEqual([1]);
      expect(await events(r.id)).toContain('reminder_sent');
      const [task] = await engine.tasks.tasksForRequest(r.id);
      expect(task.reminders).toBe(1);
      // The scheduled reminders go on from there: two more at most.
      const start = Date.now();
      for (let day = 1; day <= 4; day++) {
        await engine.reminders.run(new Date(start + day * 25 * HOUR));
      }
      await settle();
      expect(
        notifier.to(sam.userRef, 'reminder').map(m => m.reminderNumber),
      ).toEqual([1, 2, 3]);

      await engine.workflow.decide(sam, r.id, {
        decision: 'deny',
        comment: 'no',
      });
      await expect(requests.remindNow(admin, r.id)).rejects.toThrow(
        /Only a request waiting for approval can be reminded; this one is denied/,
      );
      await expect(
        requests.remindNow(admin, '00000000-0000-4000-8000-000000000000'),
      ).rejects.toThrow(/No request/);
    });

    it('asks the fallback approver only when none of the level’s approvers can be reached', async () => {
      notifier.unreachable.add(sam.userRef);
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await settle();
      expect(await events(r.id)).toEqual([
        'submitted',
        'approval_requested',
        'approver_unreachable',
        'fallback_asked',
      ]);
      expect(notifier.to(fiona.userRef, 'approval_needed')).toHaveLength(1);
      const [task] = await engine.tasks.tasksForRequest(r.id);
      expect(task.fallback).toBe(true);
      expect(task.approvers).toContain(fiona.userRef);
      const approved = await engine.workflow.decide(fiona, r.id, {
        decision: 'approve',
      });
      expect(approved.status).toBe('approved');
    });

    it('does not ask the fallback when one of a group’s members can be reached', async () => {
      notifier.unreachable.add(ivan.userRef);
      const r = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      await settle();
      expect(await events(r.id)).not.toContain('fallback_asked');
      expect(
        notifier.to('user:default/tom.tech', 'approval_needed'),
      ).toHaveLength(1);
    });

    it('never lets the requester approve their own request: the fallback stands in', async () => {
      // Sam owns Figma and is its only approver.
      const r = await engine.workflow.submit(sam, {
        appId: 'figma',
        tierId: 'editor',
        justification: 'mockups',
      });
      await expect(
        engine.workflow.decide(sam, r.id, { decision: 'approve' }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      const [task] = await engine.tasks.tasksForRequest(r.id);
      expect(task.approvers).toEqual([fiona.userRef]);
      expect(task.fallback).toBe(true);
      expect(await events(r.id)).toContain('fallback_asked');
    });

    it('approve end to end with a fulfiller: fulfilled once, the requester told', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await engine.workflow.decide(sam, r.id, {
        decision: 'approve',
        comment: 'ok',
      });
      await settle();
      const done = await engine.workflow.getRequest(r.id);
      expect(done.status).toBe('fulfilled');
      expect(done.externalRef).toBe('okta:ok');
      expect(okta.granted).toBe(1);
      expect(okta.calls[0].idempotencyKey).toBe(`app-access-${r.id}`);
      expect(await events(r.id)).toEqual([
        'submitted',
        'approval_requested',
        'approved',
        'fulfillment_started',
        'fulfilled',
      ]);
      expect(
        notifier.to(jane.userRef, 'status_changed').map(m => m.request.status),
      ).toContain('fulfilled');
      // Having the tier, asking for it again is refused; another tier is fine.
      await expect(
        engine.workflow.submit(jane, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'again',
        }),
      ).rejects.toThrow(/You already have Notion Editor/);
      await expect(
        engine.workflow.submit(jane, { appId: 'notion', tierId: 'guest' }),
      ).resolves.toMatchObject({ status: 'approved' });
    });

    it('files an audit-trail ticket for a request fulfilled through Okta when the setting is on', async () => {
      const jira = new ScriptedFulfiller(['jira']);
      const audits: string[] = [];
      jira.recordAudit = async context => {
        audits.push(context.idempotencyKey);
        return {
          externalRef: 'IT-42',
          externalUrl: 'https://jira.test/browse/IT-42',
        };
      };
      const knex = engine.db;
      engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: { outbox: { maxAttempts: 3, baseDelaySeconds: 1 } },
        }),
        logger: mockServices.logger.mock(),
        knex,
        directory: new FakeDirectory(people),
        notifiers: [notifier],
        fulfillers: [okta, jira],
      });
      await engine.settings.update(
        { ticketing: { system: 'jira', auditTickets: true } },
        ivan.userRef,
      );
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      await settle();
      const done = await engine.workflow.getRequest(r.id);
      expect(done.status).toBe('fulfilled');
      expect(done.fulfilledBy).toBe('okta-group');
      expect(audits).toEqual([`app-access-audit-${r.id}`]);
      const trail = await engine.events.eventsForRequest(r.id);
      expect(
        trail.some(e =>
          e.comment?.includes('Audit ticket IT-42 filed in jira'),
        ),
      ).toBe(true);
      // The ticketing system itself did not fulfil anything.
      expect(jira.calls).toHaveLength(0);
    });

    it('a tier that needs no approval goes straight to approved and is fulfilled', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      expect(r.status).toBe('approved');
      await settle();
      expect((await engine.workflow.getRequest(r.id)).status).toBe('fulfilled');
    });

    it('approve with the manual fulfiller: awaiting_it, then an admin marks it fulfilled', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      await engine.workflow.decide(ivan, r.id, { decision: 'approve' });
      await settle();
      expect((await engine.workflow.getRequest(r.id)).status).toBe(
        'awaiting_it',
      );
      const done = await engine.workflow.markFulfilled(
        ivan,
        r.id,
        'seat assigned in Workday',
      );
      expect(done.status).toBe('fulfilled');
      const trail = await engine.events.eventsForRequest(r.id);
      expect(trail[trail.length - 1]).toMatchObject({
        type: 'marked_fulfilled',
        actor: ivan.userRef,
        comment: 'seat assigned in Workday',
      });
      await expect(
        engine.workflow.markFulfilled(ivan, r.id),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it("a follower's note on a request waiting for IT is recorded once, however often it is sent", async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      await engine.workflow.decide(ivan, r.id, { decision: 'approve' });
      await settle();
      const followers = engine.fulfillmentApi();
      const note =
        'The ticket was closed by the requester, not by IT: IT still has to grant the access';
      await Promise.all([1, 2, 3].map(() => followers.note(r.id, note)));
      await followers.note(r.id, note);
      await followers.note(r.id, 'Another thing');
      const notes = (await engine.events.eventsForRequest(r.id))
        .filter(e => e.type === 'fulfillment_progress')
        .map(e => [e.comment, e.actor]);
      expect(notes).toEqual([
        [note, 'app-access:system'],
        ['Another thing', 'app-access:system'],
      ]);
      expect((await engine.workflow.getRequest(r.id)).status).toBe(
        'awaiting_it',
      );

      // Once the request has left IT's queue, a late note has nothing to say.
      await engine.workflow.markFulfilled(ivan, r.id, 'done');
      await followers.note(r.id, 'Too late');
      expect(
        (await engine.events.eventsForRequest(r.id)).map(e => e.comment),
      ).not.toContain('Too late');
      await expect(
        followers.note('no-such-request', note),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('a fulfiller that fails twice then succeeds fulfils exactly once', async () => {
      okta.answers = [
        { status: 'retry', error: 'Okta 503' },
        { status: 'retry', error: 'Okta 429', retryAfterMs: 1000 },
        { status: 'fulfilled', externalRef: 'okta:group' },
      ];
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      await settle();
      expect(okta.calls).toHaveLength(3);
      expect(okta.granted).toBe(1);
      const done = await engine.workflow.getRequest(r.id);
      expect(done.status).toBe('fulfilled');
      expect((await events(r.id)).filter(e => e === 'fulfilled')).toHaveLength(
        1,
      );
    });

    it('a fulfiller that always fails: the job dies, the request fails, an admin retry works', async () => {
      okta.answers = [{ status: 'retry', error: 'Okta is down' }];
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      await settle();
      const failed = await engine.workflow.getRequest(r.id);
      expect(failed.status).toBe('failed');
      expect(failed.failureReason).toContain('Okta is down');
      const dead = await engine.outbox.list({ status: 'dead', limit: 10 });
      expect(dead.map(j => j.kind)).toEqual(['fulfill']);
      expect(dead[0].attempts).toBe(3);

      okta.answers = [{ status: 'fulfilled', externalRef: 'okta:back' }];
      const retried = await engine.workflow.retry(ivan, r.id);
      expect(retried.status).toBe('fulfilling');
      await settle();
      expect((await engine.workflow.getRequest(r.id)).status).toBe('fulfilled');
      expect(okta.granted).toBe(1);
    });

    it('a permanent fulfillment error fails the request with a readable reason', async () => {
      okta.answers = [
        {
          status: 'failed',
          error: 'User jane.doe@acme.example is not in Okta',
        },
      ];
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      await settle();
      const failed = await engine.workflow.getRequest(r.id);
      expect(failed.status).toBe('failed');
      expect(failed.failureReason).toBe(
        'User jane.doe@acme.example is not in Okta',
      );
      expect(okta.calls).toHaveLength(1);
    });

    it('a notifier outage delays messages but loses none', async () => {
      notifier.failNext = 2;
      await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await settle();
      expect(notifier.to(sam.userRef, 'approval_needed')).toHaveLength(1);
    });

    it('refuses duplicates, decisions on requests that moved on, and cancels only while allowed', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await expect(
        engine.workflow.submit(jane, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'again',
        }),
      ).rejects.toThrow(new RegExp(`open request ${r.id}`));
      await expect(engine.workflow.cancel(sam, r.id)).rejects.toMatchObject({
        name: 'NotAllowedError',
      });
      const cancelled = await engine.workflow.cancel(jane, r.id);
      expect(cancelled.status).toBe('cancelled');
      await expect(
        engine.workflow.decide(sam, r.id, { decision: 'approve' }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(engine.workflow.cancel(jane, r.id)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      // Once cancelled, a new request for the same tier is allowed.
      const again = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      expect(again.id).not.toBe(r.id);
    });

    it('requires a justification when approval is needed and a comment to deny', async () => {
      await expect(
        engine.workflow.submit(jane, { appId: 'notion', tierId: 'editor' }),
      ).rejects.toThrow(/^justification: required/);
      const r = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await expect(
        engine.workflow.decide(sam, r.id, { decision: 'deny' }),
      ).rejects.toThrow(/^comment: required/);
      await expect(
        engine.workflow.submit(jane, { appId: 'nope', tierId: 'x' }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('of 20 concurrent decisions on one task exactly one wins', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      const deciders = Array.from({ length: 20 }, (_, i) =>
        i % 2 ? ivan : as('tom.tech', ['group:default/it-admins']),
      );
      const results = await Promise.allSettled(
        deciders.map((d, i) =>
          engine.workflow.decide(
            d,
            r.id,
            i % 3
              ? { decision: 'approve' }
              : { decision: 'deny', comment: 'no' },
          ),
        ),
      );
      const won = results.filter(x => x.status === 'fulfilled');
      const lost = results.filter(
        x => x.status === 'rejected',
      ) as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      expect(lost.every(l => l.reason.name === 'ConflictError')).toBe(true);
      const decisions = (await events(r.id)).filter(
        e => e === 'approved' || e === 'denied',
      );
      expect(decisions).toHaveLength(1);
    });

    it('submits an intake request to the default approvers, then to IT', async () => {
      await engine.settings.update(
        { defaultApprovers: ['group:default/it-admins'] },
        ivan.userRef,
      );
      const r = await engine.workflow.submitIntake(jane, {
        name: 'Retool',
        url: 'https://retool.com',
        justification: 'internal tools',
      });
      expect(r.kind).toBe('intake');
      expect(r.status).toBe('pending_approval');
      const approved = await engine.workflow.decide(ivan, r.id, {
        decision: 'approve',
      });
      expect(approved.status).toBe('awaiting_it');
    });
  },
);

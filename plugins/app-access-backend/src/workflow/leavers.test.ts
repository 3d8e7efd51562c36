import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity } from '@backstage/catalog-model';
import { App } from '@app-access/plugin-app-access-common';
import { DirectoryPerson } from '@app-access/plugin-app-access-node';
import { AppAccessEngine } from '../AppAccessEngine';
import { CatalogPeopleSync } from '../usage/DirectorySync';
import { testCatalogEntities } from '../testUtils';
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
const carol = as('carol.ceo', ['group:default/acme']);
const tom = as('tom.tech', ['group:default/it-admins']);
const ivan = as('ivan.admin', ['group:default/it-admins']);
const fiona = as('fiona.fallback');

/** sam and tom both decide level 1: when sam leaves, tom still may. */
const pairApp: App = {
  id: 'pair',
  name: 'Pair',
  category: 'Misc',
  listed: true,
  externalIds: {},
  approval: {
    required: 'everyone',
    level1: [
      { type: 'user', ref: sam.userRef },
      { type: 'user', ref: tom.userRef },
    ],
  },
  tiers: [{ id: 'x', name: 'X', fulfillment: { type: 'manual' } }],
};

/** A help-desk tier: fulfilled by a ticket IT works on. */
const deskApp: App = {
  id: 'desk',
  name: 'Desk',
  category: 'Misc',
  listed: true,
  externalIds: {},
  approval: { required: 'nobody' },
  tiers: [{ id: 'seat', name: 'Seat', fulfillment: { type: 'ticket' } }],
};

const HOUR = 3600_000;
const later = () => new Date(Date.now() + 48 * HOUR);

describe.each(databases.eachSupportedId())(
  'people who leave the directory on %p',
  databaseId => {
    let engine: AppAccessEngine;
    let notifier: RecordingNotifier;
    let okta: ScriptedFulfiller;
    let jira: ScriptedFulfiller;
    let directory: FakeDirectory;

    async function settle() {
      for (let i = 0; i < 100; i++) {
        if ((await engine.worker.runOnce(later())) === 0) return;
      }
      throw new Error('outbox did not settle');
    }

    const eventTypes = async (id: string) =>
      (await engine.events.eventsForRequest(id)).map(e => e.type);

    /** The Okta sync sees the person deactivated (the way the usage API is told). */
    async function leaves(person: Caller) {
      const record = directory.people.get(person.userRef)!;
      directory.people.delete(person.userRef);
      await engine
        .usageApi()
        .upsertPeople([{ ...record, groups: [], active: false }], 'okta');
    }

    /**
     * The Okta sync sees the person deactivated while the catalog still
     * lists them (in their groups too): the catalog has not caught up yet.
     */
    async function deactivated(person: Caller) {
      const record = directory.people.get(person.userRef)!;
      await engine
        .usageApi()
        .upsertPeople([{ ...record, groups: [], active: false }], 'okta');
    }

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      notifier = new RecordingNotifier('backstage');
      okta = new ScriptedFulfiller(['okta-group']);
      jira = new ScriptedFulfiller(['jira']);
      jira.answers = [
        { status: 'awaiting_it', externalRef: 'JSM-7', message: 'Filed' },
      ];
      directory = new FakeDirectory(people);
      engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: {
            approvals: { fallbackApprover: fiona.userRef },
            outbox: { maxAttempts: 3, baseDelaySeconds: 1 },
            ticketing: { system: 'jira' },
          },
        }),
        logger: mockServices.logger.mock(),
        knex,
        directory,
        notifiers: [notifier],
        fulfillers: [okta, jira],
      });
      await engine.seeds.importApps([...testApps(), pairApp, deskApp]);
      await engine.usageApi().upsertPeople(
        people.map((p: DirectoryPerson) => ({ ...p })),
        'okta',
      );
    });

    it('cancels what a leaver filed or was to get, tells the other party, and lists the access App Access granted them', async () => {
      // Granted earlier (no approval needed): jane has Notion Guest.
      const granted = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      await settle();
      expect((await engine.workflow.getRequest(granted.id)).status).toBe(
        'fulfilled',
      );
      const own = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      const filedForHer = await engine.workflow.submit(sam, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
        onBehalfOf: jane.userRef,
      });
      await settle();
      const fulfilments = okta.calls.length;
      notifier.messages.length = 0;

      await leaves(jane);

      for (const r of [own, filedForHer]) {
        const after = await engine.workflow.getRequest(r.id);
        expect(after.status).toBe('cancelled');
        expect(await eventTypes(r.id)).toContain('requester_left');
        const tasks = await engine.tasks.tasksForRequest(r.id);
        expect(tasks.map(t => t.status)).toEqual(['superseded']);
      }
      const [left] = (await engine.events.eventsForRequest(own.id)).filter(
        e => e.type === 'requester_left',
      );
      expect(left).toEqual(
        expect.objectContaining({
          actor: 'app-access:system',
          fromStatus: 'pending_approval',
          toStatus: 'cancelled',
          data: { person: jane.userRef },
        }),
      );
      await settle();
      // sam filed one of them: he is told; jane is gone and told nothing.
      expect(notifier.to(sam.userRef, 'status_changed')).toHaveLength(1);
      expect(notifier.to(jane.userRef)).toHaveLength(0);

      // Nothing is asked of the IdP (it usually removed her already); her
      // access is listed for admins.
      expect(okta.calls).toHaveLength(fulfilments);
      const list = await engine.services().leavers.list();
      expect(list.items).toEqual([
        expect.objectContaining({
          ref: jane.userRef,
          granted: [
            expect.objectContaining({ id: granted.id, appName: 'Notion' }),
          ],
        }),
      ]);

      // A second sweep finds nothing left to do.
      expect(await engine.leavers.sweep()).toEqual({
        people: 0,
        cancelled: 0,
        moved: 0,
      });
    });

    it("moves a leaver's approval tasks on: to the level's other approvers, else the fallback approver", async () => {
      const bySam = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      const shared = await engine.workflow.submit(jane, {
        appId: 'pair',
        tierId: 'x',
        justification: 'pairing',
      });
      const samsOwn = await engine.workflow.submit(sam, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'for me',
      });
      await settle();
      notifier.messages.length = 0;

      await leaves(sam);

      // His own request is cancelled.
      expect((await engine.workflow.getRequest(samsOwn.id)).status).toBe(
        'cancelled',
      );
      // Only he could decide jane's Notion request: the fallback decides it.
      const [task] = await engine.tasks.tasksForRequest(bySam.id);
      expect(task).toEqual(
        expect.objectContaining({
          status: 'open',
          approvers: [fiona.userRef],
          fallback: true,
        }),
      );
      // tom decides the shared one alone now.
      const [pairTask] = await engine.tasks.tasksForRequest(shared.id);
      expect(pairTask.approvers).toEqual([tom.userRef]);
      expect(pairTask.fallback).toBe(false);
      expect(await eventTypes(shared.id)).toContain('approver_left');
      await settle();
      expect(notifier.to(fiona.userRef, 'approval_needed')).toHaveLength(1);
      expect(notifier.to(tom.userRef, 'approval_needed')).toHaveLength(0);

      const decided = await engine.workflow.decide(fiona, bySam.id, {
        decision: 'approve',
      });
      expect(decided.status).not.toBe('pending_approval');
      await expect(
        engine.workflow.decide(sam, shared.id, { decision: 'approve' }),
      ).rejects.toThrow('You are not an approver of this request');
      expect(
        (await engine.workflow.decide(tom, shared.id, { decision: 'approve' }))
          .status,
      ).not.toBe('pending_approval');
    });

    it('moves a group task on once the last member of the group left, even while the catalog still lists them', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      await settle();
      const [before] = await engine.tasks.tasksForRequest(r.id);
      expect(before.approvers).toEqual(['group:default/it-admins']);
      notifier.messages.length = 0;

      // tom goes: ivan is still in the group and decides.
      await deactivated(tom);
      expect(await engine.tasks.tasksForRequest(r.id)).toEqual([
        expect.objectContaining({
          approvers: ['group:default/it-admins'],
          fallback: false,
        }),
      ]);

      // ivan goes too: nobody is left in the group; the fallback decides.
      await deactivated(ivan);
      const [task] = await engine.tasks.tasksForRequest(r.id);
      expect(task).toEqual(
        expect.objectContaining({
          status: 'open',
          approvers: [fiona.userRef],
          fallback: true,
        }),
      );
      const [left] = (await engine.events.eventsForRequest(r.id)).filter(
        e => e.type === 'approver_left',
      );
      expect(left).toEqual(
        expect.objectContaining({
          actor: 'app-access:system',
          level: 1,
          comment:
            'Nobody is left in it-admins to decide level 1; the fallback approver is asked',
          data: {
            groups: ['group:default/it-admins'],
            approvers: [fiona.userRef],
          },
        }),
      );
      await settle();
      expect(notifier.to(fiona.userRef, 'approval_needed')).toHaveLength(1);

      // Found once: the next sweeps leave it alone.
      expect((await engine.leavers.sweep()).moved).toBe(0);
      expect(
        (await engine.events.eventsForRequest(r.id)).filter(
          e => e.type === 'approver_left',
        ),
      ).toHaveLength(1);
      // A member of the group who left cannot decide it; the fallback can.
      await expect(
        engine.workflow.decide(ivan, r.id, { decision: 'approve' }),
      ).rejects.toThrow('You are not an approver of this request');
      expect(
        (await engine.workflow.decide(fiona, r.id, { decision: 'approve' }))
          .status,
      ).not.toBe('pending_approval');
    });

    it("handles a leaver's requests past approval: cancels failed and by-hand ones, leaves in-flight fulfilment and tickets to finish, and lists only access still held", async () => {
      okta.answers = [
        { status: 'failed', error: 'jane.doe is not in Okta' },
        { status: 'retry', error: 'Okta answered 503' },
        { status: 'fulfilled', externalRef: 'okta:ok' },
      ];
      const failed = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      const byHand = await engine.workflow.submit(jane, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
      });
      const ticketed = await engine.workflow.submit(jane, {
        appId: 'desk',
        tierId: 'seat',
      });
      await settle();
      await engine.workflow.decide(ivan, byHand.id, { decision: 'approve' });
      await settle();
      // Being fulfilled when she leaves: Okta asked for a retry, the job
      // waits for its next attempt.
      const inFlight = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await engine.workflow.decide(sam, inFlight.id, { decision: 'approve' });
      const now = new Date();
      while ((await engine.worker.runOnce(now)) > 0);
      expect(okta.calls).toHaveLength(2);
      const status = async (id: string) =>
        (await engine.workflow.getRequest(id)).status;
      expect(await status(failed.id)).toBe('failed');
      expect(await status(byHand.id)).toBe('awaiting_it');
      expect(await engine.workflow.getRequest(ticketed.id)).toMatchObject({
        status: 'awaiting_it',
        externalRef: 'JSM-7',
      });
      expect(await status(inFlight.id)).toBe('fulfilling');

      await leaves(jane);

      // Nothing is in flight for these: cancelled.
      for (const id of [failed.id, byHand.id]) {
        expect(await status(id)).toBe('cancelled');
        expect(await eventTypes(id)).toContain('requester_left');
      }
      // IT has the ticket: it stays with IT, and the timeline says she left.
      expect(await status(ticketed.id)).toBe('awaiting_it');
      const notes = (await engine.events.eventsForRequest(ticketed.id)).filter(
        e => e.type === 'requester_left',
      );
      expect(notes).toEqual([
        expect.objectContaining({
          actor: 'app-access:system',
          comment: expect.stringContaining(
            'jane.doe left the directory while IT has the request (JSM-7)',
          ),
        }),
      ]);
      expect(notes[0].toStatus).toBeUndefined();
      // The fulfil job is not disturbed: it runs and grants.
      expect(await status(inFlight.id)).toBe('fulfilling');
      expect(await eventTypes(inFlight.id)).not.toContain('requester_left');
      await settle();
      expect(await status(inFlight.id)).toBe('fulfilled');

      // Sweeping again changes nothing and notes nothing twice.
      expect(await engine.leavers.sweep()).toEqual({
        people: 0,
        cancelled: 0,
        moved: 0,
      });
      // IT closes the ticket as won't-do: failed, and then cancelled.
      await engine
        .fulfillmentApi()
        .complete(ticketed.id, { status: 'failed', message: 'She left' });
      expect(await status(ticketed.id)).toBe('failed');
      expect((await engine.leavers.sweep()).cancelled).toBe(1);
      expect(await status(ticketed.id)).toBe('cancelled');

      // Admins see the access she still holds, read from her grants.
      const leaverList = async () =>
        (await engine.services().leavers.list()).items;
      expect(await leaverList()).toEqual([
        expect.objectContaining({
          ref: jane.userRef,
          granted: [expect.objectContaining({ id: inFlight.id })],
        }),
      ]);
      const grant = await engine.grants.forRequest(inFlight.id);
      await engine.access.revoke(ivan, grant!.id, 'She left');
      await settle();
      // Still held until IT has removed it.
      expect((await leaverList())[0].granted).toHaveLength(1);
      await engine.access.markRemoved(ivan, grant!.id);
      expect(await leaverList()).toEqual([]);
    });

    it('a level with nobody left waits for an admin to name an approver', async () => {
      // carol is sam's manager; fiona (the fallback) filed it, so when carol
      // leaves nobody else may decide.
      await engine.services().settings.update(ivan, { onBehalf: 'anyone' });
      const r = await engine.workflow.submit(fiona, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'for sam',
        onBehalfOf: sam.userRef,
      });
      expect(r.plan[0].approvers).toEqual([carol.userRef]);
      await leaves(carol);
      expect(await eventTypes(r.id)).toEqual(
        expect.arrayContaining(['approver_left', 'approver_needed']),
      );
      const [task] = await engine.tasks.tasksForRequest(r.id);
      expect(task).toEqual(
        expect.objectContaining({ status: 'open', approvers: [] }),
      );
      const named = await engine.workflow.nameApprover(ivan, r.id, tom.userRef);
      expect(named.status).toBe('pending_approval');
    });

    it('the catalog copy marks people the catalog no longer has as gone, and never empties itself', async () => {
      const everyone = testCatalogEntities([
        { name: 'ann.stays', groups: ['eng'] },
        { name: 'leo.leaves', groups: ['eng'] },
      ]);
      let entities: Entity[] = everyone;
      const catalog = {
        async *streamEntities() {
          yield entities.filter(e => e.kind === 'User');
        },
      } as unknown as CatalogService;
      const onLeavers = jest.fn(async () => {});
      const sync = new CatalogPeopleSync({
        catalog,
        auth: mockServices.auth(),
        usage: engine.usage,
        logger: mockServices.logger.mock(),
        onLeavers,
      });
      expect(await sync.run()).toEqual({ people: 2, left: 0 });
      expect(onLeavers).not.toHaveBeenCalled();

      entities = [];
      expect(await sync.run()).toEqual({ people: 0, left: 0 });
      expect(
        (await engine.usage.getPerson('user:default/leo.leaves'))?.active,
      ).toBe(true);

      entities = everyone.filter(e => e.metadata.name !== 'leo.leaves');
      expect(await sync.run()).toEqual({ people: 1, left: 1 });
      expect(onLeavers).toHaveBeenCalledTimes(1);
      const leo = await engine.usage.getPerson('user:default/leo.leaves');
      expect(leo).toEqual(
        expect.objectContaining({ active: false, groups: [] }),
      );
      expect(
        (await engine.usage.getPerson('user:default/ann.stays'))?.active,
      ).toBe(true);
    });
  },
);

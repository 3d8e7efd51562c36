import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { App, Checklist } from '@app-access/plugin-app-access-common';
import { AppAccessEngine } from '../AppAccessEngine';
import { Caller } from '../workflow/RequestWorkflow';
import {
  FakeDirectory,
  people,
  RecordingNotifier,
  ScriptedFulfiller,
  testApps,
} from '../__testUtils__/fakes';
import { CHECKLIST_PATHS } from './ChecklistService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const as = (name: string, groups: string[] = []): Caller => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`, ...groups],
});
const jane = as('jane.doe', ['group:default/engineering']);
const sam = as('sam.manager', ['group:default/engineering']);
const olivia = as('olivia.owner', ['group:default/finance']);
const ivan = as('ivan.admin', ['group:default/it-admins']);

/** Salesforce as the example catalog has it: ticket tiers, with and without approval. */
const salesforce: App = {
  id: 'salesforce',
  name: 'Salesforce',
  category: 'Sales',
  owner: 'user:default/olivia.owner',
  listed: true,
  externalIds: {},
  approval: { required: 'everyone', level1: [{ type: 'manager' }] },
  tiers: [
    { id: 'read-only', name: 'Read Only', fulfillment: { type: 'ticket' } },
    {
      id: 'sales-cloud',
      name: 'Sales Cloud',
      approval: { required: 'nobody' },
      fulfillment: { type: 'ticket' },
    },
  ],
};

describe.each(databases.eachSupportedId())(
  'test your configuration on %p',
  databaseId => {
    let engine: AppAccessEngine;
    let okta: ScriptedFulfiller;
    let jira: ScriptedFulfiller;

    async function settle() {
      for (let i = 0; i < 100; i++) {
        if ((await engine.worker.runOnce(new Date())) === 0) return;
      }
      throw new Error('outbox did not settle');
    }

    const checklist = () => engine.services().checklist.evaluate();
    const step = (result: Checklist, id: string) =>
      result.steps.find(s => s.id === id)!;

    async function submit(appId: string, tierId: string) {
      const r = await engine.workflow.submit(jane, {
        appId,
        tierId,
        justification: 'the test plan',
      });
      await settle();
      return r.id;
    }

    async function decide(
      who: Caller,
      id: string,
      decision: 'approve' | 'deny',
    ) {
      await engine.workflow.decide(who, id, {
        decision,
        comment: `${decision} for the test plan`,
      });
      await settle();
    }

    async function remindNow(id: string) {
      await engine.services().requests.remindNow(ivan, id);
      await settle();
    }

    beforeEach(async () => {
      okta = new ScriptedFulfiller(['okta-group']);
      jira = new ScriptedFulfiller(['jira']);
      jira.answers = [
        {
          status: 'awaiting_it',
          externalRef: 'IT-7',
          externalUrl: 'https://jira.test/browse/IT-7',
        },
      ];
      engine = await AppAccessEngine.create({
        config: new ConfigReader({ app: { baseUrl: 'http://portal.test' } }),
        logger: mockServices.logger.mock(),
        knex: await databases.init(databaseId),
        directory: new FakeDirectory(people),
        notifiers: [new RecordingNotifier('backstage')],
        fulfillers: [okta, jira],
      });
      await engine.seeds.importApps([...testApps(), salesforce]);
      await engine.settings.update(
        { ticketing: { system: 'jira' } },
        ivan.userRef,
      );
    });

    it('has the five steps of the test plan, none seen on a fresh install', async () => {
      const result = await checklist();
      expect(result.steps.map(s => s.id)).toEqual(
        CHECKLIST_PATHS.map(p => p.id),
      );
      expect(result.steps).toHaveLength(5);
      expect(result.steps.every(s => !s.seen)).toBe(true);
    });

    it('(a) counts a level 1 denial only on a one-level request, not a level 1 denial of a two-level one', async () => {
      // Notion Admin has two levels: denied at level 1 it matches the event, not the path.
      const twoLevels = await submit('notion', 'admin');
      await decide(sam, twoLevels, 'deny');
      let result = await checklist();
      expect(step(result, 'deny-level-1').seen).toBe(false);
      expect(step(result, 'deny-level-2').seen).toBe(false);
      // And it is in the audit trail as a level 1 denial (what used to count).
      const trail = await engine.events.eventsForRequest(twoLevels);
      expect(trail).toContainEqual(
        expect.objectContaining({ type: 'denied', level: 1 }),
      );

      // Notion Editor has one level (the manager): the whole path.
      const oneLevel = await submit('notion', 'editor');
      await decide(sam, oneLevel, 'deny');
      result = await checklist();
      expect(step(result, 'deny-level-1')).toMatchObject({
        seen: true,
        requestId: oneLevel,
      });
    });

    it('(b) needs one request approved at level 1 and denied at level 2', async () => {
      const first = await submit('notion', 'admin');
      await decide(sam, first, 'approve');
      await decide(olivia, first, 'deny');
      const result = await checklist();
      expect(step(result, 'deny-level-2')).toMatchObject({
        seen: true,
        requestId: first,
      });
      // Its level 2 denial is not step (a).
      expect(step(result, 'deny-level-1').seen).toBe(false);
    });

    it('(c) counts a reminder only before anyone answered', async () => {
      // Level 1 answered, level 2 reminded: somebody did answer it.
      const answered = await submit('notion', 'admin');
      await decide(sam, answered, 'approve');
      await remindNow(answered);
      const trail = await engine.events.eventsForRequest(answered);
      expect(trail.map(e => e.type)).toContain('reminder_sent');
      expect(step(await checklist(), 'ignore').seen).toBe(false);

      const ignored = await submit('notion', 'editor');
      await remindNow(ignored);
      expect(step(await checklist(), 'ignore')).toMatchObject({
        seen: true,
        requestId: ignored,
      });
    });

    it('(d) counts an Okta fulfilment only after every level approved', async () => {
      // Notion Guest needs no approval: fulfilled by Okta, but not the path.
      const unapproved = await submit('notion', 'guest');
      expect((await engine.workflow.getRequest(unapproved)).status).toBe(
        'fulfilled',
      );
      expect(okta.granted).toBe(1);
      expect(step(await checklist(), 'okta').seen).toBe(false);

      const approved = await submit('notion', 'editor');
      await decide(sam, approved, 'approve');
      expect((await engine.workflow.getRequest(approved)).status).toBe(
        'fulfilled',
      );
      expect(step(await checklist(), 'okta')).toMatchObject({
        seen: true,
        requestId: approved,
      });
    });

    it('(e) counts a ticket only when it was filed after the approvals', async () => {
      // Sales Cloud needs no approval: a ticket is filed, but not on the path.
      const unapproved = await submit('salesforce', 'sales-cloud');
      expect(await engine.workflow.getRequest(unapproved)).toMatchObject({
        status: 'awaiting_it',
        fulfilledBy: 'jira',
      });
      expect(step(await checklist(), 'ticket').seen).toBe(false);

      const approved = await submit('salesforce', 'read-only');
      await decide(sam, approved, 'approve');
      expect(await engine.workflow.getRequest(approved)).toMatchObject({
        status: 'awaiting_it',
        externalRef: 'IT-7',
      });
      const result = await checklist();
      expect(step(result, 'ticket')).toMatchObject({
        seen: true,
        requestId: approved,
      });
      // A ticket app is not an Okta one.
      expect(step(result, 'okta').seen).toBe(false);
    });

    it('(e) does not count a ticket app that IT fulfilled by hand (no ticketing system)', async () => {
      await engine.settings.update(
        { ticketing: { system: 'manual' } },
        ivan.userRef,
      );
      const byHand = await submit('salesforce', 'read-only');
      await decide(sam, byHand, 'approve');
      expect(await engine.workflow.getRequest(byHand)).toMatchObject({
        status: 'awaiting_it',
        fulfilledBy: 'manual',
      });
      expect(step(await checklist(), 'ticket').seen).toBe(false);
    });
  },
);

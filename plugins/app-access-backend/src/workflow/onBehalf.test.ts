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
  testApps,
} from '../__testUtils__/fakes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const as = (name: string, groups: string[] = []): Caller => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`, ...groups],
});
const jane = as('jane.doe', ['group:default/engineering']);
const janeAlt = as('jane.alt');
const sam = as('sam.manager', ['group:default/engineering']);
const carol = as('carol.ceo', ['group:default/acme']);
const olivia = as('olivia.owner', ['group:default/finance']);
const ivan = as('ivan.admin', ['group:default/it-admins']);
const tom = as('tom.tech', ['group:default/it-admins']);
const fiona = as('fiona.fallback');

/** jane.alt is jane.doe's second account (same email). */
const directoryPeople = [
  ...people,
  {
    ref: janeAlt.userRef,
    email: 'Jane.Doe@acme.example',
    groups: [],
  },
];

/** Level 1 names jane's alias and ivan: the alias never decides jane's access. */
const aliasApp: App = {
  id: 'alias-app',
  name: 'Alias app',
  category: 'Misc',
  listed: true,
  externalIds: {},
  approval: {
    required: 'everyone',
    level1: [
      { type: 'user', ref: janeAlt.userRef },
      { type: 'user', ref: ivan.userRef },
    ],
  },
  tiers: [{ id: 'x', name: 'X', fulfillment: { type: 'manual' } }],
};

const HOUR = 3600_000;
const later = () => new Date(Date.now() + 48 * HOUR);

describe.each(databases.eachSupportedId())(
  'requests on behalf of someone on %p',
  databaseId => {
    let engine: AppAccessEngine;
    let notifier: RecordingNotifier;
    let okta: ScriptedFulfiller;

    async function settle() {
      for (let i = 0; i < 100; i++) {
        if ((await engine.worker.runOnce(later())) === 0) return;
      }
      throw new Error('outbox did not settle');
    }

    const setRule = (onBehalf: 'off' | 'reports' | 'anyone') =>
      engine.services().settings.update(ivan, { onBehalf });

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      notifier = new RecordingNotifier('backstage');
      okta = new ScriptedFulfiller(['okta-group']);
      engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: {
            approvals: { fallbackApprover: fiona.userRef },
            outbox: { maxAttempts: 3, baseDelaySeconds: 1 },
          },
        }),
        logger: mockServices.logger.mock(),
        knex,
        directory: new FakeDirectory(directoryPeople),
        notifiers: [notifier],
        fulfillers: [okta],
      });
      await engine.seeds.importApps([...testApps(), aliasApp]);
    });

    it("a manager's request for a report: approvals go up the grantee's chain, the grantee gets the access, both are told", async () => {
      const r = await engine.services().requests.submit(sam, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'new hire starts Monday',
        onBehalfOf: jane.userRef,
      });
      expect(r).toEqual(
        expect.objectContaining({
          requester: sam.userRef,
          grantee: jane.userRef,
          status: 'pending_approval',
        }),
      );
      // jane's manager filed it, so his own manager decides.
      expect(r.approvals).toEqual([
        expect.objectContaining({ level: 1, approvers: [carol.userRef] }),
      ]);
      expect(r.events?.[0]).toEqual(
        expect.objectContaining({
          type: 'submitted',
          actor: sam.userRef,
          data: expect.objectContaining({
            requester: sam.userRef,
            grantee: jane.userRef,
          }),
        }),
      );
      await settle();
      expect(notifier.to(carol.userRef, 'approval_needed')).toHaveLength(1);
      // The person who filed it is never asked to approve it.
      expect(notifier.to(sam.userRef, 'approval_needed')).toHaveLength(0);

      await expect(
        engine.workflow.decide(sam, r.id, { decision: 'approve' }),
      ).rejects.toThrow('You cannot decide your own request');
      await engine.workflow.decide(carol, r.id, { decision: 'approve' });
      await settle();

      expect(okta.calls).toHaveLength(1);
      expect(okta.calls[0].requester?.ref).toBe(jane.userRef);
      const done = await engine.workflow.getRequest(r.id);
      expect(done.status).toBe('fulfilled');
      for (const party of [jane.userRef, sam.userRef]) {
        expect(notifier.to(party, 'decision_recorded')).toHaveLength(1);
        expect(notifier.to(party, 'status_changed')).toHaveLength(1);
      }
      // One message to both, each named once.
      const fulfilled = notifier.to(jane.userRef, 'status_changed')[0];
      expect(fulfilled.recipients).toEqual([sam.userRef, jane.userRef]);

      // Both see it; the grantee's list has it too.
      const mine = await engine.services().requests.listMine(jane, {
        limit: 10,
      });
      expect(mine.items.map(i => i.id)).toEqual([r.id]);
      const filed = await engine.services().requests.listMine(sam, {
        limit: 10,
      });
      expect(filed.items.map(i => i.id)).toEqual([r.id]);
      const never = async () => false;
      expect(
        (await engine.services().requests.get(jane, r.id, never)).grantee,
      ).toBe(jane.userRef);
      await expect(
        engine.services().requests.get(olivia, r.id, never),
      ).rejects.toThrow(`No request with id '${r.id}'`);

      // The access is jane's: a second request for her is refused, and sam
      // may still ask for the same tier for himself.
      await expect(
        engine.workflow.submit(sam, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'again',
          onBehalfOf: jane.userRef,
        }),
      ).rejects.toThrow(/^jane\.doe already has Notion Editor/);
      const own = await engine.workflow.submit(sam, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'for me',
      });
      expect(own.grantee).toBe(sam.userRef);
    });

    it('the duplicate rule applies to the grantee, whoever filed', async () => {
      const first = await engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'docs',
      });
      await expect(
        engine.workflow.submit(sam, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'docs',
          onBehalfOf: jane.userRef,
        }),
      ).rejects.toThrow(
        `jane.doe already has an open request ${first.id} for Notion Editor`,
      );
      // The grantee may cancel a request filed for them.
      await setRule('anyone');
      const forTom = await engine.workflow.submit(olivia, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
        onBehalfOf: tom.userRef,
      });
      const cancelled = await engine.workflow.cancel(tom, forTom.id);
      expect(cancelled.status).toBe('cancelled');
      await expect(engine.workflow.cancel(ivan, first.id)).rejects.toThrow(
        'Only the requester or the person it is for can cancel a request',
      );
    });

    it('who may file for whom follows the on-behalf rule; unknown people are a 400 naming the field', async () => {
      // The form offers a manager his direct reports (from the directory copy).
      await engine.usageApi().upsertPeople(
        directoryPeople.map(p => ({ ...p })),
        'catalog',
      );
      expect(await engine.services().catalog.onBehalfOptions(sam)).toEqual({
        rule: 'reports',
        reports: [{ ref: jane.userRef }],
      });
      expect(
        (await engine.services().catalog.onBehalfOptions(jane)).reports,
      ).toEqual([]);
      // Default: direct reports only.
      const notReport = engine.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'x',
        onBehalfOf: sam.userRef,
      });
      await expect(notReport).rejects.toThrow(
        'onBehalfOf: user:default/sam.manager does not report to you, and you may request access only for your direct reports',
      );
      await expect(notReport).rejects.toHaveProperty('name', 'NotAllowedError');
      const unknown = engine.workflow.submit(sam, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'x',
        onBehalfOf: 'user:default/nobody.here',
      });
      await expect(unknown).rejects.toThrow(
        "onBehalfOf: no person 'user:default/nobody.here' in the directory",
      );
      await expect(unknown).rejects.toHaveProperty('name', 'InputError');

      await setRule('anyone');
      const forJane = await engine.workflow.submit(olivia, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'x',
        onBehalfOf: jane.userRef,
      });
      // Approved by the grantee's manager, not the filer's.
      expect(forJane.plan[0].approvers).toEqual([sam.userRef]);

      expect(await engine.services().catalog.onBehalfOptions(sam)).toEqual({
        rule: 'anyone',
        reports: [],
      });
      await setRule('off');
      const off = engine.workflow.submit(sam, {
        appId: 'notion',
        tierId: 'guest',
        onBehalfOf: jane.userRef,
      });
      await expect(off).rejects.toThrow(/^onBehalfOf: requesting access for/);
      await expect(off).rejects.toHaveProperty('name', 'NotAllowedError');
      // Filing for oneself is unaffected by the rule.
      const self = await engine.workflow.submit(sam, {
        appId: 'notion',
        tierId: 'guest',
        onBehalfOf: sam.userRef,
      });
      expect(self.grantee).toBe(sam.userRef);
    });

    it('nobody decides a request they filed or benefit from, aliases included', async () => {
      await setRule('anyone');
      // olivia files for tom; it-admins (ivan, tom) decide: tom may not.
      const forTom = await engine.workflow.submit(olivia, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
        onBehalfOf: tom.userRef,
      });
      await expect(
        engine.workflow.decide(tom, forTom.id, { decision: 'approve' }),
      ).rejects.toThrow('You cannot decide a request for your own access');
      const tomsInbox = await engine
        .services()
        .requests.listPendingApprovals(tom, { limit: 10 });
      expect(tomsInbox.items.map(t => t.requestId)).not.toContain(forTom.id);
      const ivansInbox = await engine
        .services()
        .requests.listPendingApprovals(ivan, { limit: 10 });
      expect(ivansInbox.items.map(t => t.requestId)).toContain(forTom.id);
      await settle();
      expect(notifier.to(tom.userRef, 'approval_needed')).toHaveLength(0);
      expect(notifier.to(ivan.userRef, 'approval_needed')).toHaveLength(1);

      // ivan files for carol: tom, the other it-admin, is left to decide.
      const byIvan = await engine.workflow.submit(ivan, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
        onBehalfOf: carol.userRef,
      });
      expect(byIvan.plan[0]).toEqual(
        expect.objectContaining({
          approvers: ['group:default/it-admins'],
          fallback: false,
        }),
      );
      await expect(
        engine.workflow.decide(ivan, byIvan.id, { decision: 'approve' }),
      ).rejects.toThrow('You cannot decide your own request');
      // tom files for ivan: both it-admins are parties, so the fallback
      // approver decides.
      const both = await engine.workflow.submit(tom, {
        appId: 'workday',
        tierId: 'seat',
        justification: 'payroll',
        onBehalfOf: ivan.userRef,
      });
      expect(both.plan[0]).toEqual(
        expect.objectContaining({ approvers: [fiona.userRef], fallback: true }),
      );

      // jane's alias is left out of a level for jane's access.
      await setRule('reports');
      const forJane = await engine.workflow.submit(sam, {
        appId: 'alias-app',
        tierId: 'x',
        justification: 'x',
        onBehalfOf: jane.userRef,
      });
      expect(forJane.plan[0].approvers).toEqual([ivan.userRef]);
      await expect(
        engine.workflow.decide(janeAlt, forJane.id, { decision: 'approve' }),
      ).rejects.toThrow(
        'You cannot decide this request: you and the person it is for are the same person (your accounts share an email address)',
      );
    });
  },
);

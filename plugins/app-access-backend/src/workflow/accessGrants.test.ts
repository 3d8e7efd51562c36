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
const sam = as('sam.manager', ['group:default/engineering']);

const DAY = 86_400_000;
const later = () => new Date(Date.now() + 2 * DAY);

/** A tier granted for at most 7 days, where the requester must pick. */
function timeBoundApp(): App {
  return {
    id: 'prod-db',
    name: 'Production DB',
    category: 'Engineering',
    owner: 'user:default/olivia.owner',
    listed: true,
    externalIds: {},
    approval: { required: 'everyone', level1: [{ type: 'manager' }] },
    tiers: [
      {
        id: 'read',
        name: 'Read',
        maxDurationDays: 7,
        durationRequired: true,
        fulfillment: { type: 'okta-group', oktaGroupId: '00g-prod-read' },
      },
      {
        id: 'guest',
        name: 'Guest',
        maxDurationDays: 14,
        approval: { required: 'nobody' },
        fulfillment: { type: 'okta-group', oktaGroupId: '00g-prod-guest' },
      },
      {
        id: 'write',
        name: 'Write',
        maxDurationDays: 30,
        fulfillment: { type: 'okta-group', oktaGroupId: '00g-prod-write' },
      },
    ],
  };
}

describe.each(databases.eachSupportedId())(
  'access grants on %p',
  databaseId => {
    let engine: AppAccessEngine;
    let notifier: RecordingNotifier;

    async function settle() {
      for (let i = 0; i < 100; i++) {
        if ((await engine.worker.runOnce(later())) === 0) return;
      }
      throw new Error('outbox did not settle');
    }

    beforeEach(async () => {
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
      await engine.seeds.importApps([...testApps(), timeBoundApp()]);
    });

    it('checks the duration against the tier, naming the field', async () => {
      const base = { appId: 'prod-db', justification: 'incident' };
      await expect(
        engine.workflow.submit(jane, { ...base, tierId: 'read' }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^durationDays: required/),
      });
      await expect(
        engine.workflow.submit(jane, {
          ...base,
          tierId: 'read',
          durationDays: 8,
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^durationDays: .*at most 7 days/),
      });
      // Without durationRequired, "until removed" is allowed.
      const open = await engine.workflow.submit(jane, {
        ...base,
        tierId: 'write',
      });
      expect(open.durationDays).toBeUndefined();
      const limited = await engine.workflow.submit(sam, {
        ...base,
        tierId: 'read',
        durationDays: 7,
      });
      expect(limited.durationDays).toBe(7);
    });

    it('an approver shortens the end, never lengthens it; the grant records it', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'prod-db',
        tierId: 'read',
        justification: 'incident',
        durationDays: 7,
      });
      await settle();
      // The approver sees the duration in the approval message.
      const asked = notifier.to(sam.userRef, 'approval_needed');
      expect(asked[0].request.durationDays).toBe(7);
      await expect(
        engine.workflow.decide(sam, r.id, {
          decision: 'approve',
          durationDays: 8,
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^durationDays: .*not lengthen/),
      });
      const before = Date.now();
      const approved = await engine.workflow.decide(sam, r.id, {
        decision: 'approve',
        durationDays: 3,
      });
      expect(approved.durationDays).toBe(3);
      await settle();
      const fulfilled = await engine.workflow.getRequest(r.id);
      expect(fulfilled.status).toBe('fulfilled');
      const grant = await engine.grants.forRequest(r.id);
      expect(grant).toMatchObject({
        grantee: jane.userRef,
        appId: 'prod-db',
        tierId: 'read',
        status: 'active',
        fulfilledBy: 'okta-group',
        externalRef: 'okta:ok',
      });
      const length =
        new Date(grant!.endsAt!).getTime() -
        new Date(grant!.grantedAt).getTime();
      expect(length).toBe(3 * DAY);
      expect(new Date(grant!.grantedAt).getTime()).toBeGreaterThanOrEqual(
        before - 1000,
      );
      const types = (await engine.events.eventsForRequest(r.id)).map(
        e => e.type,
      );
      expect(types).toContain('duration_shortened');
      // Holding it, Jane cannot request the same tier again.
      await expect(
        engine.workflow.submit(jane, {
          appId: 'prod-db',
          tierId: 'read',
          justification: 'again',
          durationDays: 1,
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it('access without an end records no end', async () => {
      const r = await engine.workflow.submit(jane, {
        appId: 'prod-db',
        tierId: 'write',
        justification: 'migration',
      });
      await engine.workflow.decide(sam, r.id, { decision: 'approve' });
      await settle();
      const grant = await engine.grants.forRequest(r.id);
      expect(grant?.status).toBe('active');
      expect(grant?.endsAt).toBeUndefined();
    });

    async function timeBound(caller: Caller, days = 5) {
      const r = await engine.workflow.submit(caller, {
        appId: 'prod-db',
        tierId: 'read',
        justification: 'incident',
        durationDays: days,
      });
      await engine.workflow.decide(sam, r.id, { decision: 'approve' });
      await settle();
      return (await engine.grants.forRequest(r.id))!;
    }

    it('an approved extension moves the end without removing or granting again', async () => {
      const grant = await timeBound(jane);
      const before = await engine.outbox.list({ limit: 200 });
      const ext = await engine.access.extend(jane, grant.id, {
        durationDays: 4,
        justification: 'incident still open',
      });
      expect(ext.status).toBe('pending_approval');
      expect(ext.extendsGrantId).toBe(grant.id);
      // One open extension at a time.
      await expect(
        engine.access.extend(jane, grant.id, {
          durationDays: 2,
          justification: 'again',
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      await engine.workflow.decide(sam, ext.id, { decision: 'approve' });
      await settle();
      const moved = (await engine.grants.get(grant.id))!;
      expect(moved.status).toBe('active');
      expect(new Date(moved.endsAt!).getTime()).toBe(
        new Date(grant.endsAt!).getTime() + 4 * DAY,
      );
      expect((await engine.workflow.getRequest(ext.id)).status).toBe(
        'fulfilled',
      );
      // Nothing was fulfilled or removed for the extension.
      const jobs = (await engine.outbox.list({ limit: 200 })).filter(
        j => !before.some(b => b.id === j.id),
      );
      expect(jobs.filter(j => j.kind !== 'notify')).toEqual([]);
      expect(await engine.grants.forRequest(ext.id)).toBeUndefined();
      const told = notifier
        .to(jane.userRef, 'access_changed')
        .map(m => m.access?.change);
      expect(told).toContain('extended');
    });

    it('a denied extension leaves the end as it was; others cannot extend it', async () => {
      const grant = await timeBound(jane);
      await expect(
        engine.access.extend(sam, grant.id, {
          durationDays: 1,
          justification: 'mine now',
        }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(
        engine.access.extend(jane, grant.id, {
          durationDays: 8,
          justification: 'too long',
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^durationDays:/),
      });
      const ext = await engine.access.extend(jane, grant.id, {
        durationDays: 3,
        justification: 'incident still open',
      });
      await engine.workflow.decide(sam, ext.id, {
        decision: 'deny',
        comment: 'closed',
      });
      await settle();
      expect((await engine.grants.get(grant.id))?.endsAt).toBe(grant.endsAt);
      expect((await engine.grants.get(grant.id))?.status).toBe('active');
    });

    it('remove my access: only the holder; then it can be requested again', async () => {
      const grant = await timeBound(jane);
      await expect(
        engine.access.removeMine(sam, grant.id),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      const removing = await engine.access.removeMine(jane, grant.id);
      expect(removing.status).toBe('removing');
      await settle();
      // The scripted fulfiller cannot revoke: IT removes it by hand.
      expect(await engine.grants.get(grant.id)).toMatchObject({
        status: 'removing',
        removalHandler: 'manual',
      });
      // Request oversight lists it with who has it, until IT marks it removed.
      const oversight = await engine.services().access.removals();
      expect(oversight.items).toEqual([
        expect.objectContaining({
          id: grant.id,
          status: 'removing',
          removalHandler: 'manual',
        }),
      ]);
      await engine.access.markRemoved(as('ivan.admin'), grant.id, 'done');
      expect((await engine.grants.get(grant.id))?.status).toBe('removed');
      expect((await engine.services().access.removals()).items).toEqual([]);
      const types = (await engine.events.eventsForRequest(grant.requestId)).map(
        e => e.type,
      );
      expect(types).toEqual(
        expect.arrayContaining(['access_removal_started', 'access_removed']),
      );
      // Gone, it may be asked for again.
      const again = await engine.workflow.submit(jane, {
        appId: 'prod-db',
        tierId: 'read',
        justification: 'next incident',
        durationDays: 1,
      });
      expect(again.status).toBe('pending_approval');
    });

    it('a removal that keeps failing is shown in request oversight until IT marks it removed', async () => {
      /** Grants through Okta, but Okta refuses every removal. */
      class FailingRevoker extends ScriptedFulfiller {
        async revoke(): Promise<never> {
          throw new Error('Okta answered 503');
        }
      }
      engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: { outbox: { maxAttempts: 2, baseDelaySeconds: 1 } },
        }),
        logger: mockServices.logger.mock(),
        knex: await databases.init(databaseId),
        directory: new FakeDirectory(people),
        notifiers: [notifier],
        fulfillers: [new FailingRevoker(['okta-group'])],
      });
      await engine.seeds.importApps([...testApps(), timeBoundApp()]);
      const grant = await timeBound(jane);
      await engine.access.removeMine(jane, grant.id);
      await settle();
      expect((await engine.grants.get(grant.id))?.status).toBe(
        'removal_failed',
      );
      const oversight = await engine.services().access.removals();
      expect(oversight.items).toEqual([
        expect.objectContaining({ id: grant.id, status: 'removal_failed' }),
      ]);
      expect(oversight.items[0].removalHandler).toBeUndefined();
      await engine.access.markRemoved(
        as('ivan.admin'),
        grant.id,
        'removed in Okta by hand',
      );
      expect((await engine.services().access.removals()).items).toEqual([]);
    });

    it('an admin revokes a tier from every holder, each told with the reason', async () => {
      const holders = [jane, sam, as('tom.tech')];
      for (const who of holders) {
        await engine.workflow.submit(who, {
          appId: 'prod-db',
          tierId: 'guest',
          durationDays: 3,
        });
      }
      await settle();
      const admin = as('ivan.admin');
      const revoked = await engine.access.revokeTier(
        admin,
        'prod-db',
        'guest',
        'Audit finding',
      );
      expect(revoked.map(g => g.grantee).sort()).toEqual(
        holders.map(h => h.userRef).sort(),
      );
      await settle();
      for (const who of holders) {
        const told = notifier.to(who.userRef, 'access_changed');
        expect(told.map(m => [m.access?.change, m.access?.reason])).toEqual([
          ['revoked', 'Audit finding'],
        ]);
      }
      const event = (
        await engine.events.eventsForRequest(revoked[0].requestId)
      ).find(e => e.type === 'access_removal_started');
      expect(event).toMatchObject({
        actor: admin.userRef,
        data: expect.objectContaining({
          cause: 'revoked',
          reason: 'Audit finding',
        }),
      });
      // Nothing left to revoke.
      expect(
        await engine.access.revokeTier(admin, 'prod-db', 'guest', 'again'),
      ).toEqual([]);
    });
  },
);

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
export function timeBoundApp(): App {
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
  },
);

import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { App } from '@app-access/plugin-app-access-common';
import {
  AppAccessFulfiller,
  RevocationContext,
} from '@app-access/plugin-app-access-node';
import {
  AccessTestEngine,
  startAccessTestEngine,
  waitFor,
} from '@app-access/plugin-app-access-backend/testUtils';
import { readOktaConfig } from './config';
import { OktaApi } from './OktaApi';
import { OktaFulfiller } from './OktaFulfiller';
import { FakeOkta } from './testing/FakeOkta';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const GROUP = '00gpagerresponder001';
const JANE = 'user:default/jane.doe';
const SAM = 'user:default/sam.manager';
const JANE_LOGIN = 'jane.doe@acme.example';
const DAY = 86_400_000;
const LEASE_MS = 120_000;
const DELETE_MEMBER = 'DELETE /api/v1/groups/:groupId/users/:userId';

const apps: App[] = [
  {
    id: 'pagerduty',
    name: 'PagerDuty',
    category: 'Engineering',
    listed: true,
    externalIds: {},
    approval: { required: 'everyone', level1: [{ type: 'manager' }] },
    tiers: [
      {
        id: 'responder',
        name: 'Responder',
        maxDurationDays: 7,
        durationRequired: true,
        fulfillment: { type: 'okta-group', oktaGroupId: GROUP },
      },
    ],
  },
];

const people = [
  {
    ref: JANE,
    email: JANE_LOGIN,
    manager: SAM,
    groups: ['group:default/engineering'],
  },
  { ref: SAM, email: 'sam.manager@acme.example', groups: [] },
];

/**
 * The Okta fulfiller, except that the first removal stops right after the
 * vendor call, before its checkpoint, until the test lets it go on: a
 * worker that hangs (or dies) between the DELETE and recording it.
 */
class StallingOkta implements AppAccessFulfiller {
  readonly handles: string[];
  private stalled = false;
  private release!: () => void;
  private readonly gate = new Promise<void>(r => {
    this.release = r;
  });

  constructor(private readonly real: OktaFulfiller) {
    this.handles = real.handles;
  }

  fulfill: OktaFulfiller['fulfill'] = context => this.real.fulfill(context);

  revoke = (context: RevocationContext) => {
    if (this.stalled) return this.real.revoke(context);
    this.stalled = true;
    return this.real.revoke({
      ...context,
      checkpoint: async data => {
        await this.gate;
        await context.checkpoint(data);
      },
    });
  };

  wake() {
    this.release();
  }
}

describe.each(databases.eachSupportedId())(
  'Okta removal of access that ends, on %p',
  databaseId => {
    let fake: FakeOkta;
    let okta: OktaFulfiller;

    beforeEach(async () => {
      fake = await FakeOkta.start();
      fake.addUser({ login: JANE_LOGIN });
      fake.addUser({ login: 'sam.manager@acme.example' });
      fake.addGroup({ id: GROUP, name: 'PagerDuty Responders' });
      const config = readOktaConfig(
        new ConfigReader({
          appAccess: {
            okta: { orgUrl: fake.url, apiToken: 'test-api-token' },
          },
        }),
      )!;
      okta = new OktaFulfiller({
        api: OktaApi.fromConfig(config),
        logger: mockServices.logger.mock(),
        provisioningTimeoutMs: config.provisioningTimeoutMs,
        pollMs: config.pollMs,
      });
    });

    afterEach(async () => {
      await fake.stop();
    });

    async function grantForOneDay(engine: AccessTestEngine) {
      const request = await engine.submit(JANE, {
        appId: 'pagerduty',
        tierId: 'responder',
        durationDays: 1,
      });
      await engine.approve(SAM, request.id);
      await engine.settle();
      const grant = await engine.grantFor(request.id);
      expect(grant).toMatchObject({
        status: 'active',
        fulfilledBy: 'okta-group',
      });
      expect(fake.isMember(GROUP, JANE_LOGIN)).toBe(true);
      return { request, grant: grant! };
    }

    it('removes the membership when the day has passed, once', async () => {
      const engine = await startAccessTestEngine({
        knex: await databases.init(databaseId),
        apps,
        people,
        fulfillers: [okta],
      });
      const { request, grant } = await grantForOneDay(engine);
      const endsAt = new Date(grant.endsAt!).getTime();
      expect(endsAt - new Date(grant.grantedAt).getTime()).toBe(DAY);

      // Half a day in: nothing happens (the holder was told it ends soon).
      const early = await engine.runExpiry(new Date(endsAt - DAY / 2));
      expect(early.removed).toBe(0);
      await engine.settle();
      expect(fake.isMember(GROUP, JANE_LOGIN)).toBe(true);

      // The clock passes the end: the removal is enqueued and runs.
      const due = new Date(endsAt + 60_000);
      expect((await engine.runExpiry(due)).removed).toBe(1);
      expect((await engine.grantFor(request.id))?.status).toBe('removing');
      // A second pass (another replica's scheduler) finds nothing to do.
      expect((await engine.runExpiry(due)).removed).toBe(0);
      await engine.settle();

      expect(fake.isMember(GROUP, JANE_LOGIN)).toBe(false);
      expect(fake.count(DELETE_MEMBER)).toBe(1);
      expect(await engine.grantFor(request.id)).toMatchObject({
        status: 'removed',
        removedBy: 'app-access:system',
      });
      const types = await engine.eventTypes(request.id);
      expect(types.filter(t => t === 'access_removal_started')).toHaveLength(1);
      expect(types.filter(t => t === 'access_removed')).toHaveLength(1);
      expect(types).toContain('access_ending_soon');
      expect(await engine.outboxCounts()).not.toHaveProperty('dead');
      // Jane was told before the end, and when it was gone.
      const told = engine.messages
        .filter(m => m.kind === 'access_changed')
        .map(m => m.access?.change);
      expect(told).toEqual(['ending_soon', 'removal_started', 'removed']);
    });

    it('removes exactly once with two workers and a stall between the DELETE and its checkpoint', async () => {
      const stalling = new StallingOkta(okta);
      const engine = await startAccessTestEngine({
        knex: await databases.init(databaseId),
        apps,
        people,
        fulfillers: [stalling],
        config: { outbox: { leaseSeconds: LEASE_MS / 1000 } },
      });
      const { request, grant } = await grantForOneDay(engine);
      const due = new Date(new Date(grant.endsAt!).getTime() + 60_000);
      expect((await engine.runExpiry(due)).removed).toBe(1);

      // Replica A claims the removal, removes the membership, and stalls.
      const replicaA = engine.newWorker();
      const running = replicaA.runOnce(due);
      await waitFor('the DELETE of replica A', async () =>
        fake.count(DELETE_MEMBER) === 1 ? true : undefined,
      );
      expect(fake.isMember(GROUP, JANE_LOGIN)).toBe(false);

      // Its lease runs out; replica B takes the job over and finishes it.
      const replicaB = engine.newWorker();
      const afterLease = new Date(due.getTime() + LEASE_MS + 10_000);
      let ran = 0;
      while ((await replicaB.runOnce(afterLease)) > 0) ran++;
      expect(ran).toBeGreaterThan(0);
      expect((await engine.grantFor(request.id))?.status).toBe('removed');

      // A wakes up: it no longer holds the job and records nothing.
      stalling.wake();
      await running;
      await engine.settle(afterLease);

      expect(fake.count(DELETE_MEMBER)).toBe(1);
      expect(fake.isMember(GROUP, JANE_LOGIN)).toBe(false);
      const types = await engine.eventTypes(request.id);
      expect(types.filter(t => t === 'access_removed')).toHaveLength(1);
      expect(await engine.outboxCounts()).not.toHaveProperty('dead');
    });
  },
);

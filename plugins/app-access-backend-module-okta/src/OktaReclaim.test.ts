import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { App } from '@app-access/plugin-app-access-common';
import {
  AppAccessFulfiller,
  RevocationContext,
} from '@app-access/plugin-app-access-node';
import {
  startAccessTestEngine,
  waitFor,
} from '@app-access/plugin-app-access-backend/testUtils';
import { readOktaConfig } from './config';
import { OktaApi } from './OktaApi';
import { OktaFulfiller } from './OktaFulfiller';
import { FakeOkta } from './testing/FakeOkta';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const GROUP = '00gmirousers00000001';
const DAY = 86_400_000;
const LEASE_MS = 120_000;
const DELETE_MEMBER = 'DELETE /api/v1/groups/:groupId/users/:userId';
const login = (name: string) => `${name}@acme.example`;
const ref = (name: string) => `user:default/${name}`;
const NAMES = ['jane.doe', 'lena.idle', 'sam.manager'];

const apps: App[] = [
  {
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
        fulfillment: { type: 'okta-group', oktaGroupId: GROUP },
      },
    ],
  },
];

const people = NAMES.map(name => ({
  ref: ref(name),
  email: login(name),
  groups: [],
}));

/**
 * The Okta fulfiller, except that the first removal stops right after the
 * DELETE, before its checkpoint, until the test lets it go on.
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
  'a reclamation campaign removing Okta access, on %p',
  databaseId => {
    let fake: FakeOkta;

    beforeEach(async () => {
      fake = await FakeOkta.start();
      for (const name of NAMES) fake.addUser({ login: login(name) });
      fake.addGroup({ id: GROUP, name: 'Miro users' });
    });

    afterEach(async () => {
      await fake.stop();
    });

    it('removes a seat given back exactly once across a stalled replica, and an unanswered one at the deadline; a recent user is never asked', async () => {
      const config = readOktaConfig(
        new ConfigReader({
          appAccess: { okta: { orgUrl: fake.url, apiToken: 'test-api-token' } },
        }),
      )!;
      const stalling = new StallingOkta(
        new OktaFulfiller({
          api: OktaApi.fromConfig(config),
          logger: mockServices.logger.mock(),
          provisioningTimeoutMs: config.provisioningTimeoutMs,
          pollMs: config.pollMs,
        }),
      );
      const engine = await startAccessTestEngine({
        knex: await databases.init(databaseId),
        apps,
        people,
        fulfillers: [stalling],
        config: { outbox: { leaseSeconds: LEASE_MS / 1000 } },
      });
      let grantedAt = 0;
      for (const name of NAMES) {
        const request = await engine.submit(ref(name), {
          appId: 'miro',
          tierId: 'seat',
        });
        await engine.settle();
        const grant = await engine.grantFor(request.id);
        expect(grant?.status).toBe('active');
        grantedAt = new Date(grant!.grantedAt).getTime();
        expect(fake.isMember(GROUP, login(name))).toBe(true);
      }
      const day = (d: number) => new Date(grantedAt + d * DAY);
      // Only sam signed in lately (Okta's System Log, through the sync).
      await engine.signIn(ref('sam.manager'), 'miro', day(90));
      await engine.signIn(ref('jane.doe'), 'miro', day(5));

      const campaign = await engine.startCampaign(
        ref('ivan.admin'),
        { appId: 'miro', inactiveDays: 60, answerDays: 7 },
        day(100),
      );
      const questions = await engine.campaignQuestions(campaign.id);
      expect(questions.map(q => q.holder).sort()).toEqual([
        ref('jane.doe'),
        ref('lena.idle'),
      ]);
      const of = (name: string) => questions.find(q => q.holder === ref(name))!;
      await engine.settle(day(100));
      expect(
        engine.messages.filter(m => m.kind === 'reclaim_question'),
      ).toHaveLength(2);

      // Jane gives it back from Slack.
      await engine.answerReclaim({
        questionId: of('jane.doe').id,
        personRef: ref('jane.doe'),
        answer: 'release',
        channel: 'slack',
      });
      const released = day(101);
      // Replica A claims the removal, DELETEs the membership and stalls.
      const replicaA = engine.newWorker();
      const running = (async () => {
        for (;;) {
          const ran = await replicaA.runOnce(released);
          if (!ran || fake.count(DELETE_MEMBER) > 0) return;
        }
      })();
      await waitFor('the DELETE of replica A', async () =>
        fake.count(DELETE_MEMBER) === 1 ? true : undefined,
      );
      expect(fake.isMember(GROUP, login('jane.doe'))).toBe(false);
      // Its lease runs out; replica B takes the job over and finishes it.
      const replicaB = engine.newWorker();
      const afterLease = new Date(released.getTime() + LEASE_MS + 10_000);
      while ((await replicaB.runOnce(afterLease)) > 0);
      stalling.wake();
      await running;
      await engine.settle(afterLease);
      expect(fake.count(DELETE_MEMBER)).toBe(1);
      expect(
        (await engine.campaignQuestions(campaign.id)).find(
          q => q.holder === ref('jane.doe'),
        )?.status,
      ).toBe('removed');

      // Lena never answers: at the deadline her seat goes too, once.
      expect((await engine.runCampaigns(day(107.1))).expired).toBe(1);
      expect((await engine.runCampaigns(day(107.2))).expired).toBe(0);
      await engine.settle(day(107.2));
      expect(fake.isMember(GROUP, login('lena.idle'))).toBe(false);
      expect(fake.isMember(GROUP, login('sam.manager'))).toBe(true);
      expect(fake.count(DELETE_MEMBER)).toBe(2);
      expect((await engine.runCampaigns(day(107.3))).completed).toBe(1);
      expect(await engine.getCampaign(campaign.id)).toMatchObject({
        status: 'completed',
        counts: { removed: 2, total: 2 },
      });
      expect(await engine.outboxCounts()).not.toHaveProperty('dead');
    });
  },
);

import { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { App } from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { UsageInsightStore } from '../database/UsageInsightStore';
import { UsageStore } from '../database/UsageStore';
import { migrateKnex } from '../database/migrations';
import { UsageInsight, utcDay } from './UsageInsight';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const DAY = 86_400_000;
const NOW = new Date('2030-06-30T12:00:00.000Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();
const person = (n: number) => `user:default/p${n}`;

function app(id: string, tiers: App['tiers'], listed = true): App {
  return {
    id,
    name: id.toUpperCase(),
    category: 'Tools',
    listed,
    externalIds: {},
    tiers,
  };
}

async function setUp(databaseId: any) {
  const knex = await databases.init(databaseId);
  await migrateKnex(knex);
  const apps = new AppStore(knex, { cacheTtlMs: 0 });
  const usage = new UsageStore(knex);
  let grants = 0;
  async function save(a: App) {
    await knex.transaction(tx =>
      apps.save(a, { source: 'admin', adminModified: true }, tx),
    );
  }
  /** A held grant and the assignment App Access records with it. */
  async function hold(
    appId: string,
    tierId: string,
    who: string,
    status = 'active',
  ) {
    grants++;
    await knex('access_grants').insert({
      id: `g${grants}`,
      app_id: appId,
      tier_id: tierId,
      app_name: appId,
      tier_name: tierId,
      grantee: who,
      request_id: `r${grants}`,
      granted_at: daysAgo(200),
      status,
      updated_at: daysAgo(200),
    });
    await usage.addAssignment(who, appId, 'portal');
  }
  const signIn = (who: string, appId: string, at: string) =>
    usage.markLastUsed([{ personRef: who, appId, at }]);
  return { knex, save, hold, signIn };
}

describe.each(databases.eachSupportedId())(
  'usage insight on %s',
  databaseId => {
    let knex: Knex;
    afterEach(async () => {
      await knex?.destroy();
    });

    it('counts holders, activity, seats and what unused seats cost, most savings first', async () => {
      const t = await setUp(databaseId);
      knex = t.knex;
      await t.save(
        app('design', [
          {
            id: 'editor',
            name: 'Editor',
            fulfillment: { type: 'manual' },
            costPerSeatMonthly: 15,
            currency: 'EUR',
            seatsPurchased: 10,
          },
          { id: 'viewer', name: 'Viewer', fulfillment: { type: 'manual' } },
        ]),
      );
      await t.save(
        app('chat', [
          {
            id: 'member',
            name: 'Member',
            fulfillment: { type: 'manual' },
            costPerSeatMonthly: 100,
            currency: 'EUR',
            seatsPurchased: 4,
          },
        ]),
      );
      await t.save(
        app('free', [
          { id: 'basic', name: 'Basic', fulfillment: { type: 'manual' } },
        ]),
      );
      // design/editor: 6 holders: 2 active in 30 days, 1 active in 90 only,
      // 1 last seen 120 days ago, 2 never; one is being removed (still a seat).
      for (let i = 1; i <= 6; i++) {
        await t.hold(
          'design',
          'editor',
          person(i),
          i === 6 ? 'removing' : 'active',
        );
      }
      await t.signIn(person(1), 'design', daysAgo(1));
      await t.signIn(person(2), 'design', daysAgo(29));
      await t.signIn(person(3), 'design', daysAgo(60));
      await t.signIn(person(4), 'design', daysAgo(120));
      // A removed grant holds no seat.
      await t.hold('design', 'viewer', person(7), 'removed');
      await t.hold('design', 'viewer', person(8));
      await t.signIn(person(8), 'design', daysAgo(3));
      // chat: 4 seats, 4 holders, 3 idle for 90+ days: 300 EUR a month.
      for (let i = 11; i <= 14; i++) await t.hold('chat', 'member', person(i));
      await t.signIn(person(11), 'chat', daysAgo(5));
      for (let i = 12; i <= 14; i++)
        await t.signIn(person(i), 'chat', daysAgo(91));

      const insight = await new UsageInsight(
        new UsageInsightStore(knex),
      ).compute(NOW);
      expect(insight.signInsTracked).toBe(true);
      expect(insight.items.map(a => a.appId)).toEqual([
        'chat',
        'design',
        'free',
      ]);
      const [chat, design, free] = insight.items;
      expect(chat).toMatchObject({
        holders: 4,
        active30: 1,
        active90: 1,
        neverSignedIn: 0,
        unusedSeats: 3,
        currency: 'EUR',
        unusedSeatCostMonthly: 300,
        signIns: { known: true },
      });
      expect(design.tiers).toEqual([
        {
          tierId: 'editor',
          tierName: 'Editor',
          holders: 6,
          seatsUsed: 6,
          active30: 2,
          active90: 3,
          neverSignedIn: 2,
          seatsPurchased: 10,
          seatsFree: 4,
          idleHolders: 3,
          unusedSeats: 7,
          costPerSeatMonthly: 15,
          currency: 'EUR',
          unusedSeatCostMonthly: 105,
        },
        {
          tierId: 'viewer',
          tierName: 'Viewer',
          holders: 1,
          seatsUsed: 1,
          active30: 1,
          active90: 1,
          neverSignedIn: 0,
          seatsFree: null,
          idleHolders: 0,
          unusedSeats: 0,
          unusedSeatCostMonthly: null,
        },
      ]);
      expect(design).toMatchObject({
        holders: 7,
        active30: 3,
        unusedSeatCostMonthly: 105,
      });
      // Nobody holds it: true zeros, and no price to save.
      expect(free).toMatchObject({
        holders: 0,
        active30: 0,
        unusedSeatCostMonthly: null,
      });
    });

    it('says why instead of showing zeros where sign-ins are unknown', async () => {
      const t = await setUp(databaseId);
      knex = t.knex;
      await t.save(
        app('wiki', [
          {
            id: 'user',
            name: 'User',
            fulfillment: { type: 'manual' },
            costPerSeatMonthly: 8,
            currency: 'USD',
            seatsPurchased: 5,
          },
        ]),
      );
      await t.save(
        app('crm', [
          { id: 'user', name: 'User', fulfillment: { type: 'manual' } },
        ]),
      );
      await t.hold('wiki', 'user', person(1));
      await t.hold('wiki', 'user', person(2));
      await t.hold('crm', 'user', person(1));
      const insight = new UsageInsight(new UsageInsightStore(knex));

      const untracked = await insight.compute(NOW);
      expect(untracked.signInsTracked).toBe(false);
      const wiki = untracked.items.find(a => a.appId === 'wiki')!;
      expect(wiki.signIns).toMatchObject({
        known: false,
        reason: 'not-tracked',
      });
      expect(wiki).toMatchObject({
        active30: null,
        active90: null,
        neverSignedIn: null,
      });
      // Only the seats nobody holds count as unused: 3 × 8.
      expect(wiki.tiers[0]).toMatchObject({
        idleHolders: null,
        seatsFree: 3,
        unusedSeats: 3,
        unusedSeatCostMonthly: 24,
      });

      // Sign-ins recorded for crm only: wiki's remain unknown, for its own reason.
      await t.signIn(person(1), 'crm', daysAgo(2));
      const partly = await insight.compute(NOW);
      expect(partly.signInsTracked).toBe(true);
      expect(partly.items.find(a => a.appId === 'wiki')!.signIns).toMatchObject(
        {
          known: false,
          reason: 'none-recorded-for-app',
        },
      );
      expect(partly.items.find(a => a.appId === 'crm')).toMatchObject({
        signIns: { known: true },
        active30: 1,
      });
    });

    it('takes one snapshot a day however many replicas run it, and serves the series', async () => {
      const t = await setUp(databaseId);
      knex = t.knex;
      await t.save(
        app('design', [
          { id: 'editor', name: 'Editor', fulfillment: { type: 'manual' } },
          { id: 'viewer', name: 'Viewer', fulfillment: { type: 'manual' } },
        ]),
      );
      await t.hold('design', 'editor', person(1));
      await t.hold('design', 'viewer', person(2));
      await t.signIn(person(1), 'design', daysAgo(1));
      const replicaA = new UsageInsight(new UsageInsightStore(knex));
      const replicaB = new UsageInsight(new UsageInsightStore(knex));

      const first = await Promise.all([
        replicaA.snapshot(NOW),
        replicaB.snapshot(NOW),
      ]);
      expect(first[0] + first[1]).toBe(2);
      expect(await replicaA.snapshot(new Date(NOW.getTime() + 3_600_000))).toBe(
        0,
      );
      expect(Number((await knex('usage_snapshots').count('* as n'))[0].n)).toBe(
        2,
      );

      await t.hold('design', 'editor', person(3));
      const tomorrow = new Date(NOW.getTime() + DAY);
      expect(await replicaB.snapshot(tomorrow)).toBe(2);

      expect(await replicaA.history('design', 90, tomorrow)).toEqual([
        { day: utcDay(NOW), holders: 2, active30: 1 },
        { day: utcDay(tomorrow), holders: 3, active30: 1 },
      ]);
      // Only the last day.
      expect(await replicaA.history('design', 1, tomorrow)).toEqual([
        { day: utcDay(tomorrow), holders: 3, active30: 1 },
      ]);
      expect(await replicaA.history('other', 90, tomorrow)).toEqual([]);
    });
  },
);

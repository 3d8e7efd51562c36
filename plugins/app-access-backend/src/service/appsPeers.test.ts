import express from 'express';
import request from 'supertest';
import { Knex } from 'knex';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { App } from '@app-access/plugin-app-access-common';
import { AppAccessEngine } from '../AppAccessEngine';
import { AppStore } from '../database/AppStore';
import { PeerReads } from '../database/PeerReads';
import { PersonRecord } from '../database/UsageStore';
import { createRouter } from './createRouter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const u = (name: string) => `user:default/${name}`;
const platform = 'group:default/platform';
const design = 'group:default/design';

// Priya and four teammates in platform; d is also in design with e and f.
const people: PersonRecord[] = [
  {
    ref: u('priya'),
    groups: [platform],
    title: 'SRE',
    department: 'Engineering',
  },
  { ref: u('a'), groups: [platform], title: 'SRE', department: 'Engineering' },
  {
    ref: u('b'),
    groups: [platform],
    title: 'Engineer',
    department: 'Engineering',
  },
  {
    ref: u('c'),
    groups: [platform],
    title: 'Engineer',
    department: 'Engineering',
  },
  {
    ref: u('d'),
    groups: [platform, design],
    title: 'Engineer',
    department: 'Engineering',
  },
  { ref: u('e'), groups: [design], title: 'SRE', department: 'Design' },
  { ref: u('f'), groups: [design], title: 'Designer', department: 'Design' },
];

const app = (id: string, name = id): App => ({
  id,
  name,
  category: 'Engineering',
  listed: true,
  externalIds: {},
  tiers: [{ id: 'seat', name: 'Seat', fulfillment: { type: 'manual' } }],
});

type Item = { id: string; name: string; peers: { team: number; role: number } };

/**
 * GET /apps with peer counts through the real router and stores, the people
 * coming from the usage store (no catalog): what the catalog page shows, and
 * that the caches behind it never show a count or a person older than this
 * process's last write.
 */
describe.each(databases.eachSupportedId())(
  'GET /apps with peer counts on %p',
  databaseId => {
    let knex: Knex;
    let engine: AppAccessEngine;
    let server: express.Express;

    const get = async (path: string, as = u('priya')) => {
      const res = await request(server)
        .get(`/api/app-access${path}`)
        .set('x-user', as);
      expect(res.status).toBe(200);
      return res.body as { items: Item[]; nextCursor?: string };
    };
    const peersOf = (items: Item[]) =>
      Object.fromEntries(items.map(i => [i.id, i.peers]));

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      engine = await AppAccessEngine.create({
        config: new ConfigReader({}),
        logger: mockServices.logger.mock(),
        knex,
      });
      await engine.seeds.importApps(
        ['linear', 'jira', 'figma', 'datadog'].map(id => app(id)),
      );
      await engine.usage.upsertPeople(people, 'okta');
      await engine.usage.setAssignments('demo', [
        { personRef: u('priya'), appIds: ['linear'] },
        { personRef: u('a'), appIds: ['linear', 'datadog'] },
        { personRef: u('b'), appIds: ['linear', 'jira'] },
        { personRef: u('c'), appIds: ['jira', 'datadog'] },
        { personRef: u('d'), appIds: ['figma', 'datadog'] },
        { personRef: u('e'), appIds: ['figma', 'datadog'] },
        { personRef: u('f'), appIds: ['figma'] },
      ]);
      // A second source for an app c already has: still one person.
      await engine.usage.setAssignments('okta-group', [
        { personRef: u('c'), appIds: ['datadog'] },
      ]);
      await engine.usage.recomputeRollups();

      const userOf = (req: express.Request) => req.header('x-user') ?? '';
      server = express();
      server.use(
        '/api/app-access',
        await createRouter({
          httpAuth: {
            credentials: async (req: express.Request) => ({
              $$type: '@backstage/BackstageCredentials',
              principal: { type: 'user', userEntityRef: userOf(req) },
            }),
          } as any,
          userInfo: {
            getUserInfo: async (credentials: any) => ({
              userEntityRef: credentials.principal.userEntityRef,
              ownershipEntityRefs: [credentials.principal.userEntityRef],
            }),
          } as any,
          permissions: mockServices.permissions.mock(),
          auditor: mockServices.auditor.mock(),
          services: engine.services(),
        }),
      );
    });

    it('counts teammates and people with the same title per app on the page, never the viewer, each person once', async () => {
      const first = await get('/apps?limit=2');
      // team = a, b, c, d (platform, not priya); title SRE = a, e (not priya)
      expect(peersOf(first.items)).toEqual({
        datadog: { team: 3, role: 2 }, // a, c (two sources), d | a, e
        figma: { team: 1, role: 1 }, // d | e
      });
      const second = await get(
        `/apps?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
      );
      expect(peersOf(second.items)).toEqual({
        jira: { team: 2, role: 0 }, // b, c
        linear: { team: 2, role: 1 }, // a, b | a (priya has it too, not counted)
      });
      expect(second.nextCursor).toBeUndefined();
    });

    it('ranks the whole catalog by team usage (then name) and pages it with an offset cursor', async () => {
      const first = await get('/apps?sort=team&limit=3');
      expect(first.items.map(i => `${i.id}:${i.peers.team}`)).toEqual([
        'datadog:3',
        'jira:2',
        'linear:2',
      ]);
      const second = await get(
        `/apps?sort=team&limit=3&cursor=${encodeURIComponent(
          first.nextCursor!,
        )}`,
      );
      expect(second.items.map(i => `${i.id}:${i.peers.team}`)).toEqual([
        'figma:1',
      ]);
      expect(second.nextCursor).toBeUndefined();
      const byRole = await get('/apps?sort=role');
      expect(byRole.items.map(i => `${i.id}:${i.peers.role}`)).toEqual([
        'datadog:2',
        'figma:1',
        'linear:1',
        'jira:0',
      ]);
    });

    it('counts an assignment added a moment ago on the very next request', async () => {
      expect(peersOf((await get('/apps')).items).figma).toEqual({
        team: 1,
        role: 1,
      });
      await engine.usage.addAssignment(u('a'), 'figma', 'portal');
      expect(peersOf((await get('/apps')).items).figma.team).toBe(2); // d, a
      await engine.usage.removeAssignments('demo', [
        { personRef: u('d'), appId: 'figma' },
      ]);
      expect(peersOf((await get('/apps')).items).figma.team).toBe(1); // a
      await engine.usage.recomputeRollups();
      expect(peersOf((await get('/apps')).items).figma).toEqual({
        team: 1,
        role: 2,
      }); // a | a, e
    });

    it('uses the viewer’s new team and title as soon as a people write in this process has changed them', async () => {
      expect(peersOf((await get('/apps')).items).figma).toEqual({
        team: 1,
        role: 1,
      });
      // Priya moves to design and becomes a designer: the cached person is dropped.
      await engine.usage.upsertPeople(
        [
          {
            ...people[0],
            groups: [design],
            title: 'Designer',
            department: 'Design',
          },
        ],
        'okta',
      );
      await engine.usage.recomputeRollups();
      expect(peersOf((await get('/apps')).items)).toEqual({
        datadog: { team: 2, role: 0 }, // d, e
        figma: { team: 3, role: 1 }, // d, e, f | f
        jira: { team: 0, role: 0 },
        linear: { team: 0, role: 0 },
      });
      // Deactivated people are no longer anyone's peers.
      await engine.usage.upsertPeople(
        [{ ...people[5], active: false }],
        'okta',
      );
      expect(peersOf((await get('/apps')).items).figma.team).toBe(2); // d, f
    });

    it('marks each app with the viewer’s latest open or fulfilled request, as before', async () => {
      const row = (
        id: string,
        appId: string,
        status: string,
        createdAt: string,
        requester = u('priya'),
      ) => ({
        id,
        kind: 'access',
        app_id: appId,
        tier_id: 'seat',
        app_name: appId,
        tier_name: 'Seat',
        requester,
        grantee: requester,
        status,
        created_at: createdAt,
        updated_at: createdAt,
      });
      await knex('requests').insert([
        row('r1', 'jira', 'fulfilled', '2026-01-01T00:00:00.000Z'),
        row('r2', 'jira', 'pending_approval', '2026-02-01T00:00:00.000Z'), // the latest wins
        row('r3', 'figma', 'denied', '2026-02-01T00:00:00.000Z'), // not a badge
        row('r4', 'linear', 'submitted', '2026-02-01T00:00:00.000Z', u('a')), // someone else's
        row('r5', 'datadog', 'awaiting_it', '2026-03-01T00:00:00.000Z'),
        row('r6', 'datadog', 'fulfilled', '2025-12-01T00:00:00.000Z'),
      ]);
      const badges = (items: Array<Item & { myRequest?: unknown }>) =>
        Object.fromEntries(
          items.filter(i => i.myRequest).map(i => [i.id, i.myRequest]),
        );
      const expected = {
        datadog: { id: 'r5', tierId: 'seat', status: 'awaiting_it' },
        jira: { id: 'r2', tierId: 'seat', status: 'pending_approval' },
      };
      expect(badges((await get('/apps')).items)).toEqual(expected);
      expect(badges((await get('/apps?sort=role')).items)).toEqual(expected);
      // The same as the request store's own answer.
      const stored = await engine.requests.latestByRequester(u('priya'));
      expect(
        Object.fromEntries(
          [...stored].map(([appId, r]) => [
            appId,
            { id: r.id, tierId: r.tierId, status: r.status },
          ]),
        ),
      ).toEqual(expected);
      // And on the page it belongs to only.
      expect(badges((await get('/apps?limit=2')).items)).toEqual({
        datadog: expected.datadog,
      });
    });

    it('shows an admin’s catalog change at once', async () => {
      expect((await get('/apps')).items.map(i => i.name)).toEqual([
        'datadog',
        'figma',
        'jira',
        'linear',
      ]);
      await knex.transaction(tx =>
        engine.apps.save(
          app('figma', 'zeplin'),
          { source: 'admin', adminModified: true },
          tx,
        ),
      );
      await knex.transaction(tx =>
        engine.apps.save(
          { ...app('jira'), listed: false },
          { source: 'admin', adminModified: true },
          tx,
        ),
      );
      expect((await get('/apps')).items.map(i => i.name)).toEqual([
        'datadog',
        'linear',
        'zeplin',
      ]);
      expect((await get('/apps?sort=team')).items.map(i => i.id)).toEqual([
        'datadog',
        'linear',
        'figma',
      ]);
    });
  },
);

describe.each(databases.eachSupportedId())('read caches on %p', databaseId => {
  let knex: Knex;
  let now: number;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    now = 1_000_000;
    await AppAccessEngine.create({
      config: new ConfigReader({}),
      logger: mockServices.logger.mock(),
      knex,
    });
  });

  it('serves a person for the TTL, then what another process wrote', async () => {
    const reads = new PeerReads(knex, { personTtlMs: 5_000, now: () => now });
    await knex('people').insert({
      ref: u('zoe'),
      title: 'SRE',
      source: 'okta',
      active: true,
      updated_at: 'x',
    });
    await knex('person_groups').insert([
      { person_ref: u('zoe'), group_ref: design },
      { person_ref: u('zoe'), group_ref: platform },
    ]);
    expect(await reads.person(u('zoe'))).toMatchObject({
      title: 'SRE',
      groups: [design, platform],
      active: true,
    });
    expect(await reads.person(u('nobody'))).toBeUndefined();

    // Another instance changes her; this one sees it once the TTL has passed.
    await knex('people')
      .where({ ref: u('zoe') })
      .update({ title: 'Designer' });
    await knex('person_groups')
      .where({ person_ref: u('zoe'), group_ref: platform })
      .delete();
    now += 4_999;
    expect(await reads.person(u('zoe'))).toMatchObject({
      title: 'SRE',
      groups: [design, platform],
    });
    now += 1;
    expect(await reads.person(u('zoe'))).toMatchObject({
      title: 'Designer',
      groups: [design],
    });
  });

  it('names its statements on PostgreSQL (prepared once per connection) unless config turns that off', async () => {
    const names: Array<string | undefined> = [];
    const record = (q: { options?: { name?: string } }) =>
      names.push(q.options?.name);
    knex.on('query', record);
    try {
      const counts = (reads: PeerReads) =>
        reads.counts(u('zoe'), [design], 'title', 'SRE', ['a1', 'b1'], true);
      await counts(new PeerReads(knex));
      await counts(new PeerReads(knex));
      await new PeerReads(knex).person(u('zoe'));
      await counts(new PeerReads(knex, { preparedStatements: false }));
      await new PeerReads(knex, { preparedStatements: false }).person(u('zoe'));
    } finally {
      knex.off('query', record);
    }
    const named = expect.stringMatching(/^app-access-[0-9a-f]{16}$/);
    expect(names).toEqual(
      databaseId === 'POSTGRES_15'
        ? [named, names[0], named, undefined, undefined]
        : [undefined, undefined, undefined, undefined, undefined],
    );
    // The same statement text, the same name; another statement, another.
    expect(new Set(names.slice(0, 3)).size).toBe(
      databaseId === 'POSTGRES_15' ? 2 : 1,
    );
  });

  it('serves catalog pages for the TTL, drops them on a save in this process, and never keeps a read that overlapped the save', async () => {
    const apps = new AppStore(knex, { cacheTtlMs: 5_000, now: () => now });
    const names = async () =>
      (
        await apps.list({ listed: true, limit: 10 }, { cached: true })
      ).items.map(a => a.name);
    await knex.transaction(async tx => {
      await apps.save(
        app('a1', 'Alpha'),
        { source: 'admin', adminModified: true },
        tx,
      );
      await apps.save(
        app('b1', 'Beta'),
        { source: 'admin', adminModified: true },
        tx,
      );
    });
    expect(await names()).toEqual(['Alpha', 'Beta']);

    // Written by another instance: seen after the TTL.
    await knex('apps').where({ id: 'b1' }).update({ name: 'Bravo' });
    expect(await names()).toEqual(['Alpha', 'Beta']);
    expect((await apps.getCached('b1'))?.name).toBe('Bravo'); // first read of this key
    now += 5_000;
    expect(await names()).toEqual(['Alpha', 'Bravo']);

    // A read that runs while a save's transaction is open sees the old rows
    // (PostgreSQL; SQLite's one connection makes it wait for the commit), and
    // is not served after the commit.
    let during: Promise<string[]> | undefined;
    let seenDuring: string[] | undefined;
    await knex.transaction(async tx => {
      await apps.save(
        app('a1', 'Aardvark'),
        { source: 'admin', adminModified: true },
        tx,
      );
      during = names();
      if (databaseId === 'POSTGRES_15') seenDuring = await during;
    });
    seenDuring ??= await during;
    expect(seenDuring).toEqual(
      databaseId === 'POSTGRES_15' ? ['Alpha', 'Bravo'] : ['Aardvark', 'Bravo'],
    );
    expect(await names()).toEqual(['Aardvark', 'Bravo']);
    expect((await apps.getCached('a1'))?.name).toBe('Aardvark');
  });
});

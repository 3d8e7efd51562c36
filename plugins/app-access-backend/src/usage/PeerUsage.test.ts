import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { AppAccessEngine } from '../AppAccessEngine';
import { FakeDirectory } from '../__testUtils__/fakes';
import { DirectoryPerson } from '@app-access/plugin-app-access-node';
import { AppAccessSettings } from '@app-access/plugin-app-access-common';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const u = (name: string) => `user:default/${name}`;
const platform = 'group:default/platform';
const design = 'group:default/design';

// Priya and five teammates in platform; two other SREs elsewhere share a title.
const people: DirectoryPerson[] = [
  {
    ref: u('priya'),
    groups: [platform],
    title: 'SRE',
    department: 'Engineering',
    displayName: 'Priya',
  },
  {
    ref: u('a'),
    groups: [platform],
    title: 'SRE',
    department: 'Engineering',
    displayName: 'A',
  },
  {
    ref: u('b'),
    groups: [platform],
    title: 'Engineer',
    department: 'Engineering',
    displayName: 'B',
  },
  {
    ref: u('c'),
    groups: [platform],
    title: 'Engineer',
    department: 'Engineering',
    displayName: 'C',
  },
  {
    ref: u('d'),
    groups: [platform, design],
    title: 'Engineer',
    department: 'Engineering',
    displayName: 'D',
  },
  {
    ref: u('e'),
    groups: [design],
    title: 'SRE',
    department: 'Design',
    displayName: 'E',
  },
  {
    ref: u('f'),
    groups: [design],
    title: 'Designer',
    department: 'Design',
    displayName: 'F',
  },
];

describe.each(databases.eachSupportedId())('peer usage on %p', databaseId => {
  let engine: AppAccessEngine;
  let settings: AppAccessSettings;
  let knex: Knex;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    engine = await AppAccessEngine.create({
      config: new ConfigReader({}),
      logger: mockServices.logger.mock(),
      knex,
      directory: new FakeDirectory(people),
    });
    await engine.seeds.importApps(
      ['linear', 'jira', 'figma', 'datadog'].map(id => ({
        id,
        name: id,
        category: id === 'figma' ? 'Design' : 'Engineering',
        listed: true,
        externalIds: {},
        tiers: [
          {
            id: 'seat',
            name: 'Seat',
            fulfillment: { type: 'manual' as const },
          },
        ],
      })),
    );
    await engine.usage.upsertPeople(people, 'catalog');
    await engine.usage.setAssignments('demo', [
      { personRef: u('priya'), appIds: ['linear'] },
      { personRef: u('a'), appIds: ['linear', 'datadog'] },
      { personRef: u('b'), appIds: ['linear', 'jira'] },
      { personRef: u('c'), appIds: ['jira', 'datadog'] },
      { personRef: u('d'), appIds: ['figma', 'datadog'] },
      { personRef: u('e'), appIds: ['figma', 'datadog'] },
      { personRef: u('f'), appIds: ['figma'] },
    ]);
    // Okta and the portal may both report the same person: counted once.
    await engine.usage.setAssignments('okta-group', [
      { personRef: u('c'), appIds: ['datadog'] },
    ]);
    // No recomputeRollups(): every write keeps the rollups up to date.
    settings = await engine.settings.get();
  });

  it('counts teammates and people with the same title, never the viewer, each person once', async () => {
    const viewer = await engine.peers.viewer(u('priya'));
    const counts = await engine.peers.counts(viewer, settings, [
      'linear',
      'jira',
      'figma',
      'datadog',
    ]);
    // team = a, b, c, d (platform, not priya)
    expect(counts.get('linear')).toEqual({ team: 2, role: 1 }); // a, b | SRE: a (priya excluded)
    expect(counts.get('jira')).toEqual({ team: 2, role: 0 });
    expect(counts.get('figma')).toEqual({ team: 1, role: 1 }); // d | SRE: e
    expect(counts.get('datadog')).toEqual({ team: 3, role: 2 }); // a, c, d | SRE: a, e
  });

  it('uses the department when the admin says so', async () => {
    const viewer = await engine.peers.viewer(u('priya'));
    const counts = await engine.peers.counts(
      viewer,
      { ...settings, peers: { roleBasis: 'department', showNames: 'team' } },
      ['figma', 'datadog'],
    );
    expect(counts.get('figma')?.role).toBe(1); // d (Engineering), not e/f (Design)
    expect(counts.get('datadog')?.role).toBe(3); // a, c, d
  });

  it('shows teammates by name by default, only counts for the rest; none when names are off', async () => {
    const viewer = await engine.peers.viewer(u('priya'));
    const details = await engine.peers.details(viewer, settings, 'datadog');
    expect(details.team).toMatchObject({ count: 3, size: 4 });
    expect(details.team.people?.map(p => p.ref)).toEqual([
      u('a'),
      u('c'),
      u('d'),
    ]);
    expect(details.role).toMatchObject({
      count: 2,
      size: 2,
      basis: 'title',
      value: 'SRE',
    });
    expect(details.role.people).toBeUndefined();
    expect(details.namesHidden).toBe(true);

    const hidden = await engine.peers.details(
      viewer,
      { ...settings, peers: { roleBasis: 'title', showNames: 'none' } },
      'datadog',
    );
    expect(hidden.team.people).toBeUndefined();
    expect(hidden.team.count).toBe(3);
    const all = await engine.peers.details(
      viewer,
      { ...settings, peers: { roleBasis: 'title', showNames: 'all' } },
      'datadog',
    );
    expect(all.role.people?.map(p => p.ref)).toEqual([u('a'), u('e')]);
  });

  it('recommends what peers use and the viewer lacks, with a reason', async () => {
    const viewer = await engine.peers.viewer(u('priya'));
    const recs = await engine.peers.recommendations(
      viewer,
      settings,
      await engine.apps.listedIds(),
      await engine.usage.appsOf(u('priya')),
      async ref => ref.replace('group:default/', ''),
    );
    expect(recs.map(r => r.appId)).toEqual(['datadog', 'jira', 'figma']);
    expect(recs.map(r => r.appId)).not.toContain('linear');
    expect(recs[0].reason).toBe('3 of 4 in platform use it');
  });

  it('drops a deactivated person’s assignments', async () => {
    await engine.usage.upsertPeople([{ ...people[1], active: false }], 'okta');
    const viewer = await engine.peers.viewer(u('priya'));
    const counts = await engine.peers.counts(viewer, settings, ['linear']);
    expect(counts.get('linear')).toEqual({ team: 1, role: 0 });
  });

  it('keeps the title and department rollups exact through every kind of write, without a recompute', async () => {
    const rollups = async () =>
      (
        await knex('usage_rollups')
          .where('users', '>', 0)
          .orderBy(['dimension', 'value', 'app_id'])
          .select('dimension', 'value', 'app_id', 'users')
      ).map(r => `${r.dimension}|${r.value}|${r.app_id}|${Number(r.users)}`);
    const sre = async (appId: string) =>
      Number(
        (
          await knex('usage_rollups')
            .where({ dimension: 'title', value: 'SRE', app_id: appId })
            .first()
        )?.users ?? 0,
      );
    expect(await sre('datadog')).toBe(2); // a, e

    // A second source for an app someone already has: still one person.
    await engine.usage.setAssignments('okta-direct', [
      { personRef: u('a'), appIds: ['datadog', 'jira'] },
    ]);
    expect(await sre('datadog')).toBe(2);
    expect(await sre('jira')).toBe(1);
    // A new title moves every app of the person from one rollup to the other.
    await engine.usage.upsertPeople([{ ...people[2], title: 'SRE' }], 'okta');
    expect(await sre('linear')).toBe(3); // priya, a, b
    // Removing one source keeps the app while another source has it.
    await engine.usage.removeAssignments('okta-direct', [
      { personRef: u('a'), appId: 'datadog' },
    ]);
    expect(await sre('datadog')).toBe(2);
    await engine.usage.removeAssignments('demo', [
      { personRef: u('e'), appId: 'datadog' },
    ]);
    expect(await sre('datadog')).toBe(1);
    // A fulfilled portal request, someone new, a deactivation, a replaced set.
    await engine.usage.addAssignment(u('f'), 'linear', 'portal');
    await engine.usage.upsertPeople(
      [
        {
          ref: u('g'),
          groups: [design],
          title: 'SRE',
          department: 'Design',
          displayName: 'G',
        },
      ],
      'okta',
    );
    await engine.usage.setAssignments('okta-group', [
      { personRef: u('g'), appIds: ['figma', 'linear'] },
    ]);
    await engine.usage.upsertPeople([{ ...people[5], active: false }], 'okta');
    await engine.usage.setAssignments('demo', [
      { personRef: u('priya'), appIds: ['jira'] },
    ]);
    expect(await sre('figma')).toBe(1); // g; e is gone
    expect(await sre('linear')).toBe(3); // a, b, g — priya swapped linear for jira

    const maintained = await rollups();
    await engine.usage.recomputeRollups();
    expect(maintained).toEqual(await rollups());
    expect(maintained.length).toBeGreaterThan(5);

    // A full sync defers them and recomputes once at its end.
    await engine.usage.setAssignments(
      'okta-direct',
      [{ personRef: u('a'), appIds: ['figma'] }],
      { rollups: 'later' },
    );
    expect(await sre('figma')).toBe(1);
    await engine.usage.recomputeRollups();
    expect(await sre('figma')).toBe(2); // g, a
    // No rows left at zero after removals.
    const [{ n }] = await knex('usage_rollups')
      .where('users', '<=', 0)
      .count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it('keeps the rollups exact when several writers change people of the same titles at once', async () => {
    const apps = ['linear', 'jira', 'figma', 'datadog'];
    const many = Array.from({ length: 120 }, (_, i) => ({
      ref: u(`p${i}`),
      groups: [i % 2 ? platform : design],
      title: i % 3 ? 'SRE' : 'Engineer',
      department: 'Engineering',
    }));
    await engine.usage.upsertPeople(many, 'okta');
    // Six writers at once, each over interleaved people, in opposite app orders.
    await Promise.all(
      Array.from({ length: 6 }, (_, w) =>
        engine.usage.setAssignments(
          'okta-group',
          many
            .filter((_p, i) => i % 6 === w)
            .map((p, i) => ({
              personRef: p.ref,
              appIds: w % 2 ? apps : [...apps].reverse().slice(i % 3),
            })),
        ),
      ),
    );
    const snapshot = async () =>
      (
        await knex('usage_rollups')
          .where('users', '>', 0)
          .orderBy(['dimension', 'value', 'app_id'])
          .select()
      ).map(r => `${r.dimension}|${r.value}|${r.app_id}|${Number(r.users)}`);
    const maintained = await snapshot();
    await engine.usage.recomputeRollups();
    expect(maintained).toEqual(await snapshot());
    // Every one of the 120 got linear (each slice of the reversed list ends with it), plus priya, a and b.
    expect(maintained).toContain('department|Engineering|linear|123');
  });
});

import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { AppStore } from '../database/AppStore';
import { migrateKnex } from '../database/migrations';
import { SeedImporter } from './SeedImporter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const exampleSeed = resolve(__dirname, '../../../../examples/apps.yaml');

describe.each(databases.eachSupportedId())('seed import on %p', databaseId => {
  it('imports examples/apps.yaml idempotently and never overwrites an admin change', async () => {
    const knex = await databases.init(databaseId);
    await migrateKnex(knex);
    const apps = new AppStore(knex);
    const importer = new SeedImporter(knex, apps, mockServices.logger.mock());

    const first = await importer.importFiles([exampleSeed]);
    expect(first.created).toBeGreaterThanOrEqual(15);
    const count = async () => Number((await knex('apps').count('* as n'))[0].n);
    const total = await count();
    expect(total).toBe(first.created);

    const again = await importer.importFiles([exampleSeed]);
    expect(again).toEqual({
      created: 0,
      updated: 0,
      unchanged: total,
      skipped: 0,
    });
    expect(await count()).toBe(total);

    // An admin renames Slack; the next import leaves it alone.
    const slack = (await apps.get('slack'))!;
    await knex.transaction(tx =>
      apps.save(
        { ...slack, name: 'Slack (Acme)' },
        { source: 'seed', seedHash: slack.seedHash, adminModified: true },
        tx,
      ),
    );
    const third = await importer.importFiles([exampleSeed]);
    expect(third.skipped).toBe(1);
    expect((await apps.get('slack'))!.name).toBe('Slack (Acme)');

    const listed = await apps.list({ listed: true, limit: 500 });
    expect(
      listed.items.every(a => a.tiers.length >= 1 && a.tiers.length <= 3),
    ).toBe(true);
  });
});

describe.each(databases.eachSupportedId())(
  'concurrent seed import on %p',
  databaseId => {
    it('two replicas importing the same file at once both succeed and leave one copy', async () => {
      const knex = await databases.init(databaseId);
      await migrateKnex(knex);
      const replica = () =>
        new SeedImporter(
          knex,
          new AppStore(knex),
          mockServices.logger.mock(),
        ).importFiles([exampleSeed]);
      const [a, b] = await Promise.all([replica(), replica()]);
      const apps = (await SeedImporter.readFile(exampleSeed)).length;
      // Every app was created by exactly one of them; the other found it as is.
      expect(a.created + b.created).toBe(apps);
      expect(a.unchanged + b.unchanged).toBe(apps);
      expect(a.skipped + b.skipped + a.updated + b.updated).toBe(0);
      expect(Number((await knex('apps').count('* as n'))[0].n)).toBe(apps);
      const tiers = (await SeedImporter.readFile(exampleSeed)).reduce(
        (n, app) => n + app.tiers.length,
        0,
      );
      expect(Number((await knex('app_tiers').count('* as n'))[0].n)).toBe(
        tiers,
      );
    });
  },
);

describe('seed file validation', () => {
  it('rejects a seed entry with a clear message naming the file, app and field', async () => {
    const dir = await mkdtemp(resolve(tmpdir(), 'seed-'));
    const file = resolve(dir, 'bad.yaml');
    await writeFile(
      file,
      'apps:\n  - id: broken\n    name: Broken\n    category: X\n    listed: true\n    tiers: []\n',
    );
    await expect(SeedImporter.readFile(file)).rejects.toThrow(
      /bad\.yaml, app broken: tiers: an app listed in the catalog needs at least one tier/,
    );
    await writeFile(
      file,
      'apps:\n  - id: fine\n    name: Fine\n    category: X\n  - name: No id\n    category: X\n',
    );
    await expect(SeedImporter.readFile(file)).rejects.toThrow(
      /bad\.yaml, app #2: id: Required/,
    );
    await writeFile(
      file,
      'apps:\n  - id: okta-thing\n    name: Thing\n    category: X\n    tiers:\n      - id: t\n        name: T\n        fulfillment: { type: okta-app }\n',
    );
    await expect(SeedImporter.readFile(file)).rejects.toThrow(
      /bad\.yaml, app okta-thing: tiers\.0\.fulfillment\.oktaAppId: Required/,
    );
    await writeFile(file, 'apps:\n  - id: [unclosed\n');
    await expect(SeedImporter.readFile(file)).rejects.toThrow(
      /App seed file .*bad\.yaml: .*bad\.yaml/,
    );
    await writeFile(file, 'apps: 12\n');
    await expect(SeedImporter.readFile(file)).rejects.toThrow(
      /bad\.yaml: apps: Expected array/,
    );
  });
});

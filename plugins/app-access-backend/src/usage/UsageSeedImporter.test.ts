import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Knex } from 'knex';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { UsageStore } from '../database/UsageStore';
import { migrateKnex } from '../database/migrations';
import { importUsageSeeds } from './UsageSeedImporter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2030-06-30T12:00:00.000Z');
const DAY = 86_400_000;

describe.each(databases.eachSupportedId())(
  'usage seed import on %s',
  databaseId => {
    let knex: Knex;
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'usage-seed-'));
    });
    afterEach(async () => {
      await knex?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    async function importFile(text: string) {
      knex = await databases.init(databaseId);
      await migrateKnex(knex);
      const file = join(dir, 'usage.yaml');
      await writeFile(file, text);
      const usage = new UsageStore(knex);
      const total = await importUsageSeeds(
        [file],
        usage,
        mockServices.logger.mock(),
        { now: () => NOW },
      );
      const rows: Array<{ person_ref: string; app_id: string; last: any }> =
        await knex('app_assignments')
          .select('person_ref', 'app_id', 'last_used_at as last')
          .orderBy(['person_ref', 'app_id']);
      return {
        total,
        last: Object.fromEntries(
          rows.map(r => [
            `${r.person_ref} ${r.app_id}`,
            r.last ? new Date(r.last).toISOString() : null,
          ]),
        ),
      };
    }

    it('records last sign-ins given as days before the import or as a date-time', async () => {
      const { total, last } = await importFile(`
assignments:
  - user: jane.doe
    apps: [zoom, slack, figma]
    lastUsed: { zoom: 120, slack: 0, figma: '2030-06-01T08:00:00Z' }
  - user: sam.manager
    apps: [zoom]
`);
      expect(total).toBe(4);
      expect(last).toEqual({
        'user:default/jane.doe figma': '2030-06-01T08:00:00.000Z',
        'user:default/jane.doe slack': NOW.toISOString(),
        'user:default/jane.doe zoom': new Date(
          NOW.getTime() - 120 * DAY,
        ).toISOString(),
        'user:default/sam.manager zoom': null,
      });
    });

    it('names the file and the field when a sign-in is neither', async () => {
      await expect(
        importFile(`
assignments:
  - user: jane.doe
    apps: [zoom]
    lastUsed: { zoom: 'last spring' }
`),
      ).rejects.toThrow(/usage\.yaml.*lastUsed\.zoom/s);
    });
  },
);

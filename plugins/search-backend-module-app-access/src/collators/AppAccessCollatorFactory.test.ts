import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  LunrSearchEngine,
  TestPipeline,
} from '@backstage/plugin-search-backend-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import {
  CoreTestBackend,
  startCoreTestBackend,
  testCatalogEntities,
} from '@app-access/plugin-app-access-backend/testUtils';
import searchModuleAppAccessCollator from '..';
import { AppAccessCollatorFactory } from './AppAccessCollatorFactory';
import { DEFAULT_SCHEDULE } from '../module';

jest.setTimeout(60_000);

const ADMIN = 'user:default/ivan.admin';

const SEED = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: figma
    name: Figma
    vendor: Figma Inc.
    category: Design
    description: Collaborative interface design and whiteboarding.
    listed: true
    tiers:
      - id: viewer
        name: Viewer
      - id: editor
        name: Full Seat
  - id: notion
    name: Notion
    vendor: Notion Labs
    category: Productivity
    listed: true
    tiers:
      - id: member
        name: Member
  - id: secret-crm
    name: Secret CRM
    vendor: Hush Software
    category: Sales
    listed: false
    tiers:
      - id: user
        name: User
`;

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the App Access collator into a Lunr index on %p',
  databaseId => {
    let backend: CoreTestBackend;

    beforeAll(async () => {
      backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        seedYaml: SEED,
        entities: testCatalogEntities([{ name: 'ivan.admin' }]),
        admin: ADMIN,
      });
    });

    afterAll(() => backend?.stop());

    /** Collates from the running App Access backend into a fresh Lunr index. */
    async function buildIndex(pageSize?: number) {
      const factory = new AppAccessCollatorFactory({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => backend.baseUrl,
        }),
        // The search plugin's own service credentials, as in a backend.
        auth: mockServices.auth({ pluginId: 'search' }),
        pageSize,
      });
      const engine = new LunrSearchEngine({
        logger: mockServices.logger.mock(),
      });
      const { error } = await TestPipeline.fromCollator(
        await factory.getCollator(),
      )
        .withIndexer(await engine.getIndexer(factory.type))
        .execute();
      expect(error).toBeUndefined();
      return engine;
    }

    const found = async (engine: LunrSearchEngine, term: string) =>
      (await engine.query({ term })).results.map(r => r.document.location);

    it('finds a listed app by name, vendor, category, description and tier, linking to its page', async () => {
      const engine = await buildIndex();
      const { results } = await engine.query({ term: 'figma' });
      expect(results[0]).toMatchObject({
        type: 'app-access',
        document: {
          title: 'Figma',
          location: '/apps/figma',
          appId: 'figma',
          vendor: 'Figma Inc.',
          category: 'Design',
          tiers: ['Viewer', 'Full Seat'],
        },
      });
      expect(await found(engine, 'whiteboarding')).toEqual(['/apps/figma']);
      expect(await found(engine, 'Productivity')).toEqual(['/apps/notion']);
      expect(await found(engine, 'Seat')).toEqual(['/apps/figma']);
    });

    it('never indexes an unlisted app', async () => {
      const engine = await buildIndex();
      expect(await found(engine, 'Secret')).toEqual([]);
      expect(await found(engine, 'Hush')).toEqual([]);
      const all = await engine.query({ term: '', types: ['app-access'] });
      expect(all.results.map(r => r.document.title).sort()).toEqual([
        'Figma',
        'Notion',
      ]);
    });

    it('reads every page of the catalog', async () => {
      const engine = await buildIndex(1);
      const all = await engine.query({ term: '', types: ['app-access'] });
      expect(all.results).toHaveLength(2);
    });

    it('picks up an admin save on the next refresh: a new listed app, an app unlisted', async () => {
      const saved = await backend.api('PUT', '/admin/apps/miro', ADMIN, {
        name: 'Miro',
        vendor: 'RealtimeBoard',
        category: 'Design',
        listed: true,
        tiers: [{ id: 'member', name: 'Member' }],
      });
      expect(saved.status).toBeLessThan(300);
      const unlisted = await backend.api('PUT', '/admin/apps/notion', ADMIN, {
        name: 'Notion',
        vendor: 'Notion Labs',
        category: 'Productivity',
        listed: false,
        tiers: [{ id: 'member', name: 'Member' }],
      });
      expect(unlisted.status).toBe(200);

      const engine = await buildIndex();
      expect(await found(engine, 'miro')).toEqual(['/apps/miro']);
      expect(await found(engine, 'notion')).toEqual([]);
    });
  },
);

describe('the search module', () => {
  it('registers the collator on the configured schedule', async () => {
    const addCollator = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [
          searchIndexRegistryExtensionPoint,
          { addCollator, addDecorator: jest.fn() },
        ],
      ],
      features: [
        searchModuleAppAccessCollator,
        mockServices.rootConfig.factory({
          data: {
            search: {
              collators: {
                appAccess: {
                  schedule: {
                    frequency: { minutes: 2 },
                    timeout: { minutes: 1 },
                  },
                  appAccessPath: '/access',
                },
              },
            },
          },
        }),
      ],
    });
    expect(addCollator).toHaveBeenCalledTimes(1);
    const { factory, schedule } = addCollator.mock.calls[0][0];
    expect(factory.type).toBe('app-access');
    expect(
      factory.toDocument({
        id: 'figma',
        name: 'Figma',
        category: 'Design',
        tiers: [],
      }).location,
    ).toBe('/access/figma');
    expect(schedule).toBeDefined();
  });

  it('refreshes every ten minutes unless configured', () => {
    expect(DEFAULT_SCHEDULE.frequency).toEqual({ minutes: 10 });
  });
});

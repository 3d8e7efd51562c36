import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  CoreTestBackend,
  startCoreTestBackend,
  testCatalogEntities,
  TestPerson,
} from '@app-access/plugin-app-access-backend/testUtils';
import { createAppAccessRequestAction } from './appAccessRequest';

jest.setTimeout(60_000);

const PEOPLE: TestPerson[] = [
  { name: 'jane.doe', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'kim.lee', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'sam.manager', groups: ['leads'] },
];
const JANE = 'user:default/jane.doe';
const KIM = 'user:default/kim.lee';

const SEED = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: figma
    name: Figma
    category: Design
    listed: true
    approval: { required: nobody }
    tiers:
      - id: viewer
        name: Viewer
  - id: notion
    name: Notion
    category: Productivity
    listed: true
    tiers:
      - id: editor
        name: Editor
        approval:
          required: everyone
          level1: [{ type: manager }]
`;

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'app-access:request on %p',
  databaseId => {
    let backend: CoreTestBackend;
    const entities = testCatalogEntities(PEOPLE);

    beforeAll(async () => {
      backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        seedYaml: SEED,
        entities,
        features: [
          mockServices.userInfo.mock({
            getUserInfo: async credentials => {
              const ref = (credentials.principal as any).userEntityRef;
              const person = PEOPLE.find(p => `user:default/${p.name}` === ref);
              return {
                userEntityRef: ref,
                ownershipEntityRefs: [
                  ref,
                  ...(person?.groups ?? []).map(g => `group:default/${g}`),
                ],
              };
            },
          }).factory,
        ],
      });
    });

    afterAll(() => backend?.stop());

    const action = () =>
      createAppAccessRequestAction({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => backend.baseUrl,
        }),
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
        catalog: catalogServiceMock({ entities }),
        appBaseUrl: 'https://portal.example.com',
      });

    const run = async (input: Record<string, unknown>, as = JANE) => {
      const outputs: Record<string, any> = {};
      // The mock context takes input only; who runs the template and where
      // outputs go are set on it.
      const ctx = {
        ...createMockActionContext({ input: input as any }),
        getInitiatorCredentials: async () => mockCredentials.user(as),
        output: (name: string, value: any) => {
          outputs[name] = value;
        },
      };
      let error: Error | undefined;
      try {
        await action().handler(ctx as any);
      } catch (e) {
        error = e as Error;
      }
      return { outputs, error };
    };

    it("requests the tier for the template's user through the App Access API, with a link", async () => {
      const { outputs, error } = await run({
        appId: 'figma',
        tierId: 'viewer',
      });
      expect(error).toBeUndefined();
      expect(outputs.requestIds).toHaveLength(1);
      const [id] = outputs.requestIds;
      expect(outputs.requests).toEqual([
        {
          id,
          for: JANE,
          status: expect.any(String),
          url: `https://portal.example.com/apps/requests/${id}`,
        },
      ]);
      // The request is Jane's, as the API shows it to her.
      const mine = await backend.api('GET', `/requests/${id}`, JANE);
      expect(mine.body).toMatchObject({ requester: JANE, appId: 'figma' });
    });

    it("fails with App Access's own reason: a tier that needs approval needs a justification", async () => {
      const { outputs, error } = await run({
        appId: 'notion',
        tierId: 'editor',
      });
      expect(outputs.requestIds).toEqual([]);
      expect(error?.message).toMatch(
        /App Access refused 1 of 1 requests: user:default\/jane\.doe: .*justification/i,
      );
      const ok = await run({
        appId: 'notion',
        tierId: 'editor',
        justification: 'Team handbook',
      });
      expect(ok.error).toBeUndefined();
      expect(ok.outputs.requests[0].status).toBe('pending_approval');
    });

    it('asks for each member of a group, for others on their behalf, as the API allows', async () => {
      const { outputs, error } = await run({
        appId: 'figma',
        tierId: 'viewer',
        groupRef: 'engineering',
      });
      // Jane's own request already exists (first test): the API refuses a
      // duplicate. Kim's goes out on her behalf (onBehalfOf); Jane is not
      // Kim's manager and the on-behalf rule defaults to direct reports, so
      // the API refuses it with a 403 that names onBehalfOf.
      expect(outputs.requestIds).toEqual([]);
      expect(error?.message).toContain('refused 2 of 2 requests');
      expect(error?.message).toContain(`${JANE}:`);
      expect(error?.message).toMatch(new RegExp(`${KIM}: .*onBehalfOf`));
    });

    it('refuses both a user and a group, and an unknown group', async () => {
      expect(
        (
          await run({
            appId: 'figma',
            tierId: 'viewer',
            userRef: 'kim.lee',
            groupRef: 'engineering',
          })
        ).error?.message,
      ).toBe('Give either userRef or groupRef, not both');
      expect(
        (await run({ appId: 'figma', tierId: 'viewer', groupRef: 'nobody' }))
          .error?.message,
      ).toBe("groupRef: no group 'group:default/nobody' in the catalog");
    });
  },
);

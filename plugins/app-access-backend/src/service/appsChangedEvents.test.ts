import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  EventParams,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  APP_ACCESS_APPS_CHANGED_TOPIC,
  AppAccessAppsChangedEvent,
} from '@app-access/plugin-app-access-common';
import {
  CoreTestBackend,
  startCoreTestBackend,
} from '../testUtils/coreTestBackend';
import { testCatalogEntities } from '../testUtils/catalog';
import { waitFor } from '../testUtils/waitFor';

jest.setTimeout(60_000);

const ADMIN = 'user:default/ivan.admin';
const SEED = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: figma
    name: Figma
    category: Design
    listed: true
    tiers:
      - id: viewer
        name: Viewer
`;

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'app-access.apps.changed on the events service, on %p',
  databaseId => {
    let backend: CoreTestBackend;
    const received: EventParams[] = [];

    beforeAll(async () => {
      backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        seedYaml: SEED,
        entities: testCatalogEntities([{ name: 'ivan.admin' }]),
        admin: ADMIN,
        features: [
          // The real events service, as backend-defaults installs it.
          eventsServiceFactory,
          // Another plugin following the topic, as the search module does.
          createBackendModule({
            pluginId: 'search',
            moduleId: 'apps-changed-probe',
            register(env) {
              env.registerInit({
                deps: { events: eventsServiceRef },
                async init({ events }) {
                  await events.subscribe({
                    id: 'probe',
                    topics: [APP_ACCESS_APPS_CHANGED_TOPIC],
                    onEvent: async event => {
                      received.push(event);
                    },
                  });
                },
              });
            },
          }),
        ],
      });
    });

    afterAll(() => backend?.stop());

    const app = {
      name: 'Miro',
      category: 'Design',
      listed: true,
      tiers: [{ id: 'member', name: 'Member' }],
    };

    /** The payloads received so far, once `count` have arrived. */
    const payloads = (count: number) =>
      waitFor(`${count} events`, () =>
        received.length >= count
          ? received.map(e => e.eventPayload as AppAccessAppsChangedEvent)
          : undefined,
      );

    it('publishes each admin save with what it changed', async () => {
      received.length = 0;
      const saves: Array<[string, string, unknown, number]> = [
        ['POST', '/admin/apps', { id: 'miro', ...app }, 201],
        ['PUT', '/admin/apps/miro', { ...app, vendor: 'Miro' }, 200],
        ['PUT', '/admin/apps/miro', { ...app, listed: false }, 200],
        ['PUT', '/admin/apps/miro', app, 200],
      ];
      for (const [method, path, body, status] of saves) {
        expect((await backend.api(method, path, ADMIN, body)).status).toBe(
          status,
        );
      }
      expect(await payloads(saves.length)).toEqual([
        { appId: 'miro', change: 'created', listed: true },
        { appId: 'miro', change: 'updated', listed: true },
        { appId: 'miro', change: 'unlisted', listed: false },
        { appId: 'miro', change: 'listed', listed: true },
      ]);
      expect(
        received.every(e => e.topic === APP_ACCESS_APPS_CHANGED_TOPIC),
      ).toBe(true);
    });

    it('publishes nothing for a refused or failed save', async () => {
      received.length = 0;
      // Invalid (a listed app needs a tier), forbidden, and a duplicate id.
      expect(
        (
          await backend.api('PUT', '/admin/apps/ghost', ADMIN, {
            ...app,
            tiers: [],
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await backend.api(
            'PUT',
            '/admin/apps/ghost',
            'user:default/someone.else',
            app,
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await backend.api('POST', '/admin/apps', ADMIN, {
            id: 'figma',
            ...app,
          })
        ).status,
      ).toBe(409);
      // A save after them is the first event to arrive.
      expect(
        (await backend.api('PUT', '/admin/apps/figma', ADMIN, app)).status,
      ).toBe(200);
      expect(await payloads(1)).toEqual([
        { appId: 'figma', change: 'updated', listed: true },
      ]);
    });
  },
);

import { TestDatabases } from '@backstage/backend-test-utils';
import { Router } from 'express';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AppAccessDecisionApi,
  AppAccessFulfillerConnection,
  AppAccessFulfillmentApi,
  AppAccessUsageApi,
  appAccessFulfillersExtensionPoint,
  appAccessModulesExtensionPoint,
  appAccessNotifiersExtensionPoint,
  appAccessUsageExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { startCoreTestBackend, testCatalogEntities } from '../testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: notion
    name: Notion
    category: Productivity
    listed: true
    tiers:
      - id: viewer
        name: Viewer
        approval:
          required: nobody
`;

const ADMIN = 'user:default/ivan.admin';
const entities = testCatalogEntities([
  { name: 'ivan.admin', groups: ['it-admins'] },
]);

/** What the test module saw, in the order it saw it. */
type Seen = {
  events: string[];
  extensionPoints: Record<string, string[]>;
  fulfiller?: AppAccessFulfillerConnection;
  follower?: AppAccessFulfillmentApi;
  notifier?: AppAccessDecisionApi;
  usage?: AppAccessUsageApi;
  /** What each connection answered while connect was still running. */
  answers: Record<string, unknown>;
};

/**
 * A module with one of everything, recording when each is connected, what
 * its connection answers right away, and when its scheduled task runs.
 */
function recordingModule(seen: Seen) {
  return createBackendModule({
    pluginId: 'app-access',
    moduleId: 'recording',
    register(reg) {
      reg.registerInit({
        deps: {
          scheduler: coreServices.scheduler,
          httpRouter: coreServices.httpRouter,
          lifecycle: coreServices.lifecycle,
          fulfillers: appAccessFulfillersExtensionPoint,
          notifiers: appAccessNotifiersExtensionPoint,
          usageSources: appAccessUsageExtensionPoint,
          modules: appAccessModulesExtensionPoint,
        },
        async init({
          scheduler,
          httpRouter,
          lifecycle,
          fulfillers,
          notifiers,
          usageSources,
          modules,
        }) {
          seen.extensionPoints = {
            fulfillers: Object.keys(fulfillers).sort(),
            notifiers: Object.keys(notifiers).sort(),
            usage: Object.keys(usageSources).sort(),
            modules: Object.keys(modules).sort(),
          };
          fulfillers.addFulfiller({
            handles: ['recording-ticket'],
            async connect(connection) {
              seen.events.push('fulfiller connected');
              seen.fulfiller = connection;
              seen.answers.fulfillerSettings = await connection.getSettings();
            },
            fulfill: async () => ({ status: 'fulfilled' }),
          });
          fulfillers.addFollower({
            id: 'recording-follower',
            async connect(fulfillment) {
              seen.events.push('follower connected');
              seen.follower = fulfillment;
              seen.answers.awaiting = await fulfillment.listAwaiting(
                'recording-ticket',
              );
              await scheduler.scheduleTask({
                id: 'recording-follow',
                frequency: { minutes: 5 },
                timeout: { minutes: 1 },
                scope: 'global',
                fn: async () => {
                  seen.events.push('follow task ran');
                },
              });
            },
          });
          notifiers.addNotifier({
            id: 'recording-channel',
            async connect(decisions) {
              seen.events.push('notifier connected');
              seen.notifier = decisions;
              seen.answers.portalUrl = decisions.portalUrl('/apps/approvals');
              const router = Router();
              router.get('/recording/ping', (_req, res) => {
                res.json({ pong: true });
              });
              httpRouter.use(router);
              httpRouter.addAuthPolicy({
                path: '/recording/ping',
                allow: 'unauthenticated',
              });
            },
            notify: async () => ({ unreachable: [] }),
          });
          usageSources.addUsageSource({
            id: 'recording-usage',
            async connect(usage) {
              seen.events.push('usage source connected');
              seen.usage = usage;
              seen.answers.syncState = await usage.getSyncState('recording');
            },
          });
          lifecycle.addStartupHook(() => {
            seen.events.push('backend started');
          });
        },
      });
    },
  });
}

describe.each(databases.eachSupportedId())(
  'connecting modules on %p',
  databaseId => {
    it('hands every registered module its working connection once, before the backend starts or any task runs', async () => {
      const seen: Seen = { events: [], extensionPoints: {}, answers: {} };
      const backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        features: [recordingModule(seen)],
        seedYaml: SEED_YAML,
        entities,
        scheduler: 'manual',
        config: { app: { baseUrl: 'http://portal.example.com' } },
      });
      try {
        // The extension points only register: nothing reaches the core.
        expect(seen.extensionPoints).toEqual({
          fulfillers: ['addFollower', 'addFulfiller'],
          notifiers: ['addNotifier'],
          usage: ['addUsageSource'],
          modules: ['addModule'],
        });

        const connected = seen.events.filter(e => e.endsWith('connected'));
        expect(connected.sort()).toEqual([
          'follower connected',
          'fulfiller connected',
          'notifier connected',
          'usage source connected',
        ]);
        expect(seen.events.indexOf('backend started')).toBe(connected.length);

        // Each connection answered at once, from inside connect.
        expect(seen.answers.fulfillerSettings).toMatchObject({
          approvalMethod: expect.any(String),
        });
        expect(seen.answers.awaiting).toEqual([]);
        expect(seen.answers.portalUrl).toBe(
          'http://portal.example.com/apps/approvals',
        );
        expect(seen.answers.syncState).toBeUndefined();

        // The follower's task exists only because it was scheduled from
        // connect; it runs with the connection already in hand.
        expect(seen.events).not.toContain('follow task ran');
        await backend.runTask('recording-follow');
        expect(seen.events.at(-1)).toBe('follow task ran');

        // The connections keep working once the backend serves.
        await seen.usage!.saveSyncState('recording', { status: 'idle' });
        expect(await seen.usage!.getSyncState('recording')).toMatchObject({
          status: 'idle',
        });
        const submitted = await backend.api('POST', '/requests', ADMIN, {
          appId: 'notion',
          tierId: 'viewer',
          justification: 'Reading the team wiki',
        });
        expect(submitted.status).toBe(201);
        const loaded = await seen.fulfiller!.getRequest(submitted.body.id);
        expect(loaded.id).toBe(submitted.body.id);
        expect(loaded.events?.length).toBeGreaterThan(0);
        await expect(
          seen.fulfiller!.getRequest('00000000-0000-4000-8000-000000000000'),
        ).rejects.toThrow(/No request with id/);

        // A route mounted from connect is served, ahead of the core's.
        const ping = await backend.api('GET', '/recording/ping', '');
        expect(ping).toEqual({ status: 200, body: { pong: true } });

        const settings = await backend.api('GET', '/settings', ADMIN);
        expect(settings.body.modules).toEqual({
          fulfillers: ['manual', 'recording-ticket'],
          notifiers: ['backstage', 'recording-channel'],
        });
      } finally {
        await backend.stop();
      }
    });

    it('fails start-up naming the module whose connect failed', async () => {
      const broken = createBackendModule({
        pluginId: 'app-access',
        moduleId: 'broken',
        register(reg) {
          reg.registerInit({
            deps: { fulfillers: appAccessFulfillersExtensionPoint },
            async init({ fulfillers }) {
              fulfillers.addFollower({
                id: 'broken-follower',
                async connect() {
                  throw new Error('vendor said no');
                },
              });
            },
          });
        },
      });
      await expect(
        startCoreTestBackend({
          knex: await databases.init(databaseId),
          features: [broken],
          seedYaml: SEED_YAML,
          entities,
          scheduler: 'manual',
        }),
      ).rejects.toThrow(
        /could not connect follower broken-follower: vendor said no/,
      );
    });
  },
);

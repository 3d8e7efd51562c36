import {
  coreServices,
  createBackendPlugin,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import searchPlugin from '@backstage/plugin-search-backend';
import {
  CoreTestBackend,
  startCoreTestBackend,
  testCatalogEntities,
  waitFor,
} from '@app-access/plugin-app-access-backend/testUtils';
import searchModuleAppAccessCollator from '.';
import { COLLATOR_TASK_ID, IndexRefresher } from './refresh';

jest.setTimeout(90_000);

const ADMIN = 'user:default/ivan.admin';

const SEED = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: figma
    name: Figma
    vendor: Figma Inc.
    category: Design
    listed: true
    tiers:
      - id: viewer
        name: Viewer
`;

/** The real scheduler polls its tasks table every 5 seconds. */
const REFRESH_WITHIN_MS = 30_000;

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'an admin save refreshes the search index at once, on %p',
  databaseId => {
    let backend: CoreTestBackend;
    let searchBase: string;

    beforeAll(async () => {
      backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        seedYaml: SEED,
        entities: testCatalogEntities([{ name: 'ivan.admin' }]),
        admin: ADMIN,
        config: {
          search: {
            collators: {
              appAccess: {
                // One run at start-up, the next far off: any later change
                // to the index was made by the event. (No initialDelay: a
                // task worker waits it out before it takes any trigger.)
                schedule: {
                  frequency: { hours: 12 },
                  timeout: { minutes: 1 },
                },
              },
            },
          },
        },
        features: [
          // Backstage search with its default Lunr engine, the real
          // database-backed scheduler and the real events service.
          searchPlugin,
          searchModuleAppAccessCollator,
          schedulerServiceFactory,
          eventsServiceFactory,
        ],
      });
      searchBase = `${backend.baseUrl.replace(/\/app-access$/, '')}/search`;
    });

    afterAll(() => backend?.stop());

    /** The app pages a search for `term` finds, through the search API. */
    async function found(term: string): Promise<string[]> {
      const res = await fetch(
        `${searchBase}/query?term=${encodeURIComponent(
          term,
        )}&types%5B0%5D=app-access`,
        { headers: { Authorization: mockCredentials.user.header(ADMIN) } },
      );
      expect(res.status).toBe(200);
      const body = await res.json();
      return body.results.map((r: any) => r.document.location);
    }

    it('indexes a created app, drops it when unlisted, and indexes it again when listed', async () => {
      // The start-up run indexes the seed (the index does not exist before).
      await waitFor(
        'the start-up run',
        async () => (await found('figma')).includes('/apps/figma'),
        { timeoutMs: REFRESH_WITHIN_MS, intervalMs: 500 },
      );
      expect(await found('miro')).toEqual([]);

      const app = {
        name: 'Miro',
        vendor: 'RealtimeBoard',
        category: 'Design',
        listed: true,
        tiers: [{ id: 'member', name: 'Member' }],
      };
      const created = await backend.api('POST', '/admin/apps', ADMIN, {
        id: 'miro',
        ...app,
      });
      expect(created.status).toBe(201);
      await waitFor(
        'miro in the index',
        async () => (await found('miro')).includes('/apps/miro'),
        { timeoutMs: REFRESH_WITHIN_MS, intervalMs: 500 },
      );
      // The run read the whole catalog, not just the saved app.
      expect(await found('figma')).toEqual(['/apps/figma']);

      const unlisted = await backend.api('PUT', '/admin/apps/miro', ADMIN, {
        ...app,
        listed: false,
      });
      expect(unlisted.status).toBe(200);
      await waitFor(
        'miro gone from the index',
        async () => (await found('miro')).length === 0,
        { timeoutMs: REFRESH_WITHIN_MS, intervalMs: 500 },
      );
      expect(await found('figma')).toEqual(['/apps/figma']);

      const relisted = await backend.api('PUT', '/admin/apps/miro', ADMIN, {
        ...app,
        description: 'Online whiteboard',
      });
      expect(relisted.status).toBe(200);
      await waitFor(
        'miro back in the index, with its new description',
        async () => (await found('whiteboard')).includes('/apps/miro'),
        { timeoutMs: REFRESH_WITHIN_MS, intervalMs: 500 },
      );
    });

    it('refreshes nothing for a save that was refused', async () => {
      await waitFor('the start-up run', async () => found('figma'), {
        timeoutMs: REFRESH_WITHIN_MS,
        intervalMs: 500,
      });
      const refused = await backend.api('PUT', '/admin/apps/ghost', ADMIN, {
        name: 'Ghost',
        category: 'Design',
        listed: true,
        tiers: [],
      });
      expect(refused.status).toBe(400);
      const notAdmin = await backend.api(
        'PUT',
        '/admin/apps/ghost',
        'user:default/someone.else',
        {
          name: 'Ghost',
          category: 'Design',
          listed: true,
          tiers: [{ id: 'user', name: 'User' }],
        },
      );
      expect(notAdmin.status).toBe(403);
      expect(await found('ghost')).toEqual([]);
    });
  },
);

describe('IndexRefresher with the real scheduler', () => {
  /** A plugin whose task blocks until released, standing in for a long collation. */
  async function startBlockingTask() {
    let scheduler: SchedulerService | undefined;
    let runs = 0;
    let release: () => void = () => {};
    const firstRunBlocks = new Promise<void>(r => {
      release = r;
    });
    const backend = await startTestBackend({
      features: [
        schedulerServiceFactory,
        createBackendPlugin({
          pluginId: 'probe',
          register(env) {
            env.registerInit({
              deps: { s: coreServices.scheduler },
              async init({ s }) {
                scheduler = s;
                await s.scheduleTask({
                  id: 'probe-collate',
                  // Runs at start-up, then not for twelve hours.
                  frequency: { hours: 12 },
                  timeout: { minutes: 1 },
                  fn: async () => {
                    runs++;
                    if (runs === 1) await firstRunBlocks;
                  },
                });
              },
            });
          },
        }),
      ],
    });
    return {
      backend,
      scheduler: scheduler!,
      runs: () => runs,
      release: () => release(),
    };
  }

  it('tries again when the task was already running, so the save is not missed', async () => {
    const probe = await startBlockingTask();
    const logger = mockServices.logger.mock();
    const refresher = new IndexRefresher(probe.scheduler, logger, {
      taskId: 'probe-collate',
      retryEveryMs: 200,
      retryForMs: REFRESH_WITHIN_MS,
    });
    try {
      await waitFor('the start-up run', () => probe.runs() === 1, {
        timeoutMs: REFRESH_WITHIN_MS,
      });
      // Saves while that run collates: the scheduler refuses to trigger a
      // running task, and the refresher waits for it to end.
      await refresher.refresh();
      await refresher.refresh();
      probe.release();
      await waitFor('a second run after the first', () => probe.runs() === 2, {
        timeoutMs: REFRESH_WITHIN_MS,
      });
      // Both saves during the run were one refresh.
      await new Promise(r => setTimeout(r, 1_000));
      expect(probe.runs()).toBe(2);
      expect(logger.warn).not.toHaveBeenCalled();
    } finally {
      refresher.stop();
      probe.release();
      await probe.backend.stop();
    }
  });

  it('leaves a task that is not scheduled yet to its first run, without failing', async () => {
    const probe = await startBlockingTask();
    const logger = mockServices.logger.mock();
    const refresher = new IndexRefresher(probe.scheduler, logger, {
      taskId: 'not-scheduled',
    });
    try {
      await expect(refresher.refresh()).resolves.toBeUndefined();
      expect(logger.warn).not.toHaveBeenCalled();
      expect(logger.debug).toHaveBeenCalledWith(
        expect.stringContaining('not-scheduled is not scheduled yet'),
      );
    } finally {
      refresher.stop();
      probe.release();
      await probe.backend.stop();
    }
  });

  it("uses the id Backstage search gives the collator's task", () => {
    expect(COLLATOR_TASK_ID).toBe('search_index_app_access');
  });
});

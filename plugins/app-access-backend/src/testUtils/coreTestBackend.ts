import { Knex } from 'knex';
import {
  BackendFeature,
  BackstageCredentials,
  BackstageUserPrincipal,
  createServiceFactory,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
// A test-only entry point: the package's own tests, and those of the modules
// that import `@app-access/plugin-app-access-backend/testUtils`, have
// @backstage/backend-test-utils installed. It is a devDependency here; declare
// it as an optional peerDependency, as Backstage's own /testUtils entry points
// do, once the lockfile may change.
// eslint-disable-next-line @backstage/no-undeclared-imports
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { appAccessPlugin } from '../plugin';

/** A task the backend scheduled; with `scheduler: 'manual'` a test runs it. */
export type ScheduledTestTask = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

export type CoreTestBackendOptions = {
  /** The database (from `TestDatabases#init`); default an in-memory SQLite. */
  knex?: Knex;
  /** The modules under test, and any other features or service factories. */
  features?: BackendFeature[];
  /** The app catalog (apps.yaml), set as `appAccess.catalog.seedFiles`. */
  seedYaml: string;
  /** What the in-memory catalog holds (see `testCatalogEntities`). */
  entities: Entity[];
  /** Root config; its `appAccess` block is merged over the seed file. */
  config?: Record<string, any>;
  /** When set, only this user holds the app-access.* permissions; else all is allowed. */
  admin?: string;
  /** `manual`: the scheduler only records tasks, which tests run by hand. */
  scheduler?: 'manual';
};

/**
 * Calls the App Access API as a signed-in user (`''`: nobody); the body is
 * JSON-parsed when it is JSON.
 */
export type TestApiCall = (
  method: string,
  path: string,
  as: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

/** Calls the App Access API at `baseUrl` (`http://localhost:<port>/api/app-access`). */
export function testApi(baseUrl: string): TestApiCall {
  return async (method, path, as, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: as
          ? mockCredentials.user.header(as)
          : mockCredentials.none.header(),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed };
  };
}

export type CoreTestBackend = {
  server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  /** `http://localhost:<port>/api/app-access` */
  baseUrl: string;
  /** The notification service's `send`, recording every call. */
  notificationsSend: jest.Mock;
  /** With `scheduler: 'manual'`: the tasks scheduled, by id. */
  tasks: Map<string, ScheduledTestTask>;
  /** With `scheduler: 'manual'`: runs a scheduled task once, as the scheduler would. */
  runTask(id: string): Promise<void>;
  /** Calls the App Access API as a signed-in user (see `TestApiCall`). */
  api: TestApiCall;
  stop(): Promise<void>;
};

/** The user a call was made as, if a user made it. */
export function userRefOf(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as Partial<BackstageUserPrincipal>;
  return principal.type === 'user' ? principal.userEntityRef : undefined;
}

/**
 * Starts a test backend with the real App Access core on the given database,
 * an in-memory catalog, a recording notification service, and whatever
 * modules the test adds.
 */
export async function startCoreTestBackend(
  options: CoreTestBackendOptions,
): Promise<CoreTestBackend> {
  const seedDir = createMockDirectory({
    content: { 'apps.yaml': options.seedYaml },
  });
  const notificationsSend = jest.fn(async (_options: any) => {});
  const tasks = new Map<string, ScheduledTestTask>();
  const admin = options.admin;
  const config = options.config ?? {};

  const backend = await startTestBackend({
    features: [
      appAccessPlugin,
      mockServices.rootConfig.factory({
        data: {
          ...config,
          appAccess: {
            catalog: { seedFiles: [seedDir.resolve('apps.yaml')] },
            ...config.appAccess,
          },
        },
      }),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      catalogServiceMock.factory({ entities: options.entities }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: notificationsSend }),
      }),
      ...(admin
        ? [
            mockServices.permissions.mock({
              authorize: async (requests, opts) =>
                requests.map(r => ({
                  result:
                    r.permission.name.startsWith('app-access.') &&
                    userRefOf(opts.credentials) === admin
                      ? AuthorizeResult.ALLOW
                      : AuthorizeResult.DENY,
                })),
            }).factory,
          ]
        : []),
      ...(options.scheduler === 'manual'
        ? [
            mockServices.scheduler.mock({
              scheduleTask: async task => {
                tasks.set(task.id, task);
              },
            }).factory,
          ]
        : []),
      ...(options.features ?? []),
    ],
  });

  const baseUrl = `http://localhost:${backend.server.port()}/api/app-access`;
  return {
    server: backend.server,
    baseUrl,
    notificationsSend,
    tasks,
    async runTask(id) {
      const task = tasks.get(id);
      if (!task) throw new Error(`task ${id} was not scheduled`);
      await task.fn(new AbortController().signal);
    },
    api: testApi(baseUrl),
    stop: () => backend.stop(),
  };
}

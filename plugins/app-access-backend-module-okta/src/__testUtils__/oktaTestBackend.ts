import { Knex } from 'knex';
import {
  BackendFeature,
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
  SchedulerServiceTaskScheduleDefinition,
  SchedulerServiceTaskInvocationDefinition,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
// The core plugin needs a catalog and a notification service; both packages
// come with @app-access/plugin-app-access-backend, a devDependency.
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
// The module is tested inside the real core plugin, as a portal runs it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import appAccessPlugin from '@app-access/plugin-app-access-backend';
import appAccessModuleOkta from '..';
import { FakeOkta } from '../testing/FakeOkta';

export const ADMIN = 'user:default/ivan.admin';
export const MANAGER = 'user:default/sam.manager';

export const ZOOM_APP = '0oazoom0000000000001';
export const ZOOM_BASIC_GROUP = '00gzoombasic00000001';
export const ZOOM_PRO_GROUP = '00gzoompro0000000001';
export const FIGMA_APP = '0oafigma000000000001';

/**
 * Zoom: a Basic tier anyone gets at once (Okta group) and a Pro tier the
 * manager approves (another Okta group). Figma: an Editor tier assigned
 * directly in Okta, no approval.
 */
export const SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: zoom
    name: Zoom
    category: Communication
    owner: group:default/it-admins
    listed: true
    externalIds:
      oktaAppId: ${ZOOM_APP}
    tiers:
      - id: basic
        name: Basic
        approval:
          required: nobody
        fulfillment:
          type: okta-group
          oktaGroupId: ${ZOOM_BASIC_GROUP}
      - id: pro
        name: Pro
        approval:
          required: everyone
          level1:
            - type: user
              ref: ${MANAGER}
        fulfillment:
          type: okta-group
          oktaGroupId: ${ZOOM_PRO_GROUP}
  - id: figma
    name: Figma
    category: Design
    listed: true
    externalIds:
      oktaAppId: ${FIGMA_APP}
    approval:
      required: nobody
    tiers:
      - id: editor
        name: Editor
        fulfillment:
          type: okta-app
          oktaAppId: ${FIGMA_APP}
`;

/** People in the catalog; each test uses its own so open requests never collide. */
export const PEOPLE = [
  'jane.doe',
  'kim.lee',
  'raj.patel',
  'ana.silva',
  'tom.berg',
  'lea.roth',
  'max.otto',
  'eva.kern',
  'bob.other',
  'sam.manager',
  'ivan.admin',
];

export const ref = (name: string) => `user:default/${name}`;
export const emailOf = (name: string) => `${name}@acme.example`;

const entities = PEOPLE.map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { profile: { displayName: name, email: emailOf(name) }, memberOf: [] },
}));

/** Okta as the tests start from: everyone but bob.other has an Okta user. */
export function seedFakeOkta(fake: FakeOkta) {
  for (const name of PEOPLE.filter(p => p !== 'bob.other')) {
    fake.addUser({ login: emailOf(name) });
  }
  fake.addApp({ id: ZOOM_APP, label: 'Zoom' });
  fake.addApp({
    id: FIGMA_APP,
    label: 'Figma',
    provisioning: { readsUntilProvisioned: 2 },
  });
  fake.addGroup({ id: ZOOM_BASIC_GROUP, name: 'Zoom Basic' });
  fake.addGroup({ id: ZOOM_PRO_GROUP, name: 'Zoom Pro' });
  fake.assignGroupToApp(ZOOM_APP, ZOOM_BASIC_GROUP);
  fake.assignGroupToApp(ZOOM_APP, ZOOM_PRO_GROUP);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

type Decision = Awaited<
  ReturnType<PermissionsService['authorize']>
>[number]['result'];

function userRefOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as Partial<BackstageUserPrincipal>;
  return principal.type === 'user' ? principal.userEntityRef : undefined;
}

export type ScheduledTask = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

export type OktaTestBackend = {
  baseUrl: string;
  /** Tasks the backend scheduled; tests run them by hand. */
  tasks: Map<string, ScheduledTask>;
  /** fetch against /api/app-access as a signed-in user ('' for nobody). */
  call(
    as: string,
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
};

/**
 * The real App Access plugin plus the Okta module, on the given database,
 * with an in-memory catalog, a permissions mock that lets only ivan.admin
 * manage App Access, and a scheduler that only records tasks.
 */
export async function startOktaTestBackend(options: {
  knex?: Knex;
  /** `appAccess.okta`; `null` leaves the block out. */
  okta: { [key: string]: Json } | null;
  /** More features, e.g. a module that captures an extension point. */
  features?: BackendFeature[];
}): Promise<OktaTestBackend> {
  const seedDir = createMockDirectory({ content: { 'apps.yaml': SEED_YAML } });
  const tasks = new Map<string, ScheduledTask>();
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, opts) =>
      requests.map(r => ({
        result: (r.permission.name.startsWith('app-access.') &&
        userRefOf(opts.credentials) === ADMIN
          ? 'ALLOW'
          : 'DENY') as unknown as Decision,
      })),
  });
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: async task => {
      tasks.set(task.id, task);
    },
  });

  const backend = await startTestBackend({
    features: [
      appAccessPlugin,
      appAccessModuleOkta,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          appAccess: {
            catalog: { seedFiles: [seedDir.resolve('apps.yaml')] },
            outbox: { pollIntervalMs: 50, baseDelaySeconds: 0.05 },
            ...(options.okta ? { okta: options.okta } : {}),
          },
        },
      }),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      catalogServiceMock.factory({ entities }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: jest.fn(async () => {}) }),
      }),
      permissions.factory,
      scheduler.factory,
      ...(options.features ?? []),
    ],
  });

  const baseUrl = `http://localhost:${backend.server.port()}/api/app-access`;
  return {
    baseUrl,
    tasks,
    async call(as, path, init = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          Authorization: as
            ? mockCredentials.user.header(as)
            : mockCredentials.none.header(),
          ...(init.body !== undefined
            ? { 'Content-Type': 'application/json' }
            : {}),
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    },
    stop: () => backend.stop(),
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

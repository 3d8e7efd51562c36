import { AddressInfo } from 'node:net';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// The core plugin needs a catalog and a notification service: in-memory ones.
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
// These tests run the module inside the real core plugin, on purpose.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import appAccessPlugin from '@app-access/plugin-app-access-backend';
import teamsModule from '..';

const PEOPLE = [
  {
    name: 'jane.doe',
    displayName: 'Jane Doe',
    manager: 'sam.manager',
    groups: ['engineering'],
  },
  {
    name: 'kim.lee',
    displayName: 'Kim Lee',
    manager: 'sam.manager',
    groups: ['engineering'],
  },
  { name: 'sam.manager', displayName: 'Sam Manager', groups: ['engineering'] },
  {
    name: 'fiona.fallback',
    displayName: 'Fiona Fallback',
    groups: ['people-ops'],
  },
];

export const ref = (name: string) => `user:default/${name}`;

const catalogEntities = [
  ...PEOPLE.map(p => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name: p.name,
      namespace: 'default',
      annotations: (p.manager
        ? { 'app-access/manager': p.manager }
        : {}) as Record<string, string>,
    },
    spec: {
      profile: { displayName: p.displayName, email: `${p.name}@acme.example` },
      memberOf: p.groups,
    },
    relations: p.groups.map(g => ({
      type: 'memberOf',
      targetRef: `group:default/${g}`,
    })),
  })),
  ...['engineering', 'people-ops'].map(g => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: g, namespace: 'default' },
    spec: { type: 'team', children: [] },
  })),
];

const SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: notion
    name: Notion
    category: Productivity
    listed: true
    tiers:
      - id: editor
        name: Editor
        approval:
          required: everyone
          level1:
            - type: manager
        fulfillment:
          type: manual
`;

export type TeamsTestBackend = {
  stop(): Promise<void>;
  /** Calls the App Access API as a signed-in user. */
  api(
    as: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
};

/** The real App Access plugin with the Teams module, posting to `webhookUrl`. */
export async function startTeamsTestBackend(options: {
  knex: Awaited<ReturnType<TestDatabases['init']>>;
  webhookUrl: string;
}): Promise<TeamsTestBackend> {
  const seedDir = createMockDirectory({ content: { 'apps.yaml': SEED_YAML } });
  const backend = await startTestBackend({
    features: [
      appAccessPlugin,
      teamsModule,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.test' },
          appAccess: {
            catalog: { seedFiles: [seedDir.resolve('apps.yaml')] },
            approvals: {
              method: 'msteams',
              fallbackApprover: ref('fiona.fallback'),
            },
            outbox: {
              pollIntervalMs: 50,
              baseDelaySeconds: 0.2,
              maxDelaySeconds: 1,
            },
            msteams: { webhookUrl: options.webhookUrl },
          },
        },
      }),
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({ entities: catalogEntities }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: jest.fn(async () => {}) }),
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return {
    stop: () => backend.stop(),
    async api(as, method, path, body) {
      const res = await fetch(
        `http://127.0.0.1:${port}/api/app-access${path}`,
        {
          method,
          headers: {
            Authorization: mockCredentials.user.header(as),
            ...(body ? { 'Content-Type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        },
      );
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 25));
  }
}

import { TestDatabases } from '@backstage/backend-test-utils';
// These tests run the module inside the real core plugin, on purpose.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  startCoreTestBackend,
  testCatalogEntities,
  userRef,
} from '@app-access/plugin-app-access-backend/testUtils';
import teamsModule from '..';

// eslint-disable-next-line @backstage/no-mixed-plugin-imports
export { waitFor } from '@app-access/plugin-app-access-backend/testUtils';

export const ref = userRef;

const catalogEntities = testCatalogEntities([
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
]);

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
  const backend = await startCoreTestBackend({
    knex: options.knex,
    features: [teamsModule],
    seedYaml: SEED_YAML,
    entities: catalogEntities,
    config: {
      app: { baseUrl: 'http://portal.test' },
      appAccess: {
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
  });
  return {
    stop: backend.stop,
    api: (as, method, path, body) => backend.api(method, path, as, body),
  };
}

import { Knex } from 'knex';
import { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  CoreTestBackend,
  TestPerson,
  startCoreTestBackend,
  testCatalogEntities,
  userRefOf,
} from '../testUtils';

export { waitFor } from '../testUtils';

export const JANE = 'user:default/jane.doe';
export const KIM = 'user:default/kim.lee';
export const RAJ = 'user:default/raj.patel';
export const SAM = 'user:default/sam.manager';
export const IVAN = 'user:default/ivan.admin';
export const FIONA = 'user:default/fiona.fallback';
export const BOB = 'user:default/bob.other';

/** The only user the permissions mock allows app-access.* permissions. */
export const ADMIN = IVAN;

/**
 * A small seed: two listed apps (Figma sorts before Notion, for paging) and
 * one unlisted app. Notion's editor tier needs the requester's manager, its
 * viewer tier needs nobody; both are fulfilled by hand (manual fulfiller).
 */
export const SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: notion
    name: Notion
    vendor: Notion Labs
    category: Productivity
    owner: group:default/it-admins
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
      - id: viewer
        name: Viewer
        approval:
          required: nobody
        fulfillment:
          type: manual
  - id: figma
    name: Figma
    category: Design
    listed: true
    approval:
      required: nobody
    tiers:
      - id: viewer
        name: Viewer
  - id: legacy-crm
    name: Legacy CRM
    category: Sales
    listed: false
    tiers:
      - id: user
        name: User
`;

const PEOPLE: TestPerson[] = [
  { name: 'jane.doe', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'kim.lee', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'raj.patel', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'sam.manager', groups: ['engineering'] },
  { name: 'ivan.admin', groups: ['it-admins'] },
  { name: 'fiona.fallback', groups: ['it-admins'] },
  { name: 'bob.other', groups: ['sales'] },
];

function groupsOf(userRef: string): string[] {
  const person = PEOPLE.find(p => `user:default/${p.name}` === userRef);
  return (person?.groups ?? []).map(g => `group:default/${g}`);
}

export const catalogEntities = testCatalogEntities(PEOPLE, {
  emailDomain: 'example.com',
});

/** Authorization header of a signed-in user. */
export function as(userRef: string): string {
  return mockCredentials.user.header(userRef);
}

export type AppAccessTestBackend = Pick<
  CoreTestBackend,
  'server' | 'notificationsSend' | 'stop'
>;

/**
 * Starts the real App Access plugin on the given database, with an in-memory
 * catalog, a recording notification service and a permissions mock that
 * allows the app-access.* permissions only for ivan.admin.
 */
export async function startAppAccessTestBackend(options: {
  knex: Knex;
  /** Extra config merged over the defaults (e.g. integration credentials). */
  config?: Record<string, any>;
  /** Test modules installed next to the plugin. */
  features?: BackendFeature[];
}): Promise<AppAccessTestBackend> {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const userEntityRef = userRefOf(credentials);
      if (!userEntityRef) throw new Error('not a user');
      return {
        userEntityRef,
        ownershipEntityRefs: [userEntityRef, ...groupsOf(userEntityRef)],
      };
    },
  });

  const { server, notificationsSend, stop } = await startCoreTestBackend({
    knex: options.knex,
    features: [userInfo.factory, ...(options.features ?? [])],
    seedYaml: SEED_YAML,
    entities: catalogEntities,
    admin: ADMIN,
    config: {
      ...options.config,
      appAccess: {
        approvals: { fallbackApprover: FIONA },
        outbox: { pollIntervalMs: 50 },
        ...options.config?.appAccess,
      },
    },
  });
  return { server, notificationsSend, stop };
}

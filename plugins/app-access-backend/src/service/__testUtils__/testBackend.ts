import { Knex } from 'knex';
import {
  BackstageCredentials,
  BackstageUserPrincipal,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, RELATION_MEMBER_OF } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import appAccessPlugin from '../..';

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

type Person = { name: string; manager?: string; groups: string[] };

const PEOPLE: Person[] = [
  { name: 'jane.doe', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'kim.lee', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'raj.patel', manager: 'sam.manager', groups: ['engineering'] },
  { name: 'sam.manager', groups: ['engineering'] },
  { name: 'ivan.admin', groups: ['it-admins'] },
  { name: 'fiona.fallback', groups: ['it-admins'] },
  { name: 'bob.other', groups: ['sales'] },
];

const GROUPS = ['engineering', 'it-admins', 'sales'];

function groupsOf(userRef: string): string[] {
  const person = PEOPLE.find(p => `user:default/${p.name}` === userRef);
  return (person?.groups ?? []).map(g => `group:default/${g}`);
}

export const catalogEntities: Entity[] = [
  ...PEOPLE.map(
    (p): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: {
        name: p.name,
        namespace: 'default',
        annotations: p.manager ? { 'app-access/manager': p.manager } : {},
      },
      spec: {
        profile: { displayName: p.name, email: `${p.name}@example.com` },
        memberOf: p.groups,
      },
      relations: p.groups.map(g => ({
        type: RELATION_MEMBER_OF,
        targetRef: `group:default/${g}`,
      })),
    }),
  ),
  ...GROUPS.map(
    (g): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: g, namespace: 'default' },
      spec: { type: 'team', children: [] },
    }),
  ),
];

function userRefOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as Partial<BackstageUserPrincipal>;
  return principal.type === 'user' ? principal.userEntityRef : undefined;
}

/** Authorization header of a signed-in user. */
export function as(userRef: string): string {
  return mockCredentials.user.header(userRef);
}

export type AppAccessTestBackend = {
  server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  notificationsSend: jest.Mock;
  stop(): Promise<void>;
};

/**
 * Starts the real App Access plugin on the given database, with an in-memory
 * catalog, a recording notification service and a permissions mock that
 * allows the app-access.* permissions only for ivan.admin.
 */
export async function startAppAccessTestBackend(options: {
  knex: Knex;
  /** Extra config merged over the defaults (e.g. integration credentials). */
  config?: Record<string, any>;
}): Promise<AppAccessTestBackend> {
  const seedDir = createMockDirectory({ content: { 'apps.yaml': SEED_YAML } });
  const notificationsSend = jest.fn(async () => {});

  const permissions = mockServices.permissions.mock({
    authorize: async (requests, opts) =>
      requests.map(r => ({
        result:
          r.permission.name.startsWith('app-access.') &&
          userRefOf(opts.credentials) === ADMIN
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
  });

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

  const backend = await startTestBackend({
    features: [
      appAccessPlugin,
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          appAccess: {
            catalog: { seedFiles: [seedDir.resolve('apps.yaml')] },
            approvals: { fallbackApprover: FIONA },
            outbox: { pollIntervalMs: 50 },
            ...options.config?.appAccess,
          },
        },
      }),
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({ entities: catalogEntities }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: notificationsSend }),
      }),
      permissions.factory,
      userInfo.factory,
    ],
  });

  return {
    server: backend.server,
    notificationsSend,
    stop: () => backend.stop(),
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last}` : ''
        }`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

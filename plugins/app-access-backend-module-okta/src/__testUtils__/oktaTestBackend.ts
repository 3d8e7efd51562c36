import { Knex } from 'knex';
import { BackendFeature } from '@backstage/backend-plugin-api';
// The module is tested inside the real core plugin, as a portal runs it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  ScheduledTestTask,
  startCoreTestBackend,
  testCatalogEntities,
  userRef,
} from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModuleOkta from '..';
import { FakeOkta } from '../testing/FakeOkta';

// eslint-disable-next-line @backstage/no-mixed-plugin-imports
export { waitFor } from '@app-access/plugin-app-access-backend/testUtils';

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

export const ref = userRef;
export const emailOf = (name: string) => `${name}@acme.example`;

const entities = testCatalogEntities(PEOPLE.map(name => ({ name })));

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

export type ScheduledTask = ScheduledTestTask;

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
  const backend = await startCoreTestBackend({
    knex: options.knex,
    features: [appAccessModuleOkta, ...(options.features ?? [])],
    seedYaml: SEED_YAML,
    entities,
    admin: ADMIN,
    scheduler: 'manual',
    config: {
      app: { baseUrl: 'http://localhost:3000' },
      appAccess: {
        outbox: { pollIntervalMs: 50, baseDelaySeconds: 0.05 },
        ...(options.okta ? { okta: options.okta } : {}),
      },
    },
  });
  return {
    baseUrl: backend.baseUrl,
    tasks: backend.tasks,
    call: (as, path, init = {}) =>
      backend.api(init.method ?? 'GET', path, as, init.body),
    stop: backend.stop,
  };
}

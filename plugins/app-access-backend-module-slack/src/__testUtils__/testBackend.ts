import { Knex } from 'knex';
import { BackendFeature } from '@backstage/backend-plugin-api';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
// These tests run the module inside the real core plugin, on purpose.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  CoreTestBackend,
  TestPerson,
  startCoreTestBackend,
  testCatalogEntities,
  userRef,
} from '@app-access/plugin-app-access-backend/testUtils';
import slackModule from '..';
import { FakeSlackApi, FakeSlackUser } from '../testing/FakeSlackApi';
import { signInteraction } from './slackInteractions';

// eslint-disable-next-line @backstage/no-mixed-plugin-imports
export { waitFor } from '@app-access/plugin-app-access-backend/testUtils';

export const SIGNING_SECRET = 'test-signing-secret';
export const APPROVALS_CHANNEL = 'C0APPROVALS';

/**
 * The test org: everyone reports to Sam except Raj, whose manager Nina has
 * no Slack account; Ivan and Tom are IT admins (level 2 of Zoom Webinar);
 * Fiona is the fallback approver; Bob approves nothing.
 */
type Person = TestPerson & { slackId?: string };

export const PEOPLE: Person[] = [
  {
    name: 'jane.doe',
    displayName: 'Jane Doe',
    manager: 'sam.manager',
    groups: ['engineering'],
    slackId: 'U0JANE',
  },
  {
    name: 'kim.lee',
    displayName: 'Kim Lee',
    manager: 'sam.manager',
    groups: ['engineering'],
    slackId: 'U0KIM',
  },
  {
    name: 'lee.quiet',
    displayName: 'Lee Quiet',
    manager: 'sam.manager',
    groups: ['engineering'],
    slackId: 'U0LEE',
  },
  {
    name: 'mo.new',
    displayName: 'Mo New',
    manager: 'sam.manager',
    groups: ['engineering'],
    slackId: 'U0MO',
  },
  {
    name: 'raj.patel',
    displayName: 'Raj Patel',
    manager: 'nina.nobody',
    groups: ['sales'],
    slackId: 'U0RAJ',
  },
  { name: 'nina.nobody', displayName: 'Nina Nobody', groups: ['sales'] },
  {
    name: 'sam.manager',
    displayName: 'Sam Manager',
    groups: ['engineering'],
    slackId: 'U0SAM',
  },
  {
    name: 'ivan.admin',
    displayName: 'Ivan Admin',
    groups: ['it-admins'],
    slackId: 'U0IVAN',
  },
  {
    name: 'tom.tech',
    displayName: 'Tom Tech',
    groups: ['it-admins'],
    slackId: 'U0TOM',
  },
  {
    name: 'fiona.fallback',
    displayName: 'Fiona Fallback',
    groups: ['people-ops'],
    slackId: 'U0FIONA',
  },
  {
    name: 'bob.other',
    displayName: 'Bob Other',
    groups: ['sales'],
    slackId: 'U0BOB',
  },
  // Pat has an admin alias with the same email: Pat's Slack account
  // matches two catalog users, so it identifies nobody.
  {
    name: 'una.new',
    displayName: 'Una New',
    manager: 'pat.twin',
    groups: [],
    slackId: 'U0UNA',
  },
  { name: 'pat.twin', displayName: 'Pat Twin', groups: [], slackId: 'U0PAT' },
  {
    name: 'pat.admin',
    displayName: 'Pat (admin)',
    email: 'pat.twin@acme.example',
    groups: [],
  },
];

const GROUPS = ['engineering', 'it-admins', 'people-ops', 'sales'];

export const ref = userRef;
export const emailOf = (name: string) => `${name}@acme.example`;
export const slackIdOf = (name: string) => {
  const id = PEOPLE.find(p => p.name === name)?.slackId;
  if (!id) throw new Error(`${name} has no Slack account in the test org`);
  return id;
};

export const slackUsers: FakeSlackUser[] = PEOPLE.filter(p => p.slackId).map(
  p => ({
    id: p.slackId!,
    email: emailOf(p.name),
    name: p.name,
  }),
);

export const catalogEntities = testCatalogEntities(PEOPLE, {
  groups: GROUPS,
});

/** Notion Editor needs the manager; Zoom Webinar the manager, then IT admins. */
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
  - id: zoom
    name: Zoom
    vendor: Zoom Video Communications
    category: Communication
    owner: group:default/it-admins
    listed: true
    tiers:
      - id: webinar
        name: Webinar add-on
        approval:
          required: everyone
          level1:
            - type: manager
          level2:
            - type: group
              ref: group:default/it-admins
        fulfillment:
          type: manual
`;

export type SlackTestBackend = Pick<
  CoreTestBackend,
  'server' | 'stop' | 'api'
> & {
  /** Submits a request as `requester`; returns its id. */
  submit(requester: string, appId: string, tierId: string): Promise<string>;
  /** The request as its requester sees it (with events and approvals). */
  getRequest(requester: string, id: string): Promise<any>;
  /** Posts a correctly signed interaction payload. */
  interact(payload: object): Promise<request.Response>;
};

/**
 * Starts the real App Access plugin with the Slack module, on the given
 * database, talking to the fake Slack Web API.
 */
export async function startSlackTestBackend(options: {
  knex: Knex;
  fake: FakeSlackApi;
  /** Merged into appAccess.slack; false leaves Slack unconfigured. */
  slack?: Record<string, unknown> | false;
  /** Test modules installed next to the Slack module. */
  features?: BackendFeature[];
  /** The one user allowed the app-access.* permissions (admin routes). */
  admin?: string;
}): Promise<SlackTestBackend> {
  const backend = await startCoreTestBackend({
    knex: options.knex,
    features: [slackModule, ...(options.features ?? [])],
    admin: options.admin,
    seedYaml: SEED_YAML,
    entities: catalogEntities,
    config: {
      app: { baseUrl: 'http://portal.test' },
      appAccess: {
        approvals: {
          method: 'slack',
          fallbackApprover: ref('fiona.fallback'),
        },
        outbox: {
          pollIntervalMs: 50,
          baseDelaySeconds: 0.2,
          maxDelaySeconds: 1,
        },
        ...(options.slack === false
          ? {}
          : {
              slack: {
                botToken: options.fake.token,
                signingSecret: SIGNING_SECRET,
                apiUrl: options.fake.apiUrl,
                ...options.slack,
              },
            }),
      },
    },
  });
  const { server } = backend;
  return {
    server,
    stop: backend.stop,
    api: backend.api,
    async submit(requester, appId, tierId) {
      const res = await request(server)
        .post('/api/app-access/requests')
        .set('Authorization', mockCredentials.user.header(requester))
        .send({
          appId,
          tierId,
          justification: `Needed for the Q3 launch (${requester})`,
        });
      if (res.status !== 201) {
        throw new Error(
          `Submitting failed: ${res.status} ${JSON.stringify(res.body)}`,
        );
      }
      return res.body.id;
    },
    async getRequest(requester, id) {
      const res = await request(server)
        .get(`/api/app-access/requests/${id}`)
        .set('Authorization', mockCredentials.user.header(requester));
      if (res.status !== 200) {
        throw new Error(
          `Reading request ${id} failed: ${res.status} ${JSON.stringify(
            res.body,
          )}`,
        );
      }
      return res.body;
    },
    async interact(payload) {
      const signed = signInteraction(SIGNING_SECRET, payload);
      return request(server)
        .post('/api/app-access/slack/interactions')
        .set(signed.headers)
        .send(signed.body);
    },
  };
}

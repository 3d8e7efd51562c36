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
import teamsModule from '..';
import { FakeBotFramework, FakeTeamsUser } from '../testing/FakeBotFramework';

// eslint-disable-next-line @backstage/no-mixed-plugin-imports
export { waitFor } from '@app-access/plugin-app-access-backend/testUtils';

export const BOT_APP_ID = '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b';
export const ref = userRef;

/**
 * The test org: Jane and Kim report to Sam; Raj's manager is Nina; Ivan and
 * Tom are IT admins (level 2 of Zoom Webinar); Fiona is the fallback
 * approver; Una's manager is Pat, whose email is shared with an admin
 * alias, so Pat's Teams account identifies nobody.
 */
const PEOPLE: TestPerson[] = [
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
  {
    name: 'raj.patel',
    displayName: 'Raj Patel',
    manager: 'nina.nobody',
    groups: ['sales'],
  },
  { name: 'nina.nobody', displayName: 'Nina Nobody', groups: ['sales'] },
  { name: 'sam.manager', displayName: 'Sam Manager', groups: ['engineering'] },
  { name: 'ivan.admin', displayName: 'Ivan Admin', groups: ['it-admins'] },
  { name: 'tom.tech', displayName: 'Tom Tech', groups: ['it-admins'] },
  {
    name: 'fiona.fallback',
    displayName: 'Fiona Fallback',
    groups: ['people-ops'],
  },
  { name: 'una.new', displayName: 'Una New', manager: 'pat.twin', groups: [] },
  { name: 'pat.twin', displayName: 'Pat Twin', groups: [] },
  {
    name: 'pat.admin',
    displayName: 'Pat (admin)',
    email: 'pat.twin@acme.example',
    groups: [],
  },
  // Identity by Entra ID object id (module.identity.test.ts).
  { name: 'liam.new', displayName: 'Liam New', manager: 'olga.oid' },
  { name: 'olga.oid', displayName: 'Olga Oid' },
  { name: 'max.new', displayName: 'Max New', manager: 'quinn.one' },
  { name: 'quinn.one', displayName: 'Quinn One' },
  { name: 'quinn.two', displayName: 'Quinn Two' },
  { name: 'dan.new', displayName: 'Dan New', manager: 'cara.custom' },
  { name: 'cara.custom', displayName: 'Cara Custom' },
];

/** Object ids of the Teams accounts the catalog knows by annotation. */
export const OBJECT_IDS = {
  olga: '0a1b2c3d-0000-4000-8000-00000000a001',
  quinn: '0a1b2c3d-0000-4000-8000-00000000a002',
  cara: '0a1b2c3d-0000-4000-8000-00000000a003',
};

/** The annotation `appAccess.msteams.bot.objectIdAnnotation` names in the tests. */
export const CUSTOM_OBJECT_ID_ANNOTATION = 'acme.example/entra-object-id';

/**
 * What the catalog carries besides the profile: Olga's object id as the
 * Microsoft Graph provider writes it, the same object id on both Quinns
 * (a bad import), Cara's in the configured annotation.
 */
const ANNOTATIONS: Record<string, Record<string, string>> = {
  'olga.oid': { 'graph.microsoft.com/user-id': OBJECT_IDS.olga },
  'quinn.one': { 'graph.microsoft.com/user-id': OBJECT_IDS.quinn },
  'quinn.two': { 'graph.microsoft.com/user-id': OBJECT_IDS.quinn },
  'cara.custom': { [CUSTOM_OBJECT_ID_ANNOTATION]: OBJECT_IDS.cara },
};

/** Teams accounts: everyone above except the alias, plus Eve, who is not in the catalog. */
export const TEAMS_USERS: Record<string, FakeTeamsUser> = Object.fromEntries(
  [
    ...PEOPLE.filter(p => p.name !== 'pat.admin').map(p => p.name),
    'eve.external',
  ].map((name, i) => [
    name,
    {
      name,
      email: `${name}@acme.example`,
      aadObjectId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    },
  ]),
);
// Their Teams (Entra) emails are not the catalog's: only the object id ties
// Olga and Cara to their User entities. Quinn's email is quinn.one's.
TEAMS_USERS['olga.oid'] = {
  name: 'Olga Oid',
  email: 'olga@contoso.example',
  aadObjectId: OBJECT_IDS.olga,
};
TEAMS_USERS['quinn.one'] = {
  name: 'Quinn One',
  email: 'quinn.one@acme.example',
  aadObjectId: OBJECT_IDS.quinn,
};
TEAMS_USERS['cara.custom'] = {
  name: 'Cara Custom',
  email: 'cara.c@contoso.example',
  aadObjectId: OBJECT_IDS.cara,
};
delete TEAMS_USERS['quinn.two'];

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
  - id: zoom
    name: Zoom
    category: Communication
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

export type BotTestBackend = Pick<
  CoreTestBackend,
  'server' | 'stop' | 'api'
> & {
  submit(requester: string, appId: string, tierId: string): Promise<string>;
  getRequest(requester: string, id: string): Promise<any>;
  /** Posts an activity to the bot's messaging endpoint with this token. */
  post(activity: object, token: string | undefined): Promise<request.Response>;
  /** Posts an activity with a right token. */
  send(activity: object): Promise<request.Response>;
  /** "Send test" on the settings page, clicked by `admin` (default Fiona). */
  test(admin?: string): Promise<any>;
  /** Decides in the portal, as `approver`. */
  decideInPortal(
    approver: string,
    id: string,
    decision: 'approve' | 'deny',
    comment?: string,
  ): Promise<request.Response>;
};

/** The real App Access plugin with the Teams bot, talking to the fake. */
export async function startBotTestBackend(options: {
  knex: Knex;
  fake: FakeBotFramework;
  /** Test modules installed next to the Teams module. */
  features?: BackendFeature[];
}): Promise<BotTestBackend> {
  const { fake } = options;
  const backend = await startCoreTestBackend({
    knex: options.knex,
    features: [teamsModule, ...(options.features ?? [])],
    seedYaml: SEED_YAML,
    entities: testCatalogEntities(PEOPLE, {
      groups: ['engineering', 'it-admins', 'people-ops', 'sales'],
    }).map(e => ({
      ...e,
      metadata: {
        ...e.metadata,
        annotations: {
          ...e.metadata.annotations,
          ...ANNOTATIONS[e.metadata.name],
        },
      },
    })),
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
        msteams: {
          bot: {
            appId: fake.appId,
            appPassword: fake.appPassword,
            tenantId: fake.tenantId,
            openIdMetadataUrl: fake.openIdMetadataUrl,
            issuer: fake.issuer,
            tokenUrl: fake.tokenUrl,
            objectIdAnnotation: CUSTOM_OBJECT_ID_ANNOTATION,
          },
        },
      },
    },
  });
  const { server } = backend;
  const post = (activity: object, token: string | undefined) => {
    const req = request(server).post('/api/app-access/msteams/messages');
    if (token) req.set('Authorization', `Bearer ${token}`);
    return req.send(activity);
  };
  return {
    server,
    stop: backend.stop,
    api: backend.api,
    post,
    send: async activity => post(activity, await fake.channelToken()),
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
        throw new Error(`Reading request ${id} failed: ${res.status}`);
      }
      return res.body;
    },
    decideInPortal: (approver, id, decision, comment) =>
      request(server)
        .post(`/api/app-access/requests/${id}/decisions`)
        .set('Authorization', mockCredentials.user.header(approver))
        .send({ decision, ...(comment ? { comment } : {}) }),
    async test(admin = ref('fiona.fallback')) {
      const res = await request(server)
        .post('/api/app-access/admin/modules/notifier/msteams/test')
        .set('Authorization', mockCredentials.user.header(admin));
      return res;
    },
  };
}

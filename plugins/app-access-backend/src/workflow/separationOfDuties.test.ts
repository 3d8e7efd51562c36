import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  CoreTestBackend,
  TestPerson,
  startCoreTestBackend,
  testCatalogEntities,
  userRef,
  userRefOf,
  waitFor,
} from '../testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/**
 * raj's manager priya is also in platform (level 2 of Datadog Admin); tom is
 * platform's other member. jane.admin is jane.doe's admin alias (same email).
 * fiona is the fallback approver.
 */
const PEOPLE: TestPerson[] = [
  { name: 'raj.iyer', manager: 'priya.platform', groups: ['platform'] },
  { name: 'priya.platform', groups: ['platform'] },
  { name: 'tom.platform', groups: ['platform'] },
  { name: 'jane.doe', manager: 'priya.platform', groups: ['engineering'] },
  {
    name: 'jane.admin',
    email: 'jane.doe@acme.example',
    groups: ['reviewers'],
  },
  { name: 'kim.review', groups: ['reviewers'] },
  { name: 'fiona.fallback', groups: ['it-ops'] },
  { name: 'ivan.admin', groups: ['it-admins'] },
];

const SEED = `
apps:
  - id: datadog
    name: Datadog
    category: Observability
    listed: true
    tiers:
      - id: admin
        name: Admin
        approval:
          required: everyone
          level1: [{ type: manager }]
          level2: [{ type: group, ref: group:default/platform }]
  - id: solo
    name: Solo
    category: Misc
    listed: true
    tiers:
      - id: x
        name: X
        approval:
          required: everyone
          level1: [{ type: user, ref: user:default/priya.platform }]
          level2: [{ type: user, ref: user:default/priya.platform }]
  - id: fiona-twice
    name: Fiona twice
    category: Misc
    listed: true
    tiers:
      - id: x
        name: X
        approval:
          required: everyone
          level1: [{ type: user, ref: user:default/fiona.fallback }]
          level2: [{ type: user, ref: user:default/fiona.fallback }]
  - id: reviewed
    name: Reviewed
    category: Misc
    listed: true
    tiers:
      - id: x
        name: X
        approval:
          required: everyone
          level1: [{ type: group, ref: group:default/reviewers }]
  - id: alias-only
    name: Alias only
    category: Misc
    listed: true
    tiers:
      - id: x
        name: X
        approval:
          required: everyone
          level1: [{ type: user, ref: user:default/jane.admin }]
`;

const RAJ = userRef('raj.iyer');
const PRIYA = userRef('priya.platform');
const TOM = userRef('tom.platform');
const JANE = userRef('jane.doe');
const JANE_ADMIN = userRef('jane.admin');
const KIM = userRef('kim.review');
const FIONA = userRef('fiona.fallback');
const IVAN = userRef('ivan.admin');

function groupsOf(ref: string) {
  const person = PEOPLE.find(p => userRef(p.name) === ref);
  return (person?.groups ?? []).map(g => `group:default/${g}`);
}

describe.each(databases.eachSupportedId())(
  'separation of duties on %p',
  databaseId => {
    let backend: CoreTestBackend;

    beforeAll(async () => {
      backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        seedYaml: SEED,
        entities: testCatalogEntities(PEOPLE),
        admin: IVAN,
        features: [
          mockServices.userInfo.mock({
            getUserInfo: async credentials => {
              const ref = userRefOf(credentials)!;
              return {
                userEntityRef: ref,
                ownershipEntityRefs: [ref, ...groupsOf(ref)],
              };
            },
          }).factory,
        ],
        config: {
          appAccess: {
            approvals: { fallbackApprover: FIONA },
            outbox: { pollIntervalMs: 50 },
          },
        },
      });
    });

    afterAll(() => backend?.stop());

    const submit = (who: string, appId: string, tierId: string) =>
      backend.api('POST', '/requests', who, {
        appId,
        tierId,
        justification: 'for the on-call rota',
      });
    const approve = (who: string, id: string) =>
      backend.api('POST', `/requests/${id}/decisions`, who, {
        decision: 'approve',
      });

    it('lets the manager who approved level 1 not approve level 2 through a group; another member decides it', async () => {
      const created = await submit(RAJ, 'datadog', 'admin');
      expect(created.status).toBe(201);
      const id = created.body.id;

      expect((await approve(PRIYA, id)).status).toBe(200);
      const second = await approve(PRIYA, id);
      expect(second.status).toBe(403);
      expect(second.body.error.message).toBe(
        'You decided level 1 of this request; another person must decide level 2',
      );
      // Her inbox does not offer the level she may not decide.
      const inbox = await backend.api('GET', '/approvals', PRIYA);
      expect(
        inbox.body.items.map((t: { requestId: string }) => t.requestId),
      ).not.toContain(id);

      const done = await approve(TOM, id);
      expect(done.status).toBe(200);
      expect(done.body.approvals).toEqual([
        expect.objectContaining({ level: 1, decidedBy: PRIYA }),
        expect.objectContaining({ level: 2, decidedBy: TOM }),
      ]);
    });

    it('asks the fallback approver when the only level-2 approver decided level 1, and the preview says so', async () => {
      const preview = await backend.api(
        'GET',
        '/apps/solo/tiers/x/approvers',
        JANE,
      );
      expect(preview.status).toBe(200);
      expect(preview.body.levels).toEqual([
        expect.objectContaining({
          level: 1,
          fallback: false,
          approvers: [expect.objectContaining({ ref: PRIYA })],
        }),
        expect.objectContaining({
          level: 2,
          fallback: true,
          approvers: [expect.objectContaining({ ref: FIONA })],
        }),
      ]);

      const created = await submit(JANE, 'solo', 'x');
      const id = created.body.id;
      expect((await approve(PRIYA, id)).status).toBe(200);
      expect((await approve(PRIYA, id)).status).toBe(403);
      const done = await approve(FIONA, id);
      expect(done.status).toBe(200);
      expect(done.body.status).not.toBe('pending_approval');
    });

    it('waits for an admin to name an approver when the fallback approver decided level 1 too', async () => {
      const preview = await backend.api(
        'GET',
        '/apps/fiona-twice/tiers/x/approvers',
        JANE,
      );
      expect(preview.body.levels[1]).toEqual(
        expect.objectContaining({ level: 2, approvers: [], awaitsAdmin: true }),
      );

      const created = await submit(JANE, 'fiona-twice', 'x');
      expect(created.status).toBe(201);
      const id = created.body.id;
      const afterLevel1 = await approve(FIONA, id);
      expect(afterLevel1.status).toBe(200);
      expect(afterLevel1.body).toEqual(
        expect.objectContaining({ status: 'pending_approval', level: 2 }),
      );
      expect(
        afterLevel1.body.events.map((e: { type: string }) => e.type),
      ).toContain('approver_needed');
      expect((await approve(FIONA, id)).status).toBe(403);

      // An admin cannot name the requester or the level-1 decider...
      for (const who of [FIONA, JANE, JANE_ADMIN]) {
        const refused = await backend.api(
          'POST',
          `/admin/requests/${id}/approvers`,
          IVAN,
          { approver: who },
        );
        expect(refused.status).toBe(409);
      }
      // ...and only an admin may name anyone.
      expect(
        (
          await backend.api('POST', `/admin/requests/${id}/approvers`, KIM, {
            approver: TOM,
          })
        ).status,
      ).toBe(403);
      const named = await backend.api(
        'POST',
        `/admin/requests/${id}/approvers`,
        IVAN,
        { approver: TOM },
      );
      expect(named.status).toBe(200);
      expect(named.body.events.at(-1)).toEqual(
        expect.objectContaining({ type: 'approver_named', actor: IVAN }),
      );
      const done = await approve(TOM, id);
      expect(done.status).toBe(200);
      expect(
        done.body.approvals.map((t: { decidedBy: string }) => t.decidedBy),
      ).toEqual([FIONA, TOM]);
    });

    it('treats an alias (same email) as the requester: it cannot decide, is never asked, and does not staff a level', async () => {
      const created = await submit(JANE, 'reviewed', 'x');
      expect(created.status).toBe(201);
      const id = created.body.id;
      const refused = await approve(JANE_ADMIN, id);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/same person/);
      await waitFor('the reviewers to be asked', () =>
        backend.notificationsSend.mock.calls.some(
          ([n]) =>
            n.payload.topic === `app-access:${id}` &&
            [n.recipients.entityRef].flat().includes(KIM),
        ),
      );
      const askedAlias = backend.notificationsSend.mock.calls.some(([n]) =>
        [n.recipients.entityRef].flat().includes(JANE_ADMIN),
      );
      expect(askedAlias).toBe(false);
      expect((await approve(KIM, id)).status).toBe(200);

      // A level whose only approver is the requester's alias goes to the fallback.
      const preview = await backend.api(
        'GET',
        '/apps/alias-only/tiers/x/approvers',
        JANE,
      );
      expect(preview.body.levels).toEqual([
        expect.objectContaining({
          level: 1,
          fallback: true,
          approvers: [expect.objectContaining({ ref: FIONA })],
        }),
      ]);
    });
  },
);

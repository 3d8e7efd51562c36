// Sign-ins from Okta's System Log to a reclamation campaign, end to end: the
// sync reads `user.authentication.sso` events from the fake's /api/v1/logs,
// the campaign's preview matches on them, and a seat given back leaves the
// Okta group through the fulfiller.
import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeOkta } from './testing/FakeOkta';
import {
  ADMIN,
  OktaTestBackend,
  ZOOM_APP,
  ZOOM_BASIC_GROUP,
  emailOf,
  ref,
  seedFakeOkta,
  startOktaTestBackend,
  waitFor,
} from './__testUtils__/oktaTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const DAY = 86_400_000;

describe.each(databases.eachSupportedId())(
  'Okta sign-ins in a reclamation campaign on %p',
  databaseId => {
    let fake: FakeOkta;
    let backend: OktaTestBackend;

    beforeAll(async () => {
      fake = await FakeOkta.start({ maxPageSize: 2 });
      seedFakeOkta(fake);
      backend = await startOktaTestBackend({
        knex: await databases.init(databaseId),
        okta: {
          orgUrl: fake.url,
          apiToken: 'test-api-token',
          pollSeconds: 0.05,
          provisioningTimeoutMinutes: 1,
          sync: { lastUsed: true, lastUsedLookbackDays: 90 },
        },
      });
      await backend.tasks
        .get('app-access-catalog-people')!
        .fn(new AbortController().signal);
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    async function holdZoomBasic(name: string) {
      const res = await backend.call(ref(name), '/requests', {
        method: 'POST',
        body: { appId: 'zoom', tierId: 'basic', justification: 'Calls' },
      });
      expect(res.status).toBe(201);
      const id = res.body.id;
      await waitFor(`${name}'s Zoom Basic`, async () => {
        const r = await backend.call(ADMIN, `/admin/requests/${id}`);
        return r.body.status === 'fulfilled' ? true : undefined;
      });
    }

    it('matches the holder whose last Okta sign-in is old, not the one who signed in lately, and removes a seat given back from the group', async () => {
      await holdZoomBasic('tom.berg');
      await holdZoomBasic('kim.lee');
      const tom = fake.findUser(emailOf('tom.berg'))!;
      const kim = fake.findUser(emailOf('kim.lee'))!;
      expect(fake.isMember(ZOOM_BASIC_GROUP, tom.id)).toBe(true);

      // Okta's System Log: Tom last used Zoom 80 days ago, Kim 2 days ago.
      const now = Date.now();
      fake.recordSignIn(ZOOM_APP, tom.id, new Date(now - 85 * DAY));
      fake.recordSignIn(ZOOM_APP, tom.id, new Date(now - 80 * DAY));
      fake.recordSignIn(ZOOM_APP, kim.id, new Date(now - 2 * DAY));

      // Before a sync has read the log, App Access knows no sign-in: nobody
      // is asked on a guess.
      const before = await backend.call(
        ADMIN,
        '/admin/campaigns/preview?appId=zoom&tierId=basic&inactiveDays=60',
      );
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ signInsTracked: false, total: 0 });

      await backend.tasks
        .get('app-access-okta-sync')!
        .fn(new AbortController().signal);
      expect(fake.count('GET /api/v1/logs')).toBeGreaterThan(0);

      const preview = await backend.call(
        ADMIN,
        '/admin/campaigns/preview?appId=zoom&tierId=basic&inactiveDays=60',
      );
      expect(preview.status).toBe(200);
      expect(preview.body.signInsTracked).toBe(true);
      expect(preview.body.total).toBe(1);
      expect(preview.body.items).toHaveLength(1);
      expect(preview.body.items[0]).toMatchObject({
        holder: ref('tom.berg'),
        tierId: 'basic',
      });
      // The latest of Tom's two sign-ins, to the second.
      expect(
        Math.abs(
          new Date(preview.body.items[0].lastSignInAt).getTime() -
            (now - 80 * DAY),
        ),
      ).toBeLessThan(1000);

      // Figma has no sign-in in the log: a campaign there is refused.
      const figma = await backend.call(ADMIN, '/admin/campaigns', {
        method: 'POST',
        body: { appId: 'figma', inactiveDays: 60, answerDays: 7 },
      });
      expect(figma.status).toBe(400);

      const started = await backend.call(ADMIN, '/admin/campaigns', {
        method: 'POST',
        body: {
          appId: 'zoom',
          tierId: 'basic',
          inactiveDays: 60,
          answerDays: 7,
          grantIds: [preview.body.items[0].grantId],
        },
      });
      expect(started.status).toBe(201);
      expect(started.body.counts).toMatchObject({ total: 1, asked: 1 });

      const access = await backend.call(ref('tom.berg'), '/me/access');
      const grant = access.body.items.find(
        (g: any) => g.id === preview.body.items[0].grantId,
      );
      expect(grant.reclaim).toMatchObject({
        campaignId: started.body.id,
        inactiveDays: 60,
      });

      // Kim is not the holder: her answer to Tom's question is refused.
      const notHers = await backend.call(
        ref('kim.lee'),
        `/reclaim-questions/${grant.reclaim.questionId}/answer`,
        { method: 'POST', body: { answer: 'release' } },
      );
      expect(notHers.status).toBe(404);

      const answered = await backend.call(
        ref('tom.berg'),
        `/reclaim-questions/${grant.reclaim.questionId}/answer`,
        { method: 'POST', body: { answer: 'release' } },
      );
      expect(answered.status).toBe(200);
      expect(answered.body.status).toBe('released');

      await waitFor("Tom's seat to leave the Okta group", async () =>
        fake.isMember(ZOOM_BASIC_GROUP, tom.id) ? undefined : true,
      );
      await waitFor('the question to be settled', async () => {
        const q = await backend.call(
          ADMIN,
          `/admin/campaigns/${started.body.id}/questions`,
        );
        return q.body.items[0]?.status === 'removed' ? q.body : undefined;
      });
      expect(
        fake.requests.filter(
          r =>
            r.method === 'DELETE' &&
            r.path.includes(ZOOM_BASIC_GROUP) &&
            r.path.includes(tom.id),
        ),
      ).toHaveLength(1);
      expect(fake.isMember(ZOOM_BASIC_GROUP, kim.id)).toBe(true);
    });
  },
);

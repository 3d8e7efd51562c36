import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessTestBackend,
  IVAN,
  JANE,
  KIM,
  SAM,
  as,
  startAppAccessTestBackend,
  waitFor,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const BASE = '/api/app-access';
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'requesting a seat when none are free on %s',
  databaseId => {
    let backend: AppAccessTestBackend;
    beforeAll(async () => {
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
      });
    });
    afterAll(async () => {
      await backend?.stop();
    });
    const api = () => request(backend.server);
    const preview = async (user: string) =>
      (
        await api()
          .get(`${BASE}/apps/seated/tiers/pro/approvers`)
          .set('Authorization', as(user))
          .expect(200)
      ).body;
    const pending = async () =>
      (
        await api()
          .get(`${BASE}/approvals`)
          .set('Authorization', as(SAM))
          .expect(200)
      ).body.items;
    async function file(user: string) {
      const res = await api()
        .post(`${BASE}/requests`)
        .set('Authorization', as(user))
        .send({ appId: 'seated', tierId: 'pro', justification: 'For work' });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    it('warns the requester and the approver once every seat is taken', async () => {
      await api()
        .put(`${BASE}/admin/apps/seated`)
        .set('Authorization', as(IVAN))
        .send({
          name: 'Seated',
          category: 'Tools',
          listed: true,
          approval: { required: 'everyone', level1: [{ type: 'manager' }] },
          tiers: [
            { id: 'pro', name: 'Pro', seatsPurchased: 2 },
            { id: 'free', name: 'Free' },
          ],
        })
        .expect(200);

      // A seat is free: no warning for either.
      expect(await preview(JANE)).not.toHaveProperty('seatWarning');
      const kims = await file(KIM);
      const [first] = (await pending()).filter(
        (p: any) => p.request.id === kims,
      );
      expect(first).not.toHaveProperty('seatWarning');
      await api()
        .post(`${BASE}/requests/${kims}/decisions`)
        .set('Authorization', as(SAM))
        .send({ decision: 'approve' })
        .expect(200);
      await waitFor('Kim to await IT', async () => {
        const r = await api()
          .get(`${BASE}/requests/${kims}`)
          .set('Authorization', as(KIM));
        return r.body.status === 'awaiting_it' ? true : undefined;
      });
      await api()
        .post(`${BASE}/admin/requests/${kims}/mark-fulfilled`)
        .set('Authorization', as(IVAN))
        .send({})
        .expect(200);
      // One of two seats held: still one free.
      expect(await preview(JANE)).not.toHaveProperty('seatWarning');

      // Ivan lowers the seats bought to the one held: none is free now.
      const app = (
        await api()
          .get(`${BASE}/admin/apps/seated`)
          .set('Authorization', as(IVAN))
      ).body;
      await api()
        .put(`${BASE}/admin/apps/seated`)
        .set('Authorization', as(IVAN))
        .send({
          name: app.name,
          category: app.category,
          listed: true,
          approval: app.approval,
          tiers: [
            { id: 'pro', name: 'Pro', seatsPurchased: 1 },
            { id: 'free', name: 'Free' },
          ],
        })
        .expect(200);
      const warned = await preview(JANE);
      expect(warned.seatWarning).toBe(
        'All seats of this tier are in use: approving your request means buying one more. An admin may reclaim seats nobody uses.',
      );
      // Figures are for admins and approvers.
      expect(warned.seatWarning).not.toMatch(/\d/);
      // The other tier records no seats: nothing to warn about.
      const free = await api()
        .get(`${BASE}/apps/seated/tiers/free/approvers`)
        .set('Authorization', as(JANE))
        .expect(200);
      expect(free.body).not.toHaveProperty('seatWarning');

      const janes = await file(JANE);
      const [task] = (await pending()).filter(
        (p: any) => p.request.id === janes,
      );
      expect(task.seatWarning).toBe(
        'The only seat is in use; approving buys one more.',
      );

      // The approver's notice says so too, worked out from the store when
      // it goes out; Kim's, sent while a seat was free, did not.
      const noticeAbout = (id: string) =>
        waitFor(`the approval notice about ${id}`, async () =>
          backend.notificationsSend.mock.calls
            .map(([options]) => options)
            .find(
              (o: any) =>
                o.payload.topic === `app-access:${id}` &&
                o.payload.title.startsWith('Approval needed') &&
                o.recipients.entityRef.includes(SAM),
            ),
        );
      expect((await noticeAbout(janes)).payload.description).toBe(
        'The only seat is in use; approving buys one more. For work',
      );
      expect((await noticeAbout(kims)).payload.description).toBe('For work');
    });
  },
);

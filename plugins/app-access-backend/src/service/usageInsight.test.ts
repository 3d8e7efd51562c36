import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessTestBackend,
  IVAN,
  JANE,
  as,
  startAppAccessTestBackend,
  waitFor,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const BASE = '/api/app-access';
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'usage insight over HTTP on %s',
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

    it('is for admins only', async () => {
      for (const path of ['/admin/usage', '/admin/usage/apps/notion/history']) {
        const res = await api()
          .get(`${BASE}${path}`)
          .set('Authorization', as(JANE));
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'You need the app-access.app.manage permission',
        );
      }
    });

    it('shows a granted seat, its price and what is unused, as the spec says', async () => {
      const priced = await api()
        .put(`${BASE}/admin/apps/insight-app`)
        .set('Authorization', as(IVAN))
        .send({
          name: 'Insight app',
          category: 'Tools',
          listed: true,
          tiers: [
            {
              id: 'seat',
              name: 'Seat',
              approval: { required: 'nobody' },
              costPerSeatMonthly: 20,
              currency: 'EUR',
              seatsPurchased: 3,
            },
          ],
        });
      expect(priced.status).toBe(200);
      const filed = await api()
        .post(`${BASE}/requests`)
        .set('Authorization', as(JANE))
        .send({ appId: 'insight-app', tierId: 'seat' });
      expect(filed.status).toBe(201);
      // Manual fulfilment: IT marks it done, which records the grant.
      await waitFor('the request to await IT', async () => {
        const res = await api()
          .get(`${BASE}/requests/${filed.body.id}`)
          .set('Authorization', as(JANE));
        return res.body.status === 'awaiting_it' ? true : undefined;
      });
      await api()
        .post(`${BASE}/admin/requests/${filed.body.id}/mark-fulfilled`)
        .set('Authorization', as(IVAN))
        .send({})
        .expect(200);

      const res = await api()
        .get(`${BASE}/admin/usage`)
        .set('Authorization', as(IVAN));
      expect(res.status).toBe(200);
      // No Okta here: sign-ins are unknown, and said so.
      expect(res.body.signInsTracked).toBe(false);
      const item = res.body.items.find((a: any) => a.appId === 'insight-app');
      expect(item).toMatchObject({
        holders: 1,
        active30: null,
        signIns: { known: false, reason: 'not-tracked' },
        unusedSeats: 2,
        unusedSeatCostMonthly: 40,
        currency: 'EUR',
      });
      expect(res.body.items[0].appId).toBe('insight-app');
    });

    it('serves an app series, 404 for an unknown app and 400 for a bad range', async () => {
      const ok = await api()
        .get(`${BASE}/admin/usage/apps/notion/history?days=30`)
        .set('Authorization', as(IVAN));
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ appId: 'notion', points: expect.any(Array) });
      const missing = await api()
        .get(`${BASE}/admin/usage/apps/nope/history`)
        .set('Authorization', as(IVAN));
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe("No app 'nope'");
      const bad = await api()
        .get(`${BASE}/admin/usage/apps/notion/history?days=0`)
        .set('Authorization', as(IVAN));
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/days/);
    });
  },
);

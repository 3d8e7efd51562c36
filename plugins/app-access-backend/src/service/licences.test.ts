import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessTestBackend,
  IVAN,
  JANE,
  as,
  startAppAccessTestBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const BASE = '/api/app-access';
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const pricedApp = {
  name: 'Priced',
  category: 'Design',
  listed: true,
  tiers: [
    {
      id: 'editor',
      name: 'Editor',
      approval: { required: 'nobody' },
      costPerSeatMonthly: 12.5,
      currency: 'EUR',
      seatsPurchased: 50,
    },
    { id: 'viewer', name: 'Viewer', approval: { required: 'nobody' } },
  ],
};

describe.each(databases.eachSupportedId())(
  'price and seats per tier on %s',
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
    const save = (id: string, body: unknown) =>
      api()
        .put(`${BASE}/admin/apps/${id}`)
        .set('Authorization', as(IVAN))
        .send(body as object);

    it('stores them and shows them to admins', async () => {
      const saved = await save('priced', pricedApp);
      expect(saved.status).toBe(200);
      const read = await api()
        .get(`${BASE}/admin/apps/priced`)
        .set('Authorization', as(IVAN));
      expect(read.status).toBe(200);
      expect(read.body.tiers[0]).toMatchObject({
        costPerSeatMonthly: 12.5,
        currency: 'EUR',
        seatsPurchased: 50,
      });
      // A tier without a price has none, rather than zeros.
      expect(read.body.tiers[1]).not.toHaveProperty('costPerSeatMonthly');
      expect(read.body.tiers[1]).not.toHaveProperty('seatsPurchased');
      // Cents survive the round trip exactly.
      const cents = await save('priced-cents', {
        ...pricedApp,
        tiers: [{ ...pricedApp.tiers[0], costPerSeatMonthly: 0.07 }],
      });
      expect(cents.body.tiers[0].costPerSeatMonthly).toBe(0.07);
    });

    it('never shows them to employees', async () => {
      await save('priced', pricedApp).expect(200);
      const one = await api()
        .get(`${BASE}/apps/priced`)
        .set('Authorization', as(JANE));
      expect(one.status).toBe(200);
      const page = await api()
        .get(`${BASE}/apps?q=Priced&limit=50`)
        .set('Authorization', as(JANE));
      expect(page.status).toBe(200);
      const listed = page.body.items.find((a: any) => a.id === 'priced');
      expect(listed).toBeDefined();
      for (const app of [one.body, listed]) {
        expect(app.tiers).toHaveLength(2);
        for (const tier of app.tiers) {
          expect(tier).not.toHaveProperty('costPerSeatMonthly');
          expect(tier).not.toHaveProperty('currency');
          expect(tier).not.toHaveProperty('seatsPurchased');
        }
      }
      expect(JSON.stringify([one.body, page.body])).not.toMatch(/EUR|12\.5/);
      const admin = await api()
        .get(`${BASE}/admin/apps/priced`)
        .set('Authorization', as(JANE));
      expect(admin.status).toBe(403);
    });

    it.each([
      ['a negative price', { costPerSeatMonthly: -1 }, /costPerSeatMonthly/],
      [
        'a price above the maximum',
        { costPerSeatMonthly: 1_000_001 },
        /costPerSeatMonthly/,
      ],
      [
        'a price with 3 decimals',
        { costPerSeatMonthly: 1.005 },
        /tiers\.0\.costPerSeatMonthly: use at most 2 decimals/,
      ],
      [
        'a price without a currency',
        { costPerSeatMonthly: 10, currency: undefined },
        /tiers\.0\.currency: required with costPerSeatMonthly/,
      ],
      [
        'a currency without a price',
        { costPerSeatMonthly: undefined, currency: 'EUR' },
        /tiers\.0\.costPerSeatMonthly: required with currency/,
      ],
      ['a currency that is no ISO code', { currency: 'euro' }, /currency/],
      ['negative seats', { seatsPurchased: -3 }, /seatsPurchased/],
      ['fractional seats', { seatsPurchased: 2.5 }, /seatsPurchased/],
      [
        'seats above the maximum',
        { seatsPurchased: 10_000_001 },
        /seatsPurchased/,
      ],
    ])('refuses %s with a 400 naming the field', async (_, change, message) => {
      const tier = { ...pricedApp.tiers[0], ...change };
      const res = await save('bad-price', { ...pricedApp, tiers: [tier] });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      const stored = await api()
        .get(`${BASE}/admin/apps/bad-price`)
        .set('Authorization', as(IVAN));
      expect(stored.status).toBe(404);
    });

    it('refuses two currencies in one app', async () => {
      const res = await save('two-currencies', {
        ...pricedApp,
        tiers: [
          pricedApp.tiers[0],
          { ...pricedApp.tiers[1], costPerSeatMonthly: 3, currency: 'USD' },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        "tiers.1.currency: the app's tiers are priced in EUR; use one currency per app",
      );
    });
  },
);

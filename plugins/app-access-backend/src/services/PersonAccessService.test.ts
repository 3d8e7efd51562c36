import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessTestBackend,
  as,
  BOB,
  IVAN,
  JANE,
  KIM,
  SAM,
  startAppAccessTestBackend,
  waitFor,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  "a person's access on %p",
  databaseId => {
    let backend: AppAccessTestBackend;
    let base: string;

    beforeAll(async () => {
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
      });
      base = `http://localhost:${backend.server.port()}/api/app-access`;
    });

    afterAll(() => backend?.stop());

    const call = async (
      method: string,
      path: string,
      who: string,
      body?: object,
    ) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: as(who),
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const accessOf = (user: string, who: string) =>
      call('GET', `/person-access?user=${encodeURIComponent(user)}`, who);

    it('shows fulfilled access and open requests to the person and their manager only', async () => {
      const figma = await call('POST', '/requests', JANE, {
        appId: 'figma',
        tierId: 'viewer',
      });
      const notion = await call('POST', '/requests', JANE, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'Handbook',
      });
      expect([figma.status, notion.status]).toEqual([201, 201]);
      await waitFor('figma to wait for IT', async () => {
        const r = await call('GET', `/requests/${figma.body.id}`, JANE);
        return r.body.status === 'awaiting_it';
      });
      expect(
        (
          await call(
            'POST',
            `/admin/requests/${figma.body.id}/mark-fulfilled`,
            IVAN,
            {},
          )
        ).status,
      ).toBe(200);

      for (const who of [JANE, SAM]) {
        const res = await accessOf(JANE, who);
        expect(res.status).toBe(200);
        expect(res.body.user).toBe(JANE);
        expect(res.body.access.map((r: any) => r.id)).toEqual([figma.body.id]);
        expect(res.body.open.map((r: any) => r.id)).toEqual([notion.body.id]);
      }
      // A teammate, someone else, even an admin: not theirs to see here.
      for (const who of [KIM, BOB, IVAN]) {
        const res = await accessOf(JANE, who);
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
      }
      // Sam has no manager on record: only Sam sees Sam's.
      expect((await accessOf(SAM, JANE)).status).toBe(403);
      expect((await accessOf(SAM, SAM)).body).toEqual({
        user: SAM,
        access: [],
        open: [],
      });
    });
  },
);

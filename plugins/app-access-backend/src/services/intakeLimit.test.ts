import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessTestBackend,
  BOB,
  JANE,
  as,
  startAppAccessTestBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the intake limit on %s',
  databaseId => {
    let backend: AppAccessTestBackend;

    beforeAll(async () => {
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
        config: { appAccess: { intake: { maxOpenPerPerson: 2 } } },
      });
    });

    afterAll(() => backend?.stop());

    const intake = (who: string, name: string) =>
      request(backend.server)
        .post('/api/app-access/requests/intake')
        .set('Authorization', as(who))
        .send({ name, justification: 'the team needs it' });

    it('refuses one open request for a new app too many with 409, per person, until one is closed', async () => {
      const first = await intake(JANE, 'Excalidraw');
      expect(first.status).toBe(201);
      expect((await intake(JANE, 'Miro')).status).toBe(201);

      const third = await intake(JANE, 'Whimsical');
      expect(third.status).toBe(409);
      expect(third.body.error.message).toBe(
        'You already have 2 open requests for new apps: wait until IT has answered one, or cancel one, before asking for another',
      );
      // The limit is per person.
      expect((await intake(BOB, 'Whimsical')).status).toBe(201);

      const cancelled = await request(backend.server)
        .post(`/api/app-access/requests/${first.body.id}/cancel`)
        .set('Authorization', as(JANE));
      expect(cancelled.status).toBe(200);
      expect((await intake(JANE, 'Whimsical')).status).toBe(201);
    });
  },
);

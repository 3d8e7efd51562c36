import request from 'supertest';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessFulfillmentApi,
  appAccessFulfillersExtensionPoint,
} from '@app-access/plugin-app-access-node';
import {
  AppAccessTestBackend,
  IVAN,
  JANE,
  as,
  startAppAccessTestBackend,
  waitFor,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const VENDOR_ERROR =
  'SMTP smtp.corp.internal:2525 refused RCPT: 550 5.1.1 mailbox unknown';

/** Fails every fulfilment with a vendor error; hands out its follower connection to the test. */
let follow: AppAccessFulfillmentApi | undefined;
const failingFulfiller = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'failing-test',
  register(reg) {
    reg.registerInit({
      deps: {
        fulfillers: appAccessFulfillersExtensionPoint,
        logger: coreServices.logger,
      },
      async init({ fulfillers }) {
        fulfillers.addFulfiller({
          handles: ['manual'],
          // Figma goes to IT as a ticket; everything else fails at the vendor.
          fulfill: async context =>
            context.app.id === 'figma'
              ? { status: 'awaiting_it', externalRef: 'IT-1' }
              : { status: 'failed', error: VENDOR_ERROR },
        });
        fulfillers.addFollower({
          id: 'failing-test',
          connect: async connection => {
            follow = connection;
          },
        });
      },
    });
  },
});

describe.each(databases.eachSupportedId())(
  'failure reasons on %s',
  databaseId => {
    let backend: AppAccessTestBackend;

    beforeAll(async () => {
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
        features: [failingFulfiller],
      });
    });

    afterAll(() => backend?.stop());

    const get = (who: string, path: string) =>
      request(backend.server)
        .get(`/api/app-access${path}`)
        .set('Authorization', as(who));

    it('tells the requester and approver a plain reason, and only admins the vendor error', async () => {
      const created = await request(backend.server)
        .post('/api/app-access/requests')
        .set('Authorization', as(JANE))
        .send({ appId: 'notion', tierId: 'viewer' });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const failed = await waitFor('the fulfilment to fail', async () => {
        const res = await get(IVAN, `/admin/requests/${id}`);
        return res.body.status === 'failed' ? res.body : undefined;
      });
      expect(failed.failureReason).toBe(VENDOR_ERROR);
      expect(
        failed.events.find((e: any) => e.type === 'fulfillment_failed').comment,
      ).toBe(VENDOR_ERROR);

      const mine = await get(JANE, `/requests/${id}`);
      expect(mine.body.failureReason).toBe(
        'IT could not finish this automatically and has been told',
      );
      expect(JSON.stringify(mine.body)).not.toContain('smtp.corp.internal');
      const list = await get(JANE, '/requests');
      expect(JSON.stringify(list.body)).not.toContain('smtp.corp.internal');

      // The notice to the requester carries the plain reason too.
      await waitFor('the failure notice', () =>
        backend.notificationsSend.mock.calls.find(
          ([n]: any) =>
            n.payload.topic === `app-access:${id}` &&
            n.payload.description ===
              'IT could not finish this automatically and has been told',
        ),
      );
      expect(
        JSON.stringify(backend.notificationsSend.mock.calls),
      ).not.toContain('smtp.corp.internal');
    });

    it("passes IT's own answer on when a ticket is closed without granting access", async () => {
      const created = await request(backend.server)
        .post('/api/app-access/requests')
        .set('Authorization', as(JANE))
        .send({ appId: 'figma', tierId: 'viewer' });
      const id = created.body.id;
      await waitFor('the ticket', async () => {
        const res = await get(IVAN, `/admin/requests/${id}`);
        return res.body.status === 'awaiting_it' ? true : undefined;
      });
      const answer = "Closed as Won't Do: we use Confluence for this";
      await follow!.complete(id, { status: 'failed', message: answer });

      const seen = await get(JANE, `/requests/${id}`);
      expect(seen.body.status).toBe('failed');
      expect(seen.body.failureReason).toBe(answer);
      expect(
        seen.body.events.find((e: any) => e.type === 'fulfillment_failed')
          .comment,
      ).toBe(answer);
    });
  },
);

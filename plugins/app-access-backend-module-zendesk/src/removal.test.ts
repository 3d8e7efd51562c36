import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { App } from '@app-access/plugin-app-access-common';
import { startAccessTestEngine } from '@app-access/plugin-app-access-backend/testUtils';
import { FakeZendesk } from './testing/FakeZendesk';
import { ZendeskClient } from './ZendeskClient';
import { ZendeskFollower } from './ZendeskFollower';
import { REMOVAL_TAG, ZendeskFulfiller } from './ZendeskFulfiller';
import { readZendeskConfig } from './config';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const JANE = 'user:default/jane.doe';
const SAM = 'user:default/sam.manager';
const IVAN = 'user:default/ivan.admin';

const apps: App[] = [
  {
    id: 'tableau',
    name: 'Tableau',
    category: 'Data',
    listed: true,
    externalIds: {},
    approval: { required: 'everyone', level1: [{ type: 'manager' }] },
    tiers: [
      { id: 'creator', name: 'Creator', fulfillment: { type: 'ticket' } },
    ],
  },
];
const people = [
  { ref: JANE, email: 'jane.doe@example.com', manager: SAM, groups: [] },
  { ref: SAM, email: 'sam.manager@example.com', groups: [] },
  { ref: IVAN, email: 'ivan.admin@example.com', groups: [] },
];

describe.each(databases.eachSupportedId())(
  'Zendesk removal tickets on %p',
  databaseId => {
    let fake: FakeZendesk;

    beforeAll(async () => {
      fake = await FakeZendesk.start();
    });
    afterAll(() => fake.stop());
    beforeEach(() => fake.reset());

    it('files one removal ticket when the holder gives access back, and follows it to solved', async () => {
      const settings = readZendeskConfig(
        new ConfigReader({
          appAccess: {
            zendesk: {
              endpointUri: `${fake.url}/api/v2`,
              email: fake.email,
              apiToken: fake.apiToken,
            },
          },
        }),
      )!;
      const client = new ZendeskClient(settings);
      const logger = mockServices.logger.mock();
      const engine = await startAccessTestEngine({
        knex: await databases.init(databaseId),
        apps,
        people,
        fulfillers: [new ZendeskFulfiller({ client, logger })],
        config: { ticketing: { system: 'zendesk' } },
      });
      const follower = new ZendeskFollower({
        client,
        fulfillment: engine.fulfillmentApi(),
        logger,
      });

      const request = await engine.submit(JANE, {
        appId: 'tableau',
        tierId: 'creator',
      });
      await engine.approve(SAM, request.id);
      await engine.settle();
      expect(fake.creations()).toHaveLength(1);
      const grantTicket = fake.tickets[0].id;
      fake.update(grantTicket, { status: 'solved', comment: 'Granted' });
      await follower.run();
      const grant = await engine.grantFor(request.id);
      expect(grant).toMatchObject({ status: 'active', fulfilledBy: 'zendesk' });
      expect(grant?.endsAt).toBeUndefined();

      // Jane gives it back; a second click changes nothing.
      await engine.removeMine(JANE, grant!.id);
      await expect(engine.removeMine(JANE, grant!.id)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      await engine.settle();
      await engine.settle();
      await follower.run();
      expect(fake.creations()).toHaveLength(2);
      const removal = fake.tickets.find(t => t.id !== grantTicket)!;
      expect(removal.external_id).toBe(`app-access-removal-${grant!.id}`);
      expect(removal.tags).toContain(REMOVAL_TAG);
      expect(await engine.grantFor(request.id)).toMatchObject({
        status: 'removing',
        removalRef: String(removal.id),
      });

      fake.update(removal.id, { status: 'solved', comment: 'Removed' });
      expect((await follower.run()).removed).toEqual([grant!.id]);
      expect((await follower.run()).removed).toEqual([]);
      expect((await engine.grantFor(request.id))?.status).toBe('removed');
      expect((await engine.getRequest(request.id)).status).toBe('fulfilled');
    });
  },
);

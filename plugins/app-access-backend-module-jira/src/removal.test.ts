import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { App } from '@app-access/plugin-app-access-common';
import { startAccessTestEngine } from '@app-access/plugin-app-access-backend/testUtils';
import { FakeJira } from './testing/FakeJira';
import { JiraClient } from './JiraClient';
import { JiraFollower } from './JiraFollower';
import { JiraFulfiller } from './JiraFulfiller';
import { readJiraConfig } from './config';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const JANE = 'user:default/jane.doe';
const SAM = 'user:default/sam.manager';
const DAY = 86_400_000;

const apps: App[] = [
  {
    id: 'tableau',
    name: 'Tableau',
    category: 'Data',
    listed: true,
    externalIds: {},
    approval: { required: 'everyone', level1: [{ type: 'manager' }] },
    tiers: [
      {
        id: 'creator',
        name: 'Creator',
        maxDurationDays: 30,
        fulfillment: { type: 'ticket' },
      },
    ],
  },
];
const people = [
  {
    ref: JANE,
    email: 'jane.doe@example.com',
    manager: SAM,
    groups: [],
  },
  { ref: SAM, email: 'sam.manager@example.com', groups: [] },
];

describe.each(databases.eachSupportedId())(
  'Jira removal tickets on %p',
  databaseId => {
    let fake: FakeJira;

    beforeAll(async () => {
      fake = await FakeJira.start();
    });
    afterAll(() => fake.stop());
    beforeEach(() => fake.reset());

    it('files one removal ticket when access ends and follows it to done', async () => {
      const settings = readJiraConfig(
        new ConfigReader({
          appAccess: {
            jira: {
              baseUrl: fake.url,
              email: fake.email,
              apiToken: fake.apiToken,
              serviceDeskId: '1',
              requestTypeId: '11',
            },
          },
        }),
      )!;
      const client = new JiraClient(settings);
      const logger = mockServices.logger.mock();
      const engine = await startAccessTestEngine({
        knex: await databases.init(databaseId),
        apps,
        people,
        fulfillers: [new JiraFulfiller({ client, logger })],
        config: { ticketing: { system: 'jira' } },
      });
      const follower = new JiraFollower({
        client,
        fulfillment: engine.fulfillmentApi(),
        logger,
      });

      // Granted through a ticket IT resolves.
      const request = await engine.submit(JANE, {
        appId: 'tableau',
        tierId: 'creator',
        durationDays: 2,
      });
      await engine.approve(SAM, request.id);
      await engine.settle();
      expect(fake.creations()).toHaveLength(1);
      const grantTicket = fake.issues[0].key;
      fake.transition(grantTicket, { category: 'done', resolution: 'Done' });
      await follower.run();
      const grant = await engine.grantFor(request.id);
      expect(grant).toMatchObject({ status: 'active', fulfilledBy: 'jira' });

      // The end passes: one removal ticket, however often things run.
      const due = new Date(new Date(grant!.endsAt!).getTime() + DAY);
      expect((await engine.runExpiry(due)).removed).toBe(1);
      await engine.settle();
      await engine.runExpiry(due);
      await engine.settle();
      await follower.run();
      expect(fake.creations()).toHaveLength(2);
      const removal = fake.issues.find(i => i.key !== grantTicket)!;
      expect(removal.labels).toEqual([`app-access-removal-${grant!.id}`]);
      expect(removal.summary).toMatch(/remove Tableau Creator/);
      expect(removal.description).toMatch(/Please REMOVE Tableau Creator/);
      expect(await engine.grantFor(request.id)).toMatchObject({
        status: 'removing',
        removalRef: removal.key,
      });

      // IT resolves it: the access is recorded as removed, once.
      fake.transition(removal.key, { category: 'done', resolution: 'Done' });
      const summary = await follower.run();
      expect(summary.removed).toEqual([grant!.id]);
      expect((await follower.run()).removed).toEqual([]);
      expect(await engine.grantFor(request.id)).toMatchObject({
        status: 'removed',
      });
      const types = await engine.eventTypes(request.id);
      expect(types.filter(t => t === 'access_removed')).toHaveLength(1);
      // The request itself stays fulfilled: its ticket was not reopened.
      expect((await engine.getRequest(request.id)).status).toBe('fulfilled');
    });
  },
);

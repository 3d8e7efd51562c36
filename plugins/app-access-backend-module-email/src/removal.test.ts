import { TestDatabases } from '@backstage/backend-test-utils';
import { App } from '@app-access/plugin-app-access-common';
// On purpose: the removal is driven by the real core, not a fake of it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { startAccessTestEngine } from '@app-access/plugin-app-access-backend/testUtils';
import {
  AppAccessFulfiller,
  AppAccessFulfillerConnection,
} from '@app-access/plugin-app-access-node';
import { DatabaseSentMailStore } from './database/DatabaseSentMailStore';
import { migrateEmailDatabase } from './database/migrations';
import { EmailSettingsSource } from './EmailSettingsSource';
import { EmailTicketFulfiller } from './EmailTicketFulfiller';
import { SmtpMailer } from './mail/SmtpMailer';
import { TestSmtpServer } from './testing/TestSmtpServer';
import { emailConfig, JANE, logger, people } from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const HELPDESK = 'helpdesk@acme.example';
const DAY = 86_400_000;

const apps: App[] = [
  {
    id: 'tableau',
    name: 'Tableau',
    category: 'Data',
    listed: true,
    externalIds: {},
    approval: { required: 'nobody' },
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

describe.each(databases.eachSupportedId())(
  'Email removal tickets on %p',
  databaseId => {
    let smtp: TestSmtpServer;

    beforeAll(async () => {
      smtp = await TestSmtpServer.start();
    });
    afterAll(() => smtp.stop());
    beforeEach(() => smtp.reset());

    it('emails one removal ticket when access ends, with two workers and two expiry passes', async () => {
      const knex = await databases.init(databaseId);
      await migrateEmailDatabase(knex);
      const config = emailConfig(smtp.smtpConfig);
      // The module builds the fulfiller once the core hands it its connection.
      let tickets: EmailTicketFulfiller | undefined;
      const fulfiller: AppAccessFulfiller = {
        handles: ['email'],
        connect(connection: AppAccessFulfillerConnection) {
          tickets = new EmailTicketFulfiller({
            mailer: new SmtpMailer(config),
            settings: new EmailSettingsSource({
              config,
              getSettings: () => connection.getSettings(),
              logger,
            }),
            sent: new DatabaseSentMailStore(knex),
            connection,
            logger,
          });
        },
        fulfill: context => tickets!.fulfill(context),
        revoke: context => tickets!.revoke(context),
      };
      const engine = await startAccessTestEngine({
        knex,
        apps,
        people,
        fulfillers: [fulfiller],
        config: { ticketing: { system: 'email' } },
      });

      // Granted through an emailed ticket that IT closed.
      const request = await engine.submit(JANE, {
        appId: 'tableau',
        tierId: 'creator',
        durationDays: 2,
      });
      await engine.settle();
      expect((await engine.getRequest(request.id)).status).toBe('awaiting_it');
      await engine.fulfillmentApi().complete(request.id, {
        status: 'fulfilled',
      });
      const grant = await engine.grantFor(request.id);
      expect(grant).toMatchObject({ status: 'active', fulfilledBy: 'email' });
      expect(smtp.messages).toHaveLength(1);

      // The end passes; both replicas' schedulers and workers run.
      const due = new Date(new Date(grant!.endsAt!).getTime() + DAY);
      const passes = await Promise.all([
        engine.runExpiry(due),
        engine.runExpiry(due),
      ]);
      expect(passes.map(p => p.removed).sort()).toEqual([0, 1]);
      const replicaB = engine.newWorker();
      await Promise.all([engine.worker.runOnce(due), replicaB.runOnce(due)]);
      await engine.settle(due);
      await engine.runExpiry(due);
      await engine.settle(due);

      const removals = smtp.messages.filter(m =>
        (m.parsed.subject ?? '').startsWith('Access removal'),
      );
      expect(removals).toHaveLength(1);
      const messageId = `<app-access-removal-${grant!.id}@acme.example>`;
      expect(removals[0].to).toEqual([HELPDESK]);
      expect(removals[0].parsed.messageId).toBe(messageId);
      expect(removals[0].parsed.subject).toBe(
        'Access removal: Tableau Creator from Jane Doe',
      );
      expect(removals[0].parsed.text).toContain(
        `The access ended on ${grant!.endsAt!.slice(0, 10)}`,
      );
      // Waiting for IT with the ticket's Message-ID, nothing dead.
      expect(await engine.grantFor(request.id)).toMatchObject({
        status: 'removing',
        removalRef: messageId,
      });
      expect(await engine.outboxCounts()).not.toHaveProperty('dead');
      const types = await engine.eventTypes(request.id);
      expect(types.filter(t => t === 'access_removal_started')).toHaveLength(1);
    });
  },
);

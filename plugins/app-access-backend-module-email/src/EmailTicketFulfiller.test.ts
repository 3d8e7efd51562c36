import { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  FulfillmentContext,
  RevocationContext,
} from '@app-access/plugin-app-access-node';
import { EmailConfig } from './config';
import { DatabaseSentMailStore } from './database/DatabaseSentMailStore';
import { migrateEmailDatabase } from './database/migrations';
import { EmailSettingsSource } from './EmailSettingsSource';
import { EmailTicketFulfiller } from './EmailTicketFulfiller';
import { SmtpMailer } from './mail/SmtpMailer';
import { TestSmtpServer } from './testing/TestSmtpServer';
import {
  closedPort,
  emailConfig,
  logger,
  makeRequest,
  makeTask,
  people,
  JANE,
  SAM,
  savedSettings,
  StaticDecisionApi,
} from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const HELPDESK = 'helpdesk@acme.example';

describe('EmailTicketFulfiller', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(() => smtp.reset());

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateEmailDatabase(knex);
    });

    function fulfillerFor(config: EmailConfig = emailConfig(smtp.smtpConfig)) {
      const decisions = new StaticDecisionApi();
      const fulfiller = new EmailTicketFulfiller({
        mailer: new SmtpMailer(config),
        settings: new EmailSettingsSource({
          config,
          getSettings: () => decisions.getSettings(),
          logger,
        }),
        sent: new DatabaseSentMailStore(knex),
        connection: decisions,
        logger,
      });
      return { fulfiller, decisions };
    }

    /** A fulfillment context whose checkpoints behave like the core's. */
    function contextFor(
      decisions: StaticDecisionApi,
      kind: 'fulfill' | 'audit' = 'fulfill',
    ) {
      const request = makeRequest({
        status: 'fulfilling',
        level: 0,
        tierId: 'pro',
        tierName: 'Pro',
      });
      request.approvals = [
        makeTask(request, {
          status: 'approved',
          decidedBy: SAM,
          decidedAt: '2026-11-27T10:00:00.000Z',
          comment: 'Go ahead',
        }),
      ];
      decisions.requests.set(request.id, request);
      const checkpoints: Array<{
        externalRef?: string;
        note?: string;
        messagesBefore: number;
      }> = [];
      const context: FulfillmentContext = {
        request,
        app: {
          id: 'figma',
          name: 'Figma',
          vendor: 'Figma Inc.',
          category: 'Design',
          url: 'https://figma.com',
          listed: true,
          externalIds: { oktaAppId: '0oa123' },
          tiers: [],
        },
        tier: {
          id: 'pro',
          name: 'Pro',
          description: 'Paid editor seat',
          fulfillment: { type: 'ticket' },
        },
        spec: { type: 'ticket' },
        requester: people[0],
        idempotencyKey:
          kind === 'fulfill'
            ? `app-access-${request.id}`
            : `app-access-audit-${request.id}`,
        requestUrl: `http://portal.test/apps/requests/${request.id}`,
        checkpoint: async data => {
          checkpoints.push({ ...data, messagesBefore: smtp.messages.length });
          context.previousExternalRef =
            data.externalRef ?? context.previousExternalRef;
        },
      };
      return { context, checkpoints, request };
    }

    it('emails one ticket with a stable Message-ID, checkpointing first, and not again on a retry', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      const { context, checkpoints, request } = contextFor(decisions);
      const messageId = `<app-access-${request.id}@acme.example>`;

      const first = await fulfiller.fulfill(context);
      expect(first).toEqual({
        status: 'awaiting_it',
        externalRef: messageId,
        message: `Ticket emailed to ${HELPDESK}`,
      });
      expect(checkpoints).toEqual([
        {
          externalRef: messageId,
          note: expect.stringContaining(HELPDESK),
          messagesBefore: 0,
        },
      ]);

      const second = await fulfiller.fulfill(context);
      expect(second).toEqual(first);
      expect(checkpoints).toHaveLength(1);

      expect(smtp.messages).toHaveLength(1);
      const [ticket] = smtp.messages;
      expect(ticket.to).toEqual([HELPDESK]);
      expect(ticket.parsed.messageId).toBe(messageId);
      expect(ticket.parsed.subject).toBe(
        'Access request: Figma Pro for Jane Doe',
      );
      for (const part of [ticket.parsed.text!, ticket.parsed.html as string]) {
        expect(part).toContain('jane.doe@acme.example');
        expect(part).toContain('Design reviews with the product team');
        expect(part).toContain('Level 1: approved by Sam Manager');
        expect(part).toContain('Go ahead');
        expect(part).toContain('oktaAppId: 0oa123');
        expect(part).toContain(
          `http://portal.test/apps/requests/${request.id}`,
        );
      }
    });

    it('names the grantee first and who filed it for a request on their behalf', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      const { context, request } = contextFor(decisions);
      context.request = { ...request, requester: SAM, grantee: JANE };
      context.filer = people[1];
      await fulfiller.fulfill(context);
      const [ticket] = smtp.messages;
      expect(ticket.parsed.subject).toBe(
        'Access request: Figma Pro for Jane Doe, filed by Sam Manager',
      );
      const text = ticket.parsed.text!;
      expect(text).toContain('Please give Jane Doe access to Figma Pro');
      expect(text).toContain(
        'The request for Figma Pro for Jane Doe, filed by Sam Manager, was approved',
      );
      expect(text).toMatch(/For:?\s+Jane Doe <jane\.doe@acme\.example>/);
      expect(text).toMatch(/User:?\s+user:default\/jane\.doe/);
      expect(text).toMatch(
        /Filed by:?\s+Sam Manager \(user:default\/sam\.manager\)/,
      );
    });

    it('asks for a retry when the server defers, and fails for good when it refuses the help-desk address', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      smtp.deferTemporarily(HELPDESK);
      const deferred = await fulfiller.fulfill(contextFor(decisions).context);
      expect(deferred).toEqual({
        status: 'retry',
        error: expect.stringContaining('451'),
      });

      smtp.refuse(HELPDESK);
      const refused = await fulfiller.fulfill(contextFor(decisions).context);
      expect(refused).toEqual({
        status: 'failed',
        error: expect.stringMatching(
          /refused the help-desk address helpdesk@acme.example: .*550/,
        ),
      });
      expect(smtp.messages).toHaveLength(0);
    });

    it('fails naming the key when no ticket address is configured', async () => {
      const { fulfiller, decisions } = fulfillerFor(
        emailConfig(smtp.smtpConfig, { ticketAddress: undefined }),
      );
      await expect(
        fulfiller.fulfill(contextFor(decisions).context),
      ).resolves.toEqual({
        status: 'failed',
        error: expect.stringContaining(
          'no help-desk address is set (appAccess.email.ticketAddress',
        ),
      });
    });

    it('emails the ticket address and sender saved on the settings page', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      decisions.settings = savedSettings({
        ticketAddress: 'it-tickets@acme.example',
        notifications: { emailFromAddress: 'apps@acme-mail.example' },
      });
      const { context, request } = contextFor(decisions);
      await expect(fulfiller.fulfill(context)).resolves.toMatchObject({
        status: 'awaiting_it',
        externalRef: `<app-access-${request.id}@acme-mail.example>`,
      });
      expect(smtp.messages.map(m => [m.from, m.to])).toEqual([
        ['apps@acme-mail.example', ['it-tickets@acme.example']],
      ]);
    });

    it('files audit records once, with their own Message-ID', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      const { context, request } = contextFor(decisions, 'audit');
      context.request = {
        ...request,
        status: 'fulfilled',
        fulfilledBy: 'okta-group',
        externalRef: 'okta:00g1',
      };
      const messageId = `<app-access-audit-${request.id}@acme.example>`;

      await expect(fulfiller.recordAudit(context)).resolves.toEqual({
        externalRef: messageId,
      });
      await expect(fulfiller.recordAudit(context)).resolves.toEqual({
        externalRef: messageId,
      });

      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0].parsed.messageId).toBe(messageId);
      expect(smtp.messages[0].parsed.subject).toBe(
        'Record: Jane Doe was given Figma Pro',
      );
      expect(smtp.messages[0].parsed.text).toContain('through okta-group');
    });

    /** A removal of the access a fulfilled request granted, as the core's revoke job hands it over. */
    function removalFor(decisions: StaticDecisionApi) {
      const { context: granted, request } = contextFor(decisions);
      const grantId = `grant-${request.id}`;
      const checkpoints: Array<{
        externalRef?: string;
        messagesBefore: number;
      }> = [];
      const context: RevocationContext = {
        grant: {
          id: grantId,
          appId: 'figma',
          tierId: 'pro',
          appName: 'Figma',
          tierName: 'Pro',
          grantee: request.requester,
          requestId: request.id,
          grantedAt: '2026-11-28T09:00:00.000Z',
          endsAt: '2026-12-28T09:00:00.000Z',
          status: 'removing',
          fulfilledBy: 'email',
          externalRef: `<app-access-${request.id}@acme.example>`,
        },
        request: { ...request, status: 'fulfilled' },
        app: granted.app,
        tier: granted.tier,
        spec: granted.spec,
        grantee: people[0],
        reason: 'The access ended on 2026-12-28',
        idempotencyKey: `app-access-removal-${grantId}`,
        requestUrl: granted.requestUrl,
        checkpoint: async data => {
          checkpoints.push({
            externalRef: data.externalRef,
            messagesBefore: smtp.messages.length,
          });
          context.previousExternalRef =
            data.externalRef ?? context.previousExternalRef;
        },
      };
      return { context, checkpoints, grantId, request };
    }

    it('emails one removal ticket per grant, with its own Message-ID, checkpointing first, and not again on a retry', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      const { context, checkpoints, grantId, request } = removalFor(decisions);
      const messageId = `<app-access-removal-${grantId}@acme.example>`;

      const first = await fulfiller.revoke(context);
      expect(first).toEqual({
        status: 'awaiting_it',
        externalRef: messageId,
        message: `Removal ticket emailed to ${HELPDESK}; IT marks the access removed in the portal`,
      });
      // The Message-ID is on the grant before anything is sent.
      expect(checkpoints).toEqual([
        { externalRef: messageId, messagesBefore: 0 },
      ]);
      await expect(fulfiller.revoke(context)).resolves.toEqual(first);
      expect(checkpoints).toHaveLength(1);

      expect(smtp.messages).toHaveLength(1);
      const [ticket] = smtp.messages;
      expect(ticket.to).toEqual([HELPDESK]);
      expect(ticket.parsed.messageId).toBe(messageId);
      expect(ticket.parsed.headers.get('x-app-access-request')).toBe(
        request.id,
      );
      expect(ticket.parsed.subject).toBe(
        'Access removal: Figma Pro from Jane Doe',
      );
      for (const part of [ticket.parsed.text!, ticket.parsed.html as string]) {
        expect(part).toContain('Please remove Figma Pro from Jane Doe');
        expect(part).toContain('The access ended on 2026-12-28');
        expect(part).toContain('jane.doe@acme.example');
        expect(part).toContain('oktaAppId: 0oa123');
        expect(part).toContain(grantId);
        expect(part).toContain('mark it removed in the portal');
        expect(part).toContain(
          `http://portal.test/apps/requests/${request.id}`,
        );
      }
    });

    it('resends a removal ticket with the same Message-ID when the send was not recorded (a crash in between)', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      const { context, grantId } = removalFor(decisions);
      await fulfiller.revoke(context);
      // The process died after sending: the send record is lost, the
      // checkpointed Message-ID is not.
      await knex('app_access_email_sent')
        .where({ idempotency_key: context.idempotencyKey })
        .delete();
      await expect(fulfiller.revoke(context)).resolves.toMatchObject({
        status: 'awaiting_it',
      });
      expect(smtp.messages.map(m => m.parsed.messageId)).toEqual([
        `<app-access-removal-${grantId}@acme.example>`,
        `<app-access-removal-${grantId}@acme.example>`,
      ]);
    });

    it('asks for a retry when the server defers a removal ticket, and fails without a ticket address', async () => {
      const { fulfiller, decisions } = fulfillerFor();
      smtp.deferTemporarily(HELPDESK);
      await expect(
        fulfiller.revoke(removalFor(decisions).context),
      ).resolves.toEqual({
        status: 'retry',
        error: expect.stringContaining('451'),
      });
      expect(smtp.messages).toHaveLength(0);

      const { fulfiller: unset } = fulfillerFor(
        emailConfig(smtp.smtpConfig, { ticketAddress: undefined }),
      );
      await expect(
        unset.revoke(removalFor(decisions).context),
      ).resolves.toEqual({
        status: 'failed',
        error: expect.stringContaining(
          'Cannot email a removal ticket: no help-desk address is set',
        ),
      });
    });

    it('self-tests the connection and the addresses', async () => {
      await expect(fulfillerFor().fulfiller.selfTest()).resolves.toMatchObject({
        ok: true,
        message: `Connected to 127.0.0.1:${smtp.port}; tickets are emailed to ${HELPDESK}`,
      });
      await expect(
        fulfillerFor(
          emailConfig(smtp.smtpConfig, { ticketAddress: undefined }),
        ).fulfiller.selfTest(),
      ).resolves.toMatchObject({
        ok: false,
        message: expect.stringContaining('no help-desk address is set'),
      });

      const port = await closedPort();
      const broken = await fulfillerFor(
        emailConfig({ host: '127.0.0.1', port, ignoreTLS: true }),
      ).fulfiller.selfTest();
      expect(broken.ok).toBe(false);
      expect(broken.message).toMatch(/ECONNREFUSED/);
    });
  });
});

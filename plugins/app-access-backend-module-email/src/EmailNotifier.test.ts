import { createHash, generateKeyPairSync } from 'node:crypto';
import { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { dkimVerify } from 'mailauth';
import { EmailConfig } from './config';
import { DatabaseActionTokenStore } from './database/DatabaseActionTokenStore';
import { DatabaseSentMailStore } from './database/DatabaseSentMailStore';
import { migrateEmailDatabase } from './database/migrations';
import { EmailNotifier } from './EmailNotifier';
import { EmailSettingsSource } from './EmailSettingsSource';
import { SmtpMailer, stableMessageId } from './mail/SmtpMailer';
import { TestSmtpServer } from './testing/TestSmtpServer';
import {
  closedPort,
  emailConfig,
  JANE,
  logger,
  makeMessage,
  makeRequest,
  makeTask,
  NOEMAIL,
  OLIVIA,
  SAM,
  savedSettings,
  StaticDecisionApi,
} from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const SAM_MAIL = 'sam.manager@acme.example';
const OLIVIA_MAIL = 'olivia.owner@acme.example';
const JANE_MAIL = 'jane.doe@acme.example';
const LINK =
  /http:\/\/backstage\.test:7007\/api\/app-access\/actions\/([A-Za-z0-9_-]{43})/g;

function links(text: string): string[] {
  return [...text.matchAll(LINK)].map(m => m[1]);
}

describe('EmailNotifier', () => {
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
    let decisions: StaticDecisionApi;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateEmailDatabase(knex);
    });

    function notifierFor(config: EmailConfig = emailConfig(smtp.smtpConfig)) {
      decisions = new StaticDecisionApi();
      const mailer = new SmtpMailer(config);
      const notifier = new EmailNotifier({
        config,
        mailer,
        settings: new EmailSettingsSource({
          config,
          getSettings: () => decisions.getSettings(),
          logger,
        }),
        tokens: new DatabaseActionTokenStore(knex),
        sent: new DatabaseSentMailStore(knex),
        decisions,
        logger,
      });
      return { notifier, mailer };
    }

    it('asks each approver in a message of their own, with HTML and text parts and their own links', async () => {
      const { notifier } = notifierFor(
        emailConfig(
          smtp.smtpConfig,
          {},
          {
            title: 'Acme Apps',
            logoUrl: 'https://acme.example/logo.png',
            accentColor: '#ff6600',
          },
        ),
      );
      const request = makeRequest({ neededBy: '2026-12-24' });
      const message = makeMessage({
        request,
        recipients: [SAM, OLIVIA],
        task: makeTask(request, { approvers: [SAM, OLIVIA] }),
      });

      await expect(notifier.notify(message)).resolves.toEqual({
        unreachable: [],
      });

      expect(smtp.messages).toHaveLength(2);
      const [sam] = smtp.to(SAM_MAIL);
      const [olivia] = smtp.to(OLIVIA_MAIL);
      expect(sam.to).toEqual([SAM_MAIL]);
      expect(sam.from).toBe('it-apps@acme.example');
      expect(sam.parsed.from?.value).toEqual([
        { name: 'Acme IT', address: 'it-apps@acme.example' },
      ]);
      expect(sam.parsed.subject).toBe(
        'Approval needed: Figma Editor for Jane Doe',
      );
      expect(sam.parsed.messageId).toBe(
        stableMessageId(
          `${message.idempotencyKey}\n${SAM}`,
          'it-apps@acme.example',
        ),
      );
      expect(sam.parsed.messageId).toMatch(
        /^<app-access-[0-9a-f]{32}@acme\.example>$/,
      );
      expect(sam.parsed.headers.get('x-app-access-request')).toBe(request.id);

      const text = sam.parsed.text!;
      const html = sam.parsed.html as string;
      for (const part of [text, html]) {
        expect(part).toContain('Jane Doe');
        expect(part).toContain('jane.doe@acme.example');
        expect(part).toContain('Figma');
        expect(part).toContain('Editor');
        expect(part).toContain('Design reviews with the product team');
        expect(part).toContain('2026-12-24');
        expect(part).toMatch(/level 1/i);
        expect(part).toContain('http://portal.test/apps/approvals');
      }
      expect(html).toContain('Acme Apps');
      expect(html).toContain('https://acme.example/logo.png');
      expect(html).toContain('#ff6600');

      // Approve and Deny, the same in both parts, different for each approver.
      const samLinks = links(text);
      expect(samLinks).toHaveLength(2);
      expect(links(html)).toEqual(samLinks);
      expect(text).toMatch(
        /Approve: http:\/\/backstage\.test:7007\/api\/app-access\/actions\//,
      );
      expect(text).toMatch(
        /Deny: http:\/\/backstage\.test:7007\/api\/app-access\/actions\//,
      );
      const oliviaLinks = links(olivia.parsed.text!);
      expect(oliviaLinks).toHaveLength(2);
      expect(oliviaLinks.some(t => samLinks.includes(t))).toBe(false);

      // Stored hashed, with what the link stands for; never in clear.
      const rows = await knex('app_access_email_action_tokens').where({
        request_id: request.id,
      });
      expect(rows).toHaveLength(4);
      const hash = (t: string) => createHash('sha256').update(t).digest('hex');
      const approveRow = rows.find(r => r.token_hash === hash(samLinks[0]));
      expect(approveRow).toMatchObject({
        task_id: message.task!.id,
        approver_ref: SAM,
        decision: 'approve',
        used_at: null,
      });
      const denyRow = rows.find(r => r.token_hash === hash(samLinks[1]));
      expect(denyRow).toMatchObject({
        decision: 'deny',
        group_id: approveRow.group_id,
      });
      expect(JSON.stringify(rows)).not.toContain(samLinks[0]);
      const ttl = Date.parse(approveRow.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(6.9 * 86_400_000);
      expect(ttl).toBeLessThanOrEqual(7 * 86_400_000);
    });

    it('escapes what people typed', async () => {
      const { notifier } = notifierFor();
      const request = makeRequest({
        justification: '<script>alert("x")</script> & <b>bold</b>',
      });
      await notifier.notify(makeMessage({ request, task: makeTask(request) }));
      const [mail] = await smtp.waitFor(() => true);
      const html = mail.parsed.html as string;
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<b>bold</b>');
      expect(html).toContain(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;',
      );
      expect(mail.parsed.text).toContain(
        '<script>alert("x")</script> & <b>bold</b>',
      );
    });

    it('reports people without an email address and addresses the server refuses (550) as unreachable, and still mails the others', async () => {
      const { notifier } = notifierFor();
      smtp.refuse(OLIVIA_MAIL);
      const request = makeRequest();
      const message = makeMessage({
        request,
        recipients: [NOEMAIL, OLIVIA, SAM],
        task: makeTask(request, { approvers: [NOEMAIL, OLIVIA, SAM] }),
      });

      const result = await notifier.notify(message);

      expect(result.unreachable.sort()).toEqual([NOEMAIL, OLIVIA].sort());
      expect(smtp.messages.map(m => m.to)).toEqual([[SAM_MAIL]]);
      // Links of the refused message are not kept.
      const approvers = await knex('app_access_email_action_tokens')
        .where({ request_id: request.id })
        .distinct('approver_ref');
      expect(approvers.map(r => r.approver_ref)).toEqual([SAM]);
    });

    it('throws on a temporary refusal (451) so the outbox retries, and the retry mails only who was missed', async () => {
      const { notifier } = notifierFor();
      smtp.deferTemporarily(OLIVIA_MAIL);
      const request = makeRequest();
      const message = makeMessage({
        request,
        recipients: [SAM, OLIVIA],
        task: makeTask(request, { approvers: [SAM, OLIVIA] }),
      });

      await expect(notifier.notify(message)).rejects.toThrow(/451/);
      expect(smtp.messages.map(m => m.to)).toEqual([[SAM_MAIL]]);

      smtp.accept(OLIVIA_MAIL);
      await expect(notifier.notify(message)).resolves.toEqual({
        unreachable: [],
      });
      expect(smtp.messages.map(m => m.to)).toEqual([[SAM_MAIL], [OLIVIA_MAIL]]);

      // A third attempt of a completed delivery sends nothing.
      await notifier.notify(message);
      expect(smtp.messages).toHaveLength(2);
    });

    it('throws when the SMTP server cannot be reached', async () => {
      const { notifier } = notifierFor(
        emailConfig({
          host: '127.0.0.1',
          port: await closedPort(),
          ignoreTLS: true,
        }),
      );
      const message = makeMessage();
      await expect(notifier.notify(message)).rejects.toThrow(/ECONNREFUSED/);
      expect(
        await knex('app_access_email_action_tokens').where({
          request_id: message.request.id,
        }),
      ).toEqual([]);
    });

    it('signs with DKIM so that the receiving side verifies the signature', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
      });
      const { notifier } = notifierFor(
        emailConfig(smtp.smtpConfig, {
          dkim: {
            domainName: 'acme.example',
            keySelector: 'apps2026',
            privateKey: privateKey
              .export({ type: 'pkcs8', format: 'pem' })
              .toString(),
          },
        }),
      );
      await notifier.notify(makeMessage());
      const [mail] = await smtp.waitFor(() => true);
      expect(mail.parsed.headers.has('dkim-signature')).toBe(true);

      const txt = `v=DKIM1; k=rsa; p=${publicKey
        .export({ type: 'spki', format: 'der' })
        .toString('base64')}`;
      const lookups: string[] = [];
      const resolver = async (name: string, type: string) => {
        lookups.push(`${type} ${name}`);
        if (type === 'TXT' && name === 'apps2026._domainkey.acme.example')
          return [[txt]];
        throw Object.assign(new Error(`no ${type} record for ${name}`), {
          code: 'ENOTFOUND',
        });
      };
      const result = await dkimVerify(mail.raw, { resolver });
      expect(lookups).toContain('TXT apps2026._domainkey.acme.example');
      expect(result.results).toHaveLength(1);
      expect(result.results[0].signingDomain).toBe('acme.example');
      expect(result.results[0].status.result).toBe('pass');

      // The same message with its body changed no longer verifies.
      const tampered = Buffer.from(
        mail.raw.toString().replace('Jane Doe', 'Jane Dough'),
      );
      const bad = await dkimVerify(tampered, { resolver });
      expect(bad.results[0].status.result).not.toBe('pass');
    });

    it('signs in to the SMTP server with the configured credentials', async () => {
      const { notifier } = notifierFor(
        emailConfig(
          { ...smtp.smtpConfig },
          {
            smtp: {
              ...smtp.smtpConfig,
              auth: { user: 'mailer', pass: 's3cret' },
            },
          },
        ),
      );
      await notifier.notify(makeMessage());
      await smtp.waitFor(() => true);
      expect(smtp.logins).toEqual([{ user: 'mailer', pass: 's3cret' }]);
      expect(smtp.messages[0].authUser).toBe('mailer');
    });

    it('tells approvers who decided, and that the links stopped working', async () => {
      const { notifier } = notifierFor();
      const request = makeRequest({ status: 'denied', level: 0 });
      const task = makeTask(request, {
        approvers: [SAM, OLIVIA],
        status: 'denied',
        decidedBy: SAM,
        decidedAt: new Date().toISOString(),
        comment: 'Use the viewer seat',
      });
      await notifier.notify(
        makeMessage({
          kind: 'decision_recorded',
          request,
          task,
          recipients: [SAM, OLIVIA],
        }),
      );
      const [mail] = smtp.to(OLIVIA_MAIL);
      expect(mail.parsed.subject).toBe(
        'Figma Editor for Jane Doe: denied by Sam Manager',
      );
      for (const part of [mail.parsed.text!, mail.parsed.html as string]) {
        expect(part).toContain('Denied by Sam Manager');
        expect(part).toContain('Use the viewer seat');
        expect(part).toContain('no longer work');
      }
      expect(links(mail.parsed.text!)).toEqual([]);
      expect(
        await knex('app_access_email_action_tokens').where({
          request_id: request.id,
        }),
      ).toEqual([]);
    });

    it('names the grantee first and who filed it when a request was filed on their behalf', async () => {
      const { notifier } = notifierFor();
      const request = makeRequest({ requester: SAM, grantee: JANE });
      await notifier.notify(
        makeMessage({
          request,
          recipients: [OLIVIA],
          task: makeTask(request, { approvers: [OLIVIA] }),
        }),
      );
      const [ask] = smtp.to(OLIVIA_MAIL);
      expect(ask.parsed.subject).toBe(
        'Approval needed: Figma Editor for Jane Doe, filed by Sam Manager',
      );
      const text = ask.parsed.text!;
      expect(text).toContain(
        'The request for Figma Editor for Jane Doe, filed by Sam Manager, needs your decision.',
      );
      expect(text).toMatch(/For:?\s+Jane Doe <jane\.doe@acme\.example>/);
      expect(text).toMatch(
        /Filed by:?\s+Sam Manager <sam\.manager@acme\.example>/,
      );
      expect(text).not.toMatch(/Requester:?\s/);

      smtp.reset();
      const task = makeTask(request, {
        approvers: [OLIVIA],
        status: 'approved',
        decidedBy: OLIVIA,
        decidedAt: new Date().toISOString(),
      });
      await notifier.notify(
        makeMessage({
          kind: 'decision_recorded',
          request,
          task,
          recipients: [OLIVIA],
        }),
      );
      const [decided] = smtp.to(OLIVIA_MAIL);
      expect(decided.parsed.subject).toBe(
        'Figma Editor for Jane Doe, filed by Sam Manager: approved by Olivia Owner',
      );
      expect(decided.parsed.text).toContain(
        'Olivia Owner approved the request for Figma Editor for Jane Doe, filed by Sam Manager, at level 1.',
      );
    });

    it('tells the requester about decisions, with the comment', async () => {
      const { notifier } = notifierFor();
      const denied = makeRequest({ status: 'denied', level: 0 });
      await notifier.notify(
        makeMessage({
          kind: 'decision_recorded',
          audience: 'requester',
          recipients: [JANE],
          request: denied,
          task: makeTask(denied, {
            status: 'denied',
            decidedBy: SAM,
            comment: 'Use the viewer seat',
          }),
          url: `http://portal.test/apps/requests/${denied.id}`,
        }),
      );
      const approved = makeRequest({ status: 'pending_approval', level: 2 });
      await notifier.notify(
        makeMessage({
          kind: 'decision_recorded',
          audience: 'requester',
          recipients: [JANE],
          request: approved,
          task: makeTask(approved, {
            status: 'approved',
            decidedBy: SAM,
            comment: 'ok',
          }),
        }),
      );
      const [denial, approval] = smtp.to(JANE_MAIL);
      expect(denial.parsed.subject).toBe(
        'Your request for Figma Editor was denied',
      );
      expect(denial.parsed.text).toContain(
        'Sam Manager denied your request for Figma Editor at level 1',
      );
      expect(denial.parsed.text).toContain('Reason: Use the viewer seat');
      expect(denial.parsed.html).toContain('Use the viewer seat');
      expect(denial.parsed.text).toContain(
        `http://portal.test/apps/requests/${denied.id}`,
      );
      expect(links(denial.parsed.text!)).toEqual([]);
      expect(approval.parsed.subject).toBe(
        'Your request for Figma Editor was approved at level 1',
      );
      expect(approval.parsed.text).toContain(
        'It now waits for approval at level 2',
      );
    });

    it('tells the requester about each status: approved, denied, ticket created, fulfilled, failed', async () => {
      const { notifier } = notifierFor();
      const send = async (request: ReturnType<typeof makeRequest>) => {
        smtp.reset();
        decisions.requests.set(request.id, request);
        await notifier.notify(
          makeMessage({
            kind: 'status_changed',
            audience: 'requester',
            recipients: [JANE],
            request,
            task: undefined,
            url: `http://portal.test/apps/requests/${request.id}`,
          }),
        );
        const [mail] = await smtp.waitFor(() => true);
        return mail;
      };

      const approved = await send(
        makeRequest({ status: 'approved', level: 0 }),
      );
      expect(approved.parsed.subject).toBe(
        'Your request for Figma Editor was approved',
      );

      const deniedRequest = makeRequest({ status: 'denied', level: 0 });
      deniedRequest.approvals = [
        makeTask(deniedRequest, {
          status: 'denied',
          decidedBy: SAM,
          comment: 'Budget is spent',
        }),
      ];
      const denied = await send(deniedRequest);
      expect(denied.parsed.subject).toBe(
        'Your request for Figma Editor was denied',
      );
      expect(denied.parsed.text).toContain('Reason: Budget is spent');

      const ticket = await send(
        makeRequest({
          status: 'awaiting_it',
          level: 0,
          externalRef: 'IT-4711',
          externalUrl: 'https://helpdesk.acme.example/tickets/4711',
        }),
      );
      expect(ticket.parsed.subject).toBe(
        'Your request for Figma Editor is with IT',
      );
      expect(ticket.parsed.text).toContain('Ticket: IT-4711');
      expect(ticket.parsed.text).toContain(
        'Open the ticket: https://helpdesk.acme.example/tickets/4711',
      );
      expect(ticket.parsed.html).toContain(
        'href="https://helpdesk.acme.example/tickets/4711"',
      );

      const fulfilled = await send(
        makeRequest({ status: 'fulfilled', level: 0 }),
      );
      expect(fulfilled.parsed.subject).toBe(
        'Your request for Figma Editor is done: you have access',
      );

      const failed = await send(
        makeRequest({
          status: 'failed',
          level: 0,
          failureReason: 'Okta said: user is deactivated',
        }),
      );
      expect(failed.parsed.subject).toBe(
        'Your request for Figma Editor could not be fulfilled',
      );
      expect(failed.parsed.text).toContain(
        'Reason: Okta said: user is deactivated',
      );
      expect(failed.parsed.html).toContain('Okta said: user is deactivated');
    });

    it('uses the sender and branding saved on the settings page over app-config', async () => {
      const { notifier } = notifierFor();
      decisions.settings = savedSettings({
        notifications: {
          emailFromName: 'Acme Apps Desk',
          emailFromAddress: 'apps@acme.example',
        },
        branding: {
          title: 'Acme Apps',
          accentColor: '#00aa00',
          logoUrl: 'data:image/svg+xml,<svg onload=alert(1)>',
        },
      });
      await notifier.notify(makeMessage());
      const [mail] = await smtp.waitFor(() => true);
      expect(mail.from).toBe('apps@acme.example');
      expect(mail.parsed.from?.value).toEqual([
        { name: 'Acme Apps Desk', address: 'apps@acme.example' },
      ]);
      const html = mail.parsed.html as string;
      expect(html).toContain('Acme Apps');
      expect(html).toContain('#00aa00');
      // Only http(s) logos make it into the HTML.
      expect(html).not.toContain('data:image');
    });

    it('numbers reminders and gives fresh links', async () => {
      const { notifier } = notifierFor();
      await notifier.notify(
        makeMessage({ kind: 'reminder', reminderNumber: 2 }),
      );
      const [mail] = await smtp.waitFor(() => true);
      expect(mail.parsed.subject).toBe(
        'Reminder 2: Figma Editor for Jane Doe waits for your approval',
      );
      expect(mail.parsed.text).toContain('reminder 2');
      expect(links(mail.parsed.text!)).toHaveLength(2);
    });

    it('self-tests the SMTP connection with the exact error', async () => {
      await expect(notifierFor().notifier.selfTest()).resolves.toMatchObject({
        ok: true,
        message: `Connected to 127.0.0.1:${smtp.port}`,
      });
      const port = await closedPort();
      const broken = await notifierFor(
        emailConfig({ host: '127.0.0.1', port, ignoreTLS: true }),
      ).notifier.selfTest();
      expect(broken.ok).toBe(false);
      expect(broken.message).toMatch(
        new RegExp(`SMTP check of 127.0.0.1:${port} failed: .*ECONNREFUSED`),
      );
    });
  });
});

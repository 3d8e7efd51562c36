import { Knex } from 'knex';
import request from 'supertest';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AccessRequest } from '@app-access/plugin-app-access-common';
// On purpose: the module is tested against the real core, not a fake of it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  startCoreTestBackend,
  TestPerson,
  testCatalogEntities,
} from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModuleEmail from '.';
import { ReceivedMail, TestSmtpServer } from './testing/TestSmtpServer';
import { STALE_CLAIM_MS } from './actions/EmailActions';

jest.setTimeout(120_000);

const JANE = 'user:default/jane.doe';
const RITA = 'user:default/rita.remote';
const NED = 'user:default/ned.new';
const SAM = 'user:default/sam.manager';
const FIONA = 'user:default/fiona.fallback';
const MO = 'user:default/mo.bounced';
const MAX = 'user:default/max.nomail';

const mail = (name: string) => `${name}@acme.example`;
const HELPDESK = 'helpdesk@acme.example';

const SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: figma
    name: Figma
    category: Design
    owner: group:default/it-admins
    listed: true
    approval:
      required: everyone
      level1:
        - type: manager
    tiers:
      - id: editor
        name: Editor
        fulfillment:
          type: manual
      - id: pro
        name: Pro
        fulfillment:
          type: ticket
      - id: viewer
        name: Viewer
        approval:
          required: nobody
        fulfillment:
          type: ticket
  - id: tableau
    name: Tableau
    category: Data
    listed: true
    tiers:
      - id: creator
        name: Creator
        maxDurationDays: 30
        approval:
          required: nobody
        fulfillment:
          type: ticket
  - id: notion
    name: Notion
    category: Productivity
    listed: true
    approval:
      required: everyone
      level1:
        - type: manager
    tiers:
      - id: notion-ai
        name: Notion AI
        approval:
          required: everyone
          level1:
            - type: manager
          level2:
            - type: user
              ref: user:default/olivia.owner
        fulfillment:
          type: manual
      - id: editor
        name: Editor
        fulfillment:
          type: manual
  - id: miro
    name: Miro
    category: Design
    listed: true
    tiers:
      - id: admin
        name: Admin
        approval:
          required: everyone
          level1:
            - type: group
              ref: group:default/it-admins
        fulfillment:
          type: manual
  - id: loom
    name: Loom
    category: Communication
    listed: true
    tiers:
      - id: creator
        name: Creator
        approval:
          required: everyone
          level1:
            - type: manager
        fulfillment:
          type: manual
`;

const PEOPLE: TestPerson[] = [
  {
    name: 'jane.doe',
    displayName: 'Jane Doe',
    manager: 'sam.manager',
    groups: ['engineering'],
  },
  { name: 'sam.manager', displayName: 'Sam Manager', groups: ['engineering'] },
  {
    name: 'olivia.owner',
    displayName: 'Olivia Owner',
    groups: ['engineering'],
  },
  { name: 'ivan.admin', displayName: 'Ivan Admin', groups: ['it-admins'] },
  { name: 'ida.admin', displayName: 'Ida Admin', groups: ['it-admins'] },
  // The SMTP server refuses Ulf's and Mo's addresses (550).
  { name: 'ulf.bounced', displayName: 'Ulf Bounced', groups: ['it-admins'] },
  { name: 'fiona.fallback', displayName: 'Fiona Fallback', groups: ['sales'] },
  {
    name: 'rita.remote',
    displayName: 'Rita Remote',
    manager: 'mo.bounced',
    groups: ['sales'],
  },
  { name: 'mo.bounced', displayName: 'Mo Bounced', groups: ['sales'] },
  {
    name: 'ned.new',
    displayName: 'Ned New',
    manager: 'max.nomail',
    groups: ['sales'],
  },
  {
    name: 'max.nomail',
    displayName: 'Max Nomail',
    groups: ['sales'],
    email: null,
  },
];

const entities = testCatalogEntities(PEOPLE);

function emailSettings(smtp: TestSmtpServer) {
  return {
    smtp: smtp.smtpConfig,
    from: { name: 'Acme IT', address: 'it-apps@acme.example' },
    ticketAddress: HELPDESK,
  };
}

function configData(
  smtp: TestSmtpServer,
  email: unknown = emailSettings(smtp),
) {
  return {
    backend: { baseUrl: 'http://backstage.test:7007' },
    app: { baseUrl: 'http://portal.test' },
    appAccess: {
      approvals: { method: 'email', fallbackApprover: FIONA },
      ticketing: { system: 'email' },
      // Tasks are due for a reminder almost at once; the reminder task only
      // runs when a test triggers it.
      reminders: { intervalHours: 0.0001 },
      outbox: {
        pollIntervalMs: 50,
        baseDelaySeconds: 0.1,
        maxDelaySeconds: 0.5,
      },
      branding: { title: 'Acme Apps', accentColor: '#336699' },
      ...(email ? { email } : {}),
    },
  };
}

function startBackend(options: { knex: Knex; config: Record<string, any> }) {
  return startCoreTestBackend({
    knex: options.knex,
    features: [appAccessModuleEmail],
    seedYaml: SEED_YAML,
    entities,
    config: options.config,
    scheduler: 'manual',
  });
}

describe('App Access email module, through the real core', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startBackend>>;

    beforeAll(async () => {
      smtp.reset();
      smtp.refuse(mail('ulf.bounced'));
      smtp.refuse(mail('mo.bounced'));
      knex = await databases.init(databaseId);
      backend = await startBackend({
        knex,
        config: configData(smtp),
      });
    });
    afterAll(async () => {
      await backend?.stop();
    });

    const api = () => request(backend.server);

    async function submit(
      requester: string,
      appId: string,
      tierId: string,
    ): Promise<AccessRequest> {
      const res = await api()
        .post('/api/app-access/requests')
        .set('Authorization', mockCredentials.user.header(requester))
        .send({ appId, tierId, justification: `Needed for ${appId} work` });
      expect(res.status).toBe(201);
      return res.body;
    }

    async function load(id: string, as = JANE): Promise<AccessRequest> {
      const res = await api()
        .get(`/api/app-access/requests/${id}`)
        .set('Authorization', mockCredentials.user.header(as));
      expect(res.status).toBe(200);
      return res.body;
    }

    async function waitForStatus(id: string, status: string, as = JANE) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const current = await load(id, as);
        if (current.status === status) return current;
        if (Date.now() > deadline)
          throw new Error(`Request ${id} is ${current.status}, not ${status}`);
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }

    const about = (id: string) => (m: ReceivedMail) =>
      m.parsed.headers.get('x-app-access-request') === id;

    /** The one message about this request to this address whose subject starts so. */
    async function mailTo(
      address: string,
      id: string,
      subject: string,
    ): Promise<ReceivedMail> {
      const [found] = await smtp.waitFor(
        m =>
          about(id)(m) &&
          m.to.includes(address) &&
          (m.parsed.subject ?? '').startsWith(subject),
      );
      return found;
    }

    function actionLinks(received: ReceivedMail) {
      const text = received.parsed.text ?? '';
      const approve = /^Approve: (\S+)$/m.exec(text)?.[1];
      const deny = /^Deny: (\S+)$/m.exec(text)?.[1];
      expect(approve).toMatch(
        /^http:\/\/backstage\.test:7007\/api\/app-access\/actions\/[A-Za-z0-9_-]{43}$/,
      );
      expect(deny).toMatch(
        /^http:\/\/backstage\.test:7007\/api\/app-access\/actions\/[A-Za-z0-9_-]{43}$/,
      );
      return {
        approve: new URL(approve!).pathname,
        deny: new URL(deny!).pathname,
      };
    }

    it('denies at level 1 through the link: looking decides nothing, confirming with a reason does', async () => {
      const r = await submit(JANE, 'figma', 'editor');
      const ask = await mailTo(
        mail('sam.manager'),
        r.id,
        'Approval needed: Figma Editor for Jane Doe',
      );
      expect(ask.parsed.text).toContain('Needed for figma work');
      expect(ask.parsed.html).toContain('Acme Apps');
      expect(ask.parsed.html).toContain('#336699');
      const { approve, deny } = actionLinks(ask);

      // Mail scanners open links: GET shows the form and never decides.
      for (const path of [deny, approve, deny]) {
        const page = await api().get(path);
        expect(page.status).toBe(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.headers['cache-control']).toBe('no-store');
        expect(page.text).toContain('<form method="post">');
      }
      const denyPage = await api().get(deny);
      expect(denyPage.text).toContain('Deny Jane Doe&#39;s request?');
      expect(denyPage.text).toMatch(
        /<textarea id="comment" name="comment" required/,
      );
      let current = await load(r.id);
      expect(current.status).toBe('pending_approval');
      expect(current.approvals?.map(t => t.status)).toEqual(['open']);

      // A denial needs a reason.
      const noReason = await api()
        .post(deny)
        .type('form')
        .send({ comment: '  ' });
      expect(noReason.status).toBe(400);
      expect(noReason.text).toContain('Please give a reason');
      expect((await load(r.id)).status).toBe('pending_approval');

      const denied = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'Use the <viewer> tier' });
      expect(denied.status).toBe(200);
      expect(denied.text).toContain(
        'You denied Jane Doe&#39;s request for Figma Editor',
      );
      current = await load(r.id);
      expect(current.status).toBe('denied');
      expect(current.events).toContainEqual(
        expect.objectContaining({
          type: 'denied',
          actor: SAM,
          comment: 'Use the <viewer> tier',
          data: { channel: 'email' },
        }),
      );

      const told = await mailTo(
        mail('jane.doe'),
        r.id,
        'Your request for Figma Editor was denied',
      );
      expect(told.parsed.text).toContain(
        'Sam Manager denied your request for Figma Editor at level 1',
      );
      expect(told.parsed.text).toContain('Reason: Use the <viewer> tier');
      expect(told.parsed.html).toContain('Use the &lt;viewer&gt; tier');
      const outcome = await mailTo(
        mail('sam.manager'),
        r.id,
        'Figma Editor for Jane Doe: denied by Sam Manager',
      );
      expect(outcome.parsed.text).toContain('no longer work');

      // Used links: the same one again, or its sibling.
      const again = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'again' });
      expect(again.status).toBe(410);
      expect(again.text).toContain('This link was already used');
      expect(again.text).toContain('You already denied this request');
      const sibling = await api().post(approve).type('form').send({});
      expect(sibling.status).toBe(410);
      expect((await api().get(approve)).status).toBe(410);
      expect((await load(r.id)).status).toBe('denied');
    });

    it('approves at level 1, then the level 2 approver denies', async () => {
      const r = await submit(JANE, 'notion', 'notion-ai');
      const ask = await mailTo(
        mail('sam.manager'),
        r.id,
        'Approval needed: Notion Notion AI for Jane Doe',
      );
      const { approve } = actionLinks(ask);
      const page = await api().get(approve);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Approve Jane Doe&#39;s request?');

      const approved = await api()
        .post(approve)
        .type('form')
        .send({ comment: 'fine by me' });
      expect(approved.status).toBe(200);
      expect(approved.text).toContain(
        'It now goes to the approvers of level 2',
      );
      const atLevel2 = await load(r.id);
      expect(atLevel2).toMatchObject({ status: 'pending_approval', level: 2 });

      const progress = await mailTo(
        mail('jane.doe'),
        r.id,
        'Your request for Notion Notion AI was approved at level 1',
      );
      expect(progress.parsed.text).toContain(
        'It now waits for approval at level 2',
      );

      const ask2 = await mailTo(
        mail('olivia.owner'),
        r.id,
        'Approval needed: Notion Notion AI for Jane Doe',
      );
      expect(ask2.parsed.text).toContain('approver at level 2');
      const { deny } = actionLinks(ask2);
      const denied = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'AI seats are full' });
      expect(denied.status).toBe(200);

      const done = await load(r.id);
      expect(done.status).toBe('denied');
      expect(done.approvals?.map(t => t.status)).toEqual([
        'approved',
        'denied',
      ]);
      const told = await mailTo(
        mail('jane.doe'),
        r.id,
        'Your request for Notion Notion AI was denied',
      );
      expect(told.parsed.text).toContain('AI seats are full');
    });

    it('asks every reachable member of a group without the fallback, and tells the slower one it was already decided', async () => {
      const r = await submit(JANE, 'miro', 'admin');
      const ivanAsk = await mailTo(
        mail('ivan.admin'),
        r.id,
        'Approval needed: Miro Admin for Jane Doe',
      );
      const idaAsk = await mailTo(
        mail('ida.admin'),
        r.id,
        'Approval needed: Miro Admin for Jane Doe',
      );
      expect(smtp.to(mail('ulf.bounced'))).toEqual([]);

      const ivanApproves = await api()
        .post(actionLinks(ivanAsk).approve)
        .type('form')
        .send({});
      expect(ivanApproves.status).toBe(200);

      // Ida comes second: her links are superseded.
      const idaLinks = actionLinks(idaAsk);
      const look = await api().get(idaLinks.deny);
      expect(look.status).toBe(410);
      expect(look.text).toContain('Already decided: approved by Ivan Admin');
      const late = await api()
        .post(idaLinks.deny)
        .type('form')
        .send({ comment: 'no' });
      expect(late.status).toBe(410);
      expect(late.text).toContain('Already decided: approved by Ivan Admin');
      const outcome = await mailTo(
        mail('ida.admin'),
        r.id,
        'Miro Admin for Jane Doe: approved by Ivan Admin',
      );
      expect(outcome.parsed.text).toContain('no longer work');

      const done = await waitForStatus(r.id, 'awaiting_it');
      expect(done.events?.map(e => e.type)).not.toContain('fallback_asked');
      expect(done.events?.map(e => e.type)).not.toContain(
        'approver_unreachable',
      );
      expect(smtp.to(mail('fiona.fallback')).filter(about(r.id))).toEqual([]);
    });

    it('asks the fallback approver only when no approver of the level can be reached', async () => {
      // Mo's address is refused with 550 on RCPT TO.
      const bounced = await submit(RITA, 'figma', 'editor');
      const ask = await mailTo(
        mail('fiona.fallback'),
        bounced.id,
        'Approval needed: Figma Editor for Rita Remote',
      );
      expect(ask.parsed.text).toContain('fallback approver');
      const current = await load(bounced.id, RITA);
      expect(current.events).toContainEqual(
        expect.objectContaining({
          type: 'approver_unreachable',
          data: { unreachable: [MO] },
        }),
      );
      expect(current.events?.map(e => e.type)).toContain('fallback_asked');
      expect(current.approvals?.[0].approvers).toEqual(
        expect.arrayContaining([MO, FIONA]),
      );

      // The fallback approver's link works like any other.
      const approved = await api()
        .post(actionLinks(ask).approve)
        .type('form')
        .send({});
      expect(approved.status).toBe(200);
      await waitForStatus(bounced.id, 'awaiting_it', RITA);

      // Max has no email address at all.
      const noAddress = await submit(NED, 'figma', 'editor');
      await mailTo(
        mail('fiona.fallback'),
        noAddress.id,
        'Approval needed: Figma Editor for Ned New',
      );
      expect((await load(noAddress.id, NED)).events).toContainEqual(
        expect.objectContaining({
          type: 'approver_unreachable',
          data: { unreachable: [MAX] },
        }),
      );
    });

    it('retries a temporarily refused approver (451) through the outbox, sends once, and does not fall back', async () => {
      smtp.deferTemporarily(mail('sam.manager'));
      const r = await submit(JANE, 'notion', 'editor');
      // Refused on the first attempt and on the outbox's retry.
      await smtp.waitForRefusals(mail('sam.manager'), 2);
      smtp.accept(mail('sam.manager'));
      await mailTo(
        mail('sam.manager'),
        r.id,
        'Approval needed: Notion Editor for Jane Doe',
      );
      await new Promise(resolve => setTimeout(resolve, 300));
      expect(smtp.to(mail('sam.manager')).filter(about(r.id))).toHaveLength(1);
      const current = await load(r.id);
      expect(current.status).toBe('pending_approval');
      expect(current.events?.map(e => e.type)).not.toContain('fallback_asked');
    });

    it('releases a claim left by a process that died before recording the decision', async () => {
      const r = await submit(JANE, 'figma', 'editor');
      const { deny } = actionLinks(
        await mailTo(
          mail('sam.manager'),
          r.id,
          'Approval needed: Figma Editor for Jane Doe',
        ),
      );
      // What a replica killed (or cut off from the database) between the
      // claim and the decision leaves: the links claimed, the task open.
      const claimedAt = (at: number) =>
        knex('app_access_email_action_tokens')
          .where({ request_id: r.id })
          .update({
            used_at: new Date(at).toISOString(),
            used_decision: 'deny',
          });
      await claimedAt(Date.now() - 5_000);
      const fresh = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'no seats' });
      expect(fresh.status).toBe(410);
      expect(fresh.text).toContain('This link was already used');
      expect((await load(r.id)).status).toBe('pending_approval');

      await claimedAt(Date.now() - STALE_CLAIM_MS - 5_000);
      const page = await api().get(deny);
      expect(page.status).toBe(200);
      const denied = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'no seats' });
      expect(denied.status).toBe(200);
      const done = await load(r.id);
      expect(done.status).toBe('denied');
      expect(done.approvals?.map(t => t.status)).toEqual(['denied']);
      expect(
        (await api().post(deny).type('form').send({ comment: 'again' })).status,
      ).toBe(410);
    });

    it('handles expired, tampered, unknown and cancelled links with a page, never a decision', async () => {
      const r = await submit(JANE, 'figma', 'editor');
      const { approve, deny } = actionLinks(
        await mailTo(
          mail('sam.manager'),
          r.id,
          'Approval needed: Figma Editor for Jane Doe',
        ),
      );

      const token = approve.split('/').pop()!;
      const tampered = `/api/app-access/actions/${token.slice(0, -1)}${
        token.endsWith('A') ? 'B' : 'A'
      }`;
      for (const path of [
        tampered,
        '/api/app-access/actions/abc',
        '/api/app-access/actions/%3Cscript%3E',
      ]) {
        for (const res of [
          await api().get(path),
          await api().post(path).type('form').send({ comment: 'x' }),
        ]) {
          expect(res.status).toBe(404);
          expect(res.text).toContain('This link is not valid');
          expect(res.text).not.toContain('<script>');
          expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
        }
      }

      await knex('app_access_email_action_tokens')
        .where({ request_id: r.id })
        .update({ expires_at: '2020-01-01T00:00:00.000Z' });
      const expired = await api().get(approve);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('This link has expired');
      expect((await api().post(approve).type('form').send({})).status).toBe(
        410,
      );
      expect((await load(r.id)).status).toBe('pending_approval');

      const cancelled = await api()
        .post(`/api/app-access/requests/${r.id}/cancel`)
        .set('Authorization', mockCredentials.user.header(JANE));
      expect(cancelled.status).toBe(200);
      const gone = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'too late' });
      expect(gone.status).toBe(410);
      expect(gone.text).toContain(
        'This request no longer waits for your decision',
      );
      expect((await load(r.id)).status).toBe('cancelled');
    });

    it('refuses oversized forms with a page', async () => {
      const r = await submit(JANE, 'figma', 'editor');
      const { deny } = actionLinks(
        await mailTo(
          mail('sam.manager'),
          r.id,
          'Approval needed: Figma Editor for Jane Doe',
        ),
      );
      const huge = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'x'.repeat(50_000) });
      expect(huge.status).toBe(413);
      expect(huge.headers['content-type']).toMatch(/^text\/html/);
      const long = await api()
        .post(deny)
        .type('form')
        .send({ comment: 'x'.repeat(2_500) });
      expect(long.status).toBe(400);
      expect(long.text).toContain('too long');
      expect((await load(r.id)).status).toBe('pending_approval');
      await api()
        .post(`/api/app-access/requests/${r.id}/cancel`)
        .set('Authorization', mockCredentials.user.header(JANE));
    });

    it('only reminds approvers of an ignored request, with working links', async () => {
      const r = await submit(JANE, 'loom', 'creator');
      await mailTo(
        mail('sam.manager'),
        r.id,
        'Approval needed: Loom Creator for Jane Doe',
      );
      await new Promise(resolve => setTimeout(resolve, 500));

      await backend.tasks
        .get('app-access-reminders')!
        .fn(new AbortController().signal);
      const reminder = await mailTo(
        mail('sam.manager'),
        r.id,
        'Reminder 1: Loom Creator for Jane Doe waits for your approval',
      );
      const { approve } = actionLinks(reminder);
      expect((await api().get(approve)).status).toBe(200);

      const current = await load(r.id);
      expect(current.status).toBe('pending_approval');
      expect(current.approvals?.map(t => t.status)).toEqual(['open']);
      const types = current.events?.map(e => e.type);
      expect(types).toContain('reminder_sent');
      expect(types).not.toContain('approved');
      expect(types).not.toContain('denied');
      expect(types).not.toContain('fallback_asked');
      expect(smtp.to(mail('fiona.fallback')).filter(about(r.id))).toEqual([]);
    });

    it('emails exactly one ticket to the help desk for an approved ticket tier', async () => {
      const r = await submit(JANE, 'figma', 'pro');
      const ask = await mailTo(
        mail('sam.manager'),
        r.id,
        'Approval needed: Figma Pro for Jane Doe',
      );
      expect(
        (await api().post(actionLinks(ask).approve).type('form').send({}))
          .status,
      ).toBe(200);

      const messageId = `<app-access-${r.id}@acme.example>`;
      const done = await waitForStatus(r.id, 'awaiting_it');
      expect(done).toMatchObject({
        externalRef: messageId,
        fulfilledBy: 'email',
      });
      const ticket = await mailTo(
        HELPDESK,
        r.id,
        'Access request: Figma Pro for Jane Doe',
      );
      expect(ticket.parsed.messageId).toBe(messageId);
      expect(ticket.parsed.text).toContain('Level 1: approved by Sam Manager');
      const told = await mailTo(
        mail('jane.doe'),
        r.id,
        'Your request for Figma Pro is with IT',
      );
      expect(told.parsed.text).toContain(`Ticket: ${messageId}`);

      await new Promise(resolve => setTimeout(resolve, 300));
      expect(smtp.to(HELPDESK).filter(about(r.id))).toHaveLength(1);
    });

    it('emails one removal ticket when access granted by email ticket is given back, and IT marks it removed in the portal', async () => {
      const ivan = mockCredentials.user.header('user:default/ivan.admin');
      const r = await submit(JANE, 'tableau', 'creator');
      await waitForStatus(r.id, 'awaiting_it');
      await mailTo(HELPDESK, r.id, 'Access request: Tableau Creator');
      // IT grants it and closes the emailed ticket the only way it can be.
      const fulfilled = await api()
        .post(`/api/app-access/admin/requests/${r.id}/mark-fulfilled`)
        .set('Authorization', ivan)
        .send({});
      expect(fulfilled.status).toBe(200);

      const held = async () => {
        const res = await api()
          .get('/api/app-access/me/access')
          .set('Authorization', mockCredentials.user.header(JANE));
        expect(res.status).toBe(200);
        return res.body.items.find((g: any) => g.requestId === r.id);
      };
      const grant = await held();
      expect(grant).toMatchObject({ status: 'active', fulfilledBy: 'email' });

      const removing = await api()
        .post(`/api/app-access/grants/${grant.id}/remove`)
        .set('Authorization', mockCredentials.user.header(JANE))
        .send({});
      expect(removing.status).toBe(200);
      expect(removing.body.status).toBe('removing');

      const messageId = `<app-access-removal-${grant.id}@acme.example>`;
      const ticket = await mailTo(
        HELPDESK,
        r.id,
        'Access removal: Tableau Creator from Jane Doe',
      );
      expect(ticket.parsed.messageId).toBe(messageId);
      expect(ticket.parsed.text).toContain(
        'Please remove Tableau Creator from Jane Doe',
      );
      expect(ticket.parsed.text).toContain(
        `http://portal.test/apps/requests/${r.id}`,
      );
      // The grant waits for IT with the ticket's Message-ID.
      const deadline = Date.now() + 10_000;
      let waiting = await held();
      while (waiting?.removalRef !== messageId && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 50));
        waiting = await held();
      }
      expect(waiting).toMatchObject({
        status: 'removing',
        removalRef: messageId,
      });

      const marked = await api()
        .post(`/api/app-access/admin/grants/${grant.id}/mark-removed`)
        .set('Authorization', ivan)
        .send({ note: 'Seat freed' });
      expect(marked.status).toBe(200);
      expect(marked.body.status).toBe('removed');
      expect(await held()).toBeUndefined();
      // Marked once: a second mark is refused.
      const again = await api()
        .post(`/api/app-access/admin/grants/${grant.id}/mark-removed`)
        .set('Authorization', ivan)
        .send({});
      expect(again.status).toBe(409);

      await new Promise(resolve => setTimeout(resolve, 300));
      const removalTickets = smtp
        .to(HELPDESK)
        .filter(about(r.id))
        .filter(m => (m.parsed.subject ?? '').startsWith('Access removal'));
      expect(removalTickets).toHaveLength(1);
      const events = (await load(r.id)).events!.map(e => e.type);
      expect(events.filter(t => t === 'access_removed')).toHaveLength(1);
    });

    it('follows the sender and help-desk address saved on the settings page', async () => {
      const ivan = mockCredentials.user.header('user:default/ivan.admin');
      const saved = await api()
        .put('/api/app-access/settings')
        .set('Authorization', ivan)
        .send({
          ticketing: {
            system: 'email',
            email: { ticketAddress: 'it-desk@acme.example' },
          },
          notifications: {
            emailFromName: 'Acme Apps Desk',
            emailFromAddress: 'apps@acme.example',
          },
        });
      expect(saved.status).toBe(200);
      try {
        // No approval needed: approved at once, then the ticket.
        const r = await submit(JANE, 'figma', 'viewer');
        const done = await waitForStatus(r.id, 'awaiting_it');
        expect(done.externalRef).toBe(`<app-access-${r.id}@acme.example>`);
        const ticket = await mailTo(
          'it-desk@acme.example',
          r.id,
          'Access request: Figma Viewer for Jane Doe',
        );
        expect(ticket.from).toBe('apps@acme.example');
        expect(ticket.parsed.from?.value).toEqual([
          { name: 'Acme Apps Desk', address: 'apps@acme.example' },
        ]);
        expect(smtp.to(HELPDESK).filter(about(r.id))).toEqual([]);
        const told = await mailTo(
          mail('jane.doe'),
          r.id,
          'Your request for Figma Viewer is with IT',
        );
        expect(told.from).toBe('apps@acme.example');
      } finally {
        const reset = await api()
          .put('/api/app-access/settings')
          .set('Authorization', ivan)
          .send({ ticketing: null, notifications: null });
        expect(reset.status).toBe(200);
      }
    });

    it('answers the settings page "Send test" for the notifier and the fulfiller', async () => {
      for (const kind of ['notifier', 'fulfiller']) {
        const res = await api()
          .post(`/api/app-access/admin/modules/${kind}/email/test`)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/ivan.admin'),
          );
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          ok: true,
          message: expect.stringContaining(
            `Connected to 127.0.0.1:${smtp.port}`,
          ),
        });
      }
    });
  });

  describe('start-up', () => {
    it('fails naming the key when the email config is invalid', async () => {
      await expect(
        startBackend({
          knex: await databases.init('SQLITE_3'),
          config: configData(smtp, {
            smtp: { port: 25 },
            from: { address: 'it@acme.example' },
          }),
        }),
      ).rejects.toThrow(/appAccess\.email\.smtp\.host/);
      await expect(
        startBackend({
          knex: await databases.init('SQLITE_3'),
          config: configData(smtp, {
            smtp: { host: '127.0.0.1', port: 99999 },
            from: { address: 'it@acme.example' },
          }),
        }),
      ).rejects.toThrow(/appAccess\.email\.smtp\.port/);
    });

    it('registers nothing when email is not configured', async () => {
      const backend = await startBackend({
        knex: await databases.init('SQLITE_3'),
        config: configData(smtp, null),
      });
      try {
        const res = await request(backend.server)
          .post('/api/app-access/admin/modules/notifier/email/test')
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/ivan.admin'),
          );
        expect(res.status).toBe(404);
        const link = await request(backend.server).get(
          `/api/app-access/actions/${'a'.repeat(43)}`,
        );
        // No action routes: the core answers, not an approval page.
        expect([401, 404]).toContain(link.status);
        expect(link.text).not.toContain('This link');
      } finally {
        await backend.stop();
      }
    });
  });
});

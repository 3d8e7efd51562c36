import supertest from 'supertest';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { FakeSlackApi, FakeSlackMessage } from './testing/FakeSlackApi';
import { buttonClick, viewSubmission } from './__testUtils__/slackInteractions';
import {
  APPROVALS_CHANNEL,
  SlackTestBackend,
  emailOf,
  ref,
  slackIdOf,
  slackUsers,
  startSlackTestBackend,
  waitFor,
} from './__testUtils__/testBackend';
import {
  APPROVE_ACTION,
  DENY_ACTION,
  REASON_BLOCK,
  REASON_INPUT,
} from './SlackMessages';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const hasButtons = (m: FakeSlackMessage) =>
  (m.blocks ?? []).some((b: any) => b.type === 'actions');
const about = (m: FakeSlackMessage, requestId: string) =>
  JSON.stringify(m.history[0]).includes(requestId);
const rendered = (m: FakeSlackMessage) =>
  `${m.text} ${JSON.stringify(m.blocks ?? [])}`;

describe.each(databases.eachSupportedId())(
  'Slack approvals through the core on %p',
  databaseId => {
    let fake: FakeSlackApi;
    let backend: SlackTestBackend;

    /** DMs a person got about a request, oldest first. */
    const dmsAbout = (name: string, requestId: string) =>
      fake.dmsTo(slackIdOf(name)).filter(m => about(m, requestId));

    /** Waits for the approver's DM with buttons about a request. */
    const approvalDm = (name: string, requestId: string) =>
      waitFor(`${name}'s approval DM for ${requestId}`, () =>
        dmsAbout(name, requestId).find(hasButtons),
      );

    const click = (
      name: string,
      message: FakeSlackMessage,
      action: 'approve' | 'deny',
    ) =>
      backend.interact(
        buttonClick({
          slackUserId: slackIdOf(name),
          message,
          actionId: action === 'approve' ? APPROVE_ACTION : DENY_ACTION,
        }),
      );

    /** Clicks Deny, then answers the modal Slack opened for that click. */
    const deny = async (
      name: string,
      message: FakeSlackMessage,
      reason: string,
    ) => {
      const before = fake.callsTo('views.open').length;
      expect((await click(name, message, 'deny')).status).toBe(200);
      const opened = fake.callsTo('views.open')[before];
      expect(opened).toBeDefined();
      return backend.interact(
        viewSubmission({
          slackUserId: slackIdOf(name),
          view: opened.args.view,
          values: { [REASON_BLOCK]: { [REASON_INPUT]: reason } },
        }),
      );
    };

    const ephemeralsTo = (name: string) =>
      fake
        .callsTo('chat.postEphemeral')
        .filter(c => c.args.user === slackIdOf(name));

    beforeAll(async () => {
      fake = await FakeSlackApi.start({ users: slackUsers });
      fake.channels.add(APPROVALS_CHANNEL);
      backend = await startSlackTestBackend({
        knex: await databases.init(databaseId),
        fake,
        slack: { channel: APPROVALS_CHANNEL },
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    it('denies at level 1: button, reason modal, requester told, buttons removed', async () => {
      const id = await backend.submit(ref('jane.doe'), 'notion', 'editor');
      const dm = await approvalDm('sam.manager', id);
      expect(rendered(dm)).toContain('Jane Doe');
      expect(rendered(dm)).toContain('Notion');
      expect(rendered(dm)).toContain('Editor');
      expect(rendered(dm)).toContain('Needed for the Q3 launch');
      const buttons = dm.blocks!.find(
        (b: any) => b.type === 'actions',
      ).elements;
      expect(buttons.map((b: any) => [b.text.text, b.style])).toEqual([
        ['Approve', 'primary'],
        ['Deny', 'danger'],
      ]);
      const request = await backend.getRequest(ref('jane.doe'), id);
      expect(JSON.parse(buttons[0].value)).toEqual({
        requestId: id,
        taskId: request.approvals[0].id,
      });

      // The channel hears about the request, without buttons.
      const post = await waitFor('channel post', () =>
        fake
          .messagesIn(APPROVALS_CHANNEL)
          .find(m => !m.threadTs && m.text?.includes('Jane Doe')),
      );
      expect(hasButtons(post)).toBe(false);

      // An empty reason is refused inside the modal.
      const empty = await deny('sam.manager', dm, '   ');
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({
        response_action: 'errors',
        errors: { [REASON_BLOCK]: 'A reason is required to deny' },
      });
      expect((await backend.getRequest(ref('jane.doe'), id)).status).toBe(
        'pending_approval',
      );

      const res = await deny(
        'sam.manager',
        dm,
        'Use the team workspace instead',
      );
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const denied = await backend.getRequest(ref('jane.doe'), id);
      expect(denied.status).toBe('denied');
      expect(denied.approvals[0]).toMatchObject({
        status: 'denied',
        decidedBy: ref('sam.manager'),
        comment: 'Use the team workspace instead',
      });
      expect(denied.events.find((e: any) => e.type === 'denied').data).toEqual({
        channel: 'slack',
      });

      const updated = await waitFor(
        "Sam's DM to lose its buttons",
        () => !hasButtons(dm) && dm,
      );
      expect(rendered(updated)).toContain('Denied by Sam Manager');
      expect(rendered(updated)).toContain('Use the team workspace instead');

      const told = await waitFor(
        "Jane's DM",
        () => dmsAbout('jane.doe', id)[0],
      );
      expect(told.text).toContain('denied by Sam Manager');
      expect(told.text).toContain('Use the team workspace instead');

      const thread = await waitFor('decision in the channel thread', () =>
        fake.messagesIn(APPROVALS_CHANNEL).find(m => m.threadTs === post.ts),
      );
      expect(thread.text).toContain('Denied by Sam Manager');
    });

    it('approves level 1, then denies at level 2; a late click is told it was decided', async () => {
      const id = await backend.submit(ref('kim.lee'), 'zoom', 'webinar');
      const samDm = await approvalDm('sam.manager', id);
      expect((await click('sam.manager', samDm, 'approve')).status).toBe(200);

      const atLevel2 = await backend.getRequest(ref('kim.lee'), id);
      expect(atLevel2).toMatchObject({ status: 'pending_approval', level: 2 });
      await waitFor("Sam's DM to lose its buttons", () => !hasButtons(samDm));
      expect(rendered(samDm)).toContain('Approved by Sam Manager');

      const kimTold = await waitFor(
        "Kim's level-1 DM",
        () => dmsAbout('kim.lee', id)[0],
      );
      expect(kimTold.text).toContain('approved level 1');

      const ivanDm = await approvalDm('ivan.admin', id);
      const tomDm = await approvalDm('tom.tech', id);
      expect(rendered(ivanDm)).toContain('Kim Lee');

      expect(
        (await deny('ivan.admin', ivanDm, 'No webinar licences left')).status,
      ).toBe(200);
      const denied = await backend.getRequest(ref('kim.lee'), id);
      expect(denied.status).toBe('denied');
      expect(denied.approvals.map((t: any) => t.status)).toEqual([
        'approved',
        'denied',
      ]);

      for (const dm of [ivanDm, tomDm]) {
        await waitFor(
          'level-2 DMs to lose their buttons',
          () => !hasButtons(dm),
        );
        expect(rendered(dm)).toContain('Denied by Ivan Admin');
      }
      const kimDenied = await waitFor("Kim's denial DM", () =>
        dmsAbout('kim.lee', id).find(m => m.text?.includes('denied')),
      );
      expect(kimDenied.text).toContain('No webinar licences left');

      // Tom still had the buttons on screen when Ivan decided.
      const before = ephemeralsTo('tom.tech').length;
      expect(
        (
          await click(
            'tom.tech',
            { ...tomDm, blocks: tomDm.history[0].blocks },
            'approve',
          )
        ).status,
      ).toBe(200);
      const refusal = ephemeralsTo('tom.tech')[before];
      expect(refusal.args.text).toMatch(
        /^Already decided: denied by user:default\/ivan\.admin/,
      );
      expect(refusal.args.channel).toBe(tomDm.channel);
      expect((await backend.getRequest(ref('kim.lee'), id)).status).toBe(
        'denied',
      );
    });

    it('leaves an ignored request waiting: no decision, no fallback', async () => {
      const id = await backend.submit(ref('lee.quiet'), 'notion', 'editor');
      await approvalDm('sam.manager', id);
      // Give the outbox time to do anything else it might (it should not).
      await new Promise(resolve => setTimeout(resolve, 1000));
      const request = await backend.getRequest(ref('lee.quiet'), id);
      expect(request.status).toBe('pending_approval');
      expect(request.approvals).toHaveLength(1);
      expect(request.approvals[0]).toMatchObject({
        status: 'open',
        fallback: false,
      });
      expect(request.approvals[0].approvers).toEqual([ref('sam.manager')]);
      expect(request.events.map((e: any) => e.type)).not.toContain(
        'fallback_asked',
      );
      expect(dmsAbout('fiona.fallback', id)).toHaveLength(0);
      expect(dmsAbout('lee.quiet', id)).toHaveLength(0);
    });

    it('asks the fallback approver only when the approver has no Slack account', async () => {
      const id = await backend.submit(ref('raj.patel'), 'notion', 'editor');
      const fionaDm = await approvalDm('fiona.fallback', id);

      const lookups = fake
        .callsTo('users.lookupByEmail', { all: true })
        .map(c => c.args.email);
      expect(lookups).toContain(emailOf('nina.nobody'));
      expect(
        fake.apiCalls.find(
          c =>
            c.method === 'users.lookupByEmail' &&
            c.args.email === emailOf('nina.nobody'),
        )?.response,
      ).toEqual({ ok: false, error: 'users_not_found' });

      const request = await backend.getRequest(ref('raj.patel'), id);
      const types = request.events.map((e: any) => e.type);
      expect(types).toContain('approver_unreachable');
      expect(types).toContain('fallback_asked');
      expect(request.approvals[0]).toMatchObject({ fallback: true });

      expect((await click('fiona.fallback', fionaDm, 'approve')).status).toBe(
        200,
      );
      const approved = await backend.getRequest(ref('raj.patel'), id);
      expect(['approved', 'fulfilling', 'awaiting_it', 'fulfilled']).toContain(
        approved.status,
      );
      await waitFor(
        "Fiona's DM to lose its buttons",
        () => !hasButtons(fionaDm),
      );
      expect(rendered(fionaDm)).toContain('Approved by Fiona Fallback');
    });

    it('refuses a click from someone who is not an approver, with an ephemeral message', async () => {
      const id = await backend.submit(ref('mo.new'), 'notion', 'editor');
      const samDm = await approvalDm('sam.manager', id);
      for (const action of ['approve', 'deny'] as const) {
        const before = ephemeralsTo('bob.other').length;
        expect((await click('bob.other', samDm, action)).status).toBe(200);
        expect(ephemeralsTo('bob.other')[before].args.text).toBe(
          'You are not an approver of this request',
        );
      }
      expect(
        fake
          .callsTo('views.open')
          .filter(c => c.args.view.private_metadata.includes(id)),
      ).toHaveLength(0);
      const request = await backend.getRequest(ref('mo.new'), id);
      expect(request.status).toBe('pending_approval');
      expect(hasButtons(samDm)).toBe(true);
    });

    it('lets a Slack account whose email two catalog users share decide nothing, says why, and records it', async () => {
      const id = await backend.submit(ref('una.new'), 'notion', 'editor');
      const patDm = await approvalDm('pat.twin', id);
      const before = ephemeralsTo('pat.twin').length;
      expect((await click('pat.twin', patDm, 'approve')).status).toBe(200);
      expect(ephemeralsTo('pat.twin')[before].args.text).toMatch(
        /^You are not an approver of this request: the email address of your Slack account belongs to 2 Backstage users \(user:default\/pat\.(twin|admin), user:default\/pat\.(twin|admin)\)/,
      );
      const request = await backend.getRequest(ref('una.new'), id);
      expect(request.status).toBe('pending_approval');
      expect(hasButtons(patDm)).toBe(true);
      const audit = await supertest(backend.server)
        .get('/api/app-access/admin/audit?type=identity_ambiguous')
        .set('Authorization', mockCredentials.user.header(ref('ivan.admin')));
      expect(audit.body.items).toEqual([
        expect.objectContaining({
          actor: 'slack:pat.twin@acme.example',
          data: expect.objectContaining({ channel: 'slack' }),
        }),
      ]);
    });

    it('delivers a DM delayed by a 429 exactly once per approver after the outbox retries', async () => {
      const id = await backend.submit(ref('mo.new'), 'zoom', 'webinar');
      const samDm = await approvalDm('sam.manager', id);
      const tomChannel = fake.dmChannelOf(slackIdOf('tom.tech'));
      // Ivan (first of the IT admins) gets his DM, Tom's is rate-limited.
      fake.rateLimit('chat.postMessage', {
        retryAfter: 1,
        when: args =>
          args.channel === tomChannel &&
          JSON.stringify(args.blocks ?? '').includes(id),
      });
      expect((await click('sam.manager', samDm, 'approve')).status).toBe(200);

      const tomDm = await approvalDm('tom.tech', id);
      const ivanDm = await approvalDm('ivan.admin', id);

      const posts = fake
        .callsTo('chat.postMessage', { all: true })
        .filter(
          c =>
            JSON.stringify(c.args.blocks ?? '').includes(id) &&
            hasButtons({ blocks: c.args.blocks } as any),
        );
      const limited = posts.filter(c => c.status === 429);
      expect(limited).toHaveLength(1);
      expect(limited[0].args.channel).toBe(tomChannel);
      const delivered = posts.filter(c => c.status === 200);
      expect(delivered.filter(c => c.args.channel === tomChannel)).toHaveLength(
        1,
      );
      expect(
        delivered.filter(c => c.args.channel === ivanDm.channel),
      ).toHaveLength(1);
      // The retry came after the 429, and updated Ivan's copy instead of posting it again.
      // The outbox waits at least half its base delay (0.2 s here) before retrying.
      expect(
        delivered.find(c => c.args.channel === tomChannel)!.at,
      ).toBeGreaterThanOrEqual(limited[0].at + 90);
      expect(dmsAbout('tom.tech', id)).toHaveLength(1);
      expect(dmsAbout('ivan.admin', id)).toHaveLength(1);
      expect(
        fake
          .callsTo('chat.update')
          .some(
            c => c.args.channel === ivanDm.channel && c.args.ts === ivanDm.ts,
          ),
      ).toBe(true);
      expect(hasButtons(tomDm)).toBe(true);

      const request = await backend.getRequest(ref('mo.new'), id);
      const retried = request.events.filter(
        (e: any) => e.type === 'approver_unreachable',
      );
      expect(retried).toHaveLength(0);
    });
  },
);

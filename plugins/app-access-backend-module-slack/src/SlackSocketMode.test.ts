import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeSlackApi, FakeSlackMessage } from './testing/FakeSlackApi';
import { buttonClick, viewSubmission } from './__testUtils__/slackInteractions';
import {
  SlackTestBackend,
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

describe.each(databases.eachSupportedId())(
  'Slack approvals over Socket Mode on %p',
  databaseId => {
    let fake: FakeSlackApi;
    let backend: SlackTestBackend;

    const approvalDm = (name: string, requestId: string) =>
      waitFor(`${name}'s approval DM`, () =>
        fake
          .dmsTo(slackIdOf(name))
          .find(
            m => hasButtons(m) && JSON.stringify(m.blocks).includes(requestId),
          ),
      );

    beforeAll(async () => {
      fake = await FakeSlackApi.start({ users: slackUsers });
      backend = await startSlackTestBackend({
        knex: await databases.init(databaseId),
        fake,
        slack: { socketMode: { appToken: fake.appToken } },
      });
      await waitFor(
        'the Socket Mode connection',
        () => fake.socketModeConnections === 1,
      );
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    it('opens the connection with the app-level token', () => {
      const opens = fake.callsTo('apps.connections.open');
      expect(opens.length).toBeGreaterThanOrEqual(1);
      expect(opens[0].token).toBe(fake.appToken);
    });

    it('approves with a button and denies through the reason modal, acknowledging each envelope', async () => {
      const id = await backend.submit(ref('kim.lee'), 'zoom', 'webinar');
      const samDm = await approvalDm('sam.manager', id);
      const approveAck = await fake.sendInteractive(
        buttonClick({
          slackUserId: slackIdOf('sam.manager'),
          message: samDm,
          actionId: APPROVE_ACTION,
        }),
      );
      expect(Object.keys(approveAck)).toEqual(['envelope_id']);
      expect(await backend.getRequest(ref('kim.lee'), id)).toMatchObject({
        status: 'pending_approval',
        level: 2,
      });

      const ivanDm = await approvalDm('ivan.admin', id);
      const opened = fake.callsTo('views.open').length;
      await fake.sendInteractive(
        buttonClick({
          slackUserId: slackIdOf('ivan.admin'),
          message: ivanDm,
          actionId: DENY_ACTION,
        }),
      );
      const view = fake.callsTo('views.open')[opened].args.view;

      const empty = await fake.sendInteractive(
        viewSubmission({
          slackUserId: slackIdOf('ivan.admin'),
          view,
          values: { [REASON_BLOCK]: { [REASON_INPUT]: '' } },
        }),
      );
      expect(empty.payload).toEqual({
        response_action: 'errors',
        errors: { [REASON_BLOCK]: 'A reason is required to deny' },
      });

      const submitted = await fake.sendInteractive(
        viewSubmission({
          slackUserId: slackIdOf('ivan.admin'),
          view,
          values: { [REASON_BLOCK]: { [REASON_INPUT]: 'Budget frozen' } },
        }),
      );
      expect(submitted.payload).toBeUndefined();
      const denied = await backend.getRequest(ref('kim.lee'), id);
      expect(denied.status).toBe('denied');
      expect(denied.approvals[1]).toMatchObject({
        decidedBy: ref('ivan.admin'),
        comment: 'Budget frozen',
      });
      await waitFor("Ivan's DM to lose its buttons", () => !hasButtons(ivanDm));
    });

    it('reconnects when Slack asks it to, and keeps working', async () => {
      const before = fake.callsTo('apps.connections.open').length;
      fake.askToReconnect();
      await waitFor(
        'a new connection',
        () =>
          fake.callsTo('apps.connections.open').length > before &&
          fake.socketModeConnections === 1,
      );
      const id = await backend.submit(ref('jane.doe'), 'notion', 'editor');
      const samDm = await approvalDm('sam.manager', id);
      await fake.sendInteractive(
        buttonClick({
          slackUserId: slackIdOf('sam.manager'),
          message: samDm,
          actionId: APPROVE_ACTION,
        }),
      );
      expect((await backend.getRequest(ref('jane.doe'), id)).status).not.toBe(
        'pending_approval',
      );
    });
  },
);

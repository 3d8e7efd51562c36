import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AppAccessEngine } from '../AppAccessEngine';
import { Caller } from '../workflow/RequestWorkflow';
import {
  FakeDirectory,
  people,
  RecordingNotifier,
  testApps,
} from '../__testUtils__/fakes';
import { LIVE_UPDATES_CHANNEL, LiveUpdatePublisher } from './liveUpdates';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const as = (name: string, groups: string[] = []): Caller => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`, ...groups],
});
const jane = as('jane.doe', ['group:default/engineering']);
const sam = as('sam.manager', ['group:default/engineering']);

type Published = Parameters<LiveUpdatePublisher['publish']>[0];

describe.each(databases.eachSupportedId())('live updates on %p', databaseId => {
  let engine: AppAccessEngine;
  let published: Published[];
  let failing: boolean;

  async function settle() {
    for (let i = 0; i < 100; i++) {
      if (
        (await engine.worker.runOnce(new Date(Date.now() + 48 * 3600_000))) ===
        0
      )
        return;
    }
    throw new Error('outbox did not settle');
  }

  beforeEach(async () => {
    published = [];
    failing = false;
    engine = await AppAccessEngine.create({
      config: new ConfigReader({ app: { baseUrl: 'http://portal.test' } }),
      logger: mockServices.logger.mock(),
      knex: await databases.init(databaseId),
      directory: new FakeDirectory(people),
      notifiers: [new RecordingNotifier('backstage')],
      signals: {
        async publish(signal) {
          if (failing) throw new Error('signals backend is down');
          published.push(signal);
        },
      },
    });
    await engine.seeds.importApps(testApps());
  });

  it('tells the approvers and the requester after each notice went out, never before the commit', async () => {
    const r = await engine.workflow.submit(jane, {
      appId: 'notion',
      tierId: 'editor',
      justification: 'docs',
    });
    // Committed, but nothing is published until the outbox sends the notice.
    expect(published).toHaveLength(0);
    await settle();
    const asked = published.find(p => p.message.kind === 'approval_needed');
    expect(asked).toMatchObject({
      channel: LIVE_UPDATES_CHANNEL,
      message: { requestId: r.id, status: 'pending_approval' },
    });
    expect(asked!.recipients.entityRef).toEqual(
      expect.arrayContaining([sam.userRef, jane.userRef]),
    );

    published = [];
    await engine.workflow.decide(sam, r.id, {
      decision: 'deny',
      comment: 'no',
    });
    await settle();
    expect(published.length).toBeGreaterThan(0);
    for (const p of published) {
      expect(p.message).toMatchObject({ requestId: r.id, status: 'denied' });
      expect(p.recipients.entityRef).toContain(jane.userRef);
    }
  });

  it('reaches every member of an approver group holding a task, also when the notice goes only to the requester', async () => {
    const ivan = as('ivan.admin', ['group:default/it-admins']);
    const tom = 'user:default/tom.tech';
    const r = await engine.workflow.submit(jane, {
      appId: 'workday',
      tierId: 'seat',
      justification: 'payroll',
    });
    await settle();
    // The group is resolved to its members (as the notice is), never sent as a group ref.
    const asked = published.filter(p => p.message.kind === 'approval_needed');
    expect(asked.length).toBeGreaterThan(0);
    for (const p of asked) {
      expect(p.recipients.entityRef).toEqual(
        expect.arrayContaining([ivan.userRef, tom, jane.userRef]),
      );
      expect(p.recipients.entityRef).not.toContain('group:default/it-admins');
    }

    published = [];
    // Jane cancels: the notice goes to her only, yet both members' inboxes
    // hold the task and must drop it without a reload.
    await engine.workflow.cancel(jane, r.id);
    await settle();
    for (const member of [ivan.userRef, tom]) {
      const told = published.filter(p =>
        ([] as string[]).concat(p.recipients.entityRef).includes(member),
      );
      expect(told.map(p => p.message)).toContainEqual(
        expect.objectContaining({ requestId: r.id, status: 'cancelled' }),
      );
    }
    // A person with no part in the request is not told.
    for (const p of published) {
      expect(p.recipients.entityRef).not.toContain('user:default/carol.ceo');
    }
  });

  it('a signals outage costs only the live update: the notice job still succeeds', async () => {
    failing = true;
    const r = await engine.workflow.submit(jane, {
      appId: 'notion',
      tierId: 'editor',
      justification: 'docs',
    });
    await settle();
    expect(published).toHaveLength(0);
    const dead = await engine.outbox.list({ status: 'dead', limit: 10 });
    expect(dead.filter(j => j.payload.requestId === r.id)).toHaveLength(0);
  });
});

import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AppAccessFulfiller,
  FulfillmentContext,
  FulfillmentResult,
} from '@app-access/plugin-app-access-node';
import { AppAccessEngine } from '../AppAccessEngine';
import { FakeDirectory, people, testApps } from '../__testUtils__/fakes';
import { waitFor } from '../testUtils/waitFor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const jane = {
  userRef: 'user:default/jane.doe',
  ownershipRefs: ['user:default/jane.doe', 'group:default/engineering'],
};

/** Okta that grants access only once the test lets it answer. */
class HeldOkta implements AppAccessFulfiller {
  readonly handles = ['okta-group'];
  readonly calls: string[] = [];
  private release!: () => void;
  private readonly answered = new Promise<void>(resolve => {
    this.release = resolve;
  });

  constructor(private readonly held: boolean) {}

  answer() {
    this.release();
  }

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    this.calls.push(context.idempotencyKey);
    if (this.held) await this.answered;
    return { status: 'fulfilled', externalRef: `okta:${this.calls.length}` };
  }
}

describe.each(databases.eachSupportedId())(
  'fulfil job handler on %p',
  databaseId => {
    it('records nothing for a replica whose job was taken over while it called the vendor', async () => {
      const knex = await databases.init(databaseId);
      const replica = async (okta: HeldOkta) => {
        const engine = await AppAccessEngine.create({
          config: new ConfigReader({
            appAccess: { outbox: { leaseSeconds: 0.2 } },
          }),
          logger: mockServices.logger.mock(),
          knex,
          directory: new FakeDirectory(people),
          fulfillers: [okta],
        });
        return engine;
      };
      const slowOkta = new HeldOkta(true);
      const fastOkta = new HeldOkta(false);
      const a = await replica(slowOkta);
      const b = await replica(fastOkta);
      await a.seeds.importApps(testApps());

      const request = await a.workflow.submit(jane, {
        appId: 'notion',
        tierId: 'guest',
      });
      const running = a.worker.runOnce();
      await waitFor(
        'replica A to call Okta',
        () => slowOkta.calls.length === 1,
      );
      // Replica A's heartbeat keeps the lease on the real clock; a claim made
      // with a clock past the lease takes the job over, as after a stalled
      // heartbeat.
      const takeover = await b.outbox.claim({
        workerId: 'replica-b',
        leaseMs: 200,
        now: new Date(Date.now() + 10 * 60_000),
      });
      expect(takeover).toBeDefined();
      slowOkta.answer();
      await running;

      const types = async () =>
        (await a.events.eventsForRequest(request.id)).map(e => e.type);
      // A's result is discarded: the request is still being fulfilled.
      expect((await a.workflow.getRequest(request.id)).status).toBe(
        'fulfilling',
      );
      expect(await types()).not.toContain('fulfilled');

      // B's claim ran out too (it was made far in the future); B's worker
      // takes the job and records the grant once.
      expect(await b.worker.runOnce(new Date(Date.now() + 20 * 60_000))).toBe(
        1,
      );
      const done = await b.workflow.getRequest(request.id);
      expect(done.status).toBe('fulfilled');
      expect(done.externalRef).toBe('okta:1');
      expect((await types()).filter(t => t === 'fulfilled')).toHaveLength(1);
      // Both replicas asked Okta with the same idempotency key, which is what
      // lets Okta (a group membership) treat the second call as a no-op.
      expect([...slowOkta.calls, ...fastOkta.calls]).toEqual([
        `app-access-${request.id}`,
        `app-access-${request.id}`,
      ]);
      const [job] = await a.outbox.list({ limit: 1, kind: 'fulfill' });
      expect(job).toMatchObject({ status: 'done', attempts: 0, fence: 3 });
    });
  },
);

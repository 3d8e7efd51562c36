import { writeFileSync } from 'node:fs';
import { Knex } from 'knex';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AppAccessEngine } from '../AppAccessEngine';
import { Caller } from './RequestWorkflow';
import {
  FakeDirectory,
  people,
  RecordingNotifier,
  ScriptedFulfiller,
  testApps,
} from '../__testUtils__/fakes';

/**
 * Statements (round trips to the database) per write, counted with knex's
 * `query` event over the services the HTTP routes call: what a create and a
 * decision cost inside the request, and what delivering their outbox jobs
 * costs right after. The write-path benchmark's hot path; bench/README.md
 * quotes these counts. `BENCH_STATEMENTS_FILE=<path>` also writes them (and
 * every statement's SQL) as JSON.
 *
 * The bounds below are the counts of the current code: a change that adds a
 * statement to a create or a decision fails here and must say why.
 */

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const as = (name: string, groups: string[] = []): Caller => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`, ...groups],
});
const jane = as('jane.doe', ['group:default/engineering']);
const sam = as('sam.manager', ['group:default/engineering']);
const ivan = as('ivan.admin', ['group:default/it-admins']);

const later = () => new Date(Date.now() + 48 * 3600_000);

/** The SQL of every statement `fn` sends through `knex` (transactions included). */
async function counted<T>(
  knex: Knex,
  fn: () => Promise<T>,
): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const listener = (q: { sql: string }) => sql.push(q.sql);
  knex.on('query', listener);
  try {
    const result = await fn();
    return { result, sql };
  } finally {
    knex.removeListener('query', listener);
  }
}

/**
 * Before this counter existed (commit c3c2b0c) the same steps took 20 / 17 /
 * 22 / 62 statements on both databases. The outbox claim is one statement on
 * PostgreSQL and a short transaction on SQLite, hence the two columns. An
 * approver's notice also reads the tier's seats bought, for the seat warning
 * (one statement in createDelivery).
 */
const BOUNDS: Record<string, Record<string, number>> = {
  POSTGRES_15: {
    create: 10,
    createDelivery: 8,
    decide: 12,
    decideDelivery: 37,
  },
  SQLITE_3: { create: 10, createDelivery: 14, decide: 12, decideDelivery: 55 },
};

describe.each(databases.eachSupportedId())(
  'write path statements on %p',
  databaseId => {
    it('counts the statements of a create and a decision, in the request and in the outbox delivery after it', async () => {
      const knex = await databases.init(databaseId);
      const notifier = new RecordingNotifier('backstage');
      const engine = await AppAccessEngine.create({
        config: new ConfigReader({
          app: { baseUrl: 'http://portal.test' },
          appAccess: {
            approvals: { fallbackApprover: 'user:default/fiona.fallback' },
          },
        }),
        logger: mockServices.logger.mock(),
        knex,
        directory: new FakeDirectory(people),
        notifiers: [notifier],
        fulfillers: [new ScriptedFulfiller(['okta-group'])],
      });
      await engine.seeds.importApps(testApps());
      const { requests } = engine.services();
      const notOthers = async () => false;
      const settle = async () => {
        for (let i = 0; i < 50; i++) {
          if ((await engine.worker.runOnce(later())) === 0) return;
        }
        throw new Error('outbox did not settle');
      };

      // Warm-up: caches filled as on a running server (settings, directory).
      const warm = await requests.submit(jane, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'warm-up',
      });
      await settle();
      await requests.decide(sam, warm.id, { decision: 'approve' }, notOthers);
      await settle();

      const create = await counted(knex, () =>
        requests.submit(jane, {
          appId: 'workday',
          tierId: 'seat',
          justification: 'payroll',
        }),
      );
      expect(create.result.status).toBe('pending_approval');
      expect(create.result.events?.map(e => e.type)).toEqual([
        'submitted',
        'approval_requested',
      ]);
      expect(create.result.approvals).toHaveLength(1);
      const createDelivery = await counted(knex, settle);
      expect(notifier.to(ivan.userRef, 'approval_needed')).toHaveLength(1);

      const decide = await counted(knex, () =>
        requests.decide(
          ivan,
          create.result.id,
          { decision: 'approve' },
          notOthers,
        ),
      );
      expect(decide.result.approvals?.[0].status).toBe('approved');
      expect(decide.result.events?.map(e => e.type)).toContain('approved');
      const decideDelivery = await counted(knex, settle);
      expect(
        notifier
          .to(jane.userRef, 'decision_recorded')
          .filter(m => m.request.id === create.result.id),
      ).toHaveLength(1);

      const counts = {
        create: create.sql.length,
        createDelivery: createDelivery.sql.length,
        decide: decide.sql.length,
        decideDelivery: decideDelivery.sql.length,
      };
      // eslint-disable-next-line no-console
      console.log(`${databaseId} statements: ${JSON.stringify(counts)}`);
      const file = process.env.BENCH_STATEMENTS_FILE;
      if (file) {
        writeFileSync(
          file.replace('%db', databaseId),
          JSON.stringify(
            {
              databaseId,
              counts,
              sql: {
                create: create.sql,
                createDelivery: createDelivery.sql,
                decide: decide.sql,
                decideDelivery: decideDelivery.sql,
              },
            },
            null,
            2,
          ),
        );
      }
      for (const [key, bound] of Object.entries(BOUNDS[databaseId])) {
        expect(counts[key as keyof typeof counts]).toBeLessThanOrEqual(bound);
      }
    });
  },
);

import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { AppStore } from './AppStore';
import { ApprovalTaskStore } from './ApprovalTaskStore';
import { AuditEventStore } from './AuditEventStore';
import { OutboxStore } from './OutboxStore';
import { RequestStore } from './RequestStore';
import { SettingsStore, settingsFromConfig } from './SettingsStore';
import { UsageStore } from './UsageStore';
import { migrationsDir } from './migrations';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const config = { directory: migrationsDir };

const TABLES = [
  'apps',
  'app_tiers',
  'requests',
  'approval_tasks',
  'approval_task_approvers',
  'request_events',
  'settings',
  'outbox',
  'people',
  'person_groups',
  'app_assignments',
  'usage_rollups',
  'sync_state',
  'access_grants',
  'usage_snapshots',
  'reclaim_campaigns',
  'reclaim_questions',
];

async function tablesPresent(knex: Knex): Promise<string[]> {
  const present: string[] = [];
  for (const table of TABLES) {
    if (await knex.schema.hasTable(table)) present.push(table);
  }
  return present;
}

/** The plugin's tables with their columns, to compare schemas between steps. */
async function schemaShape(knex: Knex): Promise<Record<string, string[]>> {
  const shape: Record<string, string[]> = {};
  for (const table of await tablesPresent(knex)) {
    shape[table] = Object.keys(await knex(table).columnInfo()).sort();
  }
  return shape;
}

const at = '2026-12-01T10:00:00.000Z';

/** One row or more in every table, written the way the plugin writes them. */
async function writeThroughStores(knex: Knex, tag: string) {
  const apps = new AppStore(knex);
  const requests = new RequestStore(knex);
  const tasks = new ApprovalTaskStore(knex);
  const events = new AuditEventStore(knex);
  const outbox = new OutboxStore(knex);
  const settings = new SettingsStore(
    knex,
    settingsFromConfig(new ConfigReader({})),
  );
  const usage = new UsageStore(knex);
  const appId = `${tag}-app`;
  const requestId = `${tag}-request`;
  const person = `user:default/${tag}`;
  await knex.transaction(async tx => {
    await apps.save(
      {
        id: appId,
        name: `App ${tag}`,
        category: 'Tools',
        listed: true,
        approvalMethod: 'slack',
        externalIds: { okta: `okta-${tag}` },
        tiers: [
          { id: 'standard', name: 'Standard', fulfillment: { type: 'manual' } },
        ],
      },
      { source: 'seed', seedHash: `hash-${tag}`, adminModified: false },
      tx,
    );
    await requests.insert(
      {
        id: requestId,
        kind: 'access',
        app_id: appId,
        tier_id: 'standard',
        app_name: `App ${tag}`,
        tier_name: 'Standard',
        requester: person,
        status: 'pending_approval',
        level: 1,
        justification: 'needed for work',
        needed_by: null,
        intake: null,
        plan: JSON.stringify([
          { level: 1, approvers: ['user:default/boss'], fallback: false },
        ]),
        external_ref: null,
        external_url: null,
        failure_reason: null,
        fulfilled_by: 'manual',
        retries: 0,
        open_key: `${person}|${appId}|standard`,
        created_at: at,
        updated_at: at,
      },
      tx,
    );
    await tasks.insertTask(
      {
        id: `${tag}-task`,
        requestId,
        level: 1,
        approvers: ['user:default/boss', 'group:default/it'],
        fallback: false,
      },
      tx,
    );
    await events.addEvent(
      {
        requestId,
        appId,
        actor: person,
        type: 'submitted',
        toStatus: 'submitted',
        data: { tierId: 'standard' },
      },
      tx,
    );
    await outbox.enqueue(
      [
        {
          kind: 'fulfill',
          idempotencyKey: `fulfill:${requestId}:0`,
          payload: { requestId },
        },
      ],
      tx,
    );
    await settings.update({ approvalMethod: 'email' }, person, tx);
  });
  await usage.upsertPeople(
    [
      {
        ref: person,
        email: `${tag}@example.com`,
        title: 'Engineer',
        department: 'R&D',
        groups: ['group:default/it'],
      },
    ],
    'catalog',
  );
  await usage.setAssignments('okta-direct', [
    { personRef: person, appIds: [appId] },
  ]);
  await usage.recomputeRollups();
  await usage.saveSync(`${tag}-sync`, {
    status: 'idle',
    lastCounts: { people: 1 },
  });
}

async function readThroughStores(knex: Knex, tag: string) {
  const requestId = `${tag}-request`;
  const person = `user:default/${tag}`;
  const app = await new AppStore(knex).get(`${tag}-app`);
  const request = await new RequestStore(knex).get(requestId);
  const usage = new UsageStore(knex);
  return {
    app: app && {
      name: app.name,
      approvalMethod: app.approvalMethod,
      externalIds: app.externalIds,
      tiers: app.tiers.map(t => t.id),
    },
    request: request && {
      status: request.status,
      fulfilledBy: request.fulfilledBy,
    },
    tasks: (await new ApprovalTaskStore(knex).tasksForRequest(requestId)).map(
      t => ({
        id: t.id,
        approvers: t.approvers,
      }),
    ),
    events: (await new AuditEventStore(knex).eventsForRequest(requestId)).map(
      e => e.type,
    ),
    outbox: (await new OutboxStore(knex).list({ limit: 10 })).map(
      j => j.idempotencyKey,
    ),
    settings: (await knex('settings').pluck('key')).sort(),
    person: (await usage.getPerson(person))?.groups,
    apps: [...(await usage.appsOf(person))],
    rollups: Number((await knex('usage_rollups').count('* as n'))[0].n),
    sync: (await usage.getSync(`${tag}-sync`))?.lastCounts,
  };
}

function expected(tag: string) {
  return {
    app: {
      name: `App ${tag}`,
      approvalMethod: 'slack',
      externalIds: { okta: `okta-${tag}` },
      tiers: ['standard'],
    },
    request: { status: 'pending_approval', fulfilledBy: 'manual' },
    tasks: [
      {
        id: `${tag}-task`,
        approvers: ['group:default/it', 'user:default/boss'],
      },
    ],
    events: ['submitted'],
    outbox: [`fulfill:${tag}-request:0`],
    settings: ['approvalMethod'],
    person: ['group:default/it'],
    apps: [`${tag}-app`],
    rollups: 2,
    sync: { people: 1 },
  };
}

/**
 * Rows as each migration's schema accepts them, so every step can be rolled
 * back with data in its tables.
 */
const ROWS_PER_STEP: Array<(knex: Knex) => Promise<void>> = [
  async knex => {
    await knex('apps').insert({
      id: 'step-app',
      name: 'Step app',
      category: 'Tools',
      listed: true,
      external_ids: '{}',
      source: 'seed',
      admin_modified: false,
      created_at: at,
      updated_at: at,
    });
    await knex('app_tiers').insert({
      app_id: 'step-app',
      id: 'standard',
      name: 'Standard',
      position: 0,
      fulfillment: '{"type":"manual"}',
    });
    await knex('requests').insert({
      id: 'step-request',
      kind: 'access',
      app_id: 'step-app',
      tier_id: 'standard',
      app_name: 'Step app',
      requester: 'user:default/jane',
      status: 'pending_approval',
      open_key: 'user:default/jane|step-app|standard',
      created_at: at,
      updated_at: at,
    });
    await knex('approval_tasks').insert({
      id: 'step-task',
      request_id: 'step-request',
      level: 1,
      status: 'open',
      fallback: false,
      created_at: at,
    });
    await knex('approval_task_approvers').insert({
      task_id: 'step-task',
      approver_ref: 'user:default/boss',
    });
    await knex('request_events').insert({
      request_id: 'step-request',
      at,
      actor: 'user:default/jane',
      type: 'submitted',
    });
    await knex('settings').insert({
      key: 'approvalMethod',
      value: '"email"',
      updated_by: 'user:default/admin',
      updated_at: at,
    });
    await knex('outbox').insert({
      kind: 'fulfill',
      payload: '{}',
      idempotency_key: 'fulfill:step-request:0',
      status: 'pending',
      next_attempt_at: at,
      created_at: at,
      updated_at: at,
    });
  },
  async knex => {
    await knex('apps')
      .where({ id: 'step-app' })
      .update({ approval_method: 'slack' });
    await knex('requests')
      .where({ id: 'step-request' })
      .update({ fulfilled_by: 'manual' });
  },
  async knex => {
    await knex('people').insert({
      ref: 'user:default/jane',
      title: 'Engineer',
      source: 'catalog',
      active: true,
      updated_at: at,
    });
    await knex('person_groups').insert({
      person_ref: 'user:default/jane',
      group_ref: 'group:default/it',
    });
    await knex('app_assignments').insert({
      person_ref: 'user:default/jane',
      app_id: 'step-app',
      source: 'okta-direct',
    });
    await knex('usage_rollups').insert({
      dimension: 'title',
      value: 'Engineer',
      app_id: 'step-app',
      users: 1,
    });
    await knex('sync_state').insert({ id: 'okta', status: 'idle' });
  },
  async knex => {
    // Per-job fenced leases: a claimed, failing job.
    await knex('outbox')
      .where({ idempotency_key: 'fulfill:step-request:0' })
      .update({ fence: 3, claims: 3, failing_since: at });
  },
  async knex => {
    await knex('requests')
      .where({ id: 'step-request' })
      .update({ requester_note: "Closed as won't do: use Confluence" });
  },
  async knex => {
    // The reminder sweep's index: an open task that was reminded once.
    await knex('approval_tasks')
      .where({ request_id: 'step-request' })
      .update({ reminders: 1, last_reminded_at: at });
  },
  async knex => {
    // Access with an end: a tier with a maximum, a shortened request and
    // the grant it made.
    await knex('app_tiers')
      .where({ app_id: 'step-app', id: 'standard' })
      .update({ max_duration_days: 30, duration_required: true });
    await knex('requests')
      .where({ id: 'step-request' })
      .update({ duration_days: 7, extends_grant_id: null });
    await knex('access_grants').insert({
      id: 'step-grant',
      app_id: 'step-app',
      tier_id: 'standard',
      app_name: 'Step app',
      tier_name: 'Standard',
      grantee: 'user:default/jane',
      request_id: 'step-request',
      granted_at: at,
      ends_at: '2030-01-08T00:00:00.000Z',
      status: 'active',
      fulfilled_by: 'manual',
      updated_at: at,
    });
  },
  async knex => {
    // Filed by a manager for a report.
    await knex('requests')
      .where({ id: 'step-request' })
      .update({ requester: 'user:default/boss', grantee: 'user:default/jane' });
  },
  async knex => {
    // A priced tier with the seats bought.
    await knex('app_tiers')
      .where({ app_id: 'step-app', id: 'standard' })
      .update({
        cost_per_seat_cents: 1250,
        currency: 'EUR',
        seats_purchased: 50,
      });
  },
  async knex => {
    // Usage insight's snapshot of the step app for one day.
    await knex('usage_snapshots').insert({
      day: '2030-01-01',
      app_id: 'step-app',
      tier_id: 'standard',
      holders: 1,
      active_30: null,
      taken_at: at,
    });
  },
  async knex => {
    // A reclamation campaign asking the step grant's holder, and a policy.
    await knex('reclaim_campaigns').insert({
      id: 'step-campaign',
      app_id: 'step-app',
      app_name: 'Step app',
      tier_id: 'standard',
      tier_name: 'Standard',
      inactive_days: 60,
      deadline_at: '2030-01-15T00:00:00.000Z',
      status: 'running',
      source: 'admin',
      created_by: 'user:default/admin',
      created_at: at,
      updated_at: at,
    });
    await knex('reclaim_questions').insert({
      id: 'step-question',
      campaign_id: 'step-campaign',
      grant_id: 'step-grant',
      request_id: 'step-request',
      holder: 'user:default/jane',
      app_id: 'step-app',
      tier_id: 'standard',
      tier_name: 'Standard',
      status: 'asked',
      open_key: 'step-grant',
      asked_at: at,
      deadline_at: '2030-01-15T00:00:00.000Z',
      updated_at: at,
    });
    await knex('app_tiers')
      .where({ app_id: 'step-app', id: 'standard' })
      .update({ auto_reclaim: '{"inactiveDays":60,"answerDays":14}' });
  },
  async knex => {
    // The notice lane's index: a notice waiting behind the fulfil job.
    await knex('outbox').insert({
      kind: 'notify',
      payload: '{}',
      idempotency_key: 'notify:step-request:fulfilled',
      status: 'pending',
      next_attempt_at: at,
      created_at: at,
      updated_at: at,
    });
  },
];

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('roll back to nothing with data present, then migrate up and hold data again', async () => {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest(config);
    expect(await tablesPresent(knex)).toEqual(TABLES);
    await writeThroughStores(knex, 'first');
    expect(await readThroughStores(knex, 'first')).toEqual(expected('first'));

    await knex.migrate.rollback(config, true);
    expect(await tablesPresent(knex)).toEqual([]);

    await knex.migrate.latest(config);
    expect(await tablesPresent(knex)).toEqual(TABLES);
    expect(await knex('apps').pluck('id')).toEqual([]);
    await writeThroughStores(knex, 'second');
    expect(await readThroughStores(knex, 'second')).toEqual(expected('second'));
  });

  it('goes up and rolls back one migration at a time with rows in its tables', async () => {
    const knex = await databases.init(databaseId);
    const [, pending] = await knex.migrate.list(config);
    // A new migration needs rows here, so its down runs against data too.
    expect(pending).toHaveLength(ROWS_PER_STEP.length);

    const shapeAfterStep: Record<string, string[]>[] = [];
    for (const writeRows of ROWS_PER_STEP) {
      await knex.migrate.up(config);
      await writeRows(knex);
      shapeAfterStep.push(await schemaShape(knex));
    }
    expect(Object.keys(shapeAfterStep[shapeAfterStep.length - 1])).toEqual(
      TABLES,
    );
    expect(await knex('apps').where({ id: 'step-app' }).first()).toMatchObject({
      approval_method: 'slack',
    });

    for (let step = ROWS_PER_STEP.length - 1; step >= 0; step--) {
      await knex.migrate.down(config);
      // Each down leaves exactly the tables and columns the step before had.
      const before = step > 0 ? shapeAfterStep[step - 1] : {};
      expect(await schemaShape(knex)).toEqual(before);
      // What the earlier migrations hold survives rolling back a later one.
      const kept = before.requests && {
        requests: await knex('requests').pluck('id'),
        events: await knex('request_events').pluck('type'),
      };
      expect(kept).toEqual(
        before.requests && {
          requests: ['step-request'],
          events: ['submitted'],
        },
      );
    }

    await knex.migrate.latest(config);
    expect(await tablesPresent(knex)).toEqual(TABLES);
  });
});

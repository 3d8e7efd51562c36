// @ts-check

/**
 * App Access schema. Timestamps are ISO-8601 UTC strings of fixed width, so
 * they compare correctly as text on SQLite and PostgreSQL alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('apps', table => {
    table.string('id', 100).primary();
    table.string('name', 200).notNullable();
    table.string('vendor', 200);
    table.string('category', 100).notNullable();
    table.string('url', 2000);
    table.text('description');
    table.text('logo');
    table.string('owner', 300);
    table.boolean('listed').notNullable().defaultTo(false);
    table.text('external_ids').notNullable().defaultTo('{}');
    table.text('approval');
    // seed | admin | directory
    table.string('source', 20).notNullable();
    // Hash of the seed entry last imported; an admin edit sets admin_modified
    // and the seed never overwrites the app again.
    table.string('seed_hash', 100);
    table.boolean('admin_modified').notNullable().defaultTo(false);
    table.string('created_at', 30).notNullable();
    table.string('updated_at', 30).notNullable();
    table.index(['listed', 'name'], 'apps_listed_name_idx');
  });

  await knex.schema.createTable('app_tiers', table => {
    table
      .string('app_id', 100)
      .notNullable()
      .references('id')
      .inTable('apps')
      .onDelete('CASCADE');
    table.string('id', 100).notNullable();
    table.string('name', 200).notNullable();
    table.text('description');
    table.integer('position').notNullable();
    table.text('approval');
    table.text('fulfillment').notNullable();
    table.primary(['app_id', 'id']);
  });

  await knex.schema.createTable('requests', table => {
    table.string('id', 40).primary();
    table.string('kind', 20).notNullable();
    table.string('app_id', 100);
    table.string('tier_id', 100);
    table.string('app_name', 200).notNullable();
    table.string('tier_name', 200);
    table.string('requester', 300).notNullable();
    table.string('status', 30).notNullable();
    table.integer('level').notNullable().defaultTo(0);
    table.text('justification');
    table.string('needed_by', 10);
    table.text('intake');
    // The approval levels resolved at submission: [{ level, approvers, fallback }]
    table.text('plan').notNullable().defaultTo('[]');
    table.string('external_ref', 300);
    table.string('external_url', 2000);
    table.text('failure_reason');
    table.integer('retries').notNullable().defaultTo(0);
    // requester|app|tier while the request is open, null afterwards: the
    // unique index makes duplicate open requests impossible even under races.
    table.string('open_key', 600).unique();
    table.string('created_at', 30).notNullable();
    table.string('updated_at', 30).notNullable();
    table.index(['requester', 'created_at'], 'requests_requester_idx');
    table.index(['status', 'created_at'], 'requests_status_idx');
    table.index(['app_id'], 'requests_app_idx');
  });

  await knex.schema.createTable('approval_tasks', table => {
    table.string('id', 40).primary();
    table
      .string('request_id', 40)
      .notNullable()
      .references('id')
      .inTable('requests')
      .onDelete('CASCADE');
    table.integer('level').notNullable();
    // open | approved | denied | superseded
    table.string('status', 20).notNullable();
    table.string('decided_by', 300);
    table.string('decided_at', 30);
    table.text('comment');
    table.integer('reminders').notNullable().defaultTo(0);
    table.string('last_reminded_at', 30);
    table.boolean('fallback').notNullable().defaultTo(false);
    table.string('created_at', 30).notNullable();
    table.index(['request_id'], 'approval_tasks_request_idx');
    table.index(['status', 'created_at'], 'approval_tasks_status_idx');
  });

  // Who may decide a task: user refs and group refs (any member decides).
  await knex.schema.createTable('approval_task_approvers', table => {
    table
      .string('task_id', 40)
      .notNullable()
      .references('id')
      .inTable('approval_tasks')
      .onDelete('CASCADE');
    table.string('approver_ref', 300).notNullable();
    table.primary(['task_id', 'approver_ref']);
    table.index(['approver_ref'], 'approval_task_approvers_ref_idx');
  });

  await knex.schema.createTable('request_events', table => {
    table.bigIncrements('id').primary();
    table.string('request_id', 40);
    table.string('app_id', 100);
    table.string('at', 30).notNullable();
    table.string('actor', 300).notNullable();
    table.string('type', 40).notNullable();
    table.string('from_status', 30);
    table.string('to_status', 30);
    table.integer('level');
    table.text('comment');
    table.text('data');
    table.index(['request_id', 'id'], 'request_events_request_idx');
    table.index(['at'], 'request_events_at_idx');
  });

  await knex.schema.createTable('settings', table => {
    table.string('key', 100).primary();
    table.text('value').notNullable();
    table.string('updated_by', 300).notNullable();
    table.string('updated_at', 30).notNullable();
  });

  await knex.schema.createTable('outbox', table => {
    table.bigIncrements('id').primary();
    table.string('kind', 50).notNullable();
    table.text('payload').notNullable();
    table.string('idempotency_key', 300).notNullable().unique();
    // pending | running | done | dead
    table.string('status', 20).notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('next_attempt_at', 30).notNullable();
    table.text('last_error');
    table.string('locked_by', 100);
    table.string('locked_until', 30);
    table.string('created_at', 30).notNullable();
    table.string('updated_at', 30).notNullable();
    table.index(['status', 'next_attempt_at'], 'outbox_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('settings');
  await knex.schema.dropTable('request_events');
  await knex.schema.dropTable('approval_task_approvers');
  await knex.schema.dropTable('approval_tasks');
  await knex.schema.dropTable('requests');
  await knex.schema.dropTable('app_tiers');
  await knex.schema.dropTable('apps');
};

// @ts-check

/**
 * Slack has no idempotency key: every message the module posts is recorded
 * here (channel + ts) so a retry updates it instead of posting it twice, and
 * a decision can take the buttons off every approver's copy.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('app_access_slack_messages', table => {
    table.increments('id');
    // The outbox job's idempotency key: one delivery, retried as often as needed.
    table.string('idempotency_key', 500).notNullable();
    // User entity ref of the person DM'd, or `channel:<id>` for channel posts.
    table.string('recipient', 300).notNullable();
    table.string('request_id', 100).notNullable();
    table.string('task_id', 100);
    // Set on messages that carried Approve / Deny buttons.
    table.string('approver_ref', 300);
    table.string('kind', 40).notNullable();
    table.string('channel', 40).notNullable();
    table.string('ts', 40).notNullable();
    table.string('created_at', 30).notNullable();
    table.string('updated_at', 30).notNullable();
    table.unique(['idempotency_key', 'recipient'], {
      indexName: 'app_access_slack_messages_delivery_uq',
    });
    table.index(['task_id'], 'app_access_slack_messages_task_idx');
    table.index(['request_id'], 'app_access_slack_messages_request_idx');
  });

  // Signatures of interactivity requests seen within the 5-minute window,
  // shared by all replicas, so a captured request cannot be replayed.
  await knex.schema.createTable('app_access_slack_seen_signatures', table => {
    table.string('signature', 100).primary();
    // Epoch milliseconds after which the signature is stale anyway.
    table.bigInteger('expires_at').notNullable();
    table.index(['expires_at'], 'app_access_slack_seen_signatures_exp_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('app_access_slack_seen_signatures');
  await knex.schema.dropTable('app_access_slack_messages');
};

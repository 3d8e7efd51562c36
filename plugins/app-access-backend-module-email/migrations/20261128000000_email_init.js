// @ts-check

/**
 * Tables of the App Access email module, next to the core's in the plugin's
 * database (hence the prefix). Timestamps are ISO-8601 UTC strings of fixed
 * width, like the core's, so they compare correctly as text on SQLite and
 * PostgreSQL alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // Approve / Deny links. Only the SHA-256 of a token is stored: the database
  // alone cannot be used to decide anything.
  await knex.schema.createTable('app_access_email_action_tokens', table => {
    table.string('token_hash', 64).primary();
    // The approve and deny token of one approver's email share a group;
    // using one uses up both.
    table.string('group_id', 40).notNullable();
    table.string('request_id', 40).notNullable();
    table.string('task_id', 40).notNullable();
    table.string('approver_ref', 300).notNullable();
    // approve | deny
    table.string('decision', 10).notNullable();
    table.string('expires_at', 30).notNullable();
    table.string('used_at', 30);
    // What the group was used for (the decision taken through it).
    table.string('used_decision', 10);
    table.string('created_at', 30).notNullable();
    table.index(['group_id'], 'app_access_email_tokens_group_idx');
    table.index(['expires_at'], 'app_access_email_tokens_expiry_idx');
  });

  // What was sent for which delivery, so a retried delivery skips it.
  await knex.schema.createTable('app_access_email_sent', table => {
    // SHA-256 of the delivery's idempotency key (keys have no length limit).
    table.string('key_hash', 64).notNullable();
    table.string('recipient', 300).notNullable();
    table.text('idempotency_key').notNullable();
    table.string('message_id', 300).notNullable();
    table.string('sent_at', 30).notNullable();
    table.primary(['key_hash', 'recipient']);
    table.index(['sent_at'], 'app_access_email_sent_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('app_access_email_sent');
  await knex.schema.dropTable('app_access_email_action_tokens');
};

// @ts-check

/**
 * The Teams bot can only message someone proactively with a conversation
 * reference Teams handed it when the app was installed for them; and Teams
 * has no idempotency key, so every card the bot sends is recorded to update
 * it (in place) later or on a retry.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('app_access_msteams_conversations', table => {
    // Entra object id of the Teams user: one personal chat per user.
    table.string('aad_object_id', 100).primary();
    // The catalog person it maps to (through the email Teams reports), if exactly one.
    table.string('person_ref', 300);
    table.string('email', 300);
    // The Teams user id in the bot's scope (29:...).
    table.string('user_id', 300).notNullable();
    table.string('conversation_id', 500).notNullable();
    table.string('service_url', 500).notNullable();
    table.string('tenant_id', 100);
    // Set when Teams said the conversation is gone (app removed, user left).
    table.string('gone_at', 30);
    table.string('created_at', 30).notNullable();
    table.string('updated_at', 30).notNullable();
    table.index(['person_ref'], 'app_access_msteams_conversations_person_idx');
  });

  await knex.schema.createTable('app_access_msteams_messages', table => {
    table.increments('id');
    // The outbox job's idempotency key: one delivery, retried as often as needed.
    table.string('idempotency_key', 500).notNullable();
    // User entity ref of the person messaged.
    table.string('recipient', 300).notNullable();
    table.string('request_id', 100).notNullable();
    table.string('task_id', 100);
    // Set on cards that carried Approve / Deny.
    table.string('approver_ref', 300);
    table.string('kind', 40).notNullable();
    table.string('conversation_id', 500).notNullable();
    table.string('service_url', 500).notNullable();
    table.string('activity_id', 300).notNullable();
    table.string('created_at', 30).notNullable();
    table.string('updated_at', 30).notNullable();
    table.unique(['idempotency_key', 'recipient'], {
      indexName: 'app_access_msteams_messages_delivery_uq',
    });
    table.index(['task_id'], 'app_access_msteams_messages_task_idx');
  });

  // Last error of the bot, for the settings page (one row).
  await knex.schema.createTable('app_access_msteams_status', table => {
    table.string('id', 20).primary();
    table.text('last_error');
    table.string('last_error_at', 30);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('app_access_msteams_status');
  await knex.schema.dropTable('app_access_msteams_messages');
  await knex.schema.dropTable('app_access_msteams_conversations');
};

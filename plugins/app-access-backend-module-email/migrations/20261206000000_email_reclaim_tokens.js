// @ts-check

/**
 * "Keep it" / "Give it back" links of reclamation questions. Like the
 * Approve / Deny links, only the SHA-256 of a token is stored, and the two
 * links of one email share a group: using one uses up both.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('app_access_email_reclaim_tokens', table => {
    table.string('token_hash', 64).primary();
    table.string('group_id', 40).notNullable();
    table.string('question_id', 40).notNullable();
    table.string('holder_ref', 300).notNullable();
    // What the question is about ("Notion Editor"), for the pages.
    table.string('subject', 300).notNullable();
    // keep | release
    table.string('answer', 10).notNullable();
    // The question's deadline: no answer counts after it.
    table.string('expires_at', 30).notNullable();
    table.string('used_at', 30);
    table.string('used_answer', 10);
    table.string('created_at', 30).notNullable();
    table.index(['group_id'], 'app_access_email_reclaim_group_idx');
    table.index(['expires_at'], 'app_access_email_reclaim_expiry_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('app_access_email_reclaim_tokens');
};

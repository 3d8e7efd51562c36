// @ts-check

/**
 * A use of a reclamation link first takes a short lease on its email's
 * links (who and when); only the core's acceptance of the answer marks them
 * used. A use that stops between the two (a crash) leaves a lease that
 * another use takes over once it ran out, instead of links that stay used
 * with no answer recorded.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('app_access_email_reclaim_tokens', table => {
    table.string('claimed_at', 30);
    table.string('claim_owner', 40);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('app_access_email_reclaim_tokens', table => {
    table.dropColumn('claimed_at');
    table.dropColumn('claim_owner');
  });
};

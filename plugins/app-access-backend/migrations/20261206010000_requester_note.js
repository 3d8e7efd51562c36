// @ts-check

/**
 * What a requester is told when fulfilment fails, apart from the technical
 * reason (vendor errors, SMTP hosts, Jira field errors) that only admins see.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('requests', table => {
    table.text('requester_note');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('requests', table => {
    table.dropColumn('requester_note');
  });
};

// @ts-check

/**
 * Requests on behalf of someone: the grantee is the person who gets the
 * access (the requester filed it). Existing requests are their requester's
 * own, so the grantee starts as the requester; the index serves "requests
 * for me" and the leaver sweep.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('requests', table => {
    table.string('grantee', 300);
  });
  await knex('requests').update({ grantee: knex.ref('requester') });
  await knex.schema.alterTable('requests', table => {
    table.index(['grantee', 'status'], 'requests_grantee_status_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('requests', table => {
    table.dropIndex(['grantee', 'status'], 'requests_grantee_status_idx');
  });
  await knex.schema.alterTable('requests', table => {
    table.dropColumn('grantee');
  });
};

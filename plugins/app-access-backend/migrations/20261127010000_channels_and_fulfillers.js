// @ts-check

/**
 * Per-app approval channel override, and which fulfiller handled a request
 * (so its module can follow the ticket it created).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('apps', table => {
    table.string('approval_method', 20);
  });
  await knex.schema.alterTable('requests', table => {
    table.string('fulfilled_by', 50);
    table.index(['status', 'fulfilled_by'], 'requests_status_fulfiller_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('requests', table => {
    table.dropIndex(
      ['status', 'fulfilled_by'],
      'requests_status_fulfiller_idx',
    );
    table.dropColumn('fulfilled_by');
  });
  await knex.schema.alterTable('apps', table => {
    table.dropColumn('approval_method');
  });
};

// @ts-check

/**
 * Usage insight's daily snapshot: per app and tier, how many people held it
 * and how many of them signed in in the last 30 days (null when sign-ins are
 * unknown for the app), one row per UTC day. The primary key makes taking a
 * day's snapshot idempotent across replicas and restarts.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('usage_snapshots', table => {
    table.string('day', 10).notNullable();
    table.string('app_id', 100).notNullable();
    table.string('tier_id', 100).notNullable();
    table.integer('holders').notNullable();
    table.integer('active_30');
    table.string('taken_at', 40).notNullable();
    table.primary(['day', 'app_id', 'tier_id']);
    table.index(['app_id', 'day'], 'usage_snapshots_app_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('usage_snapshots');
};

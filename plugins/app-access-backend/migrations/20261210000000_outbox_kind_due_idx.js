// @ts-check

/**
 * The notice lane's index: due jobs of one kind in the order they are due.
 * A worker's notice lane claims only `notify` jobs; through outbox_due_idx
 * (status, next_attempt_at) it had to pass every due job of other kinds
 * first, so with 20,000 fulfil jobs waiting on a vendor's rate limit each
 * notice claim read them all (bench/README.md, "Outbox drain").
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('outbox', table => {
    table.index(['kind', 'status', 'next_attempt_at'], 'outbox_kind_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('outbox', table => {
    table.dropIndex(
      ['kind', 'status', 'next_attempt_at'],
      'outbox_kind_due_idx',
    );
  });
};

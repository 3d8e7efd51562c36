// @ts-check

/**
 * Fenced, per-job outbox leases.
 *
 * - `fence` grows by one on every claim. A worker keeps the value it claimed
 *   with; any write it makes after its side effect is accepted only while the
 *   row still carries that value, so a worker whose lease was taken over can
 *   no longer record anything.
 * - `claims` counts claims; `attempts` from now on counts only executions
 *   that reached the handler and failed, so re-claims after a crash and a
 *   vendor's "come back later" no longer use up the retry budget.
 * - `failing_since` is when the job first failed; giving up is decided by how
 *   long it has been failing rather than by a count.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('outbox', table => {
    table.bigInteger('fence').notNullable().defaultTo(0);
    table.integer('claims').notNullable().defaultTo(0);
    table.string('failing_since', 30);
  });
  // Jobs that already failed keep their history: they have been failing since
  // at least their last update.
  await knex('outbox')
    .whereIn('status', ['pending', 'running'])
    .andWhere('attempts', '>', 0)
    .update({
      failing_since: knex.ref('updated_at'),
      claims: knex.ref('attempts'),
    });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('outbox', table => {
    table.dropColumn('failing_since');
    table.dropColumn('claims');
    table.dropColumn('fence');
  });
};

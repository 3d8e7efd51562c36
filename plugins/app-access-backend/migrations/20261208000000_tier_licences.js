// @ts-check

/**
 * Licences that pay for themselves: what a tier's seat costs a month (in
 * minor units, so sums are exact) and in which currency, and how many seats
 * were bought. All optional; admins see them, employees never do.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('app_tiers', table => {
    table.bigInteger('cost_per_seat_cents');
    table.string('currency', 3);
    table.integer('seats_purchased');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('app_tiers', table => {
    table.dropColumn('seats_purchased');
    table.dropColumn('currency');
    table.dropColumn('cost_per_seat_cents');
  });
};

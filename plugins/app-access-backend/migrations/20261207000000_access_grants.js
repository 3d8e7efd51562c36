// @ts-check

/**
 * Access has an end: a request may ask for access for some days (an approver
 * may shorten it), and what a fulfilled request granted is recorded in
 * `access_grants` with its end, so it can be removed through the fulfiller
 * that granted it (on time, by its holder, or by an admin).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('app_tiers', table => {
    table.integer('max_duration_days');
    table.boolean('duration_required').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('requests', table => {
    table.integer('duration_days');
    // An extension request: the grant whose end it moves once approved.
    table.string('extends_grant_id', 100);
  });
  await knex.schema.createTable('access_grants', table => {
    table.string('id', 100).primary();
    table.string('app_id', 100).notNullable();
    table.string('tier_id', 100).notNullable();
    table.string('app_name', 200).notNullable();
    table.string('tier_name', 200).notNullable();
    table.string('grantee', 300).notNullable();
    table.string('request_id', 100).notNullable().unique();
    table.string('granted_at', 40).notNullable();
    table.string('ends_at', 40);
    // active | removing | removed | removal_failed
    table.string('status', 20).notNullable();
    table.string('fulfilled_by', 100);
    table.text('external_ref');
    table.text('removal_ref');
    // The fulfiller a removal was handed to (a removal ticket its follower
    // follows, or `manual` for IT), while it waits for IT.
    table.string('removal_handler', 100);
    table.text('removal_reason');
    table.string('removed_at', 40);
    table.string('removed_by', 300);
    // The end date the holder was last told about ("ends in N days").
    table.string('notice_sent_for', 40);
    table.string('updated_at', 40).notNullable();
    table.index(['grantee', 'status'], 'access_grants_grantee_idx');
    table.index(['status', 'ends_at'], 'access_grants_due_idx');
    table.index(['app_id', 'tier_id', 'status'], 'access_grants_tier_idx');
  });
  // Requests fulfilled before grants existed hold their access until removed.
  const fulfilled = await knex('requests')
    .where({ status: 'fulfilled', kind: 'access' })
    .whereNotNull('app_id')
    .select();
  for (const r of fulfilled) {
    await knex('access_grants').insert({
      id: `grant-${r.id}`,
      app_id: r.app_id,
      tier_id: r.tier_id,
      app_name: r.app_name,
      tier_name: r.tier_name ?? r.tier_id,
      grantee: r.requester,
      request_id: r.id,
      granted_at: r.updated_at,
      ends_at: null,
      status: 'active',
      fulfilled_by: r.fulfilled_by ?? null,
      external_ref: r.external_ref ?? null,
      updated_at: r.updated_at,
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('access_grants');
  await knex.schema.alterTable('requests', table => {
    table.dropColumn('extends_grant_id');
    table.dropColumn('duration_days');
  });
  await knex.schema.alterTable('app_tiers', table => {
    table.dropColumn('duration_required');
    table.dropColumn('max_duration_days');
  });
};

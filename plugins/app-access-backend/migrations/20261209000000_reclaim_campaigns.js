// @ts-check

/**
 * Reclamation campaigns: unused seats offered back. A campaign asks every
 * holder of an app (or tier) who has not signed in for N days "Keep it or
 * give it back?" with a deadline; each question is one row. `open_key`
 * holds the grant id while the question is open (asked) and is cleared when
 * it closes: its unique index keeps at most one open question per grant
 * across campaigns, on PostgreSQL and SQLite alike (both allow many NULLs).
 * A tier's auto-reclaim policy is stored as JSON on the tier.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('reclaim_campaigns', table => {
    table.string('id', 100).primary();
    table.string('app_id', 100).notNullable();
    table.string('app_name', 200).notNullable();
    table.string('tier_id', 100);
    table.string('tier_name', 200);
    table.integer('inactive_days').notNullable();
    table.string('deadline_at', 40).notNullable();
    table.text('message');
    // running | closing | completed | cancelled
    table.string('status', 20).notNullable();
    // admin | policy
    table.string('source', 20).notNullable();
    table.string('created_by', 300).notNullable();
    table.string('created_at', 40).notNullable();
    table.string('ended_at', 40);
    table.string('cancelled_by', 300);
    table.string('updated_at', 40).notNullable();
    table.index(['status', 'deadline_at'], 'reclaim_campaigns_status_idx');
  });
  await knex.schema.createTable('reclaim_questions', table => {
    table.string('id', 100).primary();
    table.string('campaign_id', 100).notNullable();
    table.string('grant_id', 100).notNullable();
    table.string('request_id', 100).notNullable();
    table.string('holder', 300).notNullable();
    table.string('holder_name', 300);
    table.string('app_id', 100).notNullable();
    table.string('tier_id', 100).notNullable();
    table.string('tier_name', 200).notNullable();
    table.string('last_sign_in_at', 40);
    // asked | kept | released | expired | removed | failed | cancelled | skipped
    table.string('status', 20).notNullable();
    table.string('open_key', 100);
    table.text('reason');
    table.string('answered_at', 40);
    table.string('answered_via', 40);
    table.string('asked_at', 40).notNullable();
    table.string('deadline_at', 40).notNullable();
    table.integer('reminders').notNullable().defaultTo(0);
    table.string('updated_at', 40).notNullable();
    table.unique(['campaign_id', 'grant_id'], {
      indexName: 'reclaim_questions_campaign_grant_uq',
    });
    table.unique(['open_key'], { indexName: 'reclaim_questions_open_uq' });
    table.index(['campaign_id', 'status'], 'reclaim_questions_campaign_idx');
    table.index(['status', 'deadline_at'], 'reclaim_questions_due_idx');
    table.index(['grant_id', 'status'], 'reclaim_questions_grant_idx');
    table.index(['holder', 'status'], 'reclaim_questions_holder_idx');
  });
  await knex.schema.alterTable('app_tiers', table => {
    // {"inactiveDays":60,"answerDays":14}; null = off.
    table.text('auto_reclaim');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('app_tiers', table => {
    table.dropColumn('auto_reclaim');
  });
  await knex.schema.dropTable('reclaim_questions');
  await knex.schema.dropTable('reclaim_campaigns');
};

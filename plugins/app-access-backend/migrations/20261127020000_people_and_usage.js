// @ts-check

/**
 * Directory and usage data for peer usage ("who on my team uses which app").
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('people', table => {
    table.string('ref', 300).primary();
    table.string('email', 300);
    table.string('display_name', 300);
    table.string('department', 200);
    table.string('title', 200);
    table.string('manager', 300);
    // catalog | okta
    table.string('source', 20).notNullable();
    table.boolean('active').notNullable().defaultTo(true);
    table.string('updated_at', 30).notNullable();
    table.index(['email'], 'people_email_idx');
    table.index(['title'], 'people_title_idx');
    table.index(['department'], 'people_department_idx');
  });

  await knex.schema.createTable('person_groups', table => {
    table.string('person_ref', 300).notNullable();
    table.string('group_ref', 300).notNullable();
    table.primary(['person_ref', 'group_ref']);
    table.index(['group_ref', 'person_ref'], 'person_groups_group_idx');
  });

  await knex.schema.createTable('app_assignments', table => {
    table.string('person_ref', 300).notNullable();
    table.string('app_id', 100).notNullable();
    // okta-direct | okta-group | portal | demo
    table.string('source', 20).notNullable();
    table.string('since', 30);
    table.string('last_used_at', 30);
    table.primary(['person_ref', 'app_id', 'source']);
    table.index(['app_id', 'person_ref'], 'app_assignments_app_idx');
  });

  // How many distinct people per title / department use each app,
  // recomputed after each sync so that catalog pages never scan assignments.
  await knex.schema.createTable('usage_rollups', table => {
    // title | department
    table.string('dimension', 20).notNullable();
    table.string('value', 200).notNullable();
    table.string('app_id', 100).notNullable();
    table.integer('users').notNullable();
    table.primary(['dimension', 'value', 'app_id']);
  });

  await knex.schema.createTable('sync_state', table => {
    table.string('id', 50).primary();
    table.text('checkpoint');
    // idle | running | failed
    table.string('status', 20).notNullable();
    table.string('last_started_at', 30);
    table.string('last_finished_at', 30);
    table.integer('last_duration_ms');
    table.text('last_counts');
    table.text('last_error');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sync_state');
  await knex.schema.dropTable('usage_rollups');
  await knex.schema.dropTable('app_assignments');
  await knex.schema.dropTable('person_groups');
  await knex.schema.dropTable('people');
};

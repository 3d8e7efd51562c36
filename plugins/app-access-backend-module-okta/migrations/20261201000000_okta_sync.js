// @ts-check

/**
 * The Okta sync's mirror of the org: what the last reads saw, so that an
 * interrupted run can continue and an incremental run can recompute the
 * people a change touches without reading all of Okta again. These tables
 * live in the App Access database next to the core's (prefix okta_sync_,
 * migrations tracked in okta_sync_knex_migrations).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('okta_sync_users', table => {
    table.string('id', 64).primary();
    // lower-cased
    table.string('login', 300).notNullable();
    table.string('email', 300);
    table.string('status', 30).notNullable();
    // The person's user entity ref: a catalog person's (owned = false) or
    // one the sync made up for a person only Okta knows (owned = true).
    table.string('ref', 300);
    table.boolean('owned').notNullable().defaultTo(false);
    // The ref this user had before it changed; its Okta data is cleaned up.
    table.string('prev_ref', 300);
    table.boolean('prev_owned').notNullable().defaultTo(false);
    table.boolean('deleted').notNullable().defaultTo(false);
    table.string('display_name', 300);
    table.string('title', 200);
    table.string('department', 200);
    table.string('manager_id', 300);
    table.string('last_updated', 40);
    // The run that last read this user (full runs drop users they did not see).
    table.string('seen_run', 40);
    table.index(['ref'], 'okta_sync_users_ref_idx');
    table.index(['login'], 'okta_sync_users_login_idx');
    table.index(['email'], 'okta_sync_users_email_idx');
  });

  await knex.schema.createTable('okta_sync_groups', table => {
    table.string('id', 64).primary();
    table.string('name', 300).notNullable();
    // OKTA_GROUP | APP_GROUP | BUILT_IN
    table.string('type', 30).notNullable();
  });

  await knex.schema.createTable('okta_sync_members', table => {
    table.string('group_id', 64).notNullable();
    table.string('user_id', 64).notNullable();
    table.primary(['group_id', 'user_id']);
    table.index(['user_id', 'group_id'], 'okta_sync_members_user_idx');
  });

  await knex.schema.createTable('okta_sync_apps', table => {
    table.string('id', 64).primary();
    table.string('label', 300).notNullable();
    // ACTIVE | INACTIVE | DELETED
    table.string('status', 20).notNullable();
    // The App Access app id (catalog or "not in catalog") for ACTIVE apps.
    table.string('catalog_id', 100);
    table.string('seen_run', 40);
  });

  await knex.schema.createTable('okta_sync_app_groups', table => {
    table.string('app_id', 64).notNullable();
    table.string('group_id', 64).notNullable();
    table.primary(['app_id', 'group_id']);
    table.index(['group_id'], 'okta_sync_app_groups_group_idx');
  });

  // Direct assignments (app users with scope USER) only; group ones are
  // derived from okta_sync_app_groups × okta_sync_members.
  await knex.schema.createTable('okta_sync_app_direct', table => {
    table.string('app_id', 64).notNullable();
    table.string('user_id', 64).notNullable();
    table.primary(['app_id', 'user_id']);
    table.index(['user_id'], 'okta_sync_app_direct_user_idx');
  });

  // Incremental runs: users whose people/assignments must be recomputed …
  await knex.schema.createTable('okta_sync_dirty', table => {
    table.string('user_id', 64).primary();
  });

  // … and what must be read again from Okta first (kind: group | app |
  // appGroups | appUsers | pair; key: id, or appId:userId for pairs).
  await knex.schema.createTable('okta_sync_pending', table => {
    table.string('kind', 20).notNullable();
    table.string('key', 200).notNullable();
    table.primary(['kind', 'key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of [
    'okta_sync_pending',
    'okta_sync_dirty',
    'okta_sync_app_direct',
    'okta_sync_app_groups',
    'okta_sync_apps',
    'okta_sync_members',
    'okta_sync_groups',
    'okta_sync_users',
  ]) {
    await knex.schema.dropTable(table);
  }
};

// @ts-check

/**
 * The reminder sweep's index: open tasks by when they last asked their
 * approvers (their last reminder, else their creation). The sweep reads the
 * longest-waiting open tasks 100 at a time; ordered by creation alone, every
 * batch had to skip past the tasks the batches before it had just reminded
 * (100,000 due tasks: quadratic).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // DDL takes no bind parameters: the literal is in the text.
  await knex.raw(
    "create index approval_tasks_due_idx on approval_tasks ((coalesce(last_reminded_at, created_at))) where status = 'open'",
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('drop index approval_tasks_due_idx');
};

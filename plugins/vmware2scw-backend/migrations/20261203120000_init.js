/*
 * The migration store of vmware2scw: plans, batches (a plan being run), waves and their approvals,
 * migrations (one per VM), stage runs and the append-only event trail.
 *
 * Times are ISO-8601 UTC strings (`toISOString()`): they sort as they compare on every database.
 * JSON documents are text columns (SQLite has no JSON type).
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('plans', table => {
    table.string('id', 64).primary();
    table.string('name', 200).notNullable();
    table.text('description');
    table.text('yaml').notNullable();
    table.text('parsed').notNullable();
    table.text('problems').notNullable();
    table.string('zone', 32).notNullable();
    table.integer('vm_count').notNullable();
    table.integer('wave_count').notNullable();
    table.string('created_by', 255).notNullable();
    table.string('created_at', 30).notNullable();
    table.index(['created_at'], 'plans_created_at_idx');
  });

  await knex.schema.createTable('batches', table => {
    table.string('id', 64).primary();
    table.string('plan_id', 64).references('id').inTable('plans');
    table.string('plan_name', 200).notNullable();
    table.string('kind', 16).notNullable();
    table.boolean('dry_run').notNullable().defaultTo(false);
    table.string('state', 32).notNullable();
    table.text('settings').notNullable();
    table.text('dry_run_report');
    table.string('created_by', 255).notNullable();
    table.string('created_at', 30).notNullable();
    table.string('finished_at', 30);
    table.index(['created_at'], 'batches_created_at_idx');
  });

  await knex.schema.createTable('waves', table => {
    table.string('id', 64).primary();
    table
      .string('batch_id', 64)
      .notNullable()
      .references('id')
      .inTable('batches')
      .onDelete('CASCADE');
    table.string('name', 200).notNullable();
    table.integer('position').notNullable();
    table.string('state', 32).notNullable();
    table.string('pause_after', 32).notNullable();
    table.string('paused_reason', 64);
    table.string('started_at', 30);
    table.string('finished_at', 30);
    table.unique(['batch_id', 'position'], {
      indexName: 'waves_batch_position_uq',
    });
  });

  await knex.schema.createTable('wave_approvals', table => {
    table.increments('id');
    table
      .string('wave_id', 64)
      .notNullable()
      .references('id')
      .inTable('waves')
      .onDelete('CASCADE');
    table.string('decision', 16).notNullable();
    table.string('actor', 255).notNullable();
    table.text('comment');
    table.string('at', 30).notNullable();
    table.index(['wave_id'], 'wave_approvals_wave_idx');
  });

  await knex.schema.createTable('migrations', table => {
    table.string('id', 64).primary();
    table
      .string('batch_id', 64)
      .notNullable()
      .references('id')
      .inTable('batches')
      .onDelete('CASCADE');
    table
      .string('wave_id', 64)
      .references('id')
      .inTable('waves')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.string('vm_name', 255).notNullable();
    table.string('source_id', 64).notNullable();
    table.string('moref', 64).notNullable();
    table.string('os_family', 16).notNullable();
    table.string('esxi_host', 255);
    table.string('target_type', 64);
    table.string('zone', 32).notNullable();
    table.integer('priority').notNullable();
    table.string('runner_id', 64);
    table.string('state', 32).notNullable();
    table.string('current_stage', 32);
    /** Position of the first stage run that has not succeeded (or been skipped); = pipeline length when done. */
    table.integer('next_position').notNullable().defaultTo(0);
    /** Last position the engine may run (stepwise migrations); null: the whole pipeline. */
    table.integer('run_until_position');
    table.boolean('stepwise').notNullable().defaultTo(false);
    /** Idempotency key of a one-VM request (a scaffolder task step): one migration per key. */
    table
      .string('request_id', 255)
      .unique({ indexName: 'migrations_request_uq' });
    table.string('scaffolder_task_id', 255);
    table.text('pipeline').notNullable();
    table.text('vm').notNullable();
    table.text('last_error');
    table.text('leftovers');
    table.string('created_at', 30).notNullable();
    table.string('started_at', 30);
    table.string('finished_at', 30);
    table.index(['batch_id'], 'migrations_batch_idx');
    table.index(['wave_id'], 'migrations_wave_idx');
    table.index(['entity_ref'], 'migrations_entity_idx');
    table.index(['state'], 'migrations_state_idx');
  });

  await knex.schema.createTable('stage_runs', table => {
    table.string('id', 64).primary();
    table
      .string('migration_id', 64)
      .notNullable()
      .references('id')
      .inTable('migrations')
      .onDelete('CASCADE');
    table.string('stage', 32).notNullable();
    table.integer('position').notNullable();
    table.string('state', 32).notNullable();
    table.integer('attempt').notNullable().defaultTo(0);
    /** Concurrency slot of the stage (worker, export, conversion, upload). */
    table.string('resource', 16).notNullable();
    /** ESXi host and disks of an export, for max_exports_per_host (counted in disks). */
    table.string('esxi_host', 255);
    table.integer('disk_count').notNullable().defaultTo(0);
    table.text('outputs');
    table.text('progress');
    table.text('error');
    table.text('skipped_reason');
    table.string('runner_id', 64);
    table.string('claimed_by', 128);
    table.string('lease_expires_at', 30);
    table.boolean('cancel_requested').notNullable().defaultTo(false);
    table.string('started_at', 30);
    table.string('finished_at', 30);
    table.string('updated_at', 30);
    table.unique(['migration_id', 'position'], {
      indexName: 'stage_runs_migration_position_uq',
    });
    table.index(['state'], 'stage_runs_state_idx');
  });

  await knex.schema.createTable('events', table => {
    table.bigIncrements('id');
    table.string('at', 30).notNullable();
    table.string('actor', 255).notNullable();
    table.string('type', 64).notNullable();
    table.string('batch_id', 64);
    table.string('wave_id', 64);
    table.string('migration_id', 64);
    table.string('entity_ref', 255);
    table.string('stage', 32);
    table.text('message').notNullable();
    table.text('details');
    table.index(['batch_id', 'id'], 'events_batch_idx');
    table.index(['migration_id', 'id'], 'events_migration_idx');
  });

  // One row that claim transactions lock (SELECT … FOR UPDATE on PostgreSQL), so that two backend
  // replicas never count the same free concurrency slot.
  await knex.schema.createTable('engine_locks', table => {
    table.string('id', 32).primary();
  });
  await knex('engine_locks').insert({ id: 'claims' });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('engine_locks');
  await knex.schema.dropTable('events');
  await knex.schema.dropTable('stage_runs');
  await knex.schema.dropTable('migrations');
  await knex.schema.dropTable('wave_approvals');
  await knex.schema.dropTable('waves');
  await knex.schema.dropTable('batches');
  await knex.schema.dropTable('plans');
};

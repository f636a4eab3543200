/**
 * 010: playbook runs (response stage). One row per run, the whole run (its steps and their
 * outcomes) as JSON in `record`. `dedupe_key` (playbook + alert) is unique, so an alert the bus
 * delivers twice starts one run; dry runs leave it null. `entity_key` and `created_ms` answer
 * the cooldown's "did this playbook act on this entity lately"; `status` finds runs waiting
 * for an approval.
 */
import type { Migration } from './migration.js';

export const playbooksMigration: Migration = {
  name: '010-playbooks',
  async up(db, adapter) {
    await db.schema
      .createTable('playbook_runs')
      .addColumn('id', adapter.sortableTextType, (col) => col.primaryKey())
      .addColumn('playbook', 'text', (col) => col.notNull())
      .addColumn('alert_id', 'text', (col) => col.notNull())
      .addColumn('dedupe_key', 'text', (col) => col.unique())
      .addColumn('entity_key', 'text')
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('playbook_runs_entity')
      .on('playbook_runs')
      .columns(['playbook', 'entity_key', 'created_ms'])
      .execute();
    await db.schema.createIndex('playbook_runs_status').on('playbook_runs').column('status').execute();
  },
};

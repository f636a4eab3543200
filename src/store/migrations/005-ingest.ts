/**
 * 005: ingest's dead letters (store layer): a sample of the lines and messages sources could
 * not turn into events, with the reason, so a person can see why a log does not parse. Listed
 * newest first by source or reason, purged by time.
 */
import type { Migration } from './migration.js';

export const ingestMigration: Migration = {
  name: '005-ingest',
  async up(db, adapter) {
    await db.schema
      .createTable('dead_letters')
      .addColumn('id', adapter.sortableTextType, (col) => col.primaryKey())
      .addColumn('time_ms', 'bigint', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('reason', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('dead_letters_time_ms').on('dead_letters').column('time_ms').execute();
    await db.schema
      .createIndex('dead_letters_source_id')
      .on('dead_letters')
      .columns(['source', 'id'])
      .execute();
    await db.schema
      .createIndex('dead_letters_reason_id')
      .on('dead_letters')
      .columns(['reason', 'id'])
      .execute();
  },
};

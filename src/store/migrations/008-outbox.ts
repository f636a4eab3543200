/**
 * 008: the persistent outbox of notices (response stage). One row per message: its delivery
 * state as columns (the worker claims and settles rows with conditional updates on them) and
 * what is sent as JSON in `record`. The idempotency key is unique, so a notice asked for twice
 * is queued once.
 */
import type { Migration } from './migration.js';

export const outboxMigration: Migration = {
  name: '008-outbox',
  async up(db, adapter) {
    await db.schema
      .createTable('outbox')
      .addColumn('id', adapter.sortableTextType, (col) => col.primaryKey())
      .addColumn('idempotency_key', 'text', (col) => col.notNull().unique())
      .addColumn('channel', 'text', (col) => col.notNull())
      .addColumn('audience', 'text', (col) => col.notNull())
      .addColumn('reference', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .addColumn('updated_ms', 'bigint', (col) => col.notNull())
      .addColumn('next_attempt_ms', 'bigint', (col) => col.notNull())
      .addColumn('lease_token', 'text')
      .addColumn('lease_until_ms', 'bigint')
      .addColumn('delivered_ms', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_ms']).execute();
  },
};

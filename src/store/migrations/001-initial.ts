/**
 * 001: the first schema (store layer). One table per collection, the whole record as JSON
 * text plus the columns queries use; indexes follow the list filters of the Store interface.
 */
import type { Migration } from './migration.js';

export const initialMigration: Migration = {
  name: '001-initial',
  async up(db, adapter) {
    const key = adapter.sortableTextType;

    await db.schema
      .createTable('events')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('time_ms', 'bigint', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('client_ip', 'text')
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('events_time_ms').on('events').column('time_ms').execute();
    await db.schema.createIndex('events_kind_id').on('events').columns(['kind', 'id']).execute();
    await db.schema.createIndex('events_client_ip_id').on('events').columns(['client_ip', 'id']).execute();

    await db.schema
      .createTable('alerts')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('time_ms', 'bigint', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('severity', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('alerts_status_id').on('alerts').columns(['status', 'id']).execute();

    await db.schema
      .createTable('decisions')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .addColumn('expires_ms', 'bigint')
      .addColumn('action', 'text', (col) => col.notNull())
      .addColumn('scope', 'text', (col) => col.notNull())
      .addColumn('value', 'text', (col) => col.notNull())
      .addColumn('origin', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('decisions_expires_ms').on('decisions').column('expires_ms').execute();
    await db.schema
      .createIndex('decisions_scope_value')
      .on('decisions')
      .columns(['scope', 'value'])
      .execute();

    await db.schema
      .createTable('incidents')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('incidents_status_id').on('incidents').columns(['status', 'id']).execute();

    await db.schema
      .createTable('findings')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('target', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('findings_target_id').on('findings').columns(['target', 'id']).execute();
    await db.schema.createIndex('findings_status_id').on('findings').columns(['status', 'id']).execute();

    await db.schema
      .createTable('users')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('name', 'text', (col) => col.notNull().unique())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', key, (col) => col.primaryKey())
      .addColumn('user_id', key, (col) => col.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (col) => col.notNull().unique())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('api_tokens_user_id_id')
      .on('api_tokens')
      .columns(['user_id', 'id'])
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id_hash', 'text', (col) => col.primaryKey())
      .addColumn('user_id', key, (col) => col.notNull().references('users.id').onDelete('cascade'))
      .addColumn('expires_ms', 'bigint', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('sessions_expires_ms').on('sessions').column('expires_ms').execute();
    await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('kv')
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('value', 'text', (col) => col.notNull())
      .execute();
  },
};

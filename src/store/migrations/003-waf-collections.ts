/**
 * 003: the WAF's persistent collections (store layer): what `initcol:ip=...` opens, one row per
 * (collection, key) with its variables as JSON and an expiry, so gateways keep per-client state
 * across restarts and share it through one database.
 */
import type { Migration } from './migration.js';

export const wafCollectionsMigration: Migration = {
  name: '003-waf-collections',
  async up(db) {
    await db.schema
      .createTable('waf_collections')
      .addColumn('collection', 'text', (col) => col.notNull())
      .addColumn('key', 'text', (col) => col.notNull())
      .addColumn('variables', 'text', (col) => col.notNull())
      .addColumn('expires_ms', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('waf_collections_pk', ['collection', 'key'])
      .execute();
    await db.schema
      .createIndex('waf_collections_expires_ms')
      .on('waf_collections')
      .column('expires_ms')
      .execute();
  },
};

/**
 * 002: the audit ledger's tables (store layer). `ledger_entries` holds every leaf (the
 * canonical entry text and its leaf hash), `ledger_nodes` the interior nodes of the Merkle tree
 * (level ≥ 1, so a proof reads O(log n) rows), `ledger_checkpoints` the signed checkpoints and
 * `ledger_salts` the per-subject salts of personal values. Hashes and salts are raw bytes.
 */
import type { Migration } from './migration.js';

export const ledgerMigration: Migration = {
  name: '002-ledger',
  async up(db, adapter) {
    const bytes = adapter.binaryType;
    const position = adapter.integerKeyType;

    await db.schema
      .createTable('ledger_entries')
      .addColumn('index', position, (col) => col.primaryKey())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('record_id', 'text', (col) => col.notNull())
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .addColumn('entry', 'text', (col) => col.notNull())
      .addColumn('leaf_hash', bytes, (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('ledger_entries_record_id')
      .on('ledger_entries')
      .columns(['record_id', 'index'])
      .execute();

    await db.schema
      .createTable('ledger_nodes')
      .addColumn('level', 'integer', (col) => col.notNull())
      .addColumn('index', 'bigint', (col) => col.notNull())
      .addColumn('hash', bytes, (col) => col.notNull())
      .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'index'])
      .modifyEnd(adapter.clusteredKeyTableSuffix)
      .execute();

    await db.schema
      .createTable('ledger_checkpoints')
      .addColumn('tree_size', position, (col) => col.primaryKey())
      .addColumn('root_hash', bytes, (col) => col.notNull())
      .addColumn('note', 'text', (col) => col.notNull())
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('ledger_salts')
      .addColumn('subject', 'text', (col) => col.primaryKey())
      .addColumn('salt', bytes, (col) => col.notNull())
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .execute();
  },
};

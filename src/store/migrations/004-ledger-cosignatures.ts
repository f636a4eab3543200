/**
 * 004: witness cosignatures of the ledger's checkpoints (store layer). One row per checkpoint
 * and witness key: the `cosignature/v1` signature line a trusted witness submitted, served with
 * the checkpoint. Kept apart from `ledger_checkpoints` so a checkpoint row is never rewritten.
 */
import type { Migration } from './migration.js';

export const ledgerCosignaturesMigration: Migration = {
  name: '004-ledger-cosignatures',
  async up(db, adapter) {
    await db.schema
      .createTable('ledger_cosignatures')
      .addColumn('tree_size', adapter.integerKeyType, (col) => col.notNull())
      .addColumn('witness', 'text', (col) => col.notNull())
      .addColumn('signature_line', 'text', (col) => col.notNull())
      .addColumn('timestamp_s', 'bigint', (col) => col.notNull())
      .addColumn('created_ms', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['tree_size', 'witness'])
      .execute();
  },
};

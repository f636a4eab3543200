/**
 * 007: fail-safe modes in force (store layer). One row per mode that is on, keyed by its name,
 * with its end time as a column so gateways can list what is in force with one query. A mode
 * that ends loses its row; its history is the ledger's `mode.enabled` / `mode.disabled` entries.
 */
import type { Migration } from './migration.js';

export const modesMigration: Migration = {
  name: '007-modes',
  async up(db) {
    await db.schema
      .createTable('modes')
      .addColumn('name', 'text', (col) => col.primaryKey())
      .addColumn('until_ms', 'bigint')
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
  },
};

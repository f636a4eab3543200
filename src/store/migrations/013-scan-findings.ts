/**
 * 013: stored scans and findings tracked across them (store layer). Adds `findings.fingerprint`
 * (the scanner's SHA-256 of check, origin, method, path, parameter and detail; null for findings
 * stored before 013) with `(target, fingerprint)` unique, so one weakness of one target is one
 * row however many scans find it; and `scan_runs`, one row per stored scan report (its summary
 * as JSON, never the whole report).
 */
import type { Migration } from './migration.js';

export const scanFindingsMigration: Migration = {
  name: '013-scan-findings',
  async up(db, adapter) {
    await db.schema.alterTable('findings').addColumn('fingerprint', 'text').execute();
    await db.schema
      .createIndex('findings_target_fingerprint')
      .on('findings')
      .columns(['target', 'fingerprint'])
      .unique()
      .execute();
    await db.schema
      .createTable('scan_runs')
      .addColumn('id', adapter.sortableTextType, (col) => col.primaryKey())
      .addColumn('target', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('scan_runs_target_id').on('scan_runs').columns(['target', 'id']).execute();
  },
};

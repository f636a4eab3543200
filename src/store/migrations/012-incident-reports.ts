/**
 * 012: frozen incident reports (store layer). Adds `incident_reports`, one row per frozen
 * version of a report (early warning, notification, …, GDPR), the whole IncidentReport as JSON.
 * A version is never changed or deleted; `(incident_id, stage, version)` is unique, so two
 * people freezing at once cannot both take v2.
 */
import type { Migration } from './migration.js';

export const incidentReportsMigration: Migration = {
  name: '012-incident-reports',
  async up(db, adapter) {
    await db.schema
      .createTable('incident_reports')
      .addColumn('id', adapter.sortableTextType, (col) => col.primaryKey())
      .addColumn('incident_id', adapter.sortableTextType, (col) => col.notNull())
      .addColumn('stage', 'text', (col) => col.notNull())
      .addColumn('version', 'integer', (col) => col.notNull())
      .addColumn('frozen_ms', 'bigint', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('incident_reports_version')
      .on('incident_reports')
      .columns(['incident_id', 'stage', 'version'])
      .unique()
      .execute();
  },
};

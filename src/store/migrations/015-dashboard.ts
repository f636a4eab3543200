/**
 * 015: what the dashboard needs from the store (store layer). `traffic_minutes`, HTTP requests
 * and blocked requests per minute, kept by the event inserts (backfilled here with the requests
 * already stored; events before 015 count as not blocked, their outcome is only in the JSON) so
 * the traffic chart reads one row a minute however busy the shop; an index on alerts'
 * `(status, severity)` for the overview's counts; and `alert_suppressions`, the tuning entries an
 * analyst records when marking an alert a false positive (one rule, one entity or every entity
 * `*`), which the alert writer honours for future alerts.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.js';

export const dashboardMigration: Migration = {
  name: '015-dashboard',
  async up(db, adapter) {
    await db.schema
      .createTable('traffic_minutes')
      .addColumn('minute_ms', adapter.integerKeyType, (col) => col.primaryKey())
      .addColumn('requests', 'bigint', (col) => col.notNull())
      .addColumn('blocked', 'bigint', (col) => col.notNull())
      .execute();
    await sql`insert into traffic_minutes (minute_ms, requests, blocked)
      select (time_ms / 60000) * 60000, count(*), 0 from events where kind = 'http' group by 1`.execute(db);
    // Covering: the overview counts every alert by status and severity from the index alone.
    await db.schema
      .createIndex('alerts_status_severity')
      .on('alerts')
      .columns(['status', 'severity'])
      .execute();
    await db.schema
      .createTable('alert_suppressions')
      .addColumn('id', adapter.sortableTextType, (col) => col.primaryKey())
      .addColumn('rule_id', 'text', (col) => col.notNull())
      .addColumn('entity_key', 'text', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('alert_suppressions_rule_entity')
      .on('alert_suppressions')
      .columns(['rule_id', 'entity_key'])
      .unique()
      .execute();
  },
};

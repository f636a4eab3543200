/**
 * 016: the events index by client address holds only the events that have one (store layer).
 * Device telemetry, carrier and business events carry no client address, yet
 * `events_client_ip_id` took an entry for each of them under NULL, which no query reads: the
 * one reader, `events.list({ clientIp })`, asks `client_ip = ?`, which implies
 * `client_ip is not null`, so SQLite and PostgreSQL both use the partial index for it. One
 * B-tree insert less per delivery sensor message, the store's highest-volume writer
 * (`npm run bench:delivery`).
 */
import { sql } from 'kysely';
import type { Migration } from './migration.js';

export const eventsClientIpPartialMigration: Migration = {
  name: '016-events-client-ip-partial',
  async up(db) {
    await db.schema.dropIndex('events_client_ip_id').execute();
    await db.schema
      .createIndex('events_client_ip_id')
      .on('events')
      .columns(['client_ip', 'id'])
      .where(sql.ref('client_ip'), 'is not', null)
      .execute();
  },
};

/**
 * 009: incident cases (store layer). Adds the append-only timeline table `incident_entries`
 * (one row per entry, the whole entry as JSON) and moves incidents written before onto the new
 * workflow statuses: open → new, investigating → triaged, resolved → recovered (contained and
 * closed keep their names), in the status column and in the record alike.
 */
import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

interface IncidentRow {
  id: string;
  status: string;
  record: string;
}

const RENAMED_STATUS: Readonly<Record<string, string>> = {
  open: 'new',
  investigating: 'triaged',
  resolved: 'recovered',
};
const BATCH = 500;

export const incidentsMigration: Migration = {
  name: '009-incidents',
  async up(untyped) {
    const db = untyped as Kysely<{ incidents: IncidentRow }>;
    await untyped.schema
      .createTable('incident_entries')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('incident_id', 'text', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('time_ms', 'bigint', (col) => col.notNull())
      .addColumn('record', 'text', (col) => col.notNull())
      .execute();
    await untyped.schema
      .createIndex('incident_entries_incident_id')
      .on('incident_entries')
      .columns(['incident_id', 'id'])
      .execute();
    await untyped.schema
      .createIndex('incident_entries_kind_time')
      .on('incident_entries')
      .columns(['kind', 'time_ms'])
      .execute();
    let after = '';
    for (;;) {
      const rows = await db
        .selectFrom('incidents')
        .select(['id', 'status', 'record'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      for (const row of rows) {
        const renamed = RENAMED_STATUS[row.status];
        if (renamed === undefined) continue;
        const record = JSON.parse(row.record) as Record<string, unknown>;
        await db
          .updateTable('incidents')
          .set({ status: renamed, record: JSON.stringify({ ...record, status: renamed }) })
          .where('id', '=', row.id)
          .execute();
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
  },
};
